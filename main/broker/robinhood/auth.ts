/**
 * Robinhood login (docs/broker-api.md#auth): the password grant and every branch its answer can take.
 *
 * The token response is classified by its BODY keys, never by status alone (docs/broker-api.md#auth-password-grant):
 * - `access_token`          → logged in;
 * - `mfa_required`          → legacy TOTP: re-post with a code (from the secret, or asked from the user);
 * - `challenge`             → legacy SMS/e-mail code: respond, then re-post with
 *                             X-ROBINHOOD-CHALLENGE-RESPONSE-ID;
 * - `verification_workflow` → the device-verification workflow (pathfinder / sheriff, docs/broker-api.md#auth-verification-workflow);
 * - `detail`                → an error (wrong password → InvalidCredentialsError).
 *
 * A login that needs the user returns a `needs-code` / `needs-approval` result carrying an opaque
 * in-memory PendingLogin; the UI passes it back to submitCode / pollApproval. Verification polls are
 * never closer than 5 s apart (faster polling earned users 12-hour lockouts).
 */
import type { TOTP } from 'otpauth';
import { z } from 'zod';
import type { Clock } from '../../util/clock.js';
import { systemClock } from '../../util/clock.js';
import type { Logger } from '../../util/logger.js';
import { silentLogger } from '../../util/logger.js';
import { CLIENT_ID, MIN_VERIFICATION_POLL_MS, OAUTH_SCOPE, TOKEN_EXPIRES_IN_SECONDS } from './constants.js';
import {
  HttpStatusError,
  InvalidCredentialsError,
  PayloadError,
  RequestAbortedError,
  VerificationDeniedError,
} from './errors.js';
import { type HttpClient, type HttpResponse, isObject } from './http.js';
import { parseOne } from './parse.js';
import { currentTotpCode, parseTotpSecret } from './totp.js';

export interface LoginCredentials {
  username: string;
  password: string;
  /** Base32 key or otpauth:// URI; enables automatic answers to authenticator-code checks. */
  totpSecret?: string | null;
}

export interface TokenSet {
  accessToken: string;
  refreshToken: string | null;
  tokenType: string;
  scope: string | null;
  /** Wall-clock expiry computed from `expires_in`. */
  expiresAt: Date;
}

export type CodeChallengeType = 'sms' | 'email' | 'app' | 'mfa';

export type LoginResult =
  | { status: 'authenticated'; tokens: TokenSet }
  | { status: 'needs-code'; challengeType: CodeChallengeType; message: string; pending: PendingLogin }
  | { status: 'needs-approval'; message: string; pending: PendingLogin };

/**
 * An unfinished login waiting for the user. Opaque: it only lives in memory, and its state (which
 * includes the password) is not reachable from it — serialising it yields nothing.
 */
export class PendingLogin {
  /** When the login started (wall clock). */
  readonly startedAt: Date;
  constructor(startedAt: Date) {
    this.startedAt = startedAt;
    Object.freeze(this);
  }
  toJSON(): Record<string, never> {
    return {};
  }
}

export interface AuthenticatorOptions {
  http: HttpClient;
  /** Stable per installation (a new one per run makes every login look like a new device). */
  deviceToken: string;
  clock?: Clock;
  logger?: Logger;
}

export interface CallOptions {
  signal?: AbortSignal;
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TOKEN_PATH = '/oauth2/token/';
const TOKEN_ENDPOINT = `POST ${TOKEN_PATH}`;
const INVALID_CREDENTIALS_TEXT =
  /unable to log in with provided credentials|incorrect authentication credentials/i;
const INVALID_CODE_TEXT = /valid code|invalid code|code is invalid|incorrect code/i;
/** Guards against a server that keeps answering with new steps. */
const MAX_STEPS = 30;
const MAX_WRONG_CODES = 5;
const MAX_WORKFLOWS = 2;
const MAX_VIEW_READS = 4;
const APPROVED = 'workflow_status_approved';
const DENIED = 'workflow_status_denied';

const MESSAGES: Record<CodeChallengeType | 'prompt', string> = {
  sms: 'Enter the verification code Robinhood sent to your phone by SMS.',
  email: 'Enter the verification code Robinhood sent to your e-mail address.',
  app: 'Enter the 6-digit code from your authenticator app.',
  mfa: 'Enter the 6-digit code from your authenticator app.',
  prompt: 'Open the Robinhood app on your phone and approve this login.',
};

const tokenResponseSchema = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).nullable().optional(),
  expires_in: z.union([z.number().positive(), z.string().regex(/^\d+(\.\d+)?$/)]).optional(),
  token_type: z.string().min(1).optional(),
  scope: z.string().nullable().optional(),
});

interface SheriffChallenge {
  id: string;
  type: string;
  status: string | null;
}

interface FlowState {
  readonly pending: PendingLogin;
  /** The token request, repeated identically after a verification (holds the password: memory only). */
  readonly form: Record<string, string>;
  readonly totp: TOTP | null;
  flow: 'password' | 'mfa' | 'challenge' | 'workflow';
  mfaCodeSource: 'totp' | 'user' | null;
  autoCodeRetried: boolean;
  wrongCodes: number;
  challengeId: string | null;
  challengeType: CodeChallengeType | 'prompt' | null;
  machineId: string | null;
  readonly answeredChallenges: Set<string>;
  workflows: number;
  /** Monotonic time of the last verification read/poll, for the 5-second spacing. */
  lastPollMs: number | null;
  steps: number;
  done: boolean;
  queue: Promise<unknown>;
  /** The result to repeat when the UI asks again without anything new to send. */
  last: LoginResult | null;
}

export class Authenticator {
  readonly #http: HttpClient;
  readonly #deviceToken: string;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #states = new WeakMap<PendingLogin, FlowState>();

  constructor(options: AuthenticatorOptions) {
    if (!UUID_PATTERN.test(options.deviceToken)) {
      throw new TypeError('deviceToken must be UUID-shaped (8-4-4-4-12 hex digits)');
    }
    this.#http = options.http;
    this.#deviceToken = options.deviceToken.toLowerCase();
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger ?? silentLogger;
  }

  /** The password grant (docs/broker-api.md#auth-password-grant), following whatever step the broker asks for. */
  async login(credentials: LoginCredentials, options: CallOptions = {}): Promise<LoginResult> {
    const username = credentials.username?.trim() ?? '';
    const password = credentials.password ?? '';
    if (username === '' || password === '') {
      throw new InvalidCredentialsError('A Robinhood username and password are needed to log in.');
    }
    const totpSecret = credentials.totpSecret?.trim() || null;
    this.#http.redactor.register(password);
    this.#http.redactor.register(totpSecret);
    const totp = totpSecret ? parseTotpSecret(totpSecret) : null;

    const form: Record<string, string> = {
      client_id: CLIENT_ID,
      expires_in: String(TOKEN_EXPIRES_IN_SECONDS),
      grant_type: 'password',
      password,
      scope: OAUTH_SCOPE,
      username,
      device_token: this.#deviceToken,
      try_passkeys: 'false',
      token_request_path: '/login',
      create_read_only_secondary_token: 'true',
    };
    const state: FlowState = {
      pending: new PendingLogin(this.#clock.now()),
      form,
      totp,
      flow: 'password',
      mfaCodeSource: null,
      autoCodeRetried: false,
      wrongCodes: 0,
      challengeId: null,
      challengeType: null,
      machineId: null,
      answeredChallenges: new Set(),
      workflows: 0,
      lastPollMs: null,
      steps: 0,
      done: false,
      queue: Promise.resolve(),
      last: null,
    };
    this.#states.set(state.pending, state);
    if (totp) {
      form['mfa_code'] = await this.#code(totp, options.signal);
      state.mfaCodeSource = 'totp';
    }
    this.#logger.info('Logging in to Robinhood', { totp: totp !== null });
    return this.#track(state, () => this.#tokenRequest(state, options.signal));
  }

  /** Answers a pending code challenge (SMS, e-mail, authenticator, legacy MFA). */
  submitCode(pending: PendingLogin, code: string, options: CallOptions = {}): Promise<LoginResult> {
    const state = this.#stateOf(pending);
    return this.#serialized(state, async () => {
      this.#assertOpen(state);
      const trimmed = code.trim();
      if (!/^\d{4,8}$/.test(trimmed)) throw new TypeError('Enter the 4–8 digit code the broker sent.');
      return this.#track(state, async () => {
        switch (state.flow) {
          case 'mfa':
            state.form['mfa_code'] = trimmed;
            state.mfaCodeSource = 'user';
            return this.#tokenRequest(state, options.signal);
          case 'challenge': {
            const challengeId = this.#challengeIdOf(state);
            const answer = await this.#respond(challengeId, trimmed, options.signal);
            if (!answer.validated) return this.#wrongCode(state, answer.remainingAttempts);
            return this.#tokenRequest(state, options.signal, {
              'X-ROBINHOOD-CHALLENGE-RESPONSE-ID': challengeId,
            });
          }
          case 'workflow': {
            if (state.challengeType === 'prompt') {
              throw new TypeError('This login waits for approval in the Robinhood app; no code is expected.');
            }
            const answer = await this.#respond(this.#challengeIdOf(state), trimmed, options.signal);
            if (!answer.validated) return this.#wrongCode(state, answer.remainingAttempts);
            return this.#finishWorkflow(state, options.signal);
          }
          default:
            throw new TypeError('This login is not waiting for a code.');
        }
      });
    });
  }

  /**
   * Checks once whether the user approved the login in the app. Waits first if the previous check was
   * less than 5 s ago, so a UI polling in a loop cannot poll faster than that.
   */
  pollApproval(pending: PendingLogin, options: CallOptions = {}): Promise<LoginResult> {
    const state = this.#stateOf(pending);
    return this.#serialized(state, async () => {
      this.#assertOpen(state);
      if (state.flow !== 'workflow' || state.challengeType !== 'prompt') {
        if (state.last) return state.last;
        throw new TypeError('This login is not waiting for an approval.');
      }
      return this.#track(state, async () => {
        const challengeId = this.#challengeIdOf(state);
        await this.#spacePoll(state, options.signal);
        const response = await this.#call(
          'GET',
          `/push/${encodeURIComponent(challengeId)}/get_prompts_status/`,
          {
            signal: options.signal,
          },
        );
        state.lastPollMs = this.#clock.monotonicMs();
        const status = isObject(response.body) ? response.body['challenge_status'] : undefined;
        if (status === 'validated') return this.#finishWorkflow(state, options.signal);
        if (status === undefined || status === null || status === 'issued' || status === 'pending') {
          return this.#needsApproval(state);
        }
        throw new VerificationDeniedError(
          'The login was not approved in the Robinhood app. Start the login again.',
        );
      });
    });
  }

  /** The refresh grant (docs/broker-api.md#auth-refresh). Throws HttpStatusError (400/401) when the refresh token is no good. */
  async refresh(refreshToken: string, options: CallOptions = {}): Promise<TokenSet> {
    this.#http.redactor.register(refreshToken);
    const response = await this.#http.request({
      method: 'POST',
      path: TOKEN_PATH,
      auth: false,
      form: {
        grant_type: 'refresh_token',
        refresh_token: refreshToken,
        scope: OAUTH_SCOPE,
        client_id: CLIENT_ID,
        expires_in: String(TOKEN_EXPIRES_IN_SECONDS),
        device_token: this.#deviceToken,
      },
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const tokens = this.#tokens(response.body);
    // The refresh token may rotate; when the response carries none, the old one stays valid.
    return tokens.refreshToken ? tokens : { ...tokens, refreshToken };
  }

  /** Revokes a token (docs/broker-api.md#auth-revoke); the broker answers 200 with an empty body. */
  async revoke(token: string, options: CallOptions = {}): Promise<void> {
    await this.#http.request({
      method: 'POST',
      path: '/oauth2/revoke_token/',
      auth: false,
      form: { client_id: CLIENT_ID, token },
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }

  // ---- the token request and its branches ------------------------------------------------------

  async #tokenRequest(
    state: FlowState,
    signal: AbortSignal | undefined,
    headers?: Record<string, string>,
  ): Promise<LoginResult> {
    for (;;) {
      this.#step(state);
      const response = await this.#http.request({
        method: 'POST',
        path: TOKEN_PATH,
        auth: false,
        acceptClientErrors: true,
        form: state.form,
        ...(headers ? { headers } : {}),
        ...(signal ? { signal } : {}),
      });
      const body = isObject(response.body) ? response.body : {};

      if (typeof body['access_token'] === 'string') {
        return { status: 'authenticated', tokens: this.#tokens(body) };
      }
      if (body['mfa_required'] === true) {
        state.flow = 'mfa';
        const mfaType = body['mfa_type'];
        const byApp = mfaType === undefined || mfaType === null || mfaType === 'app';
        if (state.totp && byApp && !state.autoCodeRetried) {
          state.autoCodeRetried = true;
          state.form['mfa_code'] = await this.#code(state.totp, signal);
          state.mfaCodeSource = 'totp';
          continue;
        }
        return this.#needsCode(state, byApp ? 'mfa' : mfaType === 'email' ? 'email' : 'sms');
      }
      if (isObject(body['verification_workflow'])) {
        return this.#startWorkflow(state, body['verification_workflow'], signal);
      }
      if (isObject(body['challenge'])) {
        const challenge = body['challenge'];
        const id = challenge['id'];
        if (typeof id !== 'string' || id === '')
          throw new PayloadError(TOKEN_ENDPOINT, 'challenge.id', 'expected a challenge id');
        state.flow = 'challenge';
        state.challengeId = id;
        return this.#needsCode(state, challenge['type'] === 'email' ? 'email' : 'sms');
      }
      const accepted = body['accept_challenge_types'];
      if (isObject(accepted) && state.form['challenge_type'] === undefined) {
        // 2020-era servers want to be told how to send the code.
        state.form['challenge_type'] = 'sms' in accepted ? 'sms' : 'email' in accepted ? 'email' : 'sms';
        continue;
      }

      const detail = this.#detailOf(body);
      if (response.status >= 400 && detail !== null && INVALID_CREDENTIALS_TEXT.test(detail)) {
        throw new InvalidCredentialsError('Robinhood rejected the username or password.');
      }
      if (
        response.status >= 400 &&
        detail !== null &&
        INVALID_CODE_TEXT.test(detail) &&
        state.form['mfa_code']
      ) {
        if (state.mfaCodeSource === 'totp' && state.totp) {
          if (!state.autoCodeRetried) {
            // The code may have crossed a window boundary on the way: one more try with the next window.
            state.autoCodeRetried = true;
            state.form['mfa_code'] = await this.#nextWindowCode(state.totp, signal);
            continue;
          }
          throw new InvalidCredentialsError(
            'Robinhood rejected the codes generated from the stored TOTP secret; check the secret and the computer clock.',
            'totpSecret',
          );
        }
        state.flow = 'mfa';
        return this.#wrongCode(state, null);
      }
      if (response.status >= 400) throw new HttpStatusError('POST', TOKEN_PATH, response.status, detail);
      throw new PayloadError(TOKEN_ENDPOINT, '', 'the login response has neither tokens nor a next step');
    }
  }

  // ---- the device-verification workflow (docs/broker-api.md#auth-verification-workflow) --------------------------------------------------

  async #startWorkflow(
    state: FlowState,
    workflow: Record<string, unknown>,
    signal: AbortSignal | undefined,
  ): Promise<LoginResult> {
    const workflowId = workflow['id'];
    if (typeof workflowId !== 'string' || workflowId === '') {
      throw new PayloadError(TOKEN_ENDPOINT, 'verification_workflow.id', 'expected a workflow id');
    }
    state.workflows += 1;
    if (state.workflows > MAX_WORKFLOWS) {
      throw new VerificationDeniedError(
        'Robinhood keeps asking to verify this device; start the login again later.',
      );
    }
    this.#step(state);
    const machine = await this.#call('POST', '/pathfinder/user_machine/', {
      signal,
      json: { device_id: this.#deviceToken, flow: 'suv', input: { workflow_id: workflowId } },
    });
    const machineId = isObject(machine.body) ? machine.body['id'] : undefined;
    if (typeof machineId !== 'string' || machineId === '') {
      throw new PayloadError('POST /pathfinder/user_machine/', 'id', 'expected the inquiry id');
    }
    state.flow = 'workflow';
    state.machineId = machineId;
    state.challengeId = null;
    state.challengeType = null;
    state.lastPollMs = null;
    return this.#inspectWorkflow(state, signal);
  }

  /** Reads the inquiry until it shows a challenge (or a result), then handles it. */
  async #inspectWorkflow(state: FlowState, signal: AbortSignal | undefined): Promise<LoginResult> {
    let heading: string | null = null;
    for (let read = 0; read < MAX_VIEW_READS; read++) {
      await this.#spacePoll(state, signal);
      this.#step(state);
      const view = await this.#call('GET', this.#userViewPath(state), { signal });
      state.lastPollMs = this.#clock.monotonicMs();
      const result = workflowResult(view.body);
      if (result === 'approved') return this.#tokenRequest(state, signal);
      if (result === 'denied') throw new VerificationDeniedError('Robinhood denied the device verification.');
      const challenge = sheriffChallenge(view.body);
      if (challenge) {
        const outcome = await this.#handleChallenge(state, challenge, signal);
        if (outcome) return outcome;
      }
      heading = headingText(view.body) ?? heading;
    }
    const problem = heading
      ? `no challenge to answer (page says: ${this.#http.redactor.redact(heading)})`
      : 'no challenge to answer';
    throw new PayloadError('GET /pathfinder/inquiries/…/user_view/', 'context.sheriff_challenge', problem);
  }

  /** Returns the next result, or null to read the inquiry again. */
  async #handleChallenge(
    state: FlowState,
    challenge: SheriffChallenge,
    signal: AbortSignal | undefined,
  ): Promise<LoginResult | null> {
    state.challengeId = challenge.id;
    if (challenge.status === 'validated') return this.#finishWorkflow(state, signal);
    if (challenge.status === 'failed' || challenge.status === 'expired') {
      throw new VerificationDeniedError('The device verification failed or expired. Start the login again.');
    }
    switch (challenge.type) {
      case 'app': {
        state.challengeType = 'app';
        if (state.totp && !state.answeredChallenges.has(challenge.id)) {
          state.answeredChallenges.add(challenge.id);
          const answer = await this.#respond(challenge.id, await this.#code(state.totp, signal), signal);
          if (answer.validated) return this.#finishWorkflow(state, signal);
          this.#logger.warn('Robinhood rejected the code generated from the stored TOTP secret');
          return this.#needsCode(
            state,
            'app',
            'The code generated from the stored TOTP secret was not accepted. Enter the code from your authenticator app.',
          );
        }
        return this.#needsCode(state, 'app');
      }
      case 'sms':
      case 'email':
        state.challengeType = challenge.type;
        return this.#needsCode(state, challenge.type);
      case 'prompt':
        state.challengeType = 'prompt';
        return this.#needsApproval(state);
      default:
        throw new PayloadError(
          'GET /pathfinder/inquiries/…/user_view/',
          'context.sheriff_challenge.type',
          `unsupported verification type "${challenge.type.slice(0, 40)}"`,
        );
    }
  }

  /** Step 5: tell the workflow to continue; approved → repeat the token request (step 6). */
  async #finishWorkflow(state: FlowState, signal: AbortSignal | undefined): Promise<LoginResult> {
    for (let round = 0; round < MAX_VIEW_READS; round++) {
      if (round > 0) await this.#spacePoll(state, signal);
      this.#step(state);
      const response = await this.#call('POST', this.#userViewPath(state), {
        signal,
        json: { sequence: 0, user_input: { status: 'continue' } },
      });
      state.lastPollMs = this.#clock.monotonicMs();
      const result = workflowResult(response.body);
      if (result === 'approved') {
        this.#logger.info('Robinhood approved the device verification');
        return this.#tokenRequest(state, signal);
      }
      if (result === 'denied') throw new VerificationDeniedError('Robinhood denied the device verification.');
      const challenge = sheriffChallenge(response.body);
      if (challenge && challenge.status !== 'validated') {
        const outcome = await this.#handleChallenge(state, challenge, signal);
        if (outcome) return outcome;
      }
    }
    throw new VerificationDeniedError('Robinhood did not confirm the device verification. Try again later.');
  }

  async #respond(challengeId: string, code: string, signal: AbortSignal | undefined) {
    const response = await this.#http.request({
      method: 'POST',
      path: `/challenge/${encodeURIComponent(challengeId)}/respond/`,
      auth: false,
      acceptClientErrors: true,
      form: { response: code },
      ...(signal ? { signal } : {}),
    });
    const body = isObject(response.body) ? response.body : {};
    const challenge = isObject(body['challenge']) ? body['challenge'] : body;
    const validated = response.status < 300 && challenge['status'] === 'validated';
    const remaining = challenge['remaining_attempts'];
    return { validated, remainingAttempts: typeof remaining === 'number' ? remaining : null };
  }

  // ---- results and helpers ----------------------------------------------------------------------

  #needsCode(state: FlowState, type: CodeChallengeType, message = MESSAGES[type]): LoginResult {
    if (state.flow !== 'workflow') state.challengeType = type;
    return { status: 'needs-code', challengeType: type, message, pending: state.pending };
  }

  #needsApproval(state: FlowState): LoginResult {
    return { status: 'needs-approval', message: MESSAGES.prompt, pending: state.pending };
  }

  #wrongCode(state: FlowState, remainingAttempts: number | null): LoginResult {
    state.wrongCodes += 1;
    if (remainingAttempts === 0 || state.wrongCodes >= MAX_WRONG_CODES) {
      throw new VerificationDeniedError(
        'The verification code was rejected too many times. Start the login again.',
      );
    }
    const type: CodeChallengeType =
      state.challengeType === null || state.challengeType === 'prompt' ? 'mfa' : state.challengeType;
    const left =
      remainingAttempts === null
        ? ''
        : ` (${remainingAttempts} attempt${remainingAttempts === 1 ? '' : 's'} left)`;
    return this.#needsCode(state, type, `That code was not accepted${left}. ${MESSAGES[type]}`);
  }

  /** Runs a step of a flow and records its result; terminal failures close the pending login. */
  async #track(state: FlowState, run: () => Promise<LoginResult>): Promise<LoginResult> {
    try {
      const result = await run();
      state.last = result;
      if (result.status === 'authenticated') state.done = true;
      return result;
    } catch (error) {
      if (error instanceof VerificationDeniedError || error instanceof InvalidCredentialsError)
        state.done = true;
      throw error;
    }
  }

  #serialized<T>(state: FlowState, run: () => Promise<T>): Promise<T> {
    const turn = state.queue.then(run);
    state.queue = turn.catch(() => undefined);
    return turn;
  }

  #stateOf(pending: PendingLogin): FlowState {
    const state = this.#states.get(pending);
    if (!state)
      throw new TypeError('Unknown pending login (it belongs to another session or was never started).');
    return state;
  }

  #assertOpen(state: FlowState): void {
    if (state.done)
      throw new VerificationDeniedError('This login has already finished. Start the login again.');
  }

  #challengeIdOf(state: FlowState): string {
    if (!state.challengeId) throw new TypeError('This login has no pending challenge.');
    return state.challengeId;
  }

  #userViewPath(state: FlowState): string {
    if (!state.machineId) throw new TypeError('This login has no verification workflow.');
    return `/pathfinder/inquiries/${encodeURIComponent(state.machineId)}/user_view/`;
  }

  #step(state: FlowState): void {
    state.steps += 1;
    if (state.steps > MAX_STEPS) {
      throw new VerificationDeniedError('The login took too many steps; stopping. Try again later.');
    }
  }

  /** Never poll the verification endpoints more often than every 5 s. */
  async #spacePoll(state: FlowState, signal: AbortSignal | undefined): Promise<void> {
    if (state.lastPollMs === null) return;
    const wait = state.lastPollMs + MIN_VERIFICATION_POLL_MS - this.#clock.monotonicMs();
    if (wait > 0) await this.#sleep(wait, signal);
  }

  async #sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
    try {
      await this.#clock.sleep(ms, signal);
    } catch {
      throw new RequestAbortedError('The login');
    }
  }

  async #code(totp: TOTP, signal: AbortSignal | undefined): Promise<string> {
    try {
      return await currentTotpCode(totp, this.#clock, signal ? { signal } : {});
    } catch {
      throw new RequestAbortedError('The login');
    }
  }

  async #nextWindowCode(totp: TOTP, signal: AbortSignal | undefined): Promise<string> {
    const now = this.#clock.now().getTime();
    const wait = totp.remaining({ timestamp: now }) + 1;
    await this.#sleep(wait, signal);
    return totp.generate({ timestamp: Math.max(this.#clock.now().getTime(), now + wait) });
  }

  #call(
    method: 'GET' | 'POST',
    path: string,
    options: { signal: AbortSignal | undefined; json?: unknown },
  ): Promise<HttpResponse> {
    return this.#http.request({
      method,
      path,
      auth: false,
      ...(options.json !== undefined ? { json: options.json } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }

  #tokens(body: unknown): TokenSet {
    const parsed = parseOne(tokenResponseSchema, body, TOKEN_ENDPOINT);
    this.#http.redactor.register(parsed.access_token);
    if (parsed.refresh_token) this.#http.redactor.register(parsed.refresh_token);
    const seconds = parsed.expires_in === undefined ? TOKEN_EXPIRES_IN_SECONDS : Number(parsed.expires_in);
    return {
      accessToken: parsed.access_token,
      refreshToken: parsed.refresh_token ?? null,
      tokenType: parsed.token_type ?? 'Bearer',
      scope: parsed.scope ?? null,
      expiresAt: new Date(this.#clock.now().getTime() + seconds * 1000),
    };
  }

  #detailOf(body: Record<string, unknown>): string | null {
    const nonField = body['non_field_errors'];
    const candidates = [
      body['detail'],
      Array.isArray(nonField) ? nonField[0] : undefined,
      body['error_description'],
      body['error'],
    ];
    for (const candidate of candidates) {
      if (typeof candidate === 'string' && candidate.trim() !== '') {
        return this.#http.redactor.redact(candidate.trim()).slice(0, 500);
      }
    }
    return null;
  }
}

/** `context.sheriff_challenge` (robin_stocks 3.4), else `type_context.context.sheriff_challenge` (3.3). */
function sheriffChallenge(body: unknown): SheriffChallenge | null {
  if (!isObject(body)) return null;
  const typeContext = isObject(body['type_context']) ? body['type_context'] : null;
  const contexts = [body['context'], typeContext?.['context']];
  for (const context of contexts) {
    if (!isObject(context)) continue;
    const challenge = context['sheriff_challenge'];
    if (isObject(challenge) && typeof challenge['id'] === 'string' && typeof challenge['type'] === 'string') {
      return {
        id: challenge['id'],
        type: challenge['type'].toLowerCase(),
        status: typeof challenge['status'] === 'string' ? challenge['status'].toLowerCase() : null,
      };
    }
  }
  return null;
}

/** `type_context.result`, or the `verification_workflow.workflow_status` shape robin_stocks also accepts. */
function workflowResult(body: unknown): 'approved' | 'denied' | 'pending' | null {
  if (!isObject(body)) return null;
  const typeContext = isObject(body['type_context']) ? body['type_context'] : null;
  const workflow = isObject(body['verification_workflow']) ? body['verification_workflow'] : null;
  const value = typeContext?.['result'] ?? workflow?.['workflow_status'];
  if (value === APPROVED) return 'approved';
  if (value === DENIED) return 'denied';
  if (typeof value === 'string') return 'pending';
  return null;
}

function headingText(body: unknown): string | null {
  if (!isObject(body) || !isObject(body['context'])) return null;
  const heading = body['context']['heading'];
  const text = isObject(heading) ? heading['text'] : undefined;
  return typeof text === 'string' && text.trim() !== '' ? text.trim().slice(0, 200) : null;
}
