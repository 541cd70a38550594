import { Redactor } from '../../logging/redactor.js';
import type { Clock } from '../../util/clock.js';
import { systemClock } from '../../util/clock.js';
import type { Logger } from '../../util/logger.js';
import { silentLogger } from '../../util/logger.js';
import { Authenticator } from './auth.js';
import { RobinhoodClient } from './client.js';
import { type FetchLike, HttpClient } from './http.js';
import type { LoginGuardPolicy } from './login-guard.js';
import { RateLimiter } from './rate-limiter.js';
import { RequestLog } from './request-log.js';
import { type CredentialsProvider, RobinhoodSession, type TokenStore } from './session.js';

export type { CodeChallengeType, LoginCredentials, LoginResult, TokenSet } from './auth.js';
export type {
  AccountQuery,
  CallOptions,
  ClientOptions,
  HistoryInterval,
  HistoryItems,
  HistoryList,
  HistoryPage,
  HistoryPageQuery,
  HistoryQuery,
  HistorySpan,
  PortfolioHistory,
  PortfolioHistoryQuery,
} from './client.js';
export { HISTORY_SPANS, RobinhoodClient } from './client.js';
export * from './errors.js';
export type {
  AuthProvider,
  FetchLike,
  HttpClientOptions,
  HttpRequest,
  HttpResponse,
  ListingPage,
  ListPage,
  PageOptions,
  QueryValue,
} from './http.js';
export type { LoginGuardPolicy, LoginGuardVerdict } from './login-guard.js';
export type { BatchResult, ListResult, RejectedItem } from './parse.js';
export type { AcquireOptions, RateLimiterOptions } from './rate-limiter.js';
export type { RequestLogEntry, RequestLogListener, RequestLogSummary } from './request-log.js';
export { RequestLog } from './request-log.js';
export * from './schemas.js';
export type {
  CredentialsProvider,
  SessionCallOptions,
  SessionLoginState,
  SessionOptions,
  StoredTokens,
  TokenStore,
} from './session.js';
export { RobinhoodSession } from './session.js';

export interface CreateRobinhoodOptions {
  /** Default https://api.robinhood.com (the simulator's URL in demo mode and tests). */
  baseUrl?: string;
  fetch?: FetchLike;
  clock?: Clock;
  logger?: Logger;
  /** Returns [0, 1); backoff jitter. */
  random?: () => number;
  /** The request budget of this login, default 60. */
  requestsPerMinute?: number;
  /** Back-to-back requests allowed after an idle period, default 10. */
  burst?: number;
  /** Per attempt, default 30 000. */
  timeoutMs?: number;
  /** Attempts per request including the first, default 4. */
  maxAttempts?: number;
  /** Longest 429 wait the client sleeps through (longer → ThrottledError), default 120 000. */
  maxRetryAfterMs?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** Ids per batch request, default 50. */
  batchSize?: number;
  tokenStore: TokenStore;
  /** Stable per installation, UUID-shaped; see main/secrets/device-token.ts. */
  deviceToken: string;
  credentials: CredentialsProvider;
  loginPolicy?: Partial<LoginGuardPolicy>;
  /** Refresh tokens expiring within this many ms, default 300 000. */
  refreshMarginMs?: number;
  /**
   * The app's redactor: secrets the client sees (tokens, account numbers) are registered with it,
   * so they leave every log line, not only the client's. Default: a redactor of its own.
   */
  redactor?: Redactor;
}

export interface Robinhood {
  client: RobinhoodClient;
  session: RobinhoodSession;
  requestLog: RequestLog;
  rateLimiter: RateLimiter;
  http: HttpClient;
}

export function createRobinhood(options: CreateRobinhoodOptions): Robinhood {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const redactor = options.redactor ?? new Redactor();
  const requestLog = new RequestLog();
  const rateLimiter = new RateLimiter({
    clock,
    ...(options.requestsPerMinute !== undefined ? { requestsPerMinute: options.requestsPerMinute } : {}),
    ...(options.burst !== undefined ? { burst: options.burst } : {}),
  });
  const http = new HttpClient({
    clock,
    logger,
    redactor,
    requestLog,
    rateLimiter,
    ...pick(options, [
      'baseUrl',
      'fetch',
      'random',
      'timeoutMs',
      'maxAttempts',
      'maxRetryAfterMs',
      'backoffBaseMs',
      'backoffMaxMs',
    ]),
  });
  const authenticator = new Authenticator({ http, deviceToken: options.deviceToken, clock, logger });
  const session = new RobinhoodSession({
    authenticator,
    tokenStore: options.tokenStore,
    credentials: options.credentials,
    redactor,
    clock,
    logger,
    ...(options.loginPolicy ? { loginPolicy: options.loginPolicy } : {}),
    ...(options.refreshMarginMs !== undefined ? { refreshMarginMs: options.refreshMarginMs } : {}),
  });
  http.setAuthProvider(session);
  const client = new RobinhoodClient(http, {
    logger,
    ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
  });
  return { client, session, requestLog, rateLimiter, http };
}

function pick<T extends object, K extends keyof T>(source: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const key of keys) {
    if (source[key] !== undefined) out[key] = source[key];
  }
  return out;
}
