/**
 * The settings window's "For dashboards" block, against the real runtime on the embedded server:
 * the address with a copy button, the password only on request (and only where the host allows
 * it), and a URL that another client really connects with.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import pg from 'pg';
import { MAGNUS_QUERIES } from '../fixtures/magnus/queries.js';
import { createSyncHarness, type SyncHarness } from '../helpers/sync-harness.js';
import { expect, type HarnessFactory, memoryHarness, test } from './fixtures.js';

let synced: SyncHarness | null = null;

/** What a paste would give (evaluated in the page, which has the clipboard permission). */
const readClipboard = (page: Page): Promise<string> => page.evaluate('navigator.clipboard.readText()');

/** The desktop app's runtime (it may reveal the password) on a fresh embedded database, synced once. */
const desktopOnEmbedded: HarnessFactory = {
  name: 'desktop-embedded',
  create: async () => {
    const h = await createSyncHarness({ backend: 'embedded', runtime: { host: 'desktop' } });
    const outcome = await h.runtime.syncOnce('startup');
    if (outcome.status !== 'success') throw new Error(`the sync failed: ${outcome.error?.message}`);
    synced = h;
    return { runtime: h.runtime, changeData: async () => undefined, close: () => h.close() };
  },
};

test.describe('desktop app on the embedded database', () => {
  test.use({ harnessFactory: desktopOnEmbedded });

  test('shows the address, reveals the password on request, and the copied URL connects', async ({
    page,
    context,
    magnus,
  }) => {
    const dataDir = join(synced!.dataDir);
    const password = readFileSync(join(dataDir, 'embedded-password'), 'utf8').trim();
    const port = (JSON.parse(readFileSync(join(dataDir, 'embedded-server.json'), 'utf8')) as { port: number })
      .port;
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: magnus.server.url });

    await magnus.open(page, 'settings.html');
    await expect(page.getByRole('heading', { name: 'For dashboards and scripts' })).toBeVisible();
    await expect(page.locator('#embedded-database-status')).toContainText(`Running on 127.0.0.1:${port}`);
    await expect(page.getByLabel('Address')).toHaveValue(`postgres://magnus@127.0.0.1:${port}/magnus_sync`);
    // Not in the page until asked for.
    expect(await page.content()).not.toContain(password);
    expect(magnus.calls.count('revealEmbeddedDatabasePassword')).toBe(0);

    await page.getByRole('button', { name: 'Copy address' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Copied.' })).toBeVisible();
    expect(await readClipboard(page)).toBe(`postgres://magnus@127.0.0.1:${port}/magnus_sync`);

    await page.getByRole('button', { name: 'Show password' }).click();
    await expect(page.getByLabel('Database password')).toHaveValue(password);
    await page.getByRole('button', { name: 'Copy URL with password' }).click();
    const copied = await readClipboard(page);
    expect(copied).toBe(`postgres://magnus:${password}@127.0.0.1:${port}/magnus_sync`);

    // What a dashboard would do with it: read the synced positions.
    const client = new pg.Client({ connectionString: copied });
    await client.connect();
    try {
      const rows = await client.query('select count(*)::int as n from positions');
      expect(rows.rows[0].n).toBeGreaterThan(0);
    } finally {
      await client.end();
    }

    await page.getByRole('button', { name: 'Hide' }).click();
    await expect(page.getByLabel('Database password')).toHaveCount(0);
    expect(await page.content()).not.toContain(password);
  });
  test('sets up Magnus dashboard compatibility: a new login and the URL the dashboard connects with', async ({
    page,
    magnus,
  }) => {
    await magnus.open(page, 'settings.html');
    await expect(page.getByRole('heading', { name: 'Magnus dashboard compatibility' })).toBeVisible();
    await page.getByLabel('Dashboard login').fill('pg_bad');
    await page.getByRole('button', { name: 'Set up Magnus compatibility' }).click();
    await expect(page.locator('#magnusCompatRole-error')).toContainText('pg_bad');

    await page.getByLabel('Dashboard login').fill('dash_e2e');
    await page.getByRole('button', { name: 'Set up Magnus compatibility' }).click();
    const url = page.getByLabel('Dashboard URL');
    await expect(url).toHaveValue(/^postgres:\/\/dash_e2e:[A-Za-z0-9_-]{32}@127\.0\.0\.1:\d+\/magnus_sync$/);
    await expect(page.getByText('its password is shown only now')).toBeVisible();

    // The dashboard's own start-up DDL and a read of its trade_history, as that login.
    const client = new pg.Client({ connectionString: await url.inputValue() });
    await client.connect();
    try {
      expect((await client.query('select current_user')).rows[0].current_user).toBe('dash_e2e');
      for (const q of MAGNUS_QUERIES.filter((x) => x.kind === 'startup-ddl')) await client.query(q.sql);
      // Resolves to the compatibility view, readable by this login (else: no relation, or permission denied).
      const trades = await client.query(
        "select count(*)::int as n from trade_history where status = 'closed'",
      );
      expect(trades.rowCount).toBe(1);
      expect((await client.query('show search_path')).rows[0].search_path).toBe('magnus_compat, public');
    } finally {
      await client.end();
    }

    // Again: the login exists, so no password is shown.
    await page.getByRole('button', { name: 'Set up Magnus compatibility' }).click();
    await expect(page.getByText('The login already existed')).toBeVisible();
    await expect(url).toHaveValue(/^postgres:\/\/dash_e2e@127\.0\.0\.1:\d+\/magnus_sync$/);
  });
});

test.describe('the web page of a headless agent', () => {
  test.use({ harnessFactory: memoryHarness() });

  test('shows the address but offers no password', async ({ page, magnus }) => {
    await magnus.open(page, 'settings.html');
    await expect(page.getByLabel('Address')).toHaveValue('postgres://magnus@127.0.0.1:55432/magnus_sync');
    await expect(page.getByRole('button', { name: 'Show password' })).toHaveCount(0);
    await expect(page.getByText('printed by magnus-sync db-url')).toBeVisible();
    await expect(page.getByRole('heading', { name: 'Magnus dashboard compatibility' })).toHaveCount(0);
  });
});
