/**
 * A small scripted stand-in for Robinhood's auth endpoints (docs/broker-api.md#auth) plus a bearer-checked
 * /accounts/, answering with the recorded payload shapes. Written for these tests only; it does not
 * depend on the project's simulator.
 */
import { parseTotpSecret, totpCodeAt } from '../../../main/broker/robinhood/totp.js';
import type { FakeClock } from './fake-clock.js';
import {
  fixture,
  fixtureAt,
  type RecordedRequest,
  type Reply,
  startServer,
  type TestServer,
} from './server.js';

export type LoginMode = 'direct' | 'mfa' | 'legacy-challenge' | 'workflow';

export interface Scenario {
  clock: FakeClock;
  password?: string;
  mode?: LoginMode;
  challengeType?: 'app' | 'sms' | 'email' | 'prompt';
  /** Codes from this secret are accepted for app/MFA checks. */
  totpSecret?: string;
  /** The code "sent" by SMS/e-mail. */
  sentCode?: string;
  /** Push polls answered "issued" before "validated". */
  pollsBeforeApproval?: number;
  /** Answer the final workflow step with workflow_status_denied. */
  deny?: boolean;
  /** Serve the challenge only under type_context.context (robin_stocks 3.3 shape). */
  typeContextOnly?: boolean;
  /** The 1st password grant gets mfa_required even with a code (a server ignoring up-front codes). */
  ignoreFirstMfaCode?: boolean;
  expiresIn?: number;
  /** Answer the password grant with this status/body instead (e.g. 500). */
  loginFailure?: { status: number; json?: unknown };
}

export const WORKFLOW_ID = 'e6b8d980-e9a3-4bbc-9a5d-c8e73fa4e117';
export const MACHINE_ID = '46e991c4-2c53-4005-979c-ee500993f535';
export const CHALLENGE_ID = 'dd81e54f-4348-495d-8875-59c6d76dbe2b';
export const LEGACY_CHALLENGE_ID = '2a3d1e59-6c0f-4d43-9a0d-1c1b2f2b8f11';

export interface FakeRobinhood {
  server: TestServer;
  url: string;
  /** Access tokens the server currently accepts. */
  validAccess: Set<string>;
  validRefresh: Set<string>;
  revoked: string[];
  issued: number;
  /** Monotonic (fake clock) times of push-status polls. */
  pollTimes: number[];
  passwordGrants(): RecordedRequest[];
  refreshGrants(): RecordedRequest[];
  /** Invalidate every access token (as after a server-side expiry). */
  expireAccessTokens(): void;
  setPassword(password: string): void;
  close(): Promise<void>;
}

export async function startFakeRobinhood(scenario: Scenario): Promise<FakeRobinhood> {
  const mode = scenario.mode ?? 'direct';
  let password = scenario.password ?? 'hunter2hunter2';
  const sentCode = scenario.sentCode ?? '246810';
  const totp = scenario.totpSecret ? parseTotpSecret(scenario.totpSecret) : null;
  const state = {
    deviceApproved: false,
    challengeStatus: 'issued' as 'issued' | 'validated',
    remainingAttempts: 3,
    legacyValidated: false,
    pushPolls: 0,
    mfaGrants: 0,
  };
  const validAccess = new Set<string>();
  const validRefresh = new Set<string>();
  const revoked: string[] = [];
  const pollTimes: number[] = [];
  let issued = 0;
  let url = '';

  const codeOk = (code: string | undefined): boolean => {
    if (!code) return false;
    if (!totp) return code === sentCode;
    const now = scenario.clock.now().getTime();
    return [now - 30_000, now, now + 30_000].some((t) => totpCodeAt(totp, t) === code);
  };

  const tokens = (): Reply => {
    issued += 1;
    const access = `eyJhbGciOiJFUzI1NiJ9.eyJ1c2VyIjoidGVzdCIsIm4iOj${issued}fQ.c2lnbmF0dXJlLW${issued}`;
    const refresh = `rt${issued}${'x'.repeat(28 - String(issued).length)}`;
    validAccess.add(access);
    validRefresh.add(refresh);
    const body = {
      ...fixture<Record<string, unknown>>('oauth-token-success.json'),
      access_token: access,
      refresh_token: refresh,
    } as Record<string, unknown>;
    body['expires_in'] = scenario.expiresIn ?? 86400;
    return { json: body };
  };

  const userView = (): Reply => {
    // biome-ignore lint/suspicious/noExplicitAny: a recorded payload, edited in place
    const view = fixture<Record<string, any>>('pathfinder-user-view-challenge.json');
    for (const context of [view['context'], view['type_context']['context']]) {
      context.sheriff_challenge.type = scenario.challengeType ?? 'app';
      context.sheriff_challenge.status = state.challengeStatus;
    }
    if (scenario.typeContextOnly) delete view['context'];
    return { json: view };
  };

  const handler = (r: RecordedRequest): Reply => {
    const fields = r.form ?? (r.json as Record<string, string> | null) ?? {};
    if (r.method === 'POST' && r.path === '/oauth2/token/') {
      if (fields['grant_type'] === 'refresh_token') {
        const token = fields['refresh_token'] ?? '';
        if (!validRefresh.has(token)) return { status: 400, json: { error: 'invalid_grant' } };
        validRefresh.delete(token); // rotates
        return tokens();
      }
      if (scenario.loginFailure)
        return { status: scenario.loginFailure.status, json: scenario.loginFailure.json ?? {} };
      if (fields['password'] !== password) {
        return { status: 400, json: { detail: 'Unable to log in with provided credentials.' } };
      }
      switch (mode) {
        case 'direct':
          return tokens();
        case 'mfa': {
          state.mfaGrants += 1;
          if (!fields['mfa_code'] || (scenario.ignoreFirstMfaCode && state.mfaGrants === 1)) {
            return { json: { mfa_required: true, mfa_type: 'app' } };
          }
          return codeOk(fields['mfa_code'])
            ? tokens()
            : { status: 400, json: { detail: 'Please enter a valid code.' } };
        }
        case 'legacy-challenge':
          if (state.legacyValidated && r.headers['x-robinhood-challenge-response-id'] === LEGACY_CHALLENGE_ID)
            return tokens();
          return { status: 400, json: fixture('oauth-legacy-challenge.json') };
        case 'workflow':
          if (state.deviceApproved) return tokens();
          return { status: 403, json: fixture('oauth-verification-workflow.json') };
      }
      return { status: 500 };
    }
    if (r.method === 'POST' && r.path === '/pathfinder/user_machine/') return { json: { id: MACHINE_ID } };
    if (r.path === `/pathfinder/inquiries/${MACHINE_ID}/user_view/`) {
      if (r.method === 'GET') return userView();
      if (state.challengeStatus !== 'validated') {
        return {
          json: {
            ...fixture<Record<string, unknown>>('pathfinder-user-view-approved.json'),
            type_context: { result: 'workflow_status_internal_pending' },
          },
        };
      }
      if (scenario.deny) {
        return {
          json: {
            ...fixture<Record<string, unknown>>('pathfinder-user-view-approved.json'),
            type_context: { result: 'workflow_status_denied' },
          },
        };
      }
      state.deviceApproved = true;
      return { json: fixture('pathfinder-user-view-approved.json') };
    }
    const respond = /^\/challenge\/([^/]+)\/respond\/$/.exec(r.path);
    if (r.method === 'POST' && respond) {
      const legacy = respond[1] === LEGACY_CHALLENGE_ID;
      const ok = legacy ? fields['response'] === sentCode : codeOk(fields['response']);
      if (!ok) {
        state.remainingAttempts -= 1;
        return {
          status: 400,
          json: {
            detail: 'Challenge response is invalid.',
            challenge: { id: respond[1], status: 'issued', remaining_attempts: state.remainingAttempts },
          },
        };
      }
      if (legacy) state.legacyValidated = true;
      else state.challengeStatus = 'validated';
      return {
        json: { ...fixture<Record<string, unknown>>('challenge-respond-validated.json'), id: respond[1] },
      };
    }
    if (r.method === 'GET' && r.path === `/push/${CHALLENGE_ID}/get_prompts_status/`) {
      pollTimes.push(scenario.clock.monotonicMs());
      state.pushPolls += 1;
      if (state.pushPolls > (scenario.pollsBeforeApproval ?? 0)) {
        state.challengeStatus = 'validated';
        return { json: { challenge_status: 'validated' } };
      }
      return { json: { challenge_status: 'issued' } };
    }
    if (r.method === 'POST' && r.path === '/oauth2/revoke_token/') {
      const token = fields['token'] ?? '';
      revoked.push(token);
      validRefresh.delete(token);
      validAccess.delete(token);
      return { status: 200 };
    }
    if (r.method === 'GET' && r.path === '/accounts/') {
      const auth = String(r.headers['authorization'] ?? '');
      if (!auth) return { status: 401, json: { detail: 'Authentication credentials were not provided.' } };
      if (!validAccess.has(auth.replace(/^Bearer /, '')))
        return { status: 401, json: { detail: 'Invalid bearer token.' } };
      return { json: fixtureAt('accounts.json', url) };
    }
    return { status: 404, json: { detail: 'Not found.' } };
  };

  const server = await startServer(handler);
  url = server.url;
  return {
    server,
    url,
    validAccess,
    validRefresh,
    revoked,
    pollTimes,
    get issued() {
      return issued;
    },
    passwordGrants: () =>
      server.requests.filter((r) => r.path === '/oauth2/token/' && r.form?.['grant_type'] === 'password'),
    refreshGrants: () =>
      server.requests.filter(
        (r) => r.path === '/oauth2/token/' && r.form?.['grant_type'] === 'refresh_token',
      ),
    expireAccessTokens: () => validAccess.clear(),
    setPassword: (next) => {
      password = next;
    },
    close: () => server.close(),
  };
}
