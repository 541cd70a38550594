/**
 * `magnus-sync magnus-compat --grant ROLE` without --database, on the embedded server (real
 * processes): with an agent running it uses that agent's server, creates the dashboard's login and
 * prints the URL the dashboard connects with; Magnus's start-up DDL and reads then work as that
 * login. Run again with no agent, it starts and stops the server itself and keeps the role.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPostmasterPid } from '../../main/store/embedded/postmaster-pid.js';
import { processAlive } from '../../main/store/embedded/process.js';
import { MAGNUS_QUERIES } from '../fixtures/magnus/queries.js';
import { buildScenario, type Simulator, startSimulator } from '../simulator-tools/index.js';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/magnus-sync.js');
const scenario = buildScenario({
  seed: 23,
  accounts: [{ stocks: 5, optionLegs: 4, stockOrders: 20, optionOrders: 12, optionEvents: 2 }],
});
const user = scenario.users[0]!;
let sim: Simulator;
let home: string;
let dataDir: string;
let agent: ChildProcess | null = null;

beforeAll(async () => {
  if (!process.env.MAGNUS_TEST_RUN_ID) {
    execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'pipe' });
  }
  sim = await startSimulator({ scenario, latencyMs: 0 });
  home = await mkdtemp(join(tmpdir(), 'magnus-compat-embedded-'));
  dataDir = join(home, 'data');
}, 120_000);

afterAll(async () => {
  if (agent && agent.exitCode === null) agent.kill('SIGTERM');
  const left = readPostmasterPid(join(dataDir, 'pgdata'));
  if (left && processAlive(left.pid)) process.kill(left.pid, 'SIGINT');
  await sim?.close();
  await rm(home, { recursive: true, force: true });
});

function env(): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: home,
    XDG_CONFIG_HOME: join(home, 'config'),
    TZ: 'UTC',
    MAGNUS_KEYCHAIN_SERVICE: `Magnus Sync compat embedded ${process.pid}`,
    ROBINHOOD_USERNAME: user.username,
    ROBINHOOD_PASSWORD: user.password,
    ...(user.totpSecret ? { ROBINHOOD_TOTP_SECRET: user.totpSecret } : {}),
  };
}

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: env(), cwd: home });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

const bind = (sql: string) => {
  let n = 0;
  return sql.replace(/%s/g, () => `$${++n}`);
};

describe('magnus-compat on the embedded server', () => {
  it('uses the running agent’s server, creates the dashboard login and prints its URL', async () => {
    agent = spawn(process.execPath, [BIN, '--json', '--api-url', sim.url, '--data-dir', dataDir], {
      env: env(),
      cwd: home,
    });
    let out = '';
    agent.stdout!.on('data', (d) => (out += d));
    agent.stderr!.on('data', (d) => (out += d));
    for (let i = 0; i < 600 && !out.includes('"run_status"'); i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(out).toContain('"run_status":"success"');

    const r = await run(['magnus-compat', '--grant', 'dash', '--data-dir', dataDir]);
    expect(r.code, r.stderr).toBe(0);
    const line = r.stdout.split('\n').find((l) => l.startsWith('The dashboard connects with: '));
    const url = line?.slice('The dashboard connects with: '.length).trim() ?? '';
    expect(url).toMatch(/^postgres:\/\/dash:[A-Za-z0-9_-]{32}@127\.0\.0\.1:\d+\/magnus_sync$/);

    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      expect((await client.query('select current_user')).rows[0].current_user).toBe('dash');
      expect((await client.query('show search_path')).rows[0].search_path).toBe('magnus_compat, public');
      for (const q of MAGNUS_QUERIES.filter((x) => x.kind === 'startup-ddl')) await client.query(q.sql);
      const closed = await client.query(bind(MAGNUS_QUERIES.find((q) => q.id === 'sync.closedTrades')!.sql), [
        '2000-01-01',
      ]);
      expect(closed.rows.length).toBeGreaterThan(0);
      expect(closed.rows.every((t) => t.status === 'closed')).toBe(true);
    } finally {
      await client.end();
    }
    agent.kill('SIGTERM');
    await new Promise((r) => agent!.on('close', r));
  }, 180_000);

  it('with no agent running, starts and stops the server itself and keeps the existing login', async () => {
    const r = await run(['magnus-compat', '--grant', 'dash', '--data-dir', dataDir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('The dashboard connects with: postgres://dash@127.0.0.1:');
    expect(r.stdout).toContain('(with the password the role already has)');
    expect(readPostmasterPid(join(dataDir, 'pgdata'))).toBeNull();
  }, 120_000);
});
