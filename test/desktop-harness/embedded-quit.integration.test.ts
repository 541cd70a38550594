/**
 * The desktop app on its embedded database (issue 11, "Quit stops the engine and the embedded
 * database: no process left"): the real composition root with no database URL, so its engine
 * process starts the embedded PostgreSQL server in the data folder (as the `postgres` OS user when
 * the tests run as root). Credentials are in the (test) keychain before the launch, so the engine
 * syncs at once; the rows are read through the embedded server's own address.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keychainPasswordVault } from '../../main/runtime/store-config.js';
import { clearCredentials, KeychainSecretStore, saveCredentials } from '../../main/secrets/index.js';
import { readPostmasterPid } from '../../main/store/embedded/postmaster-pid.js';
import { processAlive } from '../../main/store/embedded/process.js';
import { embeddedConnectionInfo } from '../../main/store/index.js';
import { chromiumAvailable, keyringSessionAvailable, skipUnless } from '../helpers/env.js';
import { buildScenario, type Simulator, startSimulator } from '../simulator-tools/index.js';
import { builtAppProblem, DesktopAppProcess } from './desktop-app.js';

const built = builtAppProblem();
if (built) throw new Error(built);
const skip =
  skipUnless(chromiumAvailable(), 'Chromium (/usr/bin/chromium)') ||
  skipUnless(keyringSessionAvailable(), 'a Secret Service keychain (npm test starts gnome-keyring)');

const scenario = buildScenario({
  seed: 31,
  accounts: [{ stocks: 3, optionLegs: 0, stockOrders: 4, optionOrders: 0, dividends: 0 }],
});
const user = scenario.users[0]!;

/** Every process whose command line names `dir`, or whose parent is one of `parents`. */
function processesOf(dir: string, parents: number[] = []): Array<{ pid: number; command: string }> {
  const found: Array<{ pid: number; command: string }> = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const after = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const [state, ppid] = [after[0], Number(after[1])];
      if (state === 'Z') continue;
      if (command.includes(dir) || parents.includes(ppid)) found.push({ pid, command });
    } catch {
      // Ended while we looked.
    }
  }
  return found;
}

describe.skipIf(skip)('the desktop app on its embedded database', { timeout: 180_000 }, () => {
  let sim: Simulator;
  let dataDir: string;
  let app: DesktopAppProcess;
  const secrets = new KeychainSecretStore({
    service: `Magnus Sync harness ${randomBytes(4).toString('hex')}`,
  });
  const pgdata = () => join(dataDir, 'pgdata');

  /** The embedded server's address as the app stores it (password from the keychain). */
  async function embeddedUrl(): Promise<string> {
    const info = await embeddedConnectionInfo(dataDir, keychainPasswordVault(secrets));
    if (!info?.url) throw new Error('the embedded database has no address yet');
    return info.url;
  }
  async function syncRuns(): Promise<Array<{ id: number; status: string }>> {
    const client = new pg.Client({ connectionString: await embeddedUrl() });
    await client.connect();
    try {
      return (await client.query('select id, status from sync_runs order by id')).rows;
    } finally {
      await client.end();
    }
  }
  const successfulRuns = () =>
    syncRuns().then(
      (rows) => rows.filter((r) => r.status === 'success').length,
      () => 0,
    );

  beforeAll(async () => {
    sim = await startSimulator({ latencyMs: 0, scenario });
    dataDir = mkdtempSync(join(tmpdir(), 'magnus-desktop-embedded-'));
    await saveCredentials(secrets, {
      username: user.username,
      password: user.password,
      ...(user.totpSecret ? { totpSecret: user.totpSecret } : {}),
    });
    // No settings.json: the default database, the embedded one in the data folder.
    app = DesktopAppProcess.launch({
      dataDir,
      args: ['--hidden', `--api-url=${sim.url}`],
      env: { MAGNUS_KEYCHAIN_SERVICE: secrets.service },
    });
  });

  afterAll(async () => {
    await app?.close();
    // A failed test may leave the server: stop it by its pid file, as PostgreSQL's fast shutdown.
    const left = dataDir ? readPostmasterPid(pgdata()) : null;
    if (left && processAlive(left.pid)) process.kill(left.pid, 'SIGINT');
    await sim?.close();
    await clearCredentials(secrets).catch(() => undefined);
    await secrets.delete('database.embeddedPassword').catch(() => undefined);
    if (left)
      for (let i = 0; i < 100 && processAlive(left.pid); i++) await new Promise((r) => setTimeout(r, 100));
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts the embedded server in the data folder and syncs into it', async () => {
    await app.waitForTray(
      (t) => t.icon === 'idle.png' && /Synced/.test(t.tooltip),
      'idle after a sync',
      150_000,
    );
    const server = readPostmasterPid(pgdata());
    expect(server?.status).toBe('ready');
    // The engine process started it, not the app's own process: its parent is the engine.
    const engine = app.enginePids().at(-1)!;
    const parent = Number(readFileSync(`/proc/${server!.pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
    expect(parent).toBe(engine);
    expect(await embeddedUrl()).toContain(`:${server!.port}/`);
    expect(await successfulRuns()).toBeGreaterThanOrEqual(1);
  });

  it('after the engine is killed with -9, the next engine adopts the running server and syncs again', async () => {
    const [first] = app.enginePids();
    const server = readPostmasterPid(pgdata())!;
    const before = await successfulRuns();
    process.kill(first!, 'SIGKILL');
    await app.waitFor(() => app.engineExit(first!), 'the killed engine to end');
    expect(app.engineExit(first!)?.signal).toBe('SIGKILL');
    const second = await app.waitFor(() => app.enginePids()[1], 'a new engine process');
    expect(second).not.toBe(first);
    await expect.poll(successfulRuns, { timeout: 120_000, interval: 500 }).toBeGreaterThan(before);
    // SIGKILL gives the engine no chance to stop its server: it keeps running, and the next
    // engine adopts it (main/store/embedded/server.ts) rather than starting a second one.
    const now = readPostmasterPid(pgdata());
    expect(now).toMatchObject({ pid: server.pid, status: 'ready' });
    expect(processAlive(server.pid)).toBe(true);
  });

  it('Quit stops the engine and the embedded server: no process left, no postmaster.pid', async () => {
    await app.waitForTray((t) => t.icon === 'idle.png', 'idle');
    const engine = app.enginePids().at(-1)!;
    const server = readPostmasterPid(pgdata())!;
    expect(processAlive(server.pid)).toBe(true);
    // The server and its children (checkpointer, writers, backends) as they run now.
    const running = processesOf(dataDir, [server.pid]);
    expect(running.map((p) => p.pid)).toContain(server.pid);
    expect(running.length).toBeGreaterThan(1);

    await app.clickTray('quit');
    expect((await app.exited).code).toBe(0);
    expect(app.engineExit(engine)).toEqual({ code: 0, signal: null });
    expect(processAlive(engine)).toBe(false);
    for (const p of running) expect({ ...p, alive: processAlive(p.pid) }).toEqual({ ...p, alive: false });
    expect(processesOf(dataDir)).toEqual([]);
    expect(existsSync(join(pgdata(), 'postmaster.pid'))).toBe(false);
  });
});
