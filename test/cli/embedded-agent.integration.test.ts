/**
 * The embedded server as the real `magnus-sync` command runs it (child processes): while the demo
 * agent runs, `db-url` gives a URL another client reads `positions` through, a second agent is
 * refused in one line, `status` and `export` read through the running server; SIGTERM leaves no
 * postgres process, and after a kill -9 the next command finds the same data.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPostmasterPid } from '../../main/store/embedded/postmaster-pid.js';
import { processAlive } from '../../main/store/embedded/process.js';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/magnus-sync.js');
let home: string;
let dataDir: string;
const agents: ChildProcess[] = [];

beforeAll(async () => {
  if (!process.env.MAGNUS_TEST_RUN_ID) {
    execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'pipe' });
  }
  home = await mkdtemp(join(tmpdir(), 'magnus-agent-'));
  dataDir = join(home, 'data');
}, 120_000);

afterAll(async () => {
  for (const agent of agents) if (agent.exitCode === null && agent.signalCode === null) agent.kill('SIGTERM');
  const left = readPostmasterPid(join(dataDir, 'demo', 'pgdata'));
  if (left && processAlive(left.pid)) process.kill(left.pid, 'SIGINT');
  await rm(home, { recursive: true, force: true });
});

function env(): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: home, XDG_CONFIG_HOME: join(home, 'config'), TZ: 'UTC' };
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

interface Agent {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

async function startAgent(): Promise<Agent> {
  const child = spawn(process.execPath, [BIN, '--demo', '--json', '--data-dir', dataDir], {
    env: env(),
    cwd: home,
  });
  agents.push(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.on('close', r));
  // The first cycle's summary: the store is open and holds the demo accounts.
  for (let i = 0; i < 600 && !out.includes('"run_status"'); i++) await new Promise((r) => setTimeout(r, 100));
  if (!out.includes('"run_status"')) throw new Error(`the agent did not sync: ${out.slice(-800)}`);
  return { child, output: () => out, exited };
}

async function positionsThrough(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query('select count(*)::int as n from positions');
    return result.rows[0].n as number;
  } finally {
    await client.end();
  }
}

describe('magnus-sync on the embedded server', () => {
  let positions = 0;

  it('while the demo agent runs: db-url serves another client, a second agent is refused, status and export read', async () => {
    const agent = await startAgent();
    try {
      await whileRunning(agent);
    } finally {
      if (agent.child.exitCode === null) agent.child.kill('SIGTERM');
    }
  }, 180_000);

  async function whileRunning(agent: Agent): Promise<void> {
    const printed = await run(['db-url', '--demo', '--data-dir', dataDir]);
    expect(printed.code, printed.stderr).toBe(0);
    const url = printed.stdout.trim();
    expect(url).toMatch(/^postgres:\/\/magnus:[A-Za-z0-9_-]{32}@127\.0\.0\.1:\d+\/magnus_sync$/);
    expect(printed.stdout.split('\n')).toHaveLength(2);
    positions = await positionsThrough(url);
    expect(positions).toBeGreaterThan(0);

    const second = await run(['--demo', '--once', '--data-dir', dataDir]);
    expect(second.code).toBe(2);
    expect(second.stderr.trim().split('\n')).toHaveLength(1);
    expect(second.stderr).toContain(
      `magnus-sync: Another Magnus Sync instance (pid ${agent.child.pid}) owns the embedded database in ${join(dataDir, 'demo')}`,
    );

    const status = await run(['status', '--json', '--demo', '--data-dir', dataDir]);
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout.trim().split('\n').pop()!).stats.cycles).toBeGreaterThan(0);
    const exported = await run([
      'export',
      '--format',
      'json',
      '--dataset',
      'positions',
      '--demo',
      '--data-dir',
      dataDir,
    ]);
    expect(exported.code, exported.stderr).toBe(0);
    expect(JSON.parse(exported.stdout)).toHaveLength(positions);

    const pid = readPostmasterPid(join(dataDir, 'demo', 'pgdata'))!.pid;
    agent.child.kill('SIGTERM');
    expect(await agent.exited).toBe(0);
    expect(processAlive(pid)).toBe(false);
  }

  it('after the agent is killed with -9, the next command reads the same data', async () => {
    const agent = await startAgent();
    agent.child.kill('SIGKILL');
    await agent.exited;
    const exported = await run([
      'export',
      '--format',
      'json',
      '--dataset',
      'positions',
      '--demo',
      '--data-dir',
      dataDir,
    ]);
    expect(exported.code, exported.stderr).toBe(0);
    expect(JSON.parse(exported.stdout)).toHaveLength(positions);
    // That command adopted the server the killed agent left, and stopped it when done.
    expect(readPostmasterPid(join(dataDir, 'demo', 'pgdata'))).toBeNull();
  }, 180_000);
});
