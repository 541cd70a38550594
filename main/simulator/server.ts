/**
 * The simulator's HTTP server (node:http): per request it records the request, waits `latencyMs`,
 * enforces the URL length and the rate limit (429 + Retry-After + the DRF message), lets the request
 * hook act (request-hook.ts; the test tools' faults), checks the bearer token of private routes, and
 * answers from the routes.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AuthServer } from './auth.js';
import { Lookups } from './lookups.js';
import { addStockOrder, fillOrder } from './mutations.js';
import { movePrices } from './prices.js';
import type { HookAction } from './request-hook.js';
import { accountRoutes } from './routes-account.js';
import { authRoutes } from './routes-auth.js';
import { historyRoutes } from './routes-history.js';
import { marketRoutes } from './routes-market.js';
import { portfolioHistoryRoutes } from './routes-portfolio-history.js';
import {
  detail,
  type Reply,
  type Route,
  type RouteContext,
  type SimHttpRequest,
  throttled,
} from './routing.js';
import type { ScenarioState, SimRequest, Simulator, SimulatorOptions } from './types.js';

export const DEFAULTS = Object.freeze({
  host: '127.0.0.1',
  port: 0,
  latencyMs: 0,
  /** /orders/ pages hold 100 (docs/broker-api.md#pagination); used for every list. */
  pageSize: 100,
  /** Ids, symbols or URLs per batch request. */
  batchLimit: 100,
  /** Longer request URLs get 414 (the real limit is about this order). */
  maxUrlLength: 8192,
  accessTokenTtlSeconds: 86_400,
  pushApprovalAfterPolls: 2,
});

const MAX_BODY_BYTES = 1_000_000;
const FALLBACK_USER_UUID = 'ae620d87-d864-4297-828b-c9b7662f2c2b';

/** A token bucket of `perMinute` requests refilled continuously. */
class TokenBucket {
  #tokens: number;
  #lastMs: number;
  constructor(
    private readonly perMinute: number,
    private readonly now: () => number,
  ) {
    if (!(perMinute > 0)) throw new RangeError('rateLimit.perMinute must be positive');
    this.#tokens = perMinute;
    this.#lastMs = now();
  }
  /** 0 when a request may pass (and takes a token), else whole seconds to wait. */
  take(): number {
    const nowMs = this.now();
    const ratePerMs = this.perMinute / 60_000;
    this.#tokens = Math.min(this.perMinute, this.#tokens + Math.max(0, nowMs - this.#lastMs) * ratePerMs);
    this.#lastMs = nowMs;
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - this.#tokens) / ratePerMs / 1000));
  }
}

export async function startSimulatorServer(options: SimulatorOptions): Promise<Simulator> {
  const o = { ...DEFAULTS, ...stripUndefined(options) };
  for (const key of ['pageSize', 'batchLimit', 'maxUrlLength', 'accessTokenTtlSeconds'] as const) {
    if (!Number.isInteger(o[key]) || o[key] < 1) throw new RangeError(`${key} must be a positive integer`);
  }
  if (!(o.latencyMs >= 0)) throw new RangeError('latencyMs must be non-negative');
  const now = (): Date => options.clock?.now() ?? new Date();
  const state: ScenarioState = structuredClone(options.scenario);
  const lookups = new Lookups(state);
  const requests: SimRequest[] = [];
  const bucket = options.rateLimit
    ? new TokenBucket(options.rateLimit.perMinute, () => now().getTime())
    : null;
  const held = new Set<ServerResponse>();
  let moves = 0;

  const auth = new AuthServer({
    users: () => state.users,
    now,
    accessTokenTtlSeconds: o.accessTokenTtlSeconds,
    pushApprovalAfterPolls: o.pushApprovalAfterPolls,
    userUuid: () => state.accounts[0]?.userId ?? FALLBACK_USER_UUID,
  });

  const ctx: RouteContext = { base: '', state, lookups, pageSize: o.pageSize, batchLimit: o.batchLimit, now };
  const routes: Route[] = [
    ...authRoutes(auth),
    ...accountRoutes(ctx),
    ...marketRoutes(ctx),
    ...historyRoutes(ctx),
    ...portfolioHistoryRoutes(ctx),
  ];

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, { status: 500, body: { detail: `Simulator error: ${String(error)}` } });
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const method = (req.method ?? 'GET').toUpperCase();
    const rawUrl = req.url ?? '/';
    const url = new URL(rawUrl, `${ctx.base}/`);
    const record: SimRequest = {
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      status: 0,
      at: now(),
      durationMs: 0,
      authenticated: false,
    };
    requests.push(record);
    const finish = (status: number) => {
      record.status = status;
      record.durationMs = performance.now() - started;
    };
    const reply = (r: Reply, writeBody?: (body: unknown) => string) => {
      finish(r.status);
      send(res, r, writeBody);
    };

    const rawBody = await readBody(req);
    if (o.latencyMs > 0) await sleep(o.latencyMs);
    if (rawBody === null) return reply(detail(413, 'Request body too large.'));
    if (rawUrl.length > o.maxUrlLength)
      return reply({ status: 414, body: { detail: 'Request-URI Too Long' } });

    if (bucket) {
      const wait = bucket.take();
      if (wait > 0) return reply(throttled(wait, true, true));
    }

    const action: HookAction | null =
      options.hook?.({
        method,
        path: url.pathname,
        expireAccessToken: () => {
          const match = /^Bearer\s+(\S+)/i.exec(req.headers.authorization ?? '');
          if (match) auth.expireAccessToken(match[1] as string);
        },
      }) ?? null;
    switch (action?.kind) {
      case 'drop':
        finish(0);
        req.socket.destroy();
        return;
      case 'hold':
        held.add(res);
        res.on('close', () => {
          held.delete(res);
          finish(0);
        });
        return;
      case 'answer':
        return reply(action.reply);
      case 'pass':
        if (action.delayMs) await sleep(action.delayMs);
        break;
      default:
        break;
    }

    let body: Record<string, unknown>;
    try {
      body = parseBody(rawBody, req.headers['content-type']);
    } catch {
      return reply(detail(400, 'JSON parse error - Expecting value.'));
    }
    const request: SimHttpRequest = {
      method,
      url,
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body,
      user: null,
    };
    const answer = dispatch(request, record);
    return reply(answer, action?.kind === 'pass' ? action.writeBody : undefined);
  }

  function dispatch(request: SimHttpRequest, record: SimRequest): Reply {
    let pathMatched = false;
    for (const r of routes) {
      const match = r.pattern.exec(request.path);
      if (!match) continue;
      pathMatched = true;
      if (r.method !== request.method) continue;
      if (r.auth) {
        const who = auth.authenticate(request.headers.authorization);
        if ('status' in who) return who;
        request.user = who.username;
        record.authenticated = true;
      }
      return r.handle(
        request,
        match.slice(1).map((part) => decodeURIComponent(part)),
      );
    }
    return pathMatched ? detail(405, `Method "${request.method}" not allowed.`) : detail(404, 'Not found.');
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host =
    address.family === 'IPv6' || address.address.includes(':') ? `[${address.address}]` : address.address;
  ctx.base = `http://${host === '[::]' ? '[::1]' : host === '0.0.0.0' ? '127.0.0.1' : host}:${address.port}`;

  let closed: Promise<void> | null = null;
  return {
    get url() {
      return ctx.base;
    },
    get requests() {
      return requests;
    },
    get state() {
      return state;
    },
    close() {
      closed ??= new Promise<void>((resolve) => {
        for (const res of held) res.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
    clearRequests() {
      requests.length = 0;
    },
    movePrices(moveOptions = {}) {
      moves += 1;
      return movePrices(state, lookups, now(), moveOptions, moves);
    },
    expireAccessTokens: () => auth.expireAccessTokens(),
    revokeRefreshTokens: () => auth.revokeRefreshTokens(),
    approvePendingPrompts: () => auth.approvePendingPrompts(),
    denyPendingPrompts: () => auth.denyPendingPrompts(),
    issuedCodes: () => auth.issuedCodes(),
    addStockOrder: (spec) => addStockOrder(state, lookups, now(), spec),
    fillOrder: (orderId, fillOptions) => fillOrder(state, lookups, now(), orderId, fillOptions),
  };
}

// ---- helpers -----------------------------------------------------------------------------------

function send(
  res: ServerResponse,
  reply: Reply,
  writeBody: (body: unknown) => string = (body) => JSON.stringify(body),
): void {
  const text = reply.body === undefined ? '' : writeBody(reply.body);
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    'Content-Length': String(Buffer.byteLength(text)),
    'X-Robinhood-API-Version': '1.431.4',
    ...reply.headers,
  };
  if (reply.body === undefined) delete headers['Content-Type'];
  res.writeHead(reply.status, headers);
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Form-urlencoded or JSON; both are accepted on every POST (clients differ, docs/broker-api.md#conventions-bodies). */
function parseBody(raw: string, contentType: string | undefined): Record<string, unknown> {
  if (raw.trim() === '') return {};
  const type = (contentType ?? '').toLowerCase();
  if (type.includes('json') || (!type.includes('form') && /^\s*\{/.test(raw))) {
    const parsed: unknown = JSON.parse(raw);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : {};
  }
  return Object.fromEntries(new URLSearchParams(raw));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
