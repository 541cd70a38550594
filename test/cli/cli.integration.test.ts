/**
 * The real `magnus-sync` command (bin/magnus-sync.js → dist/) in child processes, against the
 * simulator over a socket: summaries, exit codes, no duplicates on a second run, status, export,
 * the daemon with its web server, and a graceful SIGTERM.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import { buildScenario, type Simulator, startSimulator } from '../simulator-tools/index.js';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/magnus-sync.js');

let sim: Simulator;
let home: string;
let db: TestDatabase;
const scenario = buildScenario({
  seed: 21,
  accounts: [{ stocks: 6, optionLegs: 4, stockOrders: 40, optionOrders: 12, dividends: 2 }],
});
const user = scenario.users[0]!;

beforeAll(async () => {
  // The command runs from dist/. npm test builds it first; run alone, this file compiles the Node
  // side itself (fast), so it never tests a stale build.
  if (!process.env.MAGNUS_TEST_RUN_ID) {
    execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'pipe' });
  }
  sim = await startSimulator({ scenario, latencyMs: 0 });
  home = await mkdtemp(join(tmpdir(), 'magnus-cli-'));
  db = await createTestDatabase('cli');
}, 120_000);

afterAll(async () => {
  await sim?.close();
  await db?.drop();
  await rm(home, { recursive: true, force: true });
});

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: home,
    XDG_CONFIG_HOME: join(home, 'config'),
    ...(process.env.DBUS_SESSION_BUS_ADDRESS
      ? { DBUS_SESSION_BUS_ADDRESS: process.env.DBUS_SESSION_BUS_ADDRESS }
      : {}),
    // Its own keychain service: other tests' stored logins must not answer for this one.
    MAGNUS_KEYCHAIN_SERVICE: `Magnus Sync test ${process.pid}`,
    ROBINHOOD_USERNAME: user.username,
    ROBINHOOD_PASSWORD: user.password,
    ...extra,
  };
}

function run(args: string[], extraEnv: Record<string, string> = {}): Promise<Result> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: env(extraEnv), cwd: home });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

function lastJson(text: string): Record<string, unknown> {
  const lines = text
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'));
  return JSON.parse(lines[lines.length - 1]!) as Record<string, unknown>;
}

describe('magnus-sync --once', () => {
  it('syncs into the embedded store and prints a JSON summary (exit 0)', async () => {
    const dataDir = join(home, 'embedded');
    const r = await run(['--once', '--json', '--api-url', sim.url, '--data-dir', dataDir]);
    expect(r.stderr).not.toContain(user.password);
    expect(r.code, r.stderr).toBe(0);
    const summary = lastJson(r.stdout);
    expect(summary).toMatchObject({ status: 'success', accounts: 1, error: null });
    expect(summary.orders).toBe(scenario.stockOrders.length + scenario.optionOrders.length);
    expect(summary.api_requests).toBeGreaterThan(5);
  }, 60_000);

  it('on PostgreSQL, a second run duplicates nothing', async () => {
    const first = await run(['--once', '--json', '--api-url', sim.url, '--database', db.url]);
    expect(first.code, first.stderr).toBe(0);
    const second = await run(['--once', '--json', '--api-url', sim.url, '--database', db.url]);
    expect(second.code, second.stderr).toBe(0);
    const status = await run(['status', '--json', '--database', db.url]);
    expect(status.code, status.stderr).toBe(0);
    const report = lastJson(status.stdout) as { stats: { cycles: number; successes: number } };
    expect(report.stats).toMatchObject({ cycles: 2, successes: 2, quarantined: 0 });
    // An item the sync could not read is counted by `status`.
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      await client.query(
        `insert into quarantined_items (account_number, stream, broker_id, raw, reason, first_seen_at, last_seen_at)
         select account_number, 'dividends', 'x-1', '{}'::jsonb, 'results[0].amount: expected a decimal string', now(), now()
           from trading_accounts limit 1`,
      );
    } finally {
      await client.end();
    }
    const text = await run(['status', '--database', db.url]);
    expect(text.stdout).toMatch(/^Quarantined items: 1 /m);
    const exported = await run(['export', '--format', 'json', '--dataset', 'orders', '--database', db.url]);
    expect(exported.code, exported.stderr).toBe(0);
    const orders = JSON.parse(exported.stdout) as Array<{ order_id: string }>;
    expect(orders).toHaveLength(scenario.stockOrders.length + scenario.optionOrders.length);
    expect(new Set(orders.map((o) => o.order_id)).size).toBe(orders.length);
  }, 90_000);

  it('exports positions as CSV to a file', async () => {
    const out = join(home, 'positions.csv');
    const r = await run([
      'export',
      '--format',
      'csv',
      '--dataset',
      'positions',
      '--out',
      out,
      '--database',
      db.url,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const csv = await readFile(out, 'utf8');
    expect(csv.split('\n')[0]).toContain('symbol');
    expect(csv.trim().split('\n').length).toBeGreaterThan(5);
  }, 30_000);

  it('exits 2 with a clear message for bad flags, before touching anything', async () => {
    const r = await run(['--interval', '5', '--data-dir', join(home, 'never')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--interval must be .*between 60 and 86400/);
    const bad = await run(['--database', 'mysql://x@y/z']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/postgres:\/\//);
  }, 30_000);

  it('an unreachable database fails the cycle (exit 1); a malformed TOTP secret is one clear line (exit 2)', async () => {
    const unreachable = await run([
      '--once',
      '--api-url',
      sim.url,
      '--database',
      'postgres://me:hunter2-secret@127.0.0.1:1/nowhere',
    ]);
    // Not up is not misconfigured: a failed cycle (exit 1) whose summary names the database.
    expect(unreachable.code).toBe(1);
    expect(unreachable.stdout).toMatch(/Error \(database\): .*PostgreSQL/);
    expect(unreachable.stderr + unreachable.stdout).not.toContain('hunter2-secret');
    const badTotp = await run(['--once', '--api-url', sim.url, '--data-dir', join(home, 'badtotp')], {
      ROBINHOOD_TOTP_SECRET: 'this is not base32!',
      MAGNUS_KEYCHAIN_SERVICE: `Magnus Sync test totp ${process.pid}`,
    });
    expect(badTotp.code).toBe(2);
    expect(badTotp.stderr).toMatch(/magnus-sync: ROBINHOOD_TOTP_SECRET is not usable/);
  }, 60_000);

  it('--demo fills the embedded store with data labelled as demo', async () => {
    const r = await run(['--demo', '--once', '--json', '--data-dir', join(home, 'demo')]);
    expect(r.code, r.stderr).toBe(0);
    const summary = lastJson(r.stdout);
    expect(summary).toMatchObject({ status: 'success', demo: true, accounts: 2 });
    expect(summary.stock_positions).toBeGreaterThan(0);
    expect(summary.option_positions).toBeGreaterThan(0);
    const text = await run(['status', '--data-dir', join(home, 'demo'), '--demo']);
    expect(text.stdout).toMatch(/\(demo, /);
  }, 120_000);

  it('exits 3 when the broker refuses the password, and never prints it', async () => {
    const r = await run(['--once', '--api-url', sim.url, '--data-dir', join(home, 'wrongpw')], {
      ROBINHOOD_PASSWORD: 'wrong-password-XYZ',
      // A keychain without the tokens the earlier runs stored (they would make the password moot).
      MAGNUS_KEYCHAIN_SERVICE: `Magnus Sync test wrong ${process.pid}`,
    });
    expect(r.code).toBe(3);
    expect(r.stdout + r.stderr).not.toContain('wrong-password-XYZ');
    expect(r.stdout).toMatch(/Error \(auth\)/);
  }, 30_000);
});

describe('magnus-sync daemon', () => {
  it('serves /healthz once synced and stops gracefully on SIGTERM', async () => {
    const child: ChildProcess = spawn(
      process.execPath,
      [BIN, '--json', '--api-url', sim.url, '--data-dir', join(home, 'daemon'), '--serve', '127.0.0.1:0'],
      { env: env(), cwd: home },
    );
    let stdout = '';
    child.stdout!.on('data', (d) => (stdout += d));
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((r) => child.on('close', r));

    const until = async (predicate: () => boolean, what: string) => {
      for (let i = 0; i < 300 && !predicate(); i += 1) await new Promise((r) => setTimeout(r, 100));
      if (!predicate()) throw new Error(`timed out waiting for ${what}: ${stderr.slice(-500)}`);
    };
    await until(() => stdout.includes('"serving"'), 'the server');
    const serving = JSON.parse(stdout.split('\n').find((l) => l.includes('"serving"'))!) as {
      serving: string;
    };
    await until(() => stdout.includes('"status":"success"'), 'the first cycle');
    const health = await fetch(`${serving.serving}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ healthy: true });
    const metrics = await fetch(`${serving.serving}/metrics`);
    expect(metrics.status).toBe(401);

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(lastJson(stdout)).toMatchObject({ stopped: 'SIGTERM', cycles: 1, failures: 0 });
  }, 60_000);
});
