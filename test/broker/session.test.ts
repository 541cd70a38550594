import { afterEach, describe, expect, it } from 'vitest';
import {
  AuthRequiredError,
  createRobinhood,
  HttpStatusError,
  InvalidCredentialsError,
  LoginBackoffError,
  type LoginCredentials,
  type StoredTokens,
} from '../../main/broker/robinhood/index.js';
import { MemorySecretStore } from '../../main/secrets/memory-store.js';
import { keychainTokenStore } from '../../main/secrets/token-store.js';
import { collectingLogger } from '../../main/util/logger.js';
import { FakeClock } from './helpers/fake-clock.js';
import { type FakeRobinhood, type Scenario, startFakeRobinhood } from './helpers/fake-robinhood.js';
import { DEVICE_TOKEN, memoryTokenStore, TOTP_SECRET } from './helpers/harness.js';

const PASSWORD = 'hunter2hunter2';
const fakes: FakeRobinhood[] = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((f) => f.close()));
});

async function setup(
  options: {
    scenario?: Partial<Scenario>;
    stored?: StoredTokens | null;
    credentials?: LoginCredentials | null;
    clock?: FakeClock;
  } = {},
) {
  const clock = options.clock ?? new FakeClock();
  const rh = await startFakeRobinhood({ clock, ...options.scenario });
  fakes.push(rh);
  const store = memoryTokenStore(options.stored ?? null);
  const logger = collectingLogger();
  let credentials: LoginCredentials | null =
    options.credentials === undefined
      ? { username: 'jane@example.com', password: PASSWORD }
      : options.credentials;
  let credentialReads = 0;
  const robinhood = createRobinhood({
    baseUrl: rh.url,
    clock,
    logger,
    random: () => 1,
    requestsPerMinute: 6000,
    burst: 1000,
    tokenStore: store,
    deviceToken: DEVICE_TOKEN,
    credentials: async () => {
      credentialReads += 1;
      return credentials;
    },
  });
  const accounts = () => robinhood.client.listAccounts();
  return {
    ...robinhood,
    rh,
    clock,
    store,
    logger,
    accounts,
    setCredentials: (next: LoginCredentials | null) => {
      credentials = next;
    },
    credentialReads: () => credentialReads,
  };
}

describe('session token lifecycle', () => {
  it('logs in on first use, stores the tokens and sends the bearer token', async () => {
    const { rh, store, accounts, requestLog } = await setup();
    const result = await accounts();
    expect(result.items[0]?.account_number).toBe('5QR24141');
    expect(rh.passwordGrants()).toHaveLength(1);
    expect(store.saves).toBe(1);
    expect(store.value?.accessToken).toMatch(/^eyJ/);
    const data = rh.server.requests.at(-1);
    expect(data?.headers['authorization']).toBe(`Bearer ${store.value?.accessToken}`);
    expect(requestLog.total).toBe(2); // login + data, both counted
  });

  it('uses a stored valid token without logging in', async () => {
    const clock = new FakeClock();
    const probe = await setup({ clock });
    await probe.accounts();
    const saved = probe.store.value;
    expect(saved).not.toBeNull();
    const { rh, accounts, credentialReads } = await setup({ clock, stored: saved });
    rh.validAccess.add(saved?.accessToken ?? '');
    await accounts();
    expect(rh.passwordGrants()).toHaveLength(0);
    expect(rh.refreshGrants()).toHaveLength(0);
    expect(credentialReads()).toBe(0);
  });

  it('refreshes a token that expires within 5 minutes before using it', async () => {
    const clock = new FakeClock();
    const { rh, store, accounts, session } = await setup({ clock });
    await accounts();
    const firstRefresh = store.value?.refreshToken;
    clock.advance(86_400_000 - 4 * 60_000); // 4 minutes left
    await accounts();
    expect(rh.refreshGrants()).toHaveLength(1);
    expect(rh.refreshGrants()[0]?.form?.['refresh_token']).toBe(firstRefresh);
    expect(rh.refreshGrants()[0]?.form?.['device_token']).toBe(DEVICE_TOKEN);
    expect(rh.passwordGrants()).toHaveLength(1);
    expect(store.value?.refreshToken).not.toBe(firstRefresh); // rotated and stored
    expect(session.expiresAt?.getTime()).toBe(clock.now().getTime() + 86_400_000);
  });

  it('concurrent requests share one refresh', async () => {
    const clock = new FakeClock();
    const { rh, accounts } = await setup({ clock });
    await accounts();
    clock.advance(86_400_000 - 60_000);
    await Promise.all([accounts(), accounts(), accounts(), accounts(), accounts()]);
    expect(rh.refreshGrants()).toHaveLength(1);
    expect(rh.passwordGrants()).toHaveLength(1);
  });

  it('on 401 refreshes once and replays; no password login', async () => {
    const { rh, accounts, requestLog } = await setup();
    await accounts();
    rh.expireAccessTokens();
    const mark = requestLog.mark();
    await Promise.all([accounts(), accounts()]);
    expect(rh.refreshGrants()).toHaveLength(1);
    expect(rh.passwordGrants()).toHaveLength(1);
    // 2 rejected + 1 refresh + 2 replays
    expect(requestLog.countSince(mark)).toBe(5);
  });

  it('logs in with the password only when the refresh token is rejected', async () => {
    const clock = new FakeClock();
    const { rh, accounts } = await setup({ clock });
    await accounts();
    clock.advance(60_000);
    rh.expireAccessTokens();
    rh.validRefresh.clear();
    await accounts();
    expect(rh.refreshGrants()).toHaveLength(1);
    expect(rh.passwordGrants()).toHaveLength(2);
  });

  it('keeps using a still-valid token when a proactive refresh fails transiently', async () => {
    const clock = new FakeClock();
    const { rh, accounts, logger } = await setup({ clock });
    await accounts();
    clock.advance(86_400_000 - 60_000);
    await rh.close(); // offline
    await expect(accounts()).rejects.toMatchObject({ kind: 'network' });
    expect(rh.passwordGrants()).toHaveLength(1);
    expect(logger.records.some((r) => r.message.startsWith('Token refresh failed'))).toBe(true);
  });

  it('round-trips the session through the secrets token store (same StoredTokens shape)', async () => {
    const clock = new FakeClock();
    const rh = await startFakeRobinhood({ clock });
    fakes.push(rh);
    const secrets = new MemorySecretStore();
    const make = () =>
      createRobinhood({
        baseUrl: rh.url,
        clock,
        tokenStore: keychainTokenStore(secrets),
        deviceToken: DEVICE_TOKEN,
        credentials: async () => ({ username: 'jane', password: PASSWORD }),
      });
    await make().client.listAccounts();
    await make().client.listAccounts(); // a restart: the stored session is reused
    expect(rh.passwordGrants()).toHaveLength(1);
    expect(rh.server.requests).toHaveLength(3);
  });

  it('logout revokes the refresh token and forgets the tokens', async () => {
    const clock = new FakeClock();
    const { rh, store, accounts, session } = await setup({ clock });
    await accounts();
    const refresh = store.value?.refreshToken;
    expect(await session.logout()).toEqual({ revoked: true });
    expect(rh.revoked).toEqual([refresh]);
    expect(store.value).toBeNull();
    // Logging in again is allowed once a minute has passed since the last password login.
    await expect(accounts()).rejects.toBeInstanceOf(LoginBackoffError);
    clock.advance(60_000);
    await accounts();
    expect(rh.passwordGrants()).toHaveLength(2);
  });
});

describe('session prompts', () => {
  it('no credentials → AuthRequiredError(credentials) without any request', async () => {
    const { rh, accounts, session } = await setup({ credentials: null });
    const error = (await accounts().catch((e: unknown) => e)) as AuthRequiredError;
    expect(error).toBeInstanceOf(AuthRequiredError);
    expect(error.kind).toBe('auth-required');
    expect(error.prompt.kind).toBe('credentials');
    expect(rh.server.requests).toHaveLength(0);
    expect(session.pendingPrompt?.kind).toBe('credentials');
  });

  it('a code challenge surfaces as needs-auth; no new login until the user answers', async () => {
    const { rh, accounts, session } = await setup({
      scenario: { mode: 'workflow', challengeType: 'sms', sentCode: '482913' },
    });
    const error = (await accounts().catch((e: unknown) => e)) as AuthRequiredError;
    expect(error).toBeInstanceOf(AuthRequiredError);
    expect(error.prompt).toEqual({
      kind: 'code',
      challengeType: 'sms',
      message: expect.stringMatching(/SMS/),
    });
    expect(session.pendingPrompt).toEqual(error.prompt);
    const requestsSoFar = rh.server.requests.length;
    await expect(accounts()).rejects.toBeInstanceOf(AuthRequiredError);
    await expect(accounts()).rejects.toBeInstanceOf(AuthRequiredError);
    expect(rh.server.requests).toHaveLength(requestsSoFar);
    expect(await session.submitCode('482913')).toEqual({ status: 'authenticated' });
    expect(session.pendingPrompt).toBeNull();
    const result = await accounts();
    expect(result.items).toHaveLength(1);
    expect(rh.passwordGrants()).toHaveLength(2); // the first and the repeat after approval
  });

  it('an approval prompt is polled through the session until approved', async () => {
    const { rh, session, accounts } = await setup({
      scenario: { mode: 'workflow', challengeType: 'prompt', pollsBeforeApproval: 1 },
    });
    expect(await session.login()).toEqual({ status: 'needs-approval', message: expect.any(String) });
    expect(session.pendingPrompt?.kind).toBe('approval');
    expect((await session.pollApproval()).status).toBe('needs-approval');
    expect((await session.pollApproval()).status).toBe('authenticated');
    await accounts();
    expect(rh.pollTimes).toEqual([5000, 10000]);
  });

  it('answers an authenticator challenge from the TOTP secret without the user', async () => {
    const { rh, accounts } = await setup({
      scenario: { mode: 'workflow', challengeType: 'app', totpSecret: TOTP_SECRET },
      credentials: { username: 'jane', password: PASSWORD, totpSecret: TOTP_SECRET },
    });
    await accounts();
    expect(rh.passwordGrants()).toHaveLength(2);
  });

  it('login() with a valid token reports authenticated without a request; force logs in', async () => {
    const clock = new FakeClock();
    const { rh, session, accounts } = await setup({ clock });
    await accounts();
    const before = rh.server.requests.length;
    expect(await session.login()).toEqual({ status: 'authenticated' });
    expect(rh.server.requests).toHaveLength(before);
    clock.advance(60_000);
    expect(await session.login({ force: true })).toEqual({ status: 'authenticated' });
    expect(rh.passwordGrants()).toHaveLength(2);
  });

  it('login() after the token expired (a night asleep) refreshes instead of a password login', async () => {
    const clock = new FakeClock();
    const { rh, session, accounts } = await setup({ clock });
    await accounts();
    clock.advance(2 * 86_400_000);
    expect(await session.login()).toEqual({ status: 'authenticated' });
    expect(rh.refreshGrants()).toHaveLength(1);
    expect(rh.passwordGrants()).toHaveLength(1);
    await accounts();
    expect(rh.passwordGrants()).toHaveLength(1);
  });

  it('login() logs in with the password when the expired token cannot be refreshed', async () => {
    const clock = new FakeClock();
    const { rh, session, accounts, store } = await setup({ clock });
    await accounts();
    clock.advance(2 * 86_400_000);
    rh.validRefresh.clear();
    expect(await session.login()).toEqual({ status: 'authenticated' });
    expect(rh.refreshGrants()).toHaveLength(1);
    expect(rh.passwordGrants()).toHaveLength(2);
    expect(store.value?.accessToken).toBeTruthy();
  });
});

describe('login guard', () => {
  it('a wrong password is not retried in a storm', async () => {
    const clock = new FakeClock();
    const { rh, accounts } = await setup({
      clock,
      credentials: { username: 'jane', password: 'wrong-password-1' },
    });
    const first = await accounts().catch((e: unknown) => e);
    expect(first).toBeInstanceOf(InvalidCredentialsError);
    // The engine keeps trying every 10 s for 10 minutes.
    const kinds = new Set<string>();
    for (let i = 0; i < 60; i++) {
      clock.advance(10_000);
      const error = (await accounts().catch((e: unknown) => e)) as { kind: string };
      kinds.add(error.kind);
    }
    // 1 + retries at 60 s, 180 s (60 + 120), 420 s (+240): the backoff doubles after each failure.
    expect(rh.passwordGrants()).toHaveLength(4);
    expect([...kinds].sort()).toEqual(['auth-required', 'invalid-credentials']);
  });

  it('a failing login endpoint is tried with exponential backoff up to the cap', async () => {
    const clock = new FakeClock();
    const { rh, accounts } = await setup({ clock, scenario: { loginFailure: { status: 500 } } });
    const seen = new Set<string>();
    for (let t = 0; t <= 30 * 60_000; t += 10_000) {
      const error = (await accounts().catch((e: unknown) => e)) as { kind: string };
      seen.add(error.kind);
      clock.advance(10_000);
    }
    // Attempts at 0, 60 s, 180 s, 420 s, 900 s; the next would be at 1860 s, after the 30 minutes.
    expect(rh.passwordGrants()).toHaveLength(5);
    expect([...seen].sort()).toEqual(['http', 'login-backoff']);
  });

  it('the backoff error says when to retry', async () => {
    const clock = new FakeClock('2026-03-02T15:00:00.000Z');
    const { accounts } = await setup({ clock, scenario: { loginFailure: { status: 500 } } });
    await expect(accounts()).rejects.toBeInstanceOf(HttpStatusError);
    clock.advance(15_000);
    const error = (await accounts().catch((e: unknown) => e)) as LoginBackoffError;
    expect(error).toBeInstanceOf(LoginBackoffError);
    expect(error.retryAt.toISOString()).toBe('2026-03-02T15:01:00.000Z');
  });

  it('changed credentials are tried after the minimum interval, not the full backoff', async () => {
    const clock = new FakeClock();
    const { rh, accounts, setCredentials } = await setup({
      clock,
      credentials: { username: 'jane', password: 'wrong-1-xxxxx' },
    });
    await expect(accounts()).rejects.toBeInstanceOf(InvalidCredentialsError);
    clock.advance(60_000);
    await expect(accounts()).rejects.toBeInstanceOf(InvalidCredentialsError);
    setCredentials({ username: 'jane', password: PASSWORD });
    clock.advance(30_000);
    await expect(accounts()).rejects.toBeInstanceOf(LoginBackoffError); // still under a minute
    clock.advance(30_000);
    await accounts();
    expect(rh.passwordGrants()).toHaveLength(3);
  });
});

describe('secrecy', () => {
  it('no password, TOTP secret, token or account number reaches a log line or an error message', async () => {
    const clock = new FakeClock();
    const { rh, logger, store, client, accounts } = await setup({
      clock,
      scenario: { mode: 'workflow', challengeType: 'app', totpSecret: TOTP_SECRET },
      credentials: { username: 'jane', password: PASSWORD, totpSecret: TOTP_SECRET },
    });
    await accounts();
    clock.advance(60_000);
    const errors: string[] = [];
    rh.expireAccessTokens();
    rh.validRefresh.clear();
    await client.getPortfolio('5QR24141').catch((e: Error) => errors.push(e.message));
    await accounts();
    const secrets = [
      PASSWORD,
      TOTP_SECRET,
      store.value?.accessToken ?? 'x',
      store.value?.refreshToken ?? 'x',
      '5QR24141',
    ];
    const logged = JSON.stringify(logger.records);
    expect(logger.records.length).toBeGreaterThan(5);
    expect(errors.length).toBe(1);
    for (const secret of secrets) {
      expect(logged).not.toContain(secret);
      for (const message of errors) expect(message).not.toContain(secret);
    }
    expect(errors[0]).toContain('/portfolios/****4141/');
  });
});
