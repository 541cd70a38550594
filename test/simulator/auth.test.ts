/**
 * Every login flow of the simulator, driven by the production client over real sockets:
 * direct, legacy TOTP (mfa_required), legacy SMS challenge, and the device-verification workflow
 * with authenticator, SMS, e-mail and push-prompt challenges; refresh, expiry, revocation, logout.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  AuthRequiredError,
  InvalidCredentialsError,
  VerificationDeniedError,
} from '../../main/broker/robinhood/index.js';
import { closeAll, connect, JumpClock, startSim } from './helpers.js';

afterEach(closeAll);

const paths = (sim: { requests: readonly { method: string; path: string; status: number }[] }) =>
  sim.requests.map((r) => `${r.method} ${r.path} ${r.status}`);

describe('password grant', () => {
  it('direct: tokens at once, then authenticated endpoints accept the bearer token', async () => {
    const { sim, rh, tokens } = await connect();
    expect(await rh.session.login()).toEqual({ status: 'authenticated' });
    expect(tokens.saved?.refreshToken).toMatch(/^[\w-]{30}$/);
    const accounts = await rh.client.listAccounts();
    expect(accounts.items.map((a) => a.account_number)).toEqual(
      sim.state.accounts.map((a) => a.accountNumber),
    );
    expect(paths(sim)).toEqual(['POST /oauth2/token/ 200', 'GET /accounts/ 200']);
    expect(sim.requests[1]?.authenticated).toBe(true);
    expect(sim.requests[0]?.authenticated).toBe(false);
  });

  it('a wrong password is a 400 "Unable to log in" and the client says the credentials are wrong', async () => {
    const { sim, rh } = await connect({
      client: { credentials: async () => ({ username: 'direct@example.com', password: 'nope' }) },
    });
    await expect(rh.session.login()).rejects.toBeInstanceOf(InvalidCredentialsError);
    expect(paths(sim)).toEqual(['POST /oauth2/token/ 400']);
  });

  it('private endpoints without a token, or with a bad one, answer 401 like the real API', async () => {
    const sim = await startSim();
    const none = await fetch(`${sim.url}/positions/?nonzero=true`);
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual({ detail: 'Authentication credentials were not provided.' });
    const bad = await fetch(`${sim.url}/positions/`, { headers: { Authorization: 'Bearer nope' } });
    expect(bad.status).toBe(401);
    expect(await bad.json()).toEqual({ detail: 'Invalid bearer token.' });
  });

  it('mfa: mfa_required first, then the TOTP code from the secret', async () => {
    const { sim, rh } = await connect({
      username: 'mfa@example.com',
      client: { credentials: async () => ({ username: 'mfa@example.com', password: 'pw-mfa' }) },
    });
    // Without a secret the client asks the user; the code comes from the same authenticator.
    const first = await rh.session.login();
    expect(first).toMatchObject({ status: 'needs-code', challengeType: 'mfa' });
    const { TOTP, Secret } = await import('otpauth');
    const totp = new TOTP({ secret: Secret.fromBase32('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP') });
    await expect(
      rh.session.submitCode('000000' === totp.generate() ? '111111' : '000000'),
    ).resolves.toMatchObject({
      status: 'needs-code',
    });
    expect(await rh.session.submitCode(totp.generate())).toEqual({ status: 'authenticated' });
    expect(paths(sim)).toEqual([
      'POST /oauth2/token/ 200',
      'POST /oauth2/token/ 400',
      'POST /oauth2/token/ 200',
    ]);
  });

  it('mfa with the secret stored: the code goes up front and one request logs in', async () => {
    const { sim, rh } = await connect({ username: 'mfa@example.com' });
    expect(await rh.session.login()).toEqual({ status: 'authenticated' });
    expect(paths(sim)).toEqual(['POST /oauth2/token/ 200']);
  });

  it('legacy challenge: challenge type required, SMS code, respond, retry with the challenge header', async () => {
    const { sim, rh } = await connect({ username: 'legacy@example.com' });
    expect(await rh.session.login()).toMatchObject({ status: 'needs-code', challengeType: 'sms' });
    const [code] = sim.issuedCodes();
    expect(code).toMatch(/^\d{6}$/);
    expect(await rh.session.submitCode(code as string)).toEqual({ status: 'authenticated' });
    expect(paths(sim)).toEqual([
      'POST /oauth2/token/ 400',
      'POST /oauth2/token/ 400',
      expect.stringMatching(/^POST \/challenge\/[0-9a-f-]+\/respond\/ 200$/),
      'POST /oauth2/token/ 200',
    ]);
  });
});

describe('device-verification workflow', () => {
  it('app: the client answers the authenticator challenge itself; the device is then trusted', async () => {
    const clock = new JumpClock();
    const { sim, rh } = await connect({ username: 'app@example.com', clock });
    expect(await rh.session.login()).toEqual({ status: 'authenticated' });
    expect(paths(sim).map((p) => p.replace(/[0-9a-f-]{36}/g, 'ID'))).toEqual([
      'POST /oauth2/token/ 403',
      'POST /pathfinder/user_machine/ 200',
      'GET /pathfinder/inquiries/ID/user_view/ 200',
      'POST /challenge/ID/respond/ 200',
      'POST /pathfinder/inquiries/ID/user_view/ 200',
      'POST /oauth2/token/ 200',
    ]);
    // Same device again: no verification.
    sim.clearRequests();
    const again = await connect({ username: 'app@example.com', clock, simulator: sim });
    expect(await again.rh.session.login()).toEqual({ status: 'authenticated' });
    expect(paths(sim)).toEqual(['POST /oauth2/token/ 200']);
  });

  it.each(['sms', 'email'] as const)(
    '%s: the code the simulator sent is entered by the user',
    async (kind) => {
      const { sim, rh } = await connect({ username: `${kind}@example.com` });
      expect(await rh.session.login()).toMatchObject({ status: 'needs-code', challengeType: kind });
      expect(sim.issuedCodes()).toHaveLength(1);
      expect(
        await rh.session.submitCode(sim.issuedCodes()[0] === '123456' ? '654321' : '123456'),
      ).toMatchObject({
        status: 'needs-code',
      });
      expect(await rh.session.submitCode(sim.issuedCodes()[0] as string)).toEqual({
        status: 'authenticated',
      });
      expect(sim.requests.at(-1)).toMatchObject({ path: '/oauth2/token/', status: 200 });
    },
  );

  it('prompt: approved after the configured number of polls', async () => {
    const { sim, rh, clock } = await connect({
      username: 'prompt@example.com',
      sim: { pushApprovalAfterPolls: 3 },
    });
    expect(await rh.session.login()).toMatchObject({ status: 'needs-approval' });
    expect(await rh.session.pollApproval()).toMatchObject({ status: 'needs-approval' });
    expect(await rh.session.pollApproval()).toMatchObject({ status: 'needs-approval' });
    expect(await rh.session.pollApproval()).toEqual({ status: 'authenticated' });
    const polls = sim.requests.filter((r) => r.path.endsWith('/get_prompts_status/'));
    expect(polls).toHaveLength(3);
    // The client spaced its polls at least 5 s apart (on the shared clock).
    expect(clock.slept.filter((ms) => ms > 0).length).toBeGreaterThanOrEqual(2);
  });

  it('prompt: waits for approvePendingPrompts(), and denyPendingPrompts() ends the login', async () => {
    const { sim, rh } = await connect({
      username: 'prompt@example.com',
      sim: { pushApprovalAfterPolls: Number.POSITIVE_INFINITY },
    });
    expect(await rh.session.login()).toMatchObject({ status: 'needs-approval' });
    for (let i = 0; i < 3; i++)
      expect(await rh.session.pollApproval()).toMatchObject({ status: 'needs-approval' });
    sim.approvePendingPrompts();
    expect(await rh.session.pollApproval()).toEqual({ status: 'authenticated' });

    const other = await connect({
      username: 'prompt@example.com',
      simulator: sim,
      client: { deviceToken: '0f2a9c1e-7b4d-4e21-9a0c-5d6e7f8a9b0d' },
    });
    expect(await other.rh.session.login()).toMatchObject({ status: 'needs-approval' });
    sim.denyPendingPrompts();
    await expect(other.rh.session.pollApproval()).rejects.toBeInstanceOf(VerificationDeniedError);
  });
});

describe('token lifetime', () => {
  it('expired access tokens get 401; the client refreshes (rotating the refresh token) and replays', async () => {
    const { sim, rh, tokens } = await connect();
    await rh.session.login();
    const firstRefresh = tokens.saved?.refreshToken;
    sim.expireAccessTokens();
    sim.clearRequests();
    await rh.client.listAccounts();
    expect(paths(sim)).toEqual(['GET /accounts/ 401', 'POST /oauth2/token/ 200', 'GET /accounts/ 200']);
    expect(tokens.saved?.refreshToken).not.toBe(firstRefresh);
    // The old refresh token was rotated out.
    const reuse = await fetch(`${sim.url}/oauth2/token/`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: firstRefresh as string,
      }).toString(),
    });
    expect(reuse.status).toBe(400);
  });

  it('revoked refresh tokens send the client back to the password grant', async () => {
    const { sim, rh, clock } = await connect();
    await rh.session.login();
    clock.offsetMs += 61_000; // the client's login guard spaces password logins a minute apart
    sim.revokeRefreshTokens();
    sim.expireAccessTokens();
    sim.clearRequests();
    await rh.client.listAccounts();
    expect(paths(sim)).toEqual([
      'GET /accounts/ 401',
      'POST /oauth2/token/ 400',
      'POST /oauth2/token/ 200',
      'GET /accounts/ 200',
    ]);
  });

  it('access tokens expire after accessTokenTtlSeconds on the simulator clock', async () => {
    const { sim, rh, clock } = await connect({
      sim: { accessTokenTtlSeconds: 600 },
      client: { refreshMarginMs: 0 },
    });
    await rh.session.login();
    const token = (rh.session as unknown as { expiresAt: Date }).expiresAt;
    expect(token.getTime() - clock.now().getTime()).toBeLessThanOrEqual(600_000);
    clock.offsetMs += 601_000;
    sim.clearRequests();
    await rh.client.listAccounts();
    // The client saw the expiry coming and refreshed before the call.
    expect(paths(sim)).toEqual(['POST /oauth2/token/ 200', 'GET /accounts/ 200']);
  });

  it('logout revokes the refresh token and its access token', async () => {
    const { sim, rh, tokens, clock } = await connect();
    await rh.session.login();
    clock.offsetMs += 61_000; // the client's login guard spaces password logins a minute apart
    const saved = tokens.saved;
    expect(await rh.session.logout()).toEqual({ revoked: true });
    expect(sim.requests.at(-1)).toMatchObject({ path: '/oauth2/revoke_token/', status: 200 });
    const after = await fetch(`${sim.url}/accounts/`, {
      headers: { Authorization: `Bearer ${saved?.accessToken}` },
    });
    expect(after.status).toBe(401);
    await expect(rh.client.listAccounts()).resolves.toBeDefined(); // logs in again with the password
    await expect(
      connect({ simulator: sim, client: { credentials: async () => null } }).then((c) =>
        c.rh.client.listAccounts(),
      ),
    ).rejects.toBeInstanceOf(AuthRequiredError);
  });
});
