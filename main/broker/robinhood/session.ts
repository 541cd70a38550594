/**
 * The token lifecycle of one login, and the HTTP layer's AuthProvider.
 *
 * - A request gets a token valid for a while: tokens expiring within `refreshMarginMs` (5 min) are
 *   refreshed first (refresh grant, same device token; a rotated refresh token is stored).
 * - A 401 triggers one refresh; concurrent callers share it.
 * - The password is used only when there is no token or the broker rejected the refresh token, and
 *   only as often as the LoginGuard allows (no login storm, whatever happens).
 * - A login that needs the user (code, approval, missing or rejected credentials) throws
 *   AuthRequiredError with the prompt; the UI answers through submitCode / pollApproval / login.
 * Tokens persist through the injected TokenStore (the OS keychain in the app).
 */
import type { AuthPrompt } from '../../../shared/models.js';
import type { Redactor } from '../../logging/redactor.js';
import type { Clock } from '../../util/clock.js';
import { systemClock } from '../../util/clock.js';
import { errorMeta } from '../../util/errors.js';
import type { Logger } from '../../util/logger.js';
import { silentLogger } from '../../util/logger.js';
import type {
  Authenticator,
  CodeChallengeType,
  LoginCredentials,
  LoginResult,
  PendingLogin,
  TokenSet,
} from './auth.js';
import {
  AuthRequiredError,
  HttpStatusError,
  InvalidCredentialsError,
  LoginBackoffError,
  VerificationDeniedError,
} from './errors.js';
import type { AuthProvider } from './http.js';
import { LoginGuard, type LoginGuardPolicy } from './login-guard.js';

/**
 * What the TokenStore keeps (JSON-friendly; the same shape as main/secrets/token-store.ts, so the
 * keychain store plugs in directly). A session without a refresh token is not persisted.
 */
export interface StoredTokens {
  accessToken: string;
  refreshToken: string;
  tokenType: string;
  scope: string;
  /** ISO-8601 wall-clock expiry. */
  expiresAt: string;
}

export interface TokenStore {
  load(): Promise<StoredTokens | null>;
  save(tokens: StoredTokens): Promise<void>;
  clear(): Promise<void>;
}

export type CredentialsProvider = () => Promise<LoginCredentials | null>;

/** The session's login state, without the opaque handle (the session keeps it). */
export type SessionLoginState =
  | { status: 'authenticated' }
  | { status: 'needs-code'; challengeType: CodeChallengeType; message: string }
  | { status: 'needs-approval'; message: string };

export interface SessionOptions {
  authenticator: Authenticator;
  tokenStore: TokenStore;
  credentials: CredentialsProvider;
  redactor: Redactor;
  clock?: Clock;
  logger?: Logger;
  loginPolicy?: Partial<LoginGuardPolicy>;
  /** Refresh tokens that expire within this many ms. Default 300 000 (5 minutes). */
  refreshMarginMs?: number;
}

export interface SessionCallOptions {
  signal?: AbortSignal;
}

interface Pending {
  handle: PendingLogin;
  prompt: AuthPrompt;
}

const NO_CREDENTIALS: AuthPrompt = {
  kind: 'credentials',
  message: 'Enter your Robinhood username and password in the settings to start syncing.',
};
const REJECTED_CREDENTIALS: AuthPrompt = {
  kind: 'credentials',
  message: 'Robinhood rejected the username or password. Update them in the settings.',
};

export class RobinhoodSession implements AuthProvider {
  readonly #auth: Authenticator;
  readonly #store: TokenStore;
  readonly #credentials: CredentialsProvider;
  readonly #redactor: Redactor;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #guard: LoginGuard;
  readonly #refreshMarginMs: number;
  #tokens: TokenSet | null = null;
  #loaded = false;
  #pending: Pending | null = null;
  /** Token operations (refresh, login, code, logout) run one at a time, in order. */
  #lock: Promise<unknown> = Promise.resolve();
  /** The token acquisition in progress; concurrent requests join it instead of starting another. */
  #flight: Promise<string> | null = null;
  #lastPrompt: AuthPrompt | null = null;

  constructor(options: SessionOptions) {
    this.#auth = options.authenticator;
    this.#store = options.tokenStore;
    this.#credentials = options.credentials;
    this.#redactor = options.redactor;
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger ?? silentLogger;
    this.#guard = new LoginGuard(this.#clock, options.loginPolicy);
    this.#refreshMarginMs = options.refreshMarginMs ?? 300_000;
  }

  /** What the user must do, or null (e.g. { kind: 'code', challengeType: 'sms', message }). */
  get pendingPrompt(): AuthPrompt | null {
    return this.#pending?.prompt ?? this.#lastPrompt;
  }

  /** Expiry of the current access token (null without one). */
  get expiresAt(): Date | null {
    return this.#tokens?.expiresAt ?? null;
  }

  get loginGuard(): LoginGuard {
    return this.#guard;
  }

  // ---- AuthProvider ----------------------------------------------------------------------------

  async accessToken(signal?: AbortSignal): Promise<string> {
    if (this.#tokens && !this.#expiringSoon(this.#tokens)) return this.#tokens.accessToken;
    return this.#join(() => this.#obtain(false, signal));
  }

  async refreshAfterUnauthorized(rejectedToken: string, signal?: AbortSignal): Promise<string> {
    const renew = () =>
      this.#tokens && this.#tokens.accessToken !== rejectedToken
        ? Promise.resolve(this.#tokens.accessToken) // someone already replaced it
        : this.#obtain(true, signal);
    const token = await this.#join(renew);
    // A joined acquisition may have started before the rejection was known.
    return token !== rejectedToken ? token : this.#exclusive(renew);
  }

  // ---- user-facing ------------------------------------------------------------------------------

  /**
   * Logs in with the stored credentials (the UI's "test login"). Without `force`, a valid token
   * reports authenticated without sending anything, and an expiring one is refreshed first.
   * Discards a pending verification.
   * Throws InvalidCredentialsError, LoginBackoffError, AuthRequiredError (no credentials),
   * VerificationDeniedError, or a transport error.
   */
  async login(options: SessionCallOptions & { force?: boolean } = {}): Promise<SessionLoginState> {
    return this.#exclusive(async () => {
      await this.#loadStored();
      const current = this.#tokens;
      if (!options.force && current) {
        // A token that expired (say, over a night asleep) is renewed, not replaced by a new login.
        if (!this.#expiringSoon(current)) return { status: 'authenticated' };
        if (await this.#refresh(current, false, options.signal)) return { status: 'authenticated' };
      }
      this.#pending = null;
      this.#lastPrompt = null;
      return this.#passwordLogin(options.signal);
    });
  }

  /** Answers the pending code challenge. */
  async submitCode(code: string, options: SessionCallOptions = {}): Promise<SessionLoginState> {
    return this.#exclusive(() => {
      const pending = this.#requirePending();
      return this.#continue(() => this.#auth.submitCode(pending.handle, code, options));
    });
  }

  /** Checks once (at most every 5 s) whether the user approved the login in the app. */
  async pollApproval(options: SessionCallOptions = {}): Promise<SessionLoginState> {
    return this.#exclusive(() => {
      const pending = this.#requirePending();
      return this.#continue(() => this.#auth.pollApproval(pending.handle, options));
    });
  }

  /** Revokes the refresh token (or the access token) and forgets every token, locally and in the store. */
  logout(options: SessionCallOptions = {}): Promise<{ revoked: boolean }> {
    return this.#exclusive(() => this.#logout(options));
  }

  async #logout(options: SessionCallOptions): Promise<{ revoked: boolean }> {
    await this.#loadStored();
    const tokens = this.#tokens;
    this.#tokens = null;
    this.#pending = null;
    this.#lastPrompt = null;
    let revoked = false;
    if (tokens) {
      try {
        await this.#auth.revoke(tokens.refreshToken ?? tokens.accessToken, options);
        revoked = true;
      } catch (error) {
        this.#logger.warn('Could not revoke the Robinhood token; forgetting it locally', errorMeta(error));
      }
    }
    try {
      await this.#store.clear();
    } catch (error) {
      this.#logger.warn('Could not clear the stored Robinhood tokens', errorMeta(error));
    }
    this.#logger.info('Logged out of Robinhood', { revoked });
    return { revoked };
  }

  // ---- internals --------------------------------------------------------------------------------

  #exclusive<T>(run: () => Promise<T>): Promise<T> {
    const turn = this.#lock.then(run);
    this.#lock = turn.catch(() => undefined);
    return turn;
  }

  #join(run: () => Promise<string>): Promise<string> {
    if (this.#flight) return this.#flight;
    const flight = this.#exclusive(run).finally(() => {
      if (this.#flight === flight) this.#flight = null;
    });
    this.#flight = flight;
    return flight;
  }

  async #obtain(rejected: boolean, signal: AbortSignal | undefined): Promise<string> {
    await this.#loadStored();
    const current = this.#tokens;
    if (current && !rejected && !this.#expiringSoon(current)) return current.accessToken;
    if (current && (await this.#refresh(current, rejected, signal))) {
      return (this.#tokens as TokenSet | null)?.accessToken ?? current.accessToken;
    }

    if (this.#pending) throw new AuthRequiredError(this.#pending.prompt);
    const state = await this.#passwordLogin(signal);
    const tokens = this.#tokens as TokenSet | null;
    if (state.status === 'authenticated' && tokens) return tokens.accessToken;
    throw new AuthRequiredError(this.pendingPrompt ?? NO_CREDENTIALS);
  }

  /**
   * Renews `current` with its refresh token. True when there is a usable access token afterwards
   * (renewed, or a transient failure while the current one is still valid); false when the broker
   * refused the refresh token or there is none (the tokens are then forgotten and a password login
   * is needed). Transient failures with an expired token are thrown: never a password login for those.
   */
  async #refresh(current: TokenSet, rejected: boolean, signal: AbortSignal | undefined): Promise<boolean> {
    if (current.refreshToken) {
      try {
        const tokens = await this.#auth.refresh(current.refreshToken, signal ? { signal } : {});
        await this.#adopt(tokens);
        this.#logger.info('Refreshed the Robinhood access token', {
          expiresAt: tokens.expiresAt.toISOString(),
        });
        return true;
      } catch (error) {
        if (!(error instanceof HttpStatusError && error.status >= 400 && error.status < 500)) {
          // Transient (offline, timeout, 5xx, throttled): never fall back to the password for that.
          if (!rejected && current.expiresAt.getTime() > this.#clock.now().getTime()) {
            this.#logger.warn(
              'Token refresh failed; using the current token until it expires',
              errorMeta(error),
            );
            return true;
          }
          throw error;
        }
        this.#logger.warn('Robinhood rejected the refresh token; a password login is needed', {
          status: error.status,
        });
      }
    }
    this.#tokens = null;
    await this.#clearStore();
    return false;
  }

  async #passwordLogin(signal: AbortSignal | undefined): Promise<SessionLoginState> {
    const credentials = await this.#credentials();
    if (!credentials?.username?.trim() || !credentials.password) {
      this.#lastPrompt = NO_CREDENTIALS;
      throw new AuthRequiredError(NO_CREDENTIALS);
    }
    this.#redactor.register(credentials.password);
    this.#redactor.register(credentials.totpSecret ?? null);
    const fingerprint = LoginGuard.fingerprint(credentials.username.trim(), credentials.password);
    const verdict = this.#guard.check(fingerprint);
    if (!verdict.allowed) {
      if (verdict.reason === 'rejected-credentials') {
        this.#lastPrompt = REJECTED_CREDENTIALS;
        throw new AuthRequiredError(REJECTED_CREDENTIALS);
      }
      throw new LoginBackoffError(new Date(this.#clock.now().getTime() + verdict.waitMs), verdict.waitMs);
    }
    this.#guard.recordAttempt();
    let result: LoginResult;
    try {
      result = await this.#auth.login(credentials, signal ? { signal } : {});
    } catch (error) {
      this.#loginFailed(error, fingerprint);
      throw error;
    }
    return this.#settle(result);
  }

  async #continue(step: () => Promise<LoginResult>): Promise<SessionLoginState> {
    let result: LoginResult;
    try {
      result = await step();
    } catch (error) {
      if (error instanceof VerificationDeniedError || error instanceof InvalidCredentialsError) {
        this.#pending = null;
        this.#loginFailed(error, null);
      }
      throw error;
    }
    return this.#settle(result);
  }

  async #settle(result: LoginResult): Promise<SessionLoginState> {
    switch (result.status) {
      case 'authenticated':
        this.#guard.recordSuccess();
        this.#pending = null;
        this.#lastPrompt = null;
        await this.#adopt(result.tokens);
        this.#logger.info('Logged in to Robinhood', { expiresAt: result.tokens.expiresAt.toISOString() });
        return { status: 'authenticated' };
      case 'needs-code':
        this.#pending = {
          handle: result.pending,
          prompt: { kind: 'code', challengeType: result.challengeType, message: result.message },
        };
        this.#logger.info('Robinhood asks for a verification code', { challengeType: result.challengeType });
        return { status: 'needs-code', challengeType: result.challengeType, message: result.message };
      case 'needs-approval':
        this.#pending = { handle: result.pending, prompt: { kind: 'approval', message: result.message } };
        this.#logger.info('Robinhood asks to approve the login in its app');
        return { status: 'needs-approval', message: result.message };
    }
  }

  #loginFailed(error: unknown, fingerprint: string | null): void {
    const kind = (error as { kind?: unknown } | null)?.kind;
    // A request that never reached the broker cannot lock the account.
    if (kind === 'network' || kind === 'aborted') return;
    const rejected = error instanceof InvalidCredentialsError && error.field === 'credentials';
    this.#guard.recordFailure(rejected ? fingerprint : null);
    if (rejected) this.#lastPrompt = REJECTED_CREDENTIALS;
    this.#logger.warn('Robinhood login failed', {
      kind: typeof kind === 'string' ? kind : 'unknown',
      failures: this.#guard.consecutiveFailures,
    });
  }

  #requirePending(): Pending {
    if (!this.#pending)
      throw new AuthRequiredError(
        this.pendingPrompt ?? {
          kind: 'credentials',
          message: 'No login is waiting for verification. Log in again.',
        },
      );
    return this.#pending;
  }

  async #adopt(tokens: TokenSet): Promise<void> {
    this.#tokens = tokens;
    this.#redactor.register(tokens.accessToken);
    this.#redactor.register(tokens.refreshToken);
    if (tokens.refreshToken === null) {
      this.#logger.info('Not storing a Robinhood session without a refresh token; it lives in memory only');
      return;
    }
    try {
      await this.#store.save({
        accessToken: tokens.accessToken,
        refreshToken: tokens.refreshToken,
        tokenType: tokens.tokenType,
        scope: tokens.scope ?? '',
        expiresAt: tokens.expiresAt.toISOString(),
      });
    } catch (error) {
      this.#logger.warn('Could not store the Robinhood tokens; they stay in memory', errorMeta(error));
    }
  }

  async #loadStored(): Promise<void> {
    if (this.#loaded) return;
    this.#loaded = true;
    let stored: StoredTokens | null = null;
    try {
      stored = await this.#store.load();
    } catch (error) {
      this.#logger.warn('Could not read the stored Robinhood tokens', errorMeta(error));
    }
    if (this.#tokens || !stored) return;
    const expiresAt = new Date(stored.expiresAt);
    if (
      typeof stored.accessToken !== 'string' ||
      stored.accessToken === '' ||
      Number.isNaN(expiresAt.getTime())
    ) {
      this.#logger.warn('Ignoring unreadable stored Robinhood tokens');
      return;
    }
    this.#tokens = {
      accessToken: stored.accessToken,
      refreshToken:
        typeof stored.refreshToken === 'string' && stored.refreshToken !== '' ? stored.refreshToken : null,
      tokenType: stored.tokenType || 'Bearer',
      scope: typeof stored.scope === 'string' && stored.scope !== '' ? stored.scope : null,
      expiresAt,
    };
    this.#redactor.register(this.#tokens.accessToken);
    this.#redactor.register(this.#tokens.refreshToken);
  }

  async #clearStore(): Promise<void> {
    try {
      await this.#store.clear();
    } catch (error) {
      this.#logger.warn('Could not clear the stored Robinhood tokens', errorMeta(error));
    }
  }

  #expiringSoon(tokens: TokenSet): boolean {
    return tokens.expiresAt.getTime() - this.#clock.now().getTime() <= this.#refreshMarginMs;
  }
}

/** An error's kind and message for a log line (messages are secret-free by construction). */
