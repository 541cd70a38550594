/**
 * Fault matrix, process side, with the built `magnus-sync` command as a real child process:
 * SIGKILL in the middle of a write (then a restart), SIGTERM during a cycle (graceful), two agents
 * on one PostgreSQL (the loser skips), and in-process: suspend/resume and wall-clock jumps.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CycleOutcome } from '../../main/engine/cycle-types.js';
import { openStore } from '../../main/store/index.js';
import { systemClock } from '../../main/util/clock.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import { createSyncHarness } from '../helpers/sync-harness.js';
import { buildScenario, type Scenario, type Simulator, startSimulator } from '../simulator-tools/index.js';
import { cleanSyncContents, credentialsEnv, FAST_TUNING, UNTHROTTLED } from './helpers/clean-sync.js';
import { baseEnv, ensureBuilt, runCli, startCli, until } from './helpers/cli.js';
import { heldAccountLocks, holdTableLock, waitForLockWaiter } from './helpers/pg-admin.js';
import { countRows, duplicateKeys, storeContents } from './helpers/store-contents.js';

/** Small: the CLI paces itself at 60 requests a minute (burst 10). */
const CLI_SCENARIO = {
  seed: 31,
  accounts: [{ stocks: 5, optionLegs: 2, stockOrders: 40, optionOrders: 6, dividends: 2, optionEvents: 1 }],
};
let scenario: Scenario;
beforeAll(() => {
  ensureBuilt();
  scenario = buildScenario({ ...CLI_SCENARIO, now: new Date(Date.now() - 3_600_000) });
});
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

async function setup(): Promise<{ sim: Simulator; db: TestDatabase; home: string; env: NodeJS.ProcessEnv }> {
  const sim = await startSimulator({ latencyMs: 0, scenario });
  cleanups.push(() => sim.close());
  const db = await createTestDatabase('proc');
  cleanups.push(() => db.drop());
  const home = await mkdtemp(join(tmpdir(), 'magnus-proc-'));
  cleanups.push(() => rm(home, { recursive: true, force: true }));
  const env = baseEnv({ HOME: home, XDG_CONFIG_HOME: home, ...credentialsEnv(sim) });
  delete env.DBUS_SESSION_BUS_ADDRESS; // no keychain: nothing of this test lands in a real one
  return { sim, db, home, env };
}

async function contentsOf(url: string) {
  const store = await openStore({ kind: 'postgres', url });
  try {
    return {
      contents: await storeContents(store.knex),
      duplicates: await duplicateKeys(store.knex),
      store: null,
    };
  } finally {
    await store.close();
  }
}

/** The history stream's own sync_state row (other streams, like the portfolio history, commit earlier). */
async function historyStateRows(url: string): Promise<number> {
  const store = await openStore({ kind: 'postgres', url });
  try {
    return (await store.knex('sync_state').where({ stream: 'history' })).length;
  } finally {
    await store.close();
  }
}

async function count(url: string, table: string): Promise<number> {
  const store = await openStore({ kind: 'postgres', url });
  try {
    return await countRows(store.knex, table);
  } finally {
    await store.close();
  }
}

const onceArgs = (sim: Simulator, db: TestDatabase) => [
  '--once',
  '--json',
  '--api-url',
  sim.url,
  '--database',
  db.url,
];

describe('process faults (the built CLI as a child process, PostgreSQL)', () => {
  it('SIGKILL in the middle of the history write: rolled back, lock released, the restart completes and matches a clean sync', async () => {
    const { sim, db, env } = await setup();
    await (await openStore({ kind: 'postgres', url: db.url })).close(); // the schema exists to be locked
    // The history transaction blocks on trade_history after it wrote the orders: kill it right there.
    const lock = await holdTableLock(db.url, 'trade_history');
    cleanups.push(() => lock.release());
    const run = startCli(onceArgs(sim, db), env);
    await waitForLockWaiter(db.url, db.name, 30_000);
    run.child.kill('SIGKILL');
    expect((await run.exited).signal).toBe('SIGKILL');
    await lock.release();

    // The server rolled the open transaction back and dropped the dead agent's account lock.
    for (let i = 0; i < 100 && (await heldAccountLocks(db.url, db.name)) > 0; i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(await heldAccountLocks(db.url, db.name)).toBe(0);
    expect(await count(db.url, 'orders')).toBe(0);
    expect(await count(db.url, 'trade_history')).toBe(0);
    expect(await historyStateRows(db.url)).toBe(0);
    expect(await count(db.url, 'positions')).toBeGreaterThan(0); // the account stream had committed

    const again = await runCli(onceArgs(sim, db), env);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout.trim().split('\n').at(-1)!)).toMatchObject({ status: 'success' });
    const after = await contentsOf(db.url);
    expect(after.duplicates).toEqual([]);
    expect(after.contents).toEqual(await cleanSyncContents(sim));
  });

  async function sigtermDuringHistory() {
    const { sim, db, env } = await setup();
    sim.inject({ kind: 'delay', ms: 20_000, match: { path: '/dividends/' }, times: 1 });
    const run = startCli(['--json', '--api-url', sim.url, '--database', db.url], env);
    await until(
      () => sim.requests.some((r) => r.path === '/dividends/' && r.status === 0),
      30_000,
      'the delayed request',
    );
    const signalled = Date.now();
    run.child.kill('SIGTERM');
    const exit = await run.exited;
    return { sim, db, env, run, exit, tookMs: Date.now() - signalled };
  }

  it('SIGTERM during a cycle: stops within seconds, the open stream rolled back, restart matches a clean sync', async () => {
    const { sim, db, env, tookMs } = await sigtermDuringHistory();
    expect(tookMs).toBeLessThan(5_000);
    expect(await heldAccountLocks(db.url, db.name)).toBe(0);
    expect(await count(db.url, 'orders')).toBe(0);
    expect(await historyStateRows(db.url)).toBe(0);
    expect(await count(db.url, 'positions')).toBeGreaterThan(0);

    sim.clearFaults();
    const again = await runCli(onceArgs(sim, db), env);
    expect(again.code, again.stderr).toBe(0);
    expect((await contentsOf(db.url)).contents).toEqual(await cleanSyncContents(sim));
  });

  it('SIGTERM during a cycle: graceful exit 0 with the statistics summary', async () => {
    const { run, exit } = await sigtermDuringHistory();
    expect(exit.code, run.stderr()).toBe(0);
    expect(run.stdout()).toMatch(/"stopped":"SIGTERM"/);
  });

  it('two agents on one database never sync the same account at once: the loser says so and skips', async () => {
    const { sim, db, env } = await setup();
    sim.inject({ kind: 'delay', ms: 3_000, match: { path: '/orders/' }, times: 1 });
    const first = startCli(onceArgs(sim, db), env);
    await until(
      () => sim.requests.some((r) => r.path === '/orders/' && r.status === 0),
      30_000,
      'the first agent inside its history',
    );
    const positionsRequests = sim.requests.filter((r) => r.path === '/positions/').length;
    expect(await heldAccountLocks(db.url, db.name)).toBe(1);

    const second = await runCli(['--once', '--api-url', sim.url, '--database', db.url], env);
    expect(second.code, second.stderr).toBe(0);
    expect(`${second.stdout}\n${second.stderr}`).toMatch(/another agent is syncing this account/);
    expect(second.stdout).toMatch(/^Sync skipped/m);
    // The loser read nothing of the account while the winner held it.
    expect(sim.requests.filter((r) => r.path === '/positions/')).toHaveLength(positionsRequests);

    const winner = await first.exited;
    expect(winner.code, first.stderr()).toBe(0);
    expect(JSON.parse(first.stdout().trim().split('\n').at(-1)!)).toMatchObject({ status: 'success' });
    expect(await heldAccountLocks(db.url, db.name)).toBe(0);
    const store = await openStore({ kind: 'postgres', url: db.url });
    try {
      const runs = await store.knex('sync_runs').select('status').orderBy('id');
      expect(runs.map((r) => r.status).sort()).toEqual(['skipped', 'success']);
    } finally {
      await store.close();
    }
    expect((await contentsOf(db.url)).contents).toEqual(await cleanSyncContents(sim));
  });

  it('suspend/resume and wall-clock jumps (engine.wake): one prompt cycle each, never overlapping, store stays clean', async () => {
    let offsetMs = 0;
    const clock = { ...systemClock, now: () => new Date(Date.now() + offsetMs) };
    const h = await createSyncHarness({
      backend: 'postgres',
      scenario,
      runtime: { requestsPerMinute: UNTHROTTLED, brokerTuning: FAST_TUNING, clock },
    });
    cleanups.push(() => h.close());
    const cycles: CycleOutcome[] = [];
    h.runtime.onCycle((o) => cycles.push(o));
    // Never overlapping: at most one cycle between a transition into 'syncing' and its outcome.
    let previous = 'idle';
    let started = 0;
    let overlapped = false;
    h.runtime.events.on('status', (st) => {
      if (st.state === 'syncing' && previous !== 'syncing') {
        started += 1;
        if (started - cycles.length > 1) overlapped = true;
      }
      previous = st.state;
    });
    const waitCycles = (n: number) => until(() => cycles.length >= n, 15_000, `${n} cycle(s)`);

    await h.runtime.start('startup');
    await waitCycles(1);
    expect(cycles[0]!.streams.some((s) => s.startsWith('history'))).toBe(true);
    expect(h.runtime.status().nextRunAt).not.toBeNull();

    h.runtime.suspend();
    expect(h.runtime.status().nextRunAt).toBeNull();
    await new Promise((r) => setTimeout(r, 200));
    expect(cycles).toHaveLength(1);
    h.runtime.resume('resume');
    h.runtime.resume('resume'); // a second wake joins the running cycle
    await waitCycles(2);
    await new Promise((r) => setTimeout(r, 200));
    expect(cycles).toHaveLength(2);
    expect(cycles[1]).toMatchObject({ trigger: 'resume', status: 'success' });
    expect(cycles[1]!.streams.some((s) => s.startsWith('history'))).toBe(false); // not due yet

    offsetMs = 2 * 3_600_000; // the wall clock jumps two hours ahead: the history is due
    h.runtime.resume('clock-jump');
    await waitCycles(3);
    expect(cycles[2]!.status).toBe('success');
    expect(cycles[2]!.streams.some((s) => s.startsWith('history'))).toBe(true);

    offsetMs = -3_600_000; // and back behind the last runs
    h.runtime.resume('clock-jump');
    await waitCycles(4);
    expect(cycles[3]!.status, cycles[3]!.error?.message).toBe('success');
    expect(overlapped).toBe(false);
    expect(started).toBe(4);
    const next = h.runtime.status().nextRunAt;
    expect(next && Date.parse(next) - clock.now().getTime()).toBeGreaterThan(60_000);

    offsetMs = 0;
    await h.runtime.syncOnce('manual', 'force');
    const knex = h.runtime.store()!.knex;
    expect(await duplicateKeys(knex)).toEqual([]);
    const triggers = (await knex('sync_runs').select('trigger')).map((r) => r.trigger);
    expect(triggers.filter((t) => t === 'resume')).toHaveLength(3);
    expect(await storeContents(knex)).toEqual(await cleanSyncContents(h.sim));
  });
});
