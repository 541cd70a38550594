/**
 * The one way the Robinhood client talks HTTP: base URL, headers, bodies, timeouts, the shared rate
 * limit, retries with backoff, 429 handling, one token refresh on 401, pagination, and the request log.
 *
 * Retry policy:
 * - GET (idempotent): 5xx, timeouts and dropped connections are retried with exponential backoff and
 *   full jitter, up to `maxAttempts` attempts in all.
 * - any method: 408 and 429 are retried (the server did not act on the request); 429 waits for
 *   Retry-After (or the "Expected available in N seconds" text), and a wait longer than
 *   `maxRetryAfterMs` throws ThrottledError at once instead of sleeping.
 * - 401 on an authenticated request: the auth provider refreshes once and the request is replayed once.
 * - any other 4xx: never retried.
 * Connection refused / DNS failures are not retried: they mean offline, and the engine handles that.
 */

import { Redactor } from '../../logging/redactor.js';
import type { Clock } from '../../util/clock.js';
import { systemClock } from '../../util/clock.js';
import type { Logger } from '../../util/logger.js';
import { silentLogger } from '../../util/logger.js';
import { BASE_HEADERS, DEFAULT_BASE_URL, FORM_CONTENT_TYPE, JSON_CONTENT_TYPE } from './constants.js';
import {
  ForeignNextUrlError,
  HttpStatusError,
  NetworkError,
  PayloadError,
  RequestAbortedError,
  RequestTimeoutError,
  type RobinhoodError,
  ThrottledError,
} from './errors.js';
import { RateLimiter } from './rate-limiter.js';
import { RequestLog } from './request-log.js';
import { safePath } from './safe-path.js';

/** Supplies bearer tokens; the Session implements it. */
export interface AuthProvider {
  /** A token valid for a while (refreshed ahead of expiry). */
  accessToken(signal?: AbortSignal): Promise<string>;
  /** Called once when the broker answered 401 to `rejectedToken`; returns a fresh token or throws. */
  refreshAfterUnauthorized(rejectedToken: string, signal?: AbortSignal): Promise<string>;
}

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface HttpClientOptions {
  /** Default https://api.robinhood.com. May carry a path prefix. */
  baseUrl?: string;
  /** Default: the global fetch. */
  fetch?: FetchLike;
  clock?: Clock;
  /** Returns [0, 1); used for backoff jitter. */
  random?: () => number;
  logger?: Logger;
  /** Shared by every request of one login; default 60 requests/minute, burst 10. */
  rateLimiter?: RateLimiter;
  requestLog?: RequestLog;
  redactor?: Redactor;
  auth?: AuthProvider;
  /** Per attempt, default 30 000. */
  timeoutMs?: number;
  /** Attempts per request including the first, default 4. */
  maxAttempts?: number;
  /** Backoff before retry n is random() × min(backoffMaxMs, backoffBaseMs × 2^(n−1)). Defaults 500 / 30 000. */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** A 429 asking to wait longer than this throws ThrottledError instead of sleeping. Default 120 000. */
  maxRetryAfterMs?: number;
}

export type QueryValue = string | number | boolean | null | undefined;

export interface HttpRequest {
  method: 'GET' | 'POST';
  /** A path under the base URL ("/positions/"), or an absolute URL on the base URL's origin. */
  path: string;
  query?: Record<string, QueryValue>;
  /** Sent form-urlencoded. */
  form?: Record<string, string>;
  /** Sent as JSON. */
  json?: unknown;
  headers?: Record<string, string>;
  /** Send the bearer token (default true). */
  auth?: boolean;
  /**
   * Return 4xx responses instead of throwing (except 408, 429, and 401 on authenticated requests).
   * The OAuth endpoints put the next login step in 400/403 bodies.
   */
  acceptClientErrors?: boolean;
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  /** Parsed JSON; null for an empty body (or a non-JSON error body). */
  body: unknown;
  headers: Headers;
}

/** One page of a paginated listing, as read (before the items are validated). */
export interface ListingPage {
  /** The listing's path, account numbers masked, no query (e.g. "/options/orders/"). */
  path: string;
  /** 0-based page number within the listing. */
  index: number;
  items: readonly unknown[];
}

export interface PageOptions {
  signal?: AbortSignal;
  /** Safety stop against a server that never ends a listing. Default 1000. */
  maxPages?: number;
  /** Start at the page this cursor (taken from an earlier page's `next`) names, not the first. */
  cursor?: string | null;
}

/** One page of a listing. */
export interface ListPage {
  items: unknown[];
  /** True when the listing has no page after this one. */
  last: boolean;
  /**
   * The `cursor` parameter of the page after this one (docs/architecture.md, "Trade history"):
   * with the original query it fetches that page again later. Null on the last page, or when the broker's
   * `next` carries no cursor (then the listing cannot be resumed there).
   */
  nextCursor: string | null;
}

type Attempt =
  | { kind: 'response'; status: number; headers: Headers; text: string }
  | { kind: 'failure'; error: RobinhoodError; retryable: boolean };

const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'ECONNABORTED']);
const RETRY_AFTER_TEXT = /expected available in\s+(\d+(?:\.\d+)?)\s*seconds?/i;

export class HttpClient {
  readonly baseUrl: URL;
  readonly rateLimiter: RateLimiter;
  readonly requestLog: RequestLog;
  readonly redactor: Redactor;
  readonly #basePrefix: string;
  readonly #fetch: FetchLike;
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #logger: Logger;
  #auth: AuthProvider | null;
  readonly #timeoutMs: number;
  readonly #maxAttempts: number;
  readonly #backoffBaseMs: number;
  readonly #backoffMaxMs: number;
  readonly #maxRetryAfterMs: number;
  readonly #pageListeners = new Set<(page: ListingPage) => void>();

  constructor(options: HttpClientOptions = {}) {
    const base = new URL(options.baseUrl ?? DEFAULT_BASE_URL);
    if (base.protocol !== 'https:' && base.protocol !== 'http:')
      throw new TypeError('baseUrl must be an http(s) URL');
    base.search = '';
    base.hash = '';
    this.baseUrl = base;
    this.#basePrefix = base.pathname.replace(/\/+$/, '');
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.#clock = options.clock ?? systemClock;
    this.#random = options.random ?? Math.random;
    this.#logger = options.logger ?? silentLogger;
    this.rateLimiter = options.rateLimiter ?? new RateLimiter({ clock: this.#clock });
    this.requestLog = options.requestLog ?? new RequestLog();
    this.redactor = options.redactor ?? new Redactor();
    this.#auth = options.auth ?? null;
    this.#timeoutMs = positive(options.timeoutMs ?? 30_000, 'timeoutMs');
    this.#maxAttempts = positiveInt(options.maxAttempts ?? 4, 'maxAttempts');
    this.#backoffBaseMs = nonNegative(options.backoffBaseMs ?? 500, 'backoffBaseMs');
    this.#backoffMaxMs = nonNegative(options.backoffMaxMs ?? 30_000, 'backoffMaxMs');
    this.#maxRetryAfterMs = nonNegative(options.maxRetryAfterMs ?? 120_000, 'maxRetryAfterMs');
  }

  /** The session is created after the HTTP layer it uses, so it plugs itself in here. */
  setAuthProvider(auth: AuthProvider | null): void {
    this.#auth = auth;
  }

  /** Called for every page a listing reads (progress reports). Returns an unsubscribe function. */
  onPage(listener: (page: ListingPage) => void): () => void {
    this.#pageListeners.add(listener);
    return () => this.#pageListeners.delete(listener);
  }

  /** GET an authenticated JSON resource and return its body. */
  async getJson(path: string, query?: Record<string, QueryValue>, signal?: AbortSignal): Promise<unknown> {
    const request: HttpRequest = { method: 'GET', path };
    if (query) request.query = query;
    if (signal) request.signal = signal;
    return (await this.request(request)).body;
  }

  /**
   * Every item of a paginated listing: follows absolute `next` links, refusing any on another origin
   * (the bearer token must never leave the broker). A malformed envelope throws PayloadError.
   */
  async getAllPages(
    path: string,
    query?: Record<string, QueryValue>,
    options: PageOptions = {},
  ): Promise<unknown[]> {
    const items: unknown[] = [];
    for await (const page of this.pages(path, query, options)) items.push(...page.items);
    return items;
  }

  /**
   * The pages of a listing, fetching each `next` URL as the broker gave it. `options.cursor`
   * starts at a page named by an earlier page's cursor: the original query plus `cursor=`.
   */
  async *pages(
    path: string,
    query?: Record<string, QueryValue>,
    options: PageOptions = {},
  ): AsyncGenerator<ListPage> {
    const maxPages = options.maxPages ?? 1000;
    const seen = new Set<string>();
    const first = this.resolve(path, query);
    if (options.cursor) first.searchParams.set('cursor', options.cursor);
    let next: string | null = first.href;
    for (let page = 0; next !== null; page++) {
      const endpoint = `GET ${safePath(next)}`;
      if (page >= maxPages) throw new PayloadError(endpoint, 'next', `more than ${maxPages} pages; stopping`);
      if (seen.has(next))
        throw new PayloadError(endpoint, 'next', 'the listing links back to a page already read');
      seen.add(next);
      const request: HttpRequest = { method: 'GET', path: next };
      if (options.signal) request.signal = options.signal;
      const { body } = await this.request(request);
      if (!isObject(body) || !Array.isArray(body['results'])) {
        throw new PayloadError(endpoint, 'results', 'expected an object with a "results" array');
      }
      const link = body['next'];
      if (link !== undefined && link !== null && typeof link !== 'string') {
        throw new PayloadError(endpoint, 'next', 'expected a URL or null');
      }
      const items = body['results'] as unknown[];
      if (this.#pageListeners.size > 0) {
        const path = safePath(next);
        const listed: ListingPage = {
          path: path.startsWith(this.#basePrefix) ? path.slice(this.#basePrefix.length) : path,
          index: page,
          items,
        };
        for (const listener of this.#pageListeners) listener(listed);
      }
      next = link ? this.resolve(link).href : null;
      yield {
        items,
        last: next === null,
        nextCursor: next === null ? null : new URL(next).searchParams.get('cursor'),
      };
    }
  }

  /**
   * A path under the base URL, or an absolute URL that must be on the base URL's origin.
   * Query values that are null/undefined are left out.
   */
  resolve(pathOrUrl: string, query?: Record<string, QueryValue>): URL {
    let url: URL;
    if (/^[a-z][a-z0-9+.-]*:/i.test(pathOrUrl) || pathOrUrl.startsWith('//')) {
      url = new URL(pathOrUrl, this.baseUrl);
      if (url.origin !== this.baseUrl.origin) {
        throw new ForeignNextUrlError(`GET ${safePath(url)}`, url.origin);
      }
    } else {
      const path = pathOrUrl.startsWith('/') ? pathOrUrl : `/${pathOrUrl}`;
      url = new URL(this.#basePrefix + path, this.baseUrl.origin);
    }
    if (query) {
      for (const [key, value] of Object.entries(query)) {
        if (value !== undefined && value !== null) url.searchParams.append(key, String(value));
      }
    }
    return url;
  }

  async request(request: HttpRequest): Promise<HttpResponse> {
    const url = this.resolve(request.path, request.query);
    const method = request.method;
    const path = safePath(url);
    const idempotent = method === 'GET';
    const useAuth = request.auth ?? true;
    const signal = request.signal;

    let token: string | null = null;
    if (useAuth) {
      if (!this.#auth) throw new TypeError(`${method} ${path} needs a session but the HTTP client has none`);
      token = await this.#auth.accessToken(signal);
    }
    let attempt = 0;
    let sent = 0;
    let replayedAfter401 = false;

    for (;;) {
      attempt += 1;
      sent += 1;
      // The token is obtained before the slot: nothing may come between the grant and the send.
      await this.rateLimiter.acquire(
        signal
          ? { signal, maxPauseWaitMs: this.#maxRetryAfterMs }
          : { maxPauseWaitMs: this.#maxRetryAfterMs },
      );
      const result = await this.#attempt(url, request, token, sent, path);

      if (result.kind === 'failure') {
        if (result.retryable && idempotent && attempt < this.#maxAttempts) {
          await this.#backoff(attempt, `${method} ${path} ${result.error.kind}`, signal);
          continue;
        }
        throw result.error;
      }

      const { status, headers, text } = result;
      if (status >= 200 && status < 300) {
        return { status, headers, body: parseJson(text, `${method} ${path}`) };
      }
      const body = parseJsonLoosely(text);
      const detail = this.#detail(body);

      if (status === 401 && useAuth && this.#auth && token !== null && !replayedAfter401) {
        replayedAfter401 = true;
        attempt -= 1; // the replay after a refresh does not use up the retry budget
        this.#logger.info('Access token rejected; refreshing once and replaying the request', {
          method,
          path,
        });
        token = await this.#auth.refreshAfterUnauthorized(token, signal);
        continue;
      }
      if (status === 429) {
        const waitMs = this.#retryAfterMs(headers, detail) ?? this.#backoffCeiling(attempt);
        this.rateLimiter.pauseFor(waitMs);
        const retryAt = new Date(this.#clock.now().getTime() + waitMs);
        if (waitMs > this.#maxRetryAfterMs || attempt >= this.#maxAttempts) {
          this.#logger.warn('Broker throttled the client; giving up until the retry time', {
            method,
            path,
            retryAt: retryAt.toISOString(),
          });
          throw new ThrottledError(retryAt, waitMs, method, path);
        }
        this.#logger.warn('Broker throttled the client; waiting before retrying', {
          method,
          path,
          waitMs,
          attempt,
        });
        continue; // the paused rate limiter does the waiting
      }
      if (status === 408 && attempt < this.#maxAttempts) {
        await this.#backoff(attempt, `${method} ${path} HTTP 408`, signal);
        continue;
      }
      if (status >= 500 && idempotent && attempt < this.#maxAttempts) {
        await this.#backoff(attempt, `${method} ${path} HTTP ${status}`, signal);
        continue;
      }
      if (request.acceptClientErrors && status >= 400 && status < 500 && status !== 408) {
        return { status, headers, body };
      }
      throw new HttpStatusError(method, path, status, detail);
    }
  }

  async #attempt(
    url: URL,
    request: HttpRequest,
    token: string | null,
    sent: number,
    path: string,
  ): Promise<Attempt> {
    const method = request.method;
    const headers: Record<string, string> = { ...BASE_HEADERS };
    let body: string | undefined;
    if (request.form) {
      headers['Content-Type'] = FORM_CONTENT_TYPE;
      body = new URLSearchParams(request.form).toString();
    } else if (request.json !== undefined) {
      headers['Content-Type'] = JSON_CONTENT_TYPE;
      body = JSON.stringify(request.json);
    }
    if (request.headers) Object.assign(headers, request.headers);
    if (token !== null) headers['Authorization'] = `Bearer ${token}`;

    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), this.#timeoutMs);
    const signal = request.signal ? AbortSignal.any([timeout.signal, request.signal]) : timeout.signal;
    const startedMs = this.#clock.monotonicMs();
    const at = this.#clock.now().toISOString();
    const record = (status: number | null, error: string | null) => {
      const entry = this.requestLog.record({
        at,
        method,
        path,
        status,
        error,
        durationMs: Math.max(0, Math.round(this.#clock.monotonicMs() - startedMs)),
        attempt: sent,
      });
      this.#logger.debug('Broker request', {
        method,
        path,
        status,
        error,
        durationMs: entry.durationMs,
        attempt: sent,
      });
    };

    try {
      const init: RequestInit = { method, headers, signal, redirect: 'manual' };
      if (body !== undefined) init.body = body;
      const response = await this.#fetch(url.href, init);
      const text = await response.text();
      record(response.status, null);
      return { kind: 'response', status: response.status, headers: response.headers, text };
    } catch (error) {
      if (request.signal?.aborted) {
        record(null, 'aborted');
        return { kind: 'failure', error: new RequestAbortedError(`${method} ${path}`), retryable: false };
      }
      if (timeout.signal.aborted) {
        record(null, 'timeout');
        return {
          kind: 'failure',
          error: new RequestTimeoutError(method, path, this.#timeoutMs),
          retryable: true,
        };
      }
      const code = systemErrorCode(error);
      record(null, 'network');
      return {
        kind: 'failure',
        error: new NetworkError(method, path, code, { cause: error }),
        retryable: code !== null && RESET_CODES.has(code),
      };
    } finally {
      clearTimeout(timer);
    }
  }

  async #backoff(attempt: number, what: string, signal: AbortSignal | undefined): Promise<void> {
    const waitMs = Math.round(this.#random() * this.#backoffCeiling(attempt));
    this.#logger.warn('Retrying a failed broker request', { what, attempt, waitMs });
    try {
      await this.#clock.sleep(waitMs, signal);
    } catch {
      throw new RequestAbortedError();
    }
  }

  #backoffCeiling(attempt: number): number {
    return Math.min(this.#backoffMaxMs, this.#backoffBaseMs * 2 ** (attempt - 1));
  }

  /** Retry-After (seconds or an HTTP date), else the DRF text "Expected available in N seconds". */
  #retryAfterMs(headers: Headers, detail: string | null): number | null {
    const header = headers.get('retry-after')?.trim();
    if (header) {
      if (/^\d+(\.\d+)?$/.test(header)) return Math.ceil(Number(header) * 1000);
      const date = Date.parse(header);
      if (!Number.isNaN(date)) return Math.max(0, date - this.#clock.now().getTime());
    }
    const match = detail ? RETRY_AFTER_TEXT.exec(detail) : null;
    if (match?.[1]) return Math.ceil(Number(match[1]) * 1000);
    return null;
  }

  /** The human-readable error text of a DRF/OAuth error body, redacted. */
  #detail(body: unknown): string | null {
    if (!isObject(body)) return null;
    const candidates = [body['detail'], body['error_description'], body['error'], body['message']];
    const nonField = body['non_field_errors'];
    if (Array.isArray(nonField)) candidates.push(nonField[0]);
    for (const candidate of candidates) {
      if (typeof candidate === 'string' && candidate.trim() !== '') {
        return this.redactor.redact(candidate.trim()).slice(0, 500);
      }
    }
    return null;
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseJson(text: string, endpoint: string): unknown {
  if (text.trim() === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    throw new PayloadError(endpoint, '', 'the body is not valid JSON');
  }
}

function parseJsonLoosely(text: string): unknown {
  try {
    return text.trim() === '' ? null : JSON.parse(text);
  } catch {
    return null;
  }
}

/** The errno-style code behind a fetch failure ("ECONNREFUSED", "ENOTFOUND", "UND_ERR_SOCKET", …). */
function systemErrorCode(error: unknown): string | null {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && isObjectLike(current); depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    const errors = (current as { errors?: unknown }).errors;
    if (Array.isArray(errors) && errors.length > 0) {
      const inner = systemErrorCode(errors[0]);
      if (inner) return inner;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return null;
}

function isObjectLike(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

function positive(value: number, name: string): number {
  if (!(Number.isFinite(value) && value > 0)) throw new RangeError(`${name} must be a positive number`);
  return value;
}

function positiveInt(value: number, name: string): number {
  if (!(Number.isInteger(value) && value > 0)) throw new RangeError(`${name} must be a positive integer`);
  return value;
}

function nonNegative(value: number, name: string): number {
  if (!(Number.isFinite(value) && value >= 0)) throw new RangeError(`${name} must be zero or more`);
  return value;
}
