/**
 * The contract over HTTP + server-sent events, for pages served by the headless server. Same-origin
 * requests carry the HttpOnly session cookie the server set; nothing here ever sees the token.
 */
import {
  type CallName,
  type CallRequest,
  type CallResponse,
  EVENT_NAMES,
  type EventName,
  type Events,
} from '../../../shared/contract.js';
import {
  CallFailure,
  type ConnectionState,
  isCallResult,
  type RendererClient,
  unwrapResult,
} from './renderer-client.js';

/** The parts of fetch this client uses (so it runs against a stub or Node's fetch in tests). */
export type FetchLike = (
  url: string,
  init: { method: 'POST'; headers: Record<string, string>; body: string; credentials: 'same-origin' },
) => Promise<{ status: number; json(): Promise<unknown> }>;

/** The parts of EventSource this client uses. */
export interface EventSourceLike {
  readonly readyState: number;
  addEventListener(type: string, listener: (event: { data?: unknown }) => void): void;
  close(): void;
}
export type EventSourceFactory = (url: string) => EventSourceLike;

export interface HttpClientOptions {
  /** Prefix of the API, e.g. "" for same-origin pages or "http://127.0.0.1:8787/". */
  baseUrl: string;
  fetch: FetchLike;
  eventSource: EventSourceFactory | null;
  /** Wait before reopening an event stream the browser gave up on. */
  reopenDelayMs?: number;
  setTimer?: (fn: () => void, ms: number) => unknown;
}

const EVENTSOURCE_CLOSED = 2;
export const SIGNED_OUT_MESSAGE =
  'Your session has ended. Open the address magnus-sync printed when it started (it contains the access token).';

export function createHttpClient(options: HttpClientOptions): RendererClient {
  const base =
    options.baseUrl === '' || options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`;
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>();
  const connectionListeners = new Set<(state: ConnectionState, reconnected: boolean) => void>();
  const setTimer = options.setTimer ?? ((fn: () => void, ms: number) => setTimeout(fn, ms));
  let source: EventSourceLike | null = null;
  let connection: ConnectionState = 'reconnecting';
  let everConnected = false;

  const setConnection = (next: ConnectionState, reconnected = false) => {
    if (next === connection && !reconnected) return;
    connection = next;
    for (const l of connectionListeners) l(next, reconnected);
  };

  const rawCall = async (name: CallName, request: unknown): Promise<unknown> => {
    let response: Awaited<ReturnType<FetchLike>>;
    try {
      response = await options.fetch(`${base}api/call/${name}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(request ?? {}),
        credentials: 'same-origin',
      });
    } catch {
      throw new CallFailure(
        'unavailable',
        'Cannot reach the Magnus Sync server. Is magnus-sync still running?',
      );
    }
    if (response.status === 401) {
      setConnection('signed-out');
      throw new CallFailure('forbidden', SIGNED_OUT_MESSAGE);
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      throw new CallFailure('internal', `The server answered ${response.status} without a readable body.`);
    }
    if (!isCallResult(body)) throw new CallFailure('internal', 'The server sent an unreadable answer.');
    return unwrapResult(body);
  };

  const open = () => {
    if (!options.eventSource || source) return;
    const es = options.eventSource(`${base}api/events`);
    source = es;
    es.addEventListener('open', () => {
      const reconnected = everConnected;
      everConnected = true;
      setConnection('connected', reconnected);
    });
    es.addEventListener('error', () => {
      if (connection === 'signed-out') return;
      setConnection('reconnecting');
      if (es.readyState !== EVENTSOURCE_CLOSED) return; // the browser retries by itself
      // The browser gave up (a non-200 answer): find out whether the session ended, else reopen.
      es.close();
      source = null;
      setTimer(() => {
        rawCall('getStats', {}).then(open, () => {
          if (connection !== 'signed-out') open();
        });
      }, options.reopenDelayMs ?? 5000);
    });
    for (const name of EVENT_NAMES) {
      es.addEventListener(name, (event) => {
        let payload: unknown;
        try {
          payload = JSON.parse(String(event.data));
        } catch {
          return;
        }
        for (const l of listeners.get(name) ?? []) l(payload);
      });
    }
  };

  return {
    transport: 'http',
    async call<K extends CallName>(name: K, request: CallRequest<K>): Promise<CallResponse<K>> {
      return (await rawCall(name, request)) as CallResponse<K>;
    },
    on<E extends EventName>(name: E, listener: (payload: Events[E]) => void): () => void {
      const set = listeners.get(name) ?? new Set();
      const wrapped = (payload: unknown) => listener(payload as Events[E]);
      set.add(wrapped);
      listeners.set(name, set);
      open();
      return () => set.delete(wrapped);
    },
    onConnection(listener) {
      connectionListeners.add(listener);
      listener(connection, false);
      open();
      return () => connectionListeners.delete(listener);
    },
  };
}
