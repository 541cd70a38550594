/**
 * Typed failures of the Robinhood client. The engine switches on `kind` to decide between
 * "offline", "throttled until", "needs the user" and "broker error".
 *
 * Every message is safe to log and to show: it never contains a token, a password, a TOTP secret
 * or a full account number (paths are masked by safePath, server text goes through the Redactor).
 */
import type { AuthPrompt } from '../../../shared/models.js';

export type RobinhoodErrorKind =
  | 'network'
  | 'timeout'
  | 'throttled'
  | 'http'
  | 'auth-required'
  | 'invalid-credentials'
  | 'verification-denied'
  | 'payload'
  | 'foreign-next-url'
  | 'login-backoff'
  | 'aborted';

export abstract class RobinhoodError extends Error {
  abstract readonly kind: RobinhoodErrorKind;
}

/** DNS failure, connection refused, unreachable host or a connection that keeps dropping: offline. */
export class NetworkError extends RobinhoodError {
  readonly kind = 'network' as const;
  override readonly name = 'NetworkError';
  constructor(
    readonly method: string,
    readonly path: string,
    /** The system error code, e.g. "ECONNREFUSED", "ENOTFOUND", "ECONNRESET", when known. */
    readonly code: string | null,
    options?: { cause?: unknown },
  ) {
    super(`${method} ${path} failed: cannot reach the broker${code ? ` (${code})` : ''}.`, options);
  }
}

/** No response within the per-request timeout (after the retries allowed for the request). */
export class RequestTimeoutError extends RobinhoodError {
  readonly kind = 'timeout' as const;
  override readonly name = 'RequestTimeoutError';
  constructor(
    readonly method: string,
    readonly path: string,
    readonly timeoutMs: number,
  ) {
    super(`${method} ${path} timed out after ${timeoutMs} ms.`);
  }
}

/**
 * The broker throttled us (HTTP 429) for longer than the client waits, or the retries ran out.
 * Nothing is sent before `retryAt`; the engine should back off until then.
 */
export class ThrottledError extends RobinhoodError {
  readonly kind = 'throttled' as const;
  override readonly name = 'ThrottledError';
  constructor(
    /** Wall-clock time after which requests may resume. */
    readonly retryAt: Date,
    readonly retryAfterMs: number,
    readonly method: string | null = null,
    readonly path: string | null = null,
  ) {
    super(
      `${method && path ? `${method} ${path}: ` : ''}the broker is throttling requests; retry after ${retryAt.toISOString()} (in ${Math.ceil(retryAfterMs / 1000)} s).`,
    );
  }
}

/** An HTTP error status the client does not recover from (4xx, or 5xx after the retries). */
export class HttpStatusError extends RobinhoodError {
  readonly kind = 'http' as const;
  override readonly name = 'HttpStatusError';
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    /** The DRF `detail` (or similar) text of the response, redacted; null when there was none. */
    readonly detail: string | null,
  ) {
    super(`${method} ${path} failed with HTTP ${status}${detail ? `: ${detail}` : '.'}`);
  }
}

/**
 * No valid token, and none can be obtained without the user: credentials are missing or were
 * rejected, or the broker asks for a code or an approval. `prompt` says what to show.
 */
export class AuthRequiredError extends RobinhoodError {
  readonly kind = 'auth-required' as const;
  override readonly name = 'AuthRequiredError';
  constructor(readonly prompt: AuthPrompt) {
    super(prompt.message);
  }
}

/** The broker rejected the username or password, or the TOTP secret cannot produce valid codes. */
export class InvalidCredentialsError extends RobinhoodError {
  readonly kind = 'invalid-credentials' as const;
  override readonly name = 'InvalidCredentialsError';
  constructor(
    message: string,
    /** Which stored secret is wrong. */
    readonly field: 'credentials' | 'totpSecret' = 'credentials',
  ) {
    super(message);
  }
}

/** The device verification was denied, failed, expired or ran out of attempts. */
export class VerificationDeniedError extends RobinhoodError {
  readonly kind = 'verification-denied' as const;
  override readonly name = 'VerificationDeniedError';
}

/** A response that is not JSON, or whose shape does not match what the client needs. */
export class PayloadError extends RobinhoodError {
  readonly kind = 'payload' as const;
  override readonly name = 'PayloadError';
  constructor(
    /** Where it came from, e.g. "GET /positions/". */
    readonly endpoint: string,
    /** Path of the bad field, e.g. "results[3].quantity"; "" for the whole body. */
    readonly fieldPath: string,
    readonly problem: string,
  ) {
    super(`${endpoint} returned an unexpected payload${fieldPath ? ` at ${fieldPath}` : ''}: ${problem}`);
  }
}

/** A pagination `next` link (or any absolute URL) that points away from the broker's origin. */
export class ForeignNextUrlError extends RobinhoodError {
  readonly kind = 'foreign-next-url' as const;
  override readonly name = 'ForeignNextUrlError';
  constructor(
    readonly endpoint: string,
    /** The foreign origin (scheme://host:port), never the full URL. */
    readonly origin: string,
  ) {
    super(`${endpoint} pointed to another origin (${origin}); refusing to send the session there.`);
  }
}

/**
 * A password login was refused locally by the login guard (too soon after the previous attempt or
 * after failures), so that a broken token or password can never cause a login storm.
 */
export class LoginBackoffError extends RobinhoodError {
  readonly kind = 'login-backoff' as const;
  override readonly name = 'LoginBackoffError';
  constructor(
    readonly retryAt: Date,
    readonly retryAfterMs: number,
  ) {
    super(
      `Not logging in again yet (protects the account from a lockout); next attempt allowed in ${Math.ceil(retryAfterMs / 1000)} s.`,
    );
  }
}

/** The caller aborted the request (engine stop). */
export class RequestAbortedError extends RobinhoodError {
  readonly kind = 'aborted' as const;
  override readonly name = 'RequestAbortedError';
  constructor(what = 'The request') {
    super(`${what} was aborted.`);
  }
}
