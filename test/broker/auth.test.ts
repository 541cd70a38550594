import { afterEach, describe, expect, it } from 'vitest';
import { Authenticator, type LoginResult, PendingLogin } from '../../main/broker/robinhood/auth.js';
import {
  HttpStatusError,
  InvalidCredentialsError,
  VerificationDeniedError,
} from '../../main/broker/robinhood/errors.js';
import { parseTotpSecret, totpCodeAt } from '../../main/broker/robinhood/totp.js';
import { FakeClock } from './helpers/fake-clock.js';
import {
  CHALLENGE_ID,
  type FakeRobinhood,
  LEGACY_CHALLENGE_ID,
  MACHINE_ID,
  type Scenario,
  startFakeRobinhood,
  WORKFLOW_ID,
} from './helpers/fake-robinhood.js';
import { DEVICE_TOKEN, makeHttp, TOTP_SECRET } from './helpers/harness.js';
import { startServer, type TestServer } from './helpers/server.js';

const PASSWORD = 'hunter2hunter2';
const fakes: Array<FakeRobinhood | TestServer> = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((f) => f.close()));
});

async function setup(scenario: Partial<Scenario> = {}) {
  const clock = scenario.clock ?? new FakeClock();
  const rh = await startFakeRobinhood({ clock, ...scenario });
  fakes.push(rh);
  const { http, logger } = makeHttp(rh.url, { clock });
  const auth = new Authenticator({ http, deviceToken: DEVICE_TOKEN, clock, logger });
  const steps = () => rh.server.requests.map((r) => `${r.method} ${r.path}`);
  return { rh, http, auth, clock, logger, steps };
}

function expectAuthenticated(result: LoginResult) {
  expect(result.status).toBe('authenticated');
  if (result.status !== 'authenticated') throw new Error('not authenticated');
  return result.tokens;
}

describe('password grant', () => {
  it('logs in directly with the documented form fields', async () => {
    const { rh, auth, clock } = await setup();
    const tokens = expectAuthenticated(
      await auth.login({ username: 'jane@example.com', password: PASSWORD }),
    );
    expect(rh.server.requests).toHaveLength(1);
    const [request] = rh.server.requests;
    expect(request?.headers['content-type']).toBe('application/x-www-form-urlencoded; charset=utf-8');
    expect(request?.headers['x-robinhood-api-version']).toBe('1.431.4');
    expect(request?.form).toEqual({
      client_id: 'c82SH0WZOsabOXGP2sxqcj34FxkvfnWRZBKlBjFS',
      expires_in: '86400',
      grant_type: 'password',
      password: PASSWORD,
      scope: 'internal',
      username: 'jane@example.com',
      device_token: DEVICE_TOKEN,
      try_passkeys: 'false',
      token_request_path: '/login',
      create_read_only_secondary_token: 'true',
    });
    expect(tokens.accessToken).toMatch(/^eyJ/);
    expect(tokens.refreshToken).toMatch(/^rt1/);
    expect(tokens.tokenType).toBe('Bearer');
    expect(tokens.expiresAt.getTime()).toBe(clock.now().getTime() + 86_400_000);
  });

  it('sends mfa_code up front when a TOTP secret is known', async () => {
    const { rh, auth, clock } = await setup({ mode: 'mfa', totpSecret: TOTP_SECRET });
    expectAuthenticated(await auth.login({ username: 'jane', password: PASSWORD, totpSecret: TOTP_SECRET }));
    expect(rh.passwordGrants()).toHaveLength(1);
    expect(rh.passwordGrants()[0]?.form?.['mfa_code']).toBe(
      totpCodeAt(parseTotpSecret(TOTP_SECRET), clock.now().getTime()),
    );
  });

  it('wrong password → InvalidCredentialsError, never echoing the password', async () => {
    const { rh, auth, logger } = await setup();
    const error = await auth
      .login({ username: 'jane', password: 'wrong-password-123' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidCredentialsError);
    expect((error as InvalidCredentialsError).kind).toBe('invalid-credentials');
    expect((error as Error).message).toBe('Robinhood rejected the username or password.');
    expect(rh.server.requests).toHaveLength(1);
    expect(JSON.stringify(logger.records)).not.toContain('wrong-password-123');
  });

  it('another 400 detail (outdated client) is an HTTP error with the detail', async () => {
    const server = await startServer(() => ({
      status: 400,
      json: { detail: 'Update to the newest version of Robinhood to access this feature.' },
    }));
    fakes.push(server);
    const clock = new FakeClock();
    const { http } = makeHttp(server.url, { clock });
    const auth = new Authenticator({ http, deviceToken: DEVICE_TOKEN, clock });
    const error = (await auth
      .login({ username: 'jane', password: PASSWORD })
      .catch((e: unknown) => e)) as HttpStatusError;
    expect(error).toBeInstanceOf(HttpStatusError);
    expect(error.detail).toBe('Update to the newest version of Robinhood to access this feature.');
    expect(server.requests).toHaveLength(1);
  });

  it('rejects a device token that is not UUID-shaped', async () => {
    const { http } = makeHttp('http://127.0.0.1:9');
    expect(() => new Authenticator({ http, deviceToken: 'my-laptop' })).toThrow(TypeError);
  });
});

describe('legacy branches', () => {
  it('mfa_required without a secret → needs-code "mfa" → submitCode re-posts with the code', async () => {
    const { rh, auth } = await setup({ mode: 'mfa', sentCode: '135790' });
    const first = await auth.login({ username: 'jane', password: PASSWORD });
    expect(first).toMatchObject({ status: 'needs-code', challengeType: 'mfa' });
    if (first.status !== 'needs-code') throw new Error('unexpected');
    expect(first.pending).toBeInstanceOf(PendingLogin);
    expect(JSON.stringify(first.pending)).toBe('{}');
    expectAuthenticated(await auth.submitCode(first.pending, '135790'));
    const grants = rh.passwordGrants();
    expect(grants).toHaveLength(2);
    expect(grants[0]?.form?.['mfa_code']).toBeUndefined();
    const { mfa_code, ...rest } = grants[1]?.form ?? {};
    expect(mfa_code).toBe('135790');
    expect(rest).toEqual(grants[0]?.form);
  });

  it('mfa_required with a secret is answered automatically', async () => {
    const { rh, auth } = await setup({ mode: 'mfa', totpSecret: TOTP_SECRET, ignoreFirstMfaCode: true });
    expectAuthenticated(await auth.login({ username: 'jane', password: PASSWORD, totpSecret: TOTP_SECRET }));
    expect(rh.passwordGrants()).toHaveLength(2);
  });

  it('a wrong MFA code asks again, then succeeds', async () => {
    const { rh, auth } = await setup({ mode: 'mfa', sentCode: '135790' });
    const first = await auth.login({ username: 'jane', password: PASSWORD });
    if (first.status !== 'needs-code') throw new Error('unexpected');
    const again = await auth.submitCode(first.pending, '000000');
    expect(again).toMatchObject({ status: 'needs-code', challengeType: 'mfa' });
    if (again.status !== 'needs-code') throw new Error('unexpected');
    expect(again.message).toMatch(/not accepted/);
    expectAuthenticated(await auth.submitCode(again.pending, '135790'));
    expect(rh.passwordGrants()).toHaveLength(3);
  });

  it('legacy SMS challenge → respond → retry with X-ROBINHOOD-CHALLENGE-RESPONSE-ID', async () => {
    const { rh, auth, steps } = await setup({ mode: 'legacy-challenge', sentCode: '111222' });
    const first = await auth.login({ username: 'jane', password: PASSWORD });
    expect(first).toMatchObject({ status: 'needs-code', challengeType: 'sms' });
    if (first.status !== 'needs-code') throw new Error('unexpected');
    expectAuthenticated(await auth.submitCode(first.pending, '111222'));
    expect(steps()).toEqual([
      'POST /oauth2/token/',
      `POST /challenge/${LEGACY_CHALLENGE_ID}/respond/`,
      'POST /oauth2/token/',
    ]);
    expect(rh.server.requests[1]?.form).toEqual({ response: '111222' });
    expect(rh.server.requests[2]?.headers['x-robinhood-challenge-response-id']).toBe(LEGACY_CHALLENGE_ID);
    expect(rh.server.requests[2]?.form).toEqual(rh.server.requests[0]?.form);
  });
});

describe('verification workflow', () => {
  it('type "app" is answered from the TOTP secret without the user', async () => {
    const { rh, auth, steps, clock } = await setup({
      mode: 'workflow',
      challengeType: 'app',
      totpSecret: TOTP_SECRET,
    });
    expectAuthenticated(await auth.login({ username: 'jane', password: PASSWORD, totpSecret: TOTP_SECRET }));
    expect(steps()).toEqual([
      'POST /oauth2/token/',
      'POST /pathfinder/user_machine/',
      `GET /pathfinder/inquiries/${MACHINE_ID}/user_view/`,
      `POST /challenge/${CHALLENGE_ID}/respond/`,
      `POST /pathfinder/inquiries/${MACHINE_ID}/user_view/`,
      'POST /oauth2/token/',
    ]);
    const [token1, machine, , respond, advance, token2] = rh.server.requests;
    expect(machine?.headers['content-type']).toBe('application/json');
    expect(machine?.json).toEqual({
      device_id: DEVICE_TOKEN,
      flow: 'suv',
      input: { workflow_id: WORKFLOW_ID },
    });
    expect(respond?.form).toEqual({
      response: totpCodeAt(parseTotpSecret(TOTP_SECRET), clock.now().getTime()),
    });
    expect(advance?.json).toEqual({ sequence: 0, user_input: { status: 'continue' } });
    expect(token2?.form).toEqual(token1?.form);
  });

  it('reads the challenge from type_context.context when context is absent', async () => {
    const { auth, steps } = await setup({
      mode: 'workflow',
      challengeType: 'app',
      totpSecret: TOTP_SECRET,
      typeContextOnly: true,
    });
    expectAuthenticated(await auth.login({ username: 'jane', password: PASSWORD, totpSecret: TOTP_SECRET }));
    expect(steps()).toHaveLength(6);
  });

  it('type "app" without a secret asks for the authenticator code', async () => {
    const { auth } = await setup({ mode: 'workflow', challengeType: 'app', sentCode: '777888' });
    const first = await auth.login({ username: 'jane', password: PASSWORD });
    expect(first).toMatchObject({ status: 'needs-code', challengeType: 'app' });
  });

  it('type "sms" → needs-code → submitCode → approved → tokens', async () => {
    const { rh, auth, steps } = await setup({ mode: 'workflow', challengeType: 'sms', sentCode: '482913' });
    const first = await auth.login({ username: 'jane', password: PASSWORD });
    expect(first).toMatchObject({ status: 'needs-code', challengeType: 'sms' });
    if (first.status !== 'needs-code') throw new Error('unexpected');
    expect(first.message).toMatch(/SMS/);
    expect(steps()).toHaveLength(3);
    expectAuthenticated(await auth.submitCode(first.pending, ' 482913 '));
    expect(steps().slice(3)).toEqual([
      `POST /challenge/${CHALLENGE_ID}/respond/`,
      `POST /pathfinder/inquiries/${MACHINE_ID}/user_view/`,
      'POST /oauth2/token/',
    ]);
    expect(rh.server.requests[3]?.form).toEqual({ response: '482913' });
  });

  it('a wrong code asks again with the attempts left, and runs out into a denial', async () => {
    const { auth } = await setup({ mode: 'workflow', challengeType: 'email', sentCode: '482913' });
    const first = await auth.login({ username: 'jane', password: PASSWORD });
    if (first.status !== 'needs-code') throw new Error('unexpected');
    expect(first.challengeType).toBe('email');
    const second = await auth.submitCode(first.pending, '111111');
    expect(second).toMatchObject({ status: 'needs-code', challengeType: 'email' });
    if (second.status !== 'needs-code') throw new Error('unexpected');
    expect(second.message).toMatch(/2 attempts left/);
    await auth.submitCode(first.pending, '222222');
    await expect(auth.submitCode(first.pending, '333333')).rejects.toBeInstanceOf(VerificationDeniedError);
    // The pending login is closed after the denial.
    await expect(auth.submitCode(first.pending, '482913')).rejects.toBeInstanceOf(VerificationDeniedError);
  });

  it('type "prompt" → needs-approval → polls no faster than every 5 s → approved → tokens', async () => {
    const { rh, auth, steps } = await setup({
      mode: 'workflow',
      challengeType: 'prompt',
      pollsBeforeApproval: 2,
    });
    const first = await auth.login({ username: 'jane', password: PASSWORD });
    expect(first).toMatchObject({ status: 'needs-approval' });
    if (first.status !== 'needs-approval') throw new Error('unexpected');
    // A UI hammering pollApproval cannot make it poll faster.
    const results = await Promise.all([auth.pollApproval(first.pending), auth.pollApproval(first.pending)]);
    expect(results.map((r) => r.status)).toEqual(['needs-approval', 'needs-approval']);
    expectAuthenticated(await auth.pollApproval(first.pending));
    expect(rh.pollTimes).toHaveLength(3);
    const viewReadAt = 0;
    const gaps = rh.pollTimes.map((t, i) => t - (i === 0 ? viewReadAt : (rh.pollTimes[i - 1] ?? 0)));
    expect(gaps.every((gap) => gap >= 5000)).toBe(true);
    expect(steps().filter((s) => s.startsWith('GET /push/'))).toHaveLength(3);
    expect(steps().at(-1)).toBe('POST /oauth2/token/');
  });

  it('a denied workflow throws VerificationDeniedError', async () => {
    const { auth } = await setup({ mode: 'workflow', challengeType: 'sms', sentCode: '482913', deny: true });
    const first = await auth.login({ username: 'jane', password: PASSWORD });
    if (first.status !== 'needs-code') throw new Error('unexpected');
    const error = await auth.submitCode(first.pending, '482913').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VerificationDeniedError);
    expect((error as VerificationDeniedError).kind).toBe('verification-denied');
  });
});

describe('refresh and revoke', () => {
  it('refreshes with the same device token and takes the rotated refresh token', async () => {
    const { rh, auth } = await setup();
    const first = expectAuthenticated(await auth.login({ username: 'jane', password: PASSWORD }));
    const next = await auth.refresh(first.refreshToken ?? '');
    expect(rh.refreshGrants()[0]?.form).toEqual({
      grant_type: 'refresh_token',
      refresh_token: first.refreshToken,
      scope: 'internal',
      client_id: 'c82SH0WZOsabOXGP2sxqcj34FxkvfnWRZBKlBjFS',
      expires_in: '86400',
      device_token: DEVICE_TOKEN,
    });
    expect(next.accessToken).not.toBe(first.accessToken);
    expect(next.refreshToken).not.toBe(first.refreshToken);
    // The old refresh token was rotated away: using it again is rejected.
    const error = (await auth.refresh(first.refreshToken ?? '').catch((e: unknown) => e)) as HttpStatusError;
    expect(error).toBeInstanceOf(HttpStatusError);
    expect(error.status).toBe(400);
  });

  it('keeps the old refresh token when the response carries none', async () => {
    const server = await startServer(() => ({
      json: { access_token: 'new-access-token-1234', expires_in: 3600, token_type: 'Bearer' },
    }));
    fakes.push(server);
    const clock = new FakeClock();
    const { http } = makeHttp(server.url, { clock });
    const auth = new Authenticator({ http, deviceToken: DEVICE_TOKEN, clock });
    const tokens = await auth.refresh('old-refresh-token-123456');
    expect(tokens.refreshToken).toBe('old-refresh-token-123456');
    expect(tokens.expiresAt.getTime()).toBe(clock.now().getTime() + 3_600_000);
  });

  it('revokes with client_id and the token; an empty 200 is success', async () => {
    const { rh, auth } = await setup();
    await auth.revoke('rt-to-revoke-000000000000');
    const request = rh.server.requests.at(-1);
    expect(request?.path).toBe('/oauth2/revoke_token/');
    expect(request?.form).toEqual({
      client_id: 'c82SH0WZOsabOXGP2sxqcj34FxkvfnWRZBKlBjFS',
      token: 'rt-to-revoke-000000000000',
    });
    expect(rh.revoked).toEqual(['rt-to-revoke-000000000000']);
  });
});
