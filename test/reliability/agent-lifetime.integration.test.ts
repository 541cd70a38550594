/**
 * The built `magnus-sync` agent as a real child process against the simulator and PostgreSQL: it
 * keeps running until told to stop (no --serve, no --data-dir), waits for a database that comes up
 * late, and refuses bad configuration in one line without writing anything.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../helpers/postgres.js';
import { buildScenario, type Scenario, startSimulator } from '../simulator-tools/index.js';
import { credentialsEnv } from './helpers/clean-sync.js';
import { baseEnv, ensureBuilt, runCli, startCli, until } from './helpers/cli.js';
import { createTcpProxy } from './helpers/tcp-proxy.js';

let scenario: Scenario;
beforeAll(() => {
  ensureBuilt();
  scenario = buildScenario({
    seed: 41,
    accounts: [{ stocks: 3, optionLegs: 1, stockOrders: 10, optionOrders: 2, dividends: 1, optionEvents: 0 }],
    now: new Date(Date.now() - 3_600_000),
  });
});
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

async function setup() {
  const sim = await startSimulator({ latencyMs: 0, scenario });
  cleanups.push(() => sim.close());
  const db = await createTestDatabase('life');
  cleanups.push(() => db.drop());
  const home = await mkdtemp(join(tmpdir(), 'magnus-life-'));
  cleanups.push(() => rm(home, { recursive: true, force: true }));
  const env = baseEnv({ HOME: home, XDG_CONFIG_HOME: home, ...credentialsEnv(sim) });
  delete env.DBUS_SESSION_BUS_ADDRESS;
  return { sim, db, home, env };
}

async function runRows(url: string): Promise<Array<{ status: string }>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<{ status: string }>('select status from sync_runs order by id')).rows;
  } finally {
    await client.end();
  }
}

describe('the magnus-sync agent (built CLI, simulator, PostgreSQL)', () => {
  it('runs continuously without --serve until SIGTERM: at least two cycles, exit 0, a stop line', async () => {
    const { sim, db, env } = await setup();
    const run = startCli(['--json', '--interval', '60', '--api-url', sim.url, '--database', db.url], env);
    cleanups.push(async () => {
      run.child.kill('SIGKILL');
    });
    let exitedEarly = false;
    void run.exited.then(() => {
      exitedEarly = true;
    });
    // Before the fix the process exited by itself about 60 s after the first cycle.
    await new Promise((r) => setTimeout(r, 130_000));
    expect(exitedEarly, run.stderr()).toBe(false);
    run.child.kill('SIGTERM');
    const exit = await run.exited;
    expect(exit.code, run.stderr()).toBe(0);
    const lines = run.stdout().trim().split('\n');
    const stop = JSON.parse(lines.at(-1)!) as { stopped: string; cycles: number; failures: number };
    expect(stop.stopped).toBe('SIGTERM');
    expect(stop.cycles).toBeGreaterThanOrEqual(2);
    expect(stop.failures).toBe(0);
    const rows = await runRows(db.url);
    expect(rows.filter((r) => r.status === 'success').length).toBeGreaterThanOrEqual(2);
  }, 180_000);

  it('waits for a database that is late at boot, saying so, then syncs', async () => {
    const { sim, db, env } = await setup();
    const proxy = await createTcpProxy({ host: '127.0.0.1', port: Number(new URL(db.url).port || 5432) });
    cleanups.push(() => proxy.down());
    const url = new URL(db.url);
    url.host = `127.0.0.1:${proxy.port}`;
    const run = startCli(['--json', '--api-url', sim.url, '--database', url.toString()], env);
    cleanups.push(async () => {
      run.child.kill('SIGKILL');
    });
    await until(() => /not reachable yet; retrying in 2 s/.test(run.stderr()), 20_000, 'the second wait');
    expect(run.stderr()).toMatch(/not reachable yet; retrying in 1 s/);
    expect(run.stderr()).not.toMatch(/\n\s+at /); // no stack frames
    await proxy.up();
    await until(() => run.stdout().includes('"run_status":"success"'), 30_000, 'a successful cycle');
    run.child.kill('SIGTERM');
    expect((await run.exited).code, run.stderr()).toBe(0);
    expect(run.stdout()).toMatch(/"stopped":"SIGTERM"/);
  }, 60_000);

  it('--once with an unreachable database: a failed cycle (exit 1) with its JSON line, no retry logged', async () => {
    const { sim, env } = await setup();
    const r = await runCli(
      ['--once', '--json', '--api-url', sim.url, '--database', 'postgres://me:hunter2@127.0.0.1:1/nowhere'],
      env,
    );
    expect(r.code, r.stderr).toBe(1);
    const summary = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as {
      status: string;
      error: { kind: string };
    };
    expect(summary).toMatchObject({ status: 'failed', error: { kind: 'database' } });
    expect(r.stderr + r.stdout).not.toMatch(/retry|hunter2|\n\s+at /);
  }, 30_000);

  it('a configuration error is one line, exit 2, and creates no log folder', async () => {
    const { sim, db, home, env } = await setup();
    const bogus = await runCli(['--bogus'], env);
    expect(bogus.code).toBe(2);
    expect(bogus.stderr).toBe('magnus-sync: Unknown option --bogus. Run magnus-sync --help.\n');
    const badRole = new URL(db.url);
    badRole.username = 'no_such_role_here';
    const role = await runCli(['--once', '--api-url', sim.url, '--database', badRole.toString()], env);
    expect(role.code).toBe(2);
    const errorLines = role.stderr.split('\n').filter((l) => l.startsWith('magnus-sync:'));
    expect(errorLines).toEqual([
      expect.stringMatching(
        /^magnus-sync: Could not connect to the PostgreSQL server at .*role "no_such_role_here"/,
      ),
    ]);
    expect(role.stderr).not.toMatch(/\n\s+at /);
    const lan = await runCli(['--serve', '0.0.0.0:0', '--database', db.url], env);
    expect(lan.code).toBe(2);
    expect(lan.stderr).toMatch(/^magnus-sync: --serve 0\.0\.0\.0:0 listens on the network: add --allow-host/);
    expect(existsSync(join(home, 'Magnus Sync'))).toBe(false);
    expect(existsSync(join(home, '.config'))).toBe(false);
  }, 30_000);
});
