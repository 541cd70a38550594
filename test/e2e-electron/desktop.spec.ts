/**
 * The built desktop app in a real Electron: starts hidden in the tray, opens the status window from
 * the tray menu, runs Sync now against the built-in simulator (--demo), keeps the window sandboxed,
 * hands a second launch to the first instance, and quits cleanly.
 *
 * A tray icon cannot be clicked from Playwright, so with MAGNUS_E2E=1 the app exposes its tray
 * controller on globalThis.__magnusE2E and the spec runs the same menu actions through it.
 *
 * Where no Electron binary exists (Electron 45 downloads it from GitHub on first use), every test
 * is skipped with that reason.
 *
 * Sync now is judged by the rows it writes: the spec counts the sync_runs the app reports
 * (getStats) and expects one more, started manually, after the click.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ElectronApplication, _electron as electron, expect, type Page, test } from '@playwright/test';
// @ts-expect-error: a plain ESM script without type declarations
import { findElectron } from '../../bin/start-desktop.js';

const root = join(import.meta.dirname, '../..');
const entry = join(root, 'dist/main/index.js');
const found = findElectron() as { path: string | null; reason?: string };
const skipReason = !found.path
  ? `no Electron binary: ${found.reason}. Install one (npx install-electron --no) or set ELECTRON_OVERRIDE_DIST_PATH / MAGNUS_ELECTRON to run this spec.`
  : !existsSync(entry)
    ? 'dist/main/index.js is missing: run npm run build first.'
    : null;
if (skipReason) console.log(`[e2e-electron] skipped: ${skipReason}`);

interface TrayModelView {
  icon: string;
  tooltip: string;
  items: Array<{ type: string; id?: string; label?: string }>;
}
interface E2EHooks {
  trayAction(action: string): Promise<void>;
  trayModel(): TrayModelView | null;
}

const statusRow = (app: ElectronApplication) =>
  app.evaluate(() => {
    const hooks = (globalThis as unknown as { __magnusE2E?: E2EHooks }).__magnusE2E;
    return hooks?.trayModel()?.items[0]?.label ?? null;
  });
/** The sync_runs rows the app reports through the contract (getStats), newest first. */
const recordedRuns = (page: Page) =>
  page.evaluate(async () => {
    const magnus = (
      globalThis as unknown as { magnus: { call(name: string, req: unknown): Promise<unknown> } }
    ).magnus;
    const result = (await magnus.call('getStats', {})) as
      | { ok: true; value: { recentRuns: Array<{ id: number; trigger: string }> } }
      | { ok: false };
    return result.ok ? result.value.recentRuns : [];
  });
const trayAction = (app: ElectronApplication, action: string) =>
  app.evaluate(
    (_electron, a) => (globalThis as unknown as { __magnusE2E: E2EHooks }).__magnusE2E.trayAction(a),
    action,
  );

test.describe('desktop app in Electron', () => {
  test.skip(skipReason !== null, skipReason ?? '');

  let dataDir = '';
  test.beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'magnus-e2e-electron-'));
  });
  test.afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  const launch = (extra: string[] = []) =>
    electron.launch({
      executablePath: found.path!,
      args: [entry, '--demo', `--data-dir=${dataDir}`, ...extra],
      env: { ...process.env, MAGNUS_E2E: '1', MAGNUS_KEYCHAIN_SERVICE: 'Magnus Sync e2e-electron' },
    });

  test('hidden start → tray opens the status window → Sync now → quit', async () => {
    const app = await launch(['--hidden']);
    await expect.poll(() => statusRow(app), { timeout: 30_000 }).not.toBeNull();
    expect(app.windows()).toHaveLength(0);

    const opened = app.waitForEvent('window');
    await trayAction(app, 'open-status');
    const page = await opened;
    expect(page.url()).toMatch(/\/dist\/renderer\/status\.html$/);
    await expect(page.getByText('Demo data')).toBeVisible();

    // The first (startup) sync finishes; then the button must record one more run, started manually
    // (a label such as "Synced just now" is already true after the startup sync).
    await expect.poll(() => statusRow(app), { timeout: 60_000 }).toMatch(/^Demo · Synced/);
    const before = await recordedRuns(page);
    expect(before.length).toBeGreaterThan(0);
    await page.getByRole('button', { name: 'Sync now' }).click();
    await expect
      .poll(
        async () =>
          (await recordedRuns(page)).filter((r) => r.id > before[0]!.id && r.trigger === 'manual').length,
        {
          timeout: 60_000,
        },
      )
      .toBe(1);

    // Sandboxed, isolated page: no Node, exactly the contract API.
    expect(await page.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
    expect(await page.evaluate(() => typeof (globalThis as { process?: unknown }).process)).toBe('undefined');
    expect(
      await page.evaluate(() => Object.keys((globalThis as unknown as { magnus: object }).magnus).sort()),
    ).toEqual(['call', 'on']);
    // Navigation away from our pages is refused.
    await page.evaluate(() => {
      (globalThis as unknown as { location: { href: string } }).location.href = 'https://example.com/';
    });
    await page.waitForTimeout(500);
    expect(page.url()).toMatch(/status\.html$/);

    const closed = app.waitForEvent('close');
    await trayAction(app, 'quit');
    await closed;
  });

  test('a second launch opens the first instance’s status window', async () => {
    const app = await launch(['--hidden']);
    await expect.poll(() => statusRow(app), { timeout: 30_000 }).not.toBeNull();
    expect(app.windows()).toHaveLength(0);
    const opened = app.waitForEvent('window');
    // Launched as the first one was: on Linux Playwright's launcher adds --no-sandbox (unless asked
    // for chromiumSandbox); without it this instance aborts where the sandbox cannot start (as root,
    // in containers, on Ubuntu 24.04+) before it can hand over to the first.
    const sandbox = process.platform === 'linux' ? ['--no-sandbox'] : [];
    const second = spawnSync(found.path!, [...sandbox, entry, '--demo', `--data-dir=${dataDir}`], {
      timeout: 30_000,
    });
    expect(second.status).toBe(0);
    const page = await opened;
    expect(page.url()).toMatch(/status\.html$/);
    await app.close();
  });
});
