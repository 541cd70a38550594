/**
 * The desktop app's composition root under test: the real `startDesktopApp` (dist/main/index.js)
 * in its own process with the Electron stand-in, the real engine process (utilityProcess → a Node
 * child running dist/main/engine-host/entry.js), real Chromium windows with the real preload, the
 * real keychain (the Secret Service npm test starts), the Robinhood simulator over a socket, and a
 * fresh PostgreSQL database. A user's first launch, end to end.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect as pwExpect } from '@playwright/test';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearCredentials, KeychainSecretStore } from '../../main/secrets/index.js';
import { chromiumAvailable, keyringSessionAvailable, skipUnless } from '../helpers/env.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import { buildScenario, type Simulator, startSimulator } from '../simulator-tools/index.js';
import { builtAppProblem, DesktopAppProcess, processAlive } from './desktop-app.js';

const built = builtAppProblem();
if (built) throw new Error(built);
const skip =
  skipUnless(chromiumAvailable(), 'Chromium (/usr/bin/chromium)') ||
  skipUnless(keyringSessionAvailable(), 'a Secret Service keychain (npm test starts gnome-keyring)');

const scenario = buildScenario({
  seed: 29,
  accounts: [{ stocks: 4, optionLegs: 2, stockOrders: 6, optionOrders: 2, dividends: 1 }],
});
const user = scenario.users[0]!;

async function query<T extends pg.QueryResultRow>(
  url: string,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}
const syncRuns = async (url: string) =>
  Number((await query<{ n: string }>(url, 'select count(*) as n from sync_runs'))[0]!.n);

/** A data folder whose settings point the app at `db` (the system PostgreSQL, not the embedded one). */
function dataDirFor(db: TestDatabase): string {
  const dir = mkdtempSync(join(tmpdir(), 'magnus-desktop-'));
  writeFileSync(
    join(dir, 'settings.json'),
    JSON.stringify({ settings: { database: { kind: 'postgres', url: db.url } } }),
  );
  return dir;
}

describe.skipIf(skip)('the desktop app, first launch to quit', { timeout: 120_000 }, () => {
  let sim: Simulator;
  let db: TestDatabase;
  let dataDir: string;
  let app: DesktopAppProcess;
  const keychainService = `Magnus Sync harness ${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    sim = await startSimulator({ latencyMs: 0, scenario });
    db = await createTestDatabase('desktop');
    dataDir = dataDirFor(db);
    app = DesktopAppProcess.launch({
      dataDir,
      args: [`--api-url=${sim.url}`],
      env: { MAGNUS_KEYCHAIN_SERVICE: keychainService },
    });
  });

  afterAll(async () => {
    await app?.close();
    await sim?.close();
    await db?.drop();
    await clearCredentials(new KeychainSecretStore({ service: keychainService })).catch(() => undefined);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('shows the tray at once as Starting, then asks for a login; Settings opens from the tray', async () => {
    const needsLogin = await app.waitForTray((t) => t.icon === 'needs-auth.png', 'needs-auth');
    // The first menu the tray showed said Starting, before the engine process had answered.
    const firstMenu = app.reportsOf('tray').find((r) => (r.menu as unknown[]).length > 0)!;
    expect((firstMenu.menu as Array<{ label: string }>)[0]!.label).toBe('Starting…');
    expect(app.reports.indexOf(firstMenu)).toBeLessThan(
      app.reports.indexOf(app.reportsOf('utility-spawn')[0]!),
    );
    expect(needsLogin.menu.find((i) => i.id === 'sync-now')?.enabled).toBe(false);
    expect(needsLogin.menu.find((i) => i.id === 'open-settings')?.label).toBe('Settings… (log in)');

    await app.clickTray('open-settings');
    const settings = await app.page('settings.html');
    await pwExpect(settings.getByLabel('Username (e-mail)')).toBeVisible();
  });

  it('credentials entered in Settings lead to a sync; the status window shows the positions', async () => {
    const settings = await app.page('settings.html');
    await settings.getByLabel('Username (e-mail)').fill(user.username);
    await settings.getByLabel('Password', { exact: true }).fill(user.password);
    if (user.totpSecret) await settings.getByLabel('Authenticator (TOTP) secret').fill(user.totpSecret);
    await settings.getByRole('button', { name: 'Save credentials' }).click();
    await pwExpect(settings.getByText('Stored in the system keychain.')).toBeVisible();

    await app.waitForTray(
      (t) => t.icon === 'idle.png' && /Synced/.test(t.tooltip),
      'idle after a sync',
      90_000,
    );
    const runs = await query<{ status: string }>(db.url, 'select status from sync_runs');
    expect(runs.some((r) => r.status === 'success')).toBe(true);

    const [position] = await query<{ symbol: string }>(
      db.url,
      "select symbol from positions where asset_type = 'stock' order by symbol limit 1",
    );
    expect(position).toBeDefined();
    await app.clickTray('open-status');
    const status = await app.page('status.html');
    // The window was open since the launch: it followed the relayed events to the synced data.
    await pwExpect(
      status.getByRole('row', { name: new RegExp(`\\b${position!.symbol}\\b`) }).first(),
    ).toBeVisible();
  });

  it('tray "Sync now" runs a cycle: a new sync_runs row', async () => {
    const before = await syncRuns(db.url);
    await app.clickTray('sync-now');
    await expect.poll(() => syncRuns(db.url), { timeout: 60_000, interval: 250 }).toBeGreaterThan(before);
    const [last] = await query<{ trigger: string }>(
      db.url,
      'select trigger from sync_runs order by id desc limit 1',
    );
    expect(last!.trigger).toBe('manual');
  });

  it('Pause and Resume reach the engine', async () => {
    await app.waitForTray((t) => t.icon === 'idle.png', 'idle');
    await app.clickTray('pause');
    const paused = await app.waitForTray((t) => t.icon === 'paused.png', 'paused');
    expect(paused.menu.map((i) => i.id)).toContain('resume');
    // The status window asks the engine itself.
    const status = await app.page('status.html');
    await status.reload();
    await pwExpect(status.getByText('No sync runs until you resume.')).toBeVisible();

    await app.clickTray('resume');
    await app.waitForTray((t) => t.icon !== 'paused.png' && t.menu.some((i) => i.id === 'pause'), 'resumed');
  });

  it('a killed engine process shows the error in the tray and comes back', async () => {
    await app.waitForTray((t) => t.icon === 'idle.png', 'idle');
    const [first] = app.enginePids();
    const before = await syncRuns(db.url);
    process.kill(first!, 'SIGKILL');
    const crashed = await app.waitForTray((t) => t.icon === 'error.png', 'the error state');
    expect(crashed.tooltip).toMatch(/sync engine stopped unexpectedly/);
    expect(app.engineExit(first!)?.signal).toBe('SIGKILL');

    const second = await app.waitFor(() => app.enginePids()[1], 'a new engine process');
    expect(second).not.toBe(first);
    await app.waitForTray((t) => t.icon === 'idle.png' && /Synced/.test(t.tooltip), 'idle again', 90_000);
    // The new engine synced at its start.
    await expect.poll(() => syncRuns(db.url), { timeout: 30_000 }).toBeGreaterThan(before);
  });

  it('Quit stops the engine (store closed) and ends the app: no process, no connection left', async () => {
    const engine = app.enginePids().at(-1)!;
    await app.clickTray('quit');
    const exit = await app.exited;
    expect(exit.code).toBe(0);
    // The engine stopped on its own (exit code 0) before the app ended; nothing was killed.
    expect(app.engineExit(engine)).toEqual({ code: 0, signal: null });
    const order = (kind: string) =>
      app.reports.findIndex((r) => r.standIn === kind && (kind !== 'utility-exit' || r.pid === engine));
    expect(order('utility-exit')).toBeLessThan(order('exit'));
    expect(processAlive(engine)).toBe(false);
    const connections = async () =>
      Number(
        (
          await query<{ n: string }>(
            db.url.replace(`/${db.name}`, '/postgres'),
            'select count(*) as n from pg_stat_activity where datname = $1',
            [db.name],
          )
        )[0]!.n,
      );
    await expect.poll(connections, { timeout: 5_000 }).toBe(0);
  });
});

describe.skipIf(skip)('the desktop app, a second launch', { timeout: 120_000 }, () => {
  let db: TestDatabase;
  let dataDir: string;
  let first: DesktopAppProcess | null = null;
  let second: DesktopAppProcess | null = null;

  beforeAll(async () => {
    db = await createTestDatabase('desktop2nd');
    dataDir = dataDirFor(db);
  });
  afterAll(async () => {
    await second?.close();
    await first?.close();
    await db?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('hands over to the first instance, which opens and focuses its status window', async () => {
    const env = { MAGNUS_KEYCHAIN_SERVICE: `Magnus Sync harness ${randomBytes(4).toString('hex')}` };
    first = DesktopAppProcess.launch({ dataDir, args: ['--hidden'], env });
    await first.waitForTray((t) => t.icon === 'needs-auth.png', 'needs-auth');
    expect(first.reportsOf('window-created')).toHaveLength(0);

    second = DesktopAppProcess.launch({ dataDir, env });
    expect((await second.exited).code).toBe(0);
    expect(second.reportsOf('tray')).toHaveLength(0);
    expect(second.enginePids()).toHaveLength(0);

    const focused = await first.waitFor(
      () => first!.reportsOf('window-focused').find((r) => String(r.url).endsWith('/status.html')),
      'the status window to be focused',
    );
    expect(focused).toBeDefined();
    const page = await first.page('status.html');
    await pwExpect(page.getByRole('heading', { level: 1 }).first()).toBeVisible();

    await first.clickTray('quit');
    expect((await first.exited).code).toBe(0);
  });
});
