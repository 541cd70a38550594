/**
 * Fault matrix, authentication: an access token expiring mid-cycle, a revoked refresh token with
 * a wrong password, a wrong password from the start, and a verification required again. Each ends
 * in a clear state (needs-auth with its prompt), never in a crash loop or a burst of logins, leaves
 * the store untouched, and recovers to exactly what a clean sync produces.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSyncHarness, type SyncHarness } from '../helpers/sync-harness.js';
import { buildScenario, type Scenario } from '../simulator-tools/index.js';
import { cleanSyncContents, FAST_TUNING, UNTHROTTLED } from './helpers/clean-sync.js';
import { changeBrokerState, MATRIX_SCENARIO, runFaultCase } from './helpers/fault-case.js';
import { countRows, duplicateKeys, historyCursor, storeContents } from './helpers/store-contents.js';

let scenario: Scenario;
beforeAll(() => {
  scenario = buildScenario({ ...MATRIX_SCENARIO, now: new Date(Date.now() - 3_600_000) });
});
const open: SyncHarness[] = [];
afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
});

/** No minimum spacing between logins (tests log in seconds apart); failures still back off for 60 s. */
const AUTH_TUNING = {
  ...FAST_TUNING,
  loginPolicy: { minIntervalMs: 0, baseBackoffMs: 60_000, maxBackoffMs: 3_600_000 },
};

const tokenRequests = (h: SyncHarness) => h.sim.requests.filter((r) => r.path === '/oauth2/token/').length;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function harness(
  overrides: Parameters<typeof createSyncHarness>[0]['runtime'] = {},
): Promise<SyncHarness> {
  const h = await createSyncHarness({
    backend: 'postgres',
    scenario,
    simulator: { pageSize: 50 },
    runtime: { requestsPerMinute: UNTHROTTLED, brokerTuning: AUTH_TUNING, ...overrides },
  });
  open.push(h);
  return h;
}

describe('auth fault matrix (simulator + PostgreSQL)', () => {
  it('access token expiring mid-cycle: refreshed once, the cycle continues', async () => {
    await runFaultCase(
      {
        name: 'expire-token',
        faults: [{ kind: 'expire-token', match: { path: '/options/positions/' }, times: 1 }],
        expect: {
          status: 'success',
          kind: null,
          log: /^info sync cycle success/,
          committed: { positions: true, history: true },
        },
        check: ({ h }) => {
          // One refresh, and no password login on top of it.
          expect(tokenRequests(h)).toBe(1);
          expect(h.sim.requests.some((r) => r.status === 401)).toBe(true);
        },
      },
      { scenario, track: (h) => open.push(h) },
    );
  });

  it('refresh token revoked and the password no longer valid: needs-auth, no crash loop, no login storm', async () => {
    const h = await harness();
    expect((await h.runtime.syncOnce('cli', 'force')).status).toBe('success');
    changeBrokerState(h.sim, scenario.now);
    const knex = h.runtime.store()!.knex;
    const before = await storeContents(knex);
    const cursor = await historyCursor(knex);
    const user = h.sim.state.users[0]!;
    const goodPassword = user.password;
    user.password = 'changed-at-the-broker';
    h.sim.revokeRefreshTokens();
    h.sim.expireAccessTokens();
    h.sim.clearRequests();

    await h.runtime.start('startup');
    const first = await h.runtime.syncOnce('manual', 'force');
    expect(first.status).toBe('failed');
    expect(first.error?.kind).toBe('auth');
    expect(h.runtime.status().state).toBe('needs-auth');
    expect(h.runtime.status().authPrompt?.kind).toBe('credentials');
    const afterFirst = tokenRequests(h);
    expect(afterFirst).toBe(2); // the refresh, then one password attempt

    // Impatient user and a machine waking up repeatedly: the login guard allows no new attempt.
    for (let i = 0; i < 5; i++) {
      h.runtime.resume('resume');
      const again = await h.runtime.syncOnce('manual', 'force');
      expect(again.error?.kind).toBe('auth');
    }
    await sleep(300);
    expect(tokenRequests(h)).toBe(afterFirst);
    const status = h.runtime.status();
    expect(status.state).toBe('needs-auth');
    // Not rescheduled in a loop: the next attempt (if any) waits for the guard's backoff.
    if (status.nextRunAt) expect(Date.parse(status.nextRunAt)).toBeGreaterThan(Date.now() + 30_000);
    expect(
      h.logger.records.some((r) => r.level === 'warn' && /sync needs the user to sign in/.test(r.message)),
    ).toBe(true);

    // Nothing was written, the cursor did not move.
    expect(await storeContents(knex)).toEqual(before);
    expect(await historyCursor(knex)).toEqual(cursor);

    // The user fixes it (a restart with the right password): the next cycle equals a clean sync.
    user.password = goodPassword;
    await h.runtime.stop();
    const restarted = h.reopen();
    const recovered = await restarted.syncOnce('cli', 'force');
    expect(recovered.status, recovered.error?.message).toBe('success');
    expect(await storeContents(restarted.store()!.knex)).toEqual(await cleanSyncContents(h.sim));
  });

  it('wrong password from the start: one attempt, needs-auth, nothing written', async () => {
    const h = await harness({
      env: { ROBINHOOD_USERNAME: scenario.users[0]!.username, ROBINHOOD_PASSWORD: 'not-the-password' },
    });
    await h.runtime.start('startup');
    const outcomes = [
      await h.runtime.syncOnce('manual', 'force'),
      await h.runtime.syncOnce('manual', 'force'),
    ];
    for (const o of outcomes) {
      expect(o.status).toBe('failed');
      expect(o.error?.kind).toBe('auth');
    }
    expect(tokenRequests(h)).toBe(1);
    expect(h.runtime.status().state).toBe('needs-auth');
    const knex = h.runtime.store()!.knex;
    for (const table of ['trading_accounts', 'positions', 'orders', 'portfolio_snapshots'])
      expect(await countRows(knex, table), table).toBe(0);
    expect(await countRows(knex, 'sync_runs')).toBeGreaterThanOrEqual(1);
    const runs = await knex('sync_runs').select('status', 'error');
    for (const r of runs) {
      expect(r.status).toBe('failed');
      expect(String(r.error)).not.toContain('not-the-password');
    }
  });

  it('verification required again: needs-auth with a code prompt, no second login, resumes after the code', async () => {
    const h = await harness();
    expect((await h.runtime.syncOnce('cli', 'force')).status).toBe('success');
    changeBrokerState(h.sim, scenario.now);
    const knex = h.runtime.store()!.knex;
    const before = await storeContents(knex);
    const user = h.sim.state.users[0]!;
    const flow = user.flow;
    user.flow = 'workflow-sms';
    h.sim.revokeRefreshTokens();
    h.sim.expireAccessTokens();
    h.sim.clearRequests();

    const failed = await h.runtime.syncOnce('manual', 'force');
    expect(failed.status).toBe('failed');
    expect(failed.error?.kind).toBe('auth');
    expect(failed.error?.prompt?.kind, failed.error?.message).toBe('code');
    expect(h.runtime.status().state).toBe('needs-auth');
    const requestsAfterPrompt = tokenRequests(h);
    // While a verification waits, cycles start no new password login (it would only send another code).
    const waiting = await h.runtime.syncOnce('manual', 'force');
    expect(waiting.error?.kind).toBe('auth');
    expect(tokenRequests(h)).toBe(requestsAfterPrompt);
    expect(h.sim.issuedCodes()).toHaveLength(1);
    expect(await storeContents(knex)).toEqual(before);

    const code = h.sim.issuedCodes()[0]!;
    const verified = await h.runtime.handlers.submitVerificationCode({ code });
    expect(verified.result).toBe('ok');
    const recovered = await h.runtime.syncOnce('manual', 'force');
    expect(recovered.status, recovered.error?.message).toBe('success');
    user.flow = flow;
    expect(await storeContents(knex)).toEqual(await cleanSyncContents(h.sim));
    expect(await duplicateKeys(knex)).toEqual([]);
  });
});
