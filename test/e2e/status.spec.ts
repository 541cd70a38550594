/**
 * The status window in Chromium against the web server and a runtime: what the runtime returns is
 * what the page shows, actions reach the handlers, and pushed events update the page in place.
 *
 * Tests tagged @sample-portfolio run against the in-memory runtime's sample portfolio
 * (test/server/sample-portfolio.ts) and assert the literal text a reader sees, worked out by hand
 * from that portfolio (e.g. AAPL: 120 × $189.98 = $22,797.60), never with the product's own
 * formatters. The other tests hold for any runtime and also run against the real engine
 * (the `real-runtime` project in playwright.config.ts skips the tag).
 * Elements are found the way a reader finds them: by role, accessible name and text.
 */
import type { Page } from '@playwright/test';
import type { Dashboard, SyncStatus } from '../../shared/models.js';
import { expect, memoryHarness, test } from './fixtures.js';

const dashboardOf = (magnus: { runtime: { handlers: { getDashboard(r: object): Promise<Dashboard> } } }) =>
  magnus.runtime.handlers.getDashboard({});

/** Leaves a mark in the page; if the page reloads, the mark is gone. */
async function markPage(page: Page): Promise<void> {
  await page.evaluate(() => {
    (globalThis as Record<string, unknown>).__magnusMark = 'still here';
  });
}
async function expectNoReload(page: Page): Promise<void> {
  expect(await page.evaluate(() => (globalThis as Record<string, unknown>).__magnusMark)).toBe('still here');
}

const badge = (page: Page) => page.getByRole('status', { name: 'Sync state' });
const summary = (page: Page) => page.getByRole('region', { name: 'Portfolio' });
const stockTable = (page: Page) => page.getByRole('table', { name: /^Stocks \(\d+\)$/ });
const optionTable = (page: Page) => page.getByRole('table', { name: /^Options \(\d+ legs?\)$/ });
/** The body row whose row header starts with `symbol`. */
const stockRow = (page: Page, symbol: string) =>
  stockTable(page)
    .getByRole('row')
    .filter({ has: page.getByRole('rowheader', { name: new RegExp(`^${symbol}\\b`) }) });

test.describe('the sample portfolio @sample-portfolio', () => {
  test.use({ harnessFactory: memoryHarness() });

  test('shows the snapshot, stock positions, and option legs with their Greeks', async ({ page, magnus }) => {
    await magnus.open(page);
    expect(magnus.calls.count('getState')).toBe(1);

    // Cash 12,480.33 + stocks 85,430.20 + options 1,119.00 = 99,029.53.
    await expect(summary(page).getByText('$99,029.53', { exact: true })).toBeVisible();
    await expect(summary(page).getByRole('term')).toHaveText(['Buying power', 'Cash', 'Stocks', 'Options']);
    await expect(summary(page).getByRole('definition')).toHaveText([
      '$24,960.66',
      '$12,480.33',
      '$85,430.20',
      '$1,119.00',
    ]);
    await expect(summary(page).getByText('+$312.40')).toBeVisible();

    await expect(page.getByRole('table', { name: 'Stocks (7)' })).toBeVisible();
    // Header row + one row per holding.
    await expect(stockTable(page).getByRole('row')).toHaveCount(8);
    // Symbol and name, quantity, average price, last price, market value, P&L, P&L %.
    await expect(stockRow(page, 'AAPL').getByRole('cell')).toHaveText([
      '120',
      '$168.245',
      '$189.98',
      '$22,797.60',
      '+$2,608.20',
      '+12.92%',
    ]);
    await expect(stockRow(page, 'TSLA').getByRole('cell')).toHaveText([
      '30',
      '$251.30',
      '$218.90',
      '$6,567.00',
      '-$972.00',
      '-12.89%',
    ]);

    await expect(page.getByRole('table', { name: 'Options (8 legs)' })).toBeVisible();
    // The lone long call: type, strike, expiry, side, quantity, mark, delta, theta, IV, P&L.
    const nvdaCall = optionTable(page)
      .getByRole('row')
      .filter({ has: page.getByRole('rowheader', { name: /^NVDA$/ }) });
    await expect(nvdaCall).toHaveCount(1);
    const nvdaCells = nvdaCall.getByRole('cell');
    await expect(nvdaCells.nth(0)).toHaveText('Call');
    await expect(nvdaCells.nth(1)).toHaveText('$130');
    await expect(nvdaCells.nth(2)).toContainText('(54d)');
    await expect(nvdaCells.nth(3)).toHaveText('Long');
    await expect(nvdaCells.nth(6)).toHaveText('0.467');
    await expect(nvdaCells.nth(7)).toHaveText('-0.098');
    await expect(nvdaCells.nth(8)).toHaveText('48.2%');

    // The short put stands alone; its Greeks as the runtime reported them.
    const tslaPut = optionTable(page).getByRole('row', { name: /TSLA Short put/ });
    await expect(tslaPut).toHaveCount(1);
    await expect(tslaPut.getByRole('cell')).toContainText([
      'Put',
      '$200',
      'Short',
      '-0.281',
      '-0.273',
      '55.1%',
    ]);

    // Multi-leg strategies sit under one strategy row with their legs: fold and unfold each.
    for (const [symbol, name, legs] of [
      ['AAPL', 'Long call spread', 2],
      ['SPY', 'Iron condor', 4],
    ] as const) {
      const foldButton = page.getByRole('button', { name: symbol, exact: true });
      const group = optionTable(page).getByRole('rowgroup').filter({ has: foldButton });
      const fold = group.getByRole('button', { name: symbol, exact: true });
      await expect(group).toContainText(name);
      await expect(group).toContainText(`${legs} legs`);
      await expect(group.getByRole('row')).toHaveCount(1 + legs);
      await fold.click();
      await expect(fold).toHaveAttribute('aria-expanded', 'false');
      await expect(group.getByRole('row')).toHaveCount(1);
      await fold.click();
      await expect(group.getByRole('row')).toHaveCount(1 + legs);
    }
  });

  test('Sync now calls the handler and the page follows the pushed events without reloading', async ({
    page,
    magnus,
  }) => {
    await magnus.open(page);
    await markPage(page);
    await expect(summary(page).getByText('$99,029.53', { exact: true })).toBeVisible();
    await page.getByRole('button', { name: 'Sync now' }).click();
    await expect.poll(() => magnus.calls.count('syncNow')).toBe(1);
    // The runtime pushes `status` (syncing, then idle) and `dataChanged`; the page refetches once.
    // The memory runtime's cycle moves every price by +0.4%: equity $99,375.72.
    await expect(badge(page)).toHaveText('Up to date');
    await expect(summary(page).getByText('$99,375.72', { exact: true })).toBeVisible();
    await expect(stockRow(page, 'AAPL').getByRole('cell').nth(3)).toHaveText('$22,888.79');
    await expectNoReload(page);
    expect(magnus.calls.count('getState')).toBe(1);
  });

  test('dataChanged makes the page refetch and show the new numbers', async ({ page, magnus }) => {
    await magnus.open(page);
    await markPage(page);
    const dashboardCalls = magnus.calls.count('getDashboard');
    // Every price +1.5%: AAPL 120 × $192.8297 = $23,139.56.
    await magnus.harness.changeData();
    await expect(summary(page).getByText('$100,327.78', { exact: true })).toBeVisible();
    await expect(stockRow(page, 'AAPL').getByRole('cell').nth(3)).toHaveText('$23,139.56');
    expect(magnus.calls.count('getDashboard')).toBe(dashboardCalls + 1);
    expect(magnus.calls.count('getStats')).toBeGreaterThanOrEqual(1);
    await expectNoReload(page);
  });

  test('the privacy toggle hides every amount and is remembered', async ({ page, magnus }) => {
    await magnus.open(page);
    const hide = page.getByRole('button', { name: 'Hide amounts' });
    await expect(summary(page).getByText('$99,029.53', { exact: true })).toBeVisible();

    await hide.click();
    await expect(hide).toHaveAttribute('aria-pressed', 'true');
    await expect(summary(page).getByRole('definition')).toHaveText(['•••••', '•••••', '•••••', '•••••']);
    await expect(stockRow(page, 'AAPL').getByRole('cell')).toHaveText([
      '•••••',
      '•••••',
      '•••••',
      '•••••',
      '•••••',
      '+12.92%',
    ]);
    // No dollar figure is left anywhere, apart from the strikes (they name the contract).
    // biome-ignore lint/performance/useDomNodeTextContent: the rendered text, with breaks between cells, is what a reader sees.
    const body = await page.locator('body').innerText();
    const strikes = new Set(['$130', '$195', '$200', '$205', '$490', '$500', '$545', '$555']);
    expect((body.match(/\$[\d,.]+[KMB]?/g) ?? []).filter((d) => !strikes.has(d))).toEqual([]);

    expect(magnus.calls.requests.filter((r) => r.name === 'updateSettings').map((r) => r.request)).toEqual([
      { privacyMode: true },
    ]);
    await page.reload();
    await expect(summary(page).getByRole('definition').first()).toHaveText('•••••');

    await hide.click();
    await expect(summary(page).getByText('$99,029.53', { exact: true })).toBeVisible();
  });

  test('tables sort by every column, with the mouse and the keyboard', async ({ page, magnus }) => {
    await magnus.open(page);
    const table = stockTable(page);
    const symbols = () => table.getByRole('rowheader').locator('.symbol').allInnerTexts();
    const header = (name: string) =>
      table.getByRole('columnheader').filter({
        has: page.getByRole('button', { name, exact: true }),
      });

    await header('Symbol').getByRole('button').click();
    await expect(header('Symbol')).toHaveAttribute('aria-sort', 'ascending');
    expect(await symbols()).toEqual(['AAPL', 'AMD', 'KO', 'MSFT', 'NVDA', 'SPY', 'TSLA']);

    // Keyboard: the header is a button, Enter flips the direction.
    await header('Symbol').getByRole('button').focus();
    await page.keyboard.press('Enter');
    await expect(header('Symbol')).toHaveAttribute('aria-sort', 'descending');
    expect(await symbols()).toEqual(['TSLA', 'SPY', 'NVDA', 'MSFT', 'KO', 'AMD', 'AAPL']);

    // Tab to the P&L header (five buttons on) and press Space: largest gain first.
    for (let i = 0; i < 5; i++) await page.keyboard.press('Tab');
    await page.keyboard.press('Space');
    await expect(header('P&L')).toHaveAttribute('aria-sort', 'descending');
    await expect(header('Symbol')).toHaveAttribute('aria-sort', 'none');
    expect(await symbols()).toEqual(['NVDA', 'MSFT', 'AAPL', 'SPY', 'KO', 'TSLA', 'AMD']);

    for (const name of ['Qty', 'Avg price', 'Last', 'Market value', 'P&L %']) {
      await header(name).getByRole('button').click();
      await expect(header(name)).toHaveAttribute('aria-sort', /ascending|descending/);
    }
    const optionHeaders = optionTable(page).getByRole('columnheader');
    await expect(optionHeaders).toHaveCount(11);
    for (let i = 0; i < 11; i++) {
      await optionHeaders.nth(i).getByRole('button').click();
      await expect(optionHeaders.nth(i)).toHaveAttribute('aria-sort', /ascending|descending/);
    }
  });

  test('the chart follows the range switch and the account switcher', async ({ page, magnus }) => {
    await magnus.open(page);
    const range = page.getByRole('group', { name: 'Chart range' });
    await range.getByRole('button', { name: '1Y' }).click();
    await expect(range.getByRole('button', { name: '1Y' })).toHaveAttribute('aria-pressed', 'true');
    await expect
      .poll(() => magnus.calls.requests.filter((r) => r.name === 'getChart').map((r) => r.request))
      .toContainEqual({ accountKey: '****4141', range: '1Y' });

    await page.getByRole('combobox', { name: 'Account' }).selectOption('****7720');
    await expect(summary(page).getByText('$31,261.06', { exact: true })).toBeVisible();
    await expect(page.getByRole('table', { name: 'Stocks (2)' }).getByRole('row')).toHaveCount(3);
    await expect
      .poll(() => magnus.calls.requests.filter((r) => r.name === 'getChart').map((r) => r.request))
      .toContainEqual({ accountKey: '****7720', range: '1Y' });
  });
});

test('every position the runtime holds has its row', async ({ page, magnus }) => {
  await magnus.open(page);
  const dashboard = await dashboardOf(magnus);
  expect(dashboard.stocks.length).toBeGreaterThan(0);
  expect(dashboard.options.length).toBeGreaterThan(0);
  await expect(page.getByRole('table', { name: `Stocks (${dashboard.stocks.length})` })).toBeVisible();
  for (const stock of dashboard.stocks) await expect(stockRow(page, stock.symbol)).toHaveCount(1);
  await expect(page.getByRole('table', { name: `Options (${dashboard.options.length} legs)` })).toBeVisible();
});

test('status events change the badge, the demo label and the prompt in place', async ({ page, magnus }) => {
  await magnus.open(page);
  await markPage(page);
  const base = magnus.runtime.status();
  const push = (patch: Partial<SyncStatus>) => magnus.runtime.events.emit('status', { ...base, ...patch });

  push({ state: 'syncing', progress: { step: 'Fetching option market data', completed: 3, total: 7 } });
  await expect(badge(page)).toHaveText('Syncing');
  await expect(page.getByText('Fetching option market data (3 of 7)')).toBeVisible();
  await expect(page.getByRole('progressbar', { name: 'Sync progress' })).toHaveAttribute('value', '3');

  push({ state: 'error', lastError: { message: 'Robinhood answered 503.', at: new Date().toISOString() } });
  await expect(badge(page)).toHaveText('Sync failed');
  await expect(page.getByText('Robinhood answered 503.')).toBeVisible();

  push({ state: 'offline' });
  await expect(badge(page)).toHaveText('Offline');

  await expect(page.getByText('Demo data')).toHaveCount(0);
  push({ state: 'idle', demo: true });
  await expect(page.getByText('Demo data')).toBeVisible();

  push({
    state: 'needs-auth',
    authPrompt: { kind: 'credentials', message: 'Robinhood needs your password again.' },
  });
  await expect(badge(page)).toHaveText('Login needed');
  await expectNoReload(page);
  await page.getByRole('link', { name: 'Open settings to log in' }).click();
  await expect(page).toHaveURL(/\/settings\.html$/);
});

test('Pause and Resume', async ({ page, magnus }) => {
  await magnus.open(page);
  await page.getByRole('button', { name: 'Pause' }).click();
  await expect(badge(page)).toHaveText('Paused');
  expect(magnus.calls.count('pause')).toBe(1);
  expect(magnus.runtime.status().state).toBe('paused');
  await expect(page.getByRole('definition').filter({ hasText: /^paused$/ })).toBeVisible();

  await page.getByRole('button', { name: 'Resume' }).click();
  await expect(badge(page)).not.toHaveText('Paused');
  expect(magnus.calls.count('resume')).toBe(1);
  expect(magnus.runtime.status().state).not.toBe('paused');
  await expect(page.getByRole('button', { name: 'Pause' })).toBeVisible();
});
