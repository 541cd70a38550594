/**
 * The relay between the desktop app's main process and its sync engine (a separate process):
 * one small request/response protocol with numbered ids, plus one-way notices, over a message port
 * (Electron's MessagePortMain on both ends). Both ends validate every message they receive: the
 * envelope, the method or notice name, and its parameters, each with a zod schema.
 *
 * Plain Node: no electron import. A port is anything with `postMessage` and `on('message')`.
 */
import { z } from 'zod';
import { errorMeta } from '../util/errors.js';
import type { Logger } from '../util/logger.js';

/** What the relay needs of a port (Electron's MessagePortMain has exactly this). */
export interface RelayPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): unknown;
  start?(): void;
  close?(): void;
}

/** Method name → [params schema, result type]. */
export type MethodTable = Record<string, { params: z.ZodType; result: unknown }>;
/** Notice name → payload schema. */
export type NoticeTable = Record<string, z.ZodType>;

export type RelayErrorCode = 'unavailable' | 'invalid-request' | 'unknown-method' | 'failed';

/** A request that did not get an answer: the other end refused it, failed, or went away. */
export class RelayError extends Error {
  constructor(
    readonly code: RelayErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'RelayError';
  }
}

const envelopeSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('request'),
    id: z.number().int().nonnegative(),
    method: z.string().min(1).max(64),
    params: z.unknown(),
  }),
  z.object({
    kind: z.literal('response'),
    id: z.number().int().nonnegative(),
    ok: z.boolean(),
    value: z.unknown().optional(),
    error: z.object({ code: z.string(), message: z.string() }).optional(),
  }),
  z.object({ kind: z.literal('notice'), name: z.string().min(1).max(64), payload: z.unknown() }),
]);

type Params<T extends MethodTable, M extends keyof T> = z.input<T[M]['params']>;
type Result<T extends MethodTable, M extends keyof T> = T[M]['result'];

/** What one end serves: a handler per method of its table, a listener per notice it accepts. */
export interface RelayServes<In extends MethodTable, InNotices extends NoticeTable> {
  methods: { [M in keyof In]: { params: In[M]['params'] } };
  handlers: { [M in keyof In]: (params: z.output<In[M]['params']>) => Promise<Result<In, M>> };
  notices: InNotices;
  onNotice: { [N in keyof InNotices]: (payload: z.output<InNotices[N]>) => void };
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout | null;
}

/**
 * One end of the relay. `In`/`InNotices` are what it serves and accepts; `Out`/`OutNotices` what
 * it may ask of and tell the other end.
 */
export class RelayPeer<
  In extends MethodTable,
  InNotices extends NoticeTable,
  Out extends MethodTable,
  OutNotices extends NoticeTable,
> {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private closedReason: string | null = null;

  constructor(
    private readonly port: RelayPort,
    private readonly serves: RelayServes<In, InNotices>,
    private readonly logger: Logger,
  ) {
    port.on('message', (event) => this.receive(event.data));
    port.start?.();
  }

  /** Asks the other end; rejects with a RelayError when it refuses, fails, times out or is gone. */
  request<M extends keyof Out & string>(
    method: M,
    params: Params<Out, M>,
    options: { timeoutMs?: number } = {},
  ): Promise<Result<Out, M>> {
    if (this.closedReason !== null) return Promise.reject(new RelayError('unavailable', this.closedReason));
    const id = this.nextId++;
    return new Promise<Result<Out, M>>((resolve, reject) => {
      const timer = options.timeoutMs
        ? setTimeout(() => {
            this.pending.delete(id);
            reject(new RelayError('unavailable', `${method} got no answer within ${options.timeoutMs} ms.`));
          }, options.timeoutMs)
        : null;
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      this.send({ kind: 'request', id, method, params });
    });
  }

  notify<N extends keyof OutNotices & string>(name: N, payload: z.input<OutNotices[N]>): void {
    if (this.closedReason !== null) return;
    this.send({ kind: 'notice', name, payload });
  }

  /** The other end is gone: every open request fails with `reason`, later ones at once. */
  close(reason: string): void {
    if (this.closedReason !== null) return;
    this.closedReason = reason;
    for (const [id, p] of this.pending) {
      if (p.timer) clearTimeout(p.timer);
      p.reject(new RelayError('unavailable', reason));
      this.pending.delete(id);
    }
    try {
      this.port.close?.();
    } catch {
      // Already closed.
    }
  }

  private send(message: unknown): void {
    try {
      this.port.postMessage(message);
    } catch (error) {
      this.logger.warn('relay: a message could not be sent', errorMeta(error));
    }
  }

  private receive(data: unknown): void {
    const parsed = envelopeSchema.safeParse(data);
    if (!parsed.success) {
      this.logger.warn('relay: dropped a malformed message');
      return;
    }
    const message = parsed.data;
    if (message.kind === 'response') {
      const p = this.pending.get(message.id);
      if (!p) return; // Timed out already.
      this.pending.delete(message.id);
      if (p.timer) clearTimeout(p.timer);
      if (message.ok) p.resolve(message.value);
      else
        p.reject(
          new RelayError(
            relayCode(message.error?.code),
            message.error?.message ?? 'The other end refused the request.',
          ),
        );
      return;
    }
    if (message.kind === 'notice') {
      const schema = (this.serves.notices as NoticeTable)[message.name];
      const listener = (this.serves.onNotice as Record<string, (payload: unknown) => void>)[message.name];
      if (!schema || !listener) {
        this.logger.warn('relay: dropped an unknown notice', { name: message.name });
        return;
      }
      const payload = schema.safeParse(message.payload);
      if (!payload.success) {
        this.logger.warn('relay: dropped an invalid notice', { name: message.name });
        return;
      }
      try {
        listener(payload.data);
      } catch (error) {
        this.logger.warn(`relay: the ${message.name} notice listener failed`, errorMeta(error));
      }
      return;
    }
    void this.answer(message.id, message.method, message.params);
  }

  private async answer(id: number, method: string, params: unknown): Promise<void> {
    const spec = (this.serves.methods as Record<string, { params: z.ZodType }>)[method];
    const handler = (this.serves.handlers as Record<string, (p: unknown) => Promise<unknown>>)[method];
    if (!spec || !handler) {
      this.send({ kind: 'response', id, ok: false, error: { code: 'unknown-method', message: method } });
      return;
    }
    const parsed = spec.params.safeParse(params);
    if (!parsed.success) {
      this.send({
        kind: 'response',
        id,
        ok: false,
        error: { code: 'invalid-request', message: `Invalid parameters for ${method}.` },
      });
      return;
    }
    try {
      const value = await handler(parsed.data);
      this.send({ kind: 'response', id, ok: true, value: value ?? null });
    } catch (error) {
      this.logger.error(`relay: ${method} failed`, errorMeta(error));
      this.send({
        kind: 'response',
        id,
        ok: false,
        error: { code: 'failed', message: `${method} failed; the log has the details.` },
      });
    }
  }
}

function relayCode(code: string | undefined): RelayErrorCode {
  return code === 'invalid-request' || code === 'unknown-method' || code === 'unavailable' ? code : 'failed';
}
