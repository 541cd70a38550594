/**
 * The status window in Chromium against the web server and a runtime: what the runtime returns is
 * what the page shows, actions reach the handlers, and pushed events update the page in place.
 */
import type { Page } from '@playwright/test';
import { compareDecimals } from '../../renderer/src/lib/decimal.js';
import {
  formatGreek,
  formatIv,
  formatMoney,
  formatSignedMoney,
  formatStrike,
  MASK,
  strategyLabel,
} from '../../renderer/src/lib/format.js';
import { groupOptionLegs } from '../../renderer/src/lib/strategies.js';
import type { Dashboard, SyncStatus } from '../../shared/models.js';
import { expect, test } from './fixtures.js';

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

const badge = (page: Page) => page.locator('.status-header .badge');

test('shows the snapshot, stock positions, and option legs with their Greeks', async ({ page, magnus }) => {
  await magnus.open(page);
  const dashboard = await dashboardOf(magnus);
  expect(magnus.calls.count('getState')).toBe(1);

  const summary = page.locator('section.summary');
  const snapshot = dashboard.snapshot;
  if (!snapshot) throw new Error('the runtime has no snapshot to show');
  await expect(summary.locator('.equity')).toHaveText(formatMoney(snapshot.equity));
  for (const value of [snapshot.buyingPower, snapshot.cash, snapshot.stockValue, snapshot.optionsValue]) {
    await expect(summary.locator('.metrics')).toContainText(formatMoney(value));
  }
  await expect(summary.locator('.day-change')).toContainText(formatSignedMoney(snapshot.dayChange));

  const stockRows = page.locator('section[aria-labelledby="stocks-title"] tbody tr');
  await expect(stockRows).toHaveCount(dashboard.stocks.length);
  for (const stock of dashboard.stocks) {
    const row = stockRows.filter({
      has: page.locator('.symbol', { hasText: new RegExp(`^${stock.symbol}$`) }),
    });
    await expect(row).toContainText(formatMoney(stock.marketValue));
    await expect(row).toContainText(formatSignedMoney(stock.unrealizedPl));
  }

  const optionRows = page.locator('.options-table tbody tr:not(.strategy-row)');
  await expect(optionRows).toHaveCount(dashboard.options.length);
  for (const leg of dashboard.options) {
    const row = optionRows.filter({ hasText: leg.symbol }).filter({ hasText: formatStrike(leg.strikePrice) });
    const matching = row.filter({ hasText: leg.direction === 'long' ? 'Long' : 'Short' });
    await expect(matching).toHaveCount(1);
    await expect(matching).toContainText(formatGreek(leg.delta));
    await expect(matching).toContainText(formatGreek(leg.theta));
    await expect(matching).toContainText(formatIv(leg.impliedVolatility));
    await expect(matching).toContainText(leg.optionType === 'call' ? 'Call' : 'Put');
    await expect(matching).toContainText(`(${leg.daysToExpiry}d)`);
  }

  // Multi-leg strategies sit under one strategy row with their legs.
  const strategies = groupOptionLegs(dashboard.options).filter((r) => r.kind === 'strategy');
  expect(strategies.length).toBeGreaterThan(0);
  for (const group of strategies) {
    // Two accounts or two underlyings may hold the same kind of strategy: match the symbol too.
    const body = page
      .locator('tbody.strategy-group', {
        has: page.locator('.strategy-name', { hasText: strategyLabel(group.strategy) }),
      })
      .filter({ has: page.getByRole('button', { name: group.symbol, exact: true }) });
    await expect(body.locator('.leg-row')).toHaveCount(group.legs.length);
    await expect(body.locator('.strategy-row')).toContainText(`${group.legs.length} legs`);
    await body.getByRole('button', { name: group.symbol }).click();
    await expect(body.locator('.leg-row')).toHaveCount(0);
    await body.getByRole('button', { name: group.symbol }).click();
  }
});

test('Sync now calls the handler and the page follows the pushed events without reloading', async ({
  page,
  magnus,
}) => {
  await magnus.open(page);
  await markPage(page);
  const before = await dashboardOf(magnus);
  await page.getByRole('button', { name: 'Sync now' }).click();
  await expect.poll(() => magnus.calls.count('syncNow')).toBe(1);
  // The runtime pushes `status` (syncing, then idle) and `dataChanged`; the page refetches once.
  await expect(badge(page)).toHaveText('Up to date');
  await expect.poll(() => magnus.calls.count('getDashboard')).toBeGreaterThanOrEqual(1);
  const after = await dashboardOf(magnus);
  expect(after.snapshot?.equity).not.toBe(before.snapshot?.equity);
  await expect(page.locator('.equity')).toHaveText(formatMoney(after.snapshot?.equity));
  await expectNoReload(page);
  expect(magnus.calls.count('getState')).toBe(1);
});

test('status events change the badge, the demo label and the prompt in place', async ({ page, magnus }) => {
  await magnus.open(page);
  await markPage(page);
  const base = magnus.runtime.status();
  const push = (patch: Partial<SyncStatus>) => magnus.runtime.events.emit('status', { ...base, ...patch });

  push({ state: 'syncing', progress: { step: 'Fetching option market data', completed: 3, total: 7 } });
  await expect(badge(page)).toHaveText('Syncing');
  await expect(page.locator('.status-detail')).toContainText('Fetching option market data (3 of 7)');
  await expect(page.getByRole('progressbar', { name: 'Sync progress' })).toHaveAttribute('value', '3');

  push({ state: 'error', lastError: { message: 'Robinhood answered 503.', at: new Date().toISOString() } });
  await expect(badge(page)).toHaveText('Sync failed');
  await expect(page.locator('.status-detail')).toContainText('Robinhood answered 503.');

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

test('dataChanged makes the page refetch and show the new numbers', async ({ page, magnus }) => {
  await magnus.open(page);
  await markPage(page);
  const dashboardCalls = magnus.calls.count('getDashboard');
  await magnus.harness.changeData();
  const after = await dashboardOf(magnus);
  await expect(page.locator('.equity')).toHaveText(formatMoney(after.snapshot?.equity));
  const first = after.stocks[0];
  if (first)
    await expect(page.getByRole('row', { name: new RegExp(first.symbol) }).first()).toContainText(
      formatMoney(first.marketValue),
    );
  expect(magnus.calls.count('getDashboard')).toBe(dashboardCalls + 1);
  expect(magnus.calls.count('getStats')).toBeGreaterThanOrEqual(1);
  await expectNoReload(page);
});

test('Pause and Resume', async ({ page, magnus }) => {
  await magnus.open(page);
  await page.getByRole('button', { name: 'Pause' }).click();
  await expect(badge(page)).toHaveText('Paused');
  expect(magnus.calls.count('pause')).toBe(1);
  expect(magnus.runtime.status().state).toBe('paused');
  await expect(page.locator('.status-facts')).toContainText('paused');

  await page.getByRole('button', { name: 'Resume' }).click();
  await expect(badge(page)).not.toHaveText('Paused');
  expect(magnus.calls.count('resume')).toBe(1);
  expect(magnus.runtime.status().state).not.toBe('paused');
  await expect(page.getByRole('button', { name: 'Pause' })).toBeVisible();
});

test('the privacy toggle hides every amount and is remembered', async ({ page, magnus }) => {
  await magnus.open(page);
  const dashboard = await dashboardOf(magnus);
  const equity = formatMoney(dashboard.snapshot?.equity);
  await expect(page.locator('.equity')).toHaveText(equity);

  await page.getByRole('button', { name: 'Hide amounts' }).click();
  await expect(page.getByRole('button', { name: 'Hide amounts' })).toHaveAttribute('aria-pressed', 'true');
  const amounts = page.locator('[data-amount]');
  expect(await amounts.count()).toBeGreaterThan(30);
  for (const text of await amounts.allInnerTexts()) expect(text).toBe(MASK);
  // No dollar figure is left anywhere, apart from strikes (they name the contract).
  // biome-ignore lint/performance/useDomNodeTextContent: the rendered text, with breaks between cells, is what a reader sees.
  const body = await page.locator('body').innerText();
  const strikes = new Set(dashboard.options.map((o) => formatStrike(o.strikePrice)));
  const dollars = (body.match(/\$[\d,.]+[KMB]?/g) ?? []).filter((d) => !strikes.has(d));
  expect(dollars).toEqual([]);
  expect(body).not.toContain(equity);

  expect(magnus.calls.requests.filter((r) => r.name === 'updateSettings').map((r) => r.request)).toEqual([
    { privacyMode: true },
  ]);
  await page.reload();
  await expect(page.locator('.equity')).toHaveText(MASK);

  await page.getByRole('button', { name: 'Hide amounts' }).click();
  await expect(page.locator('.equity')).toHaveText(equity);
});

test('tables sort by every column, with the mouse and the keyboard', async ({ page, magnus }) => {
  await magnus.open(page);
  const dashboard = await dashboardOf(magnus);
  const table = page.locator('section[aria-labelledby="stocks-title"] table');
  const symbols = () => table.locator('tbody .symbol').allInnerTexts();
  const header = (name: string) =>
    table.locator('thead th', { has: page.getByRole('button', { name, exact: true }) });

  const bySymbol = dashboard.stocks.map((s) => s.symbol).sort((a, b) => a.localeCompare(b));
  await header('Symbol').getByRole('button').click();
  await expect(header('Symbol')).toHaveAttribute('aria-sort', 'ascending');
  expect(await symbols()).toEqual(bySymbol);

  // Keyboard: the header is a button, Enter flips the direction.
  await header('Symbol').getByRole('button').focus();
  await page.keyboard.press('Enter');
  await expect(header('Symbol')).toHaveAttribute('aria-sort', 'descending');
  expect(await symbols()).toEqual([...bySymbol].reverse());

  const byPl = [...dashboard.stocks]
    .sort((a, b) => compareDecimals(b.unrealizedPl ?? '0', a.unrealizedPl ?? '0'))
    .map((s) => s.symbol);
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Space');
  await expect(header('P&L')).toHaveAttribute('aria-sort', 'descending');
  await expect(header('Symbol')).toHaveAttribute('aria-sort', 'none');
  expect(await symbols()).toEqual(byPl);

  for (const name of ['Qty', 'Avg price', 'Last', 'Market value', 'P&L %']) {
    await header(name).getByRole('button').click();
    await expect(header(name)).toHaveAttribute('aria-sort', /ascending|descending/);
  }
  const optionHeaders = page.locator('.options-table thead th');
  for (let i = 0; i < (await optionHeaders.count()); i++) {
    await optionHeaders.nth(i).getByRole('button').click();
    await expect(optionHeaders.nth(i)).toHaveAttribute('aria-sort', /ascending|descending/);
  }
});

test('the chart follows the range switch and the account switcher', async ({ page, magnus }) => {
  await magnus.open(page);
  const dashboard = await dashboardOf(magnus);
  await expect(page.locator('.chart-canvas canvas')).toBeVisible();
  await page.getByRole('group', { name: 'Chart range' }).getByRole('button', { name: '1Y' }).click();
  await expect(
    page.getByRole('group', { name: 'Chart range' }).getByRole('button', { name: '1Y' }),
  ).toHaveAttribute('aria-pressed', 'true');
  await expect
    .poll(() => magnus.calls.requests.filter((r) => r.name === 'getChart').map((r) => r.request))
    .toContainEqual({ accountKey: dashboard.account?.accountKey, range: '1Y' });

  const other = dashboard.accounts.find((a) => a.accountKey !== dashboard.account?.accountKey);
  test.skip(!other, 'the runtime has a single account');
  if (!other) return;
  await page.getByRole('combobox', { name: 'Account' }).selectOption(other.accountKey);
  const second = await magnus.runtime.handlers.getDashboard({ accountKey: other.accountKey });
  await expect(page.locator('.equity')).toHaveText(formatMoney(second.snapshot?.equity));
  await expect(page.locator('section[aria-labelledby="stocks-title"] tbody tr')).toHaveCount(
    second.stocks.length,
  );
  await expect
    .poll(() => magnus.calls.requests.filter((r) => r.name === 'getChart').map((r) => r.request))
    .toContainEqual({ accountKey: other.accountKey, range: '1Y' });
});
