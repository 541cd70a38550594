/**
 * Closed trades, realized P&L and All accounts in the status window, against the real runtime
 * syncing the simulator on a fixed date (fixed-simulator.ts). Every value expected here is a literal
 * read off the simulator's scenario, not computed with the product's own code.
 */
import { readFile } from 'node:fs/promises';
import type { Locator, Page } from '@playwright/test';
import { FIXED_NOW, fixedSimulatorHarness } from './fixed-simulator.js';
import { expect, test } from './fixtures.js';

test.use({ harnessFactory: fixedSimulatorHarness(), viewport: { width: 1100, height: 800 } });

const closed = (page: Page) => page.locator('section[aria-labelledby="closed-title"]');
const tradeRows = (page: Page) => closed(page).locator('.closed-trades-table tbody tr');

async function expectSums(section: Locator, label: string, values: string[]): Promise<void> {
  const row = section.locator('.period-row', { hasText: label });
  await expect(row.locator('dt')).toHaveText(['Today', 'This month', 'This year', 'All time']);
  await expect(row.locator('dd')).toHaveText(values);
}

test('realized P&L per period, the closed trades table and dividends, per account and for all', async ({
  page,
  magnus,
}) => {
  await magnus.open(page);
  const section = closed(page);

  // The first account (****4586) is shown at start.
  await expectSums(section, 'Realized P&L', ['$0.00', '-$123.44', '+$3,076.48', '+$3,076.48']);
  await expectSums(section, 'Dividends received', ['$0.00', '$0.00', '+$8.32', '+$8.32']);
  await expect(tradeRows(page)).toHaveCount(10);
  await expect(section.locator('.filtered-total')).toHaveText('10 trades, realized +$3,076.48');

  // All accounts: both accounts summed, each trade with its account.
  await page.getByRole('combobox', { name: 'Account' }).selectOption({ label: 'All accounts' });
  await expectSums(section, 'Realized P&L', ['+$21.00', '-$277.18', '+$6,138.38', '+$6,138.38']);
  await expect(tradeRows(page)).toHaveCount(17);
  await expect(tradeRows(page).first().locator('th .symbol, th .account-cell, td')).toHaveText([
    'MSFT',
    '****9749',
    'Stock',
    '2',
    'Nov 27',
    'Nov 27',
    '$400.00',
    '$410.50',
    '+$21.00',
    'Sold',
  ]);
  const assigned = tradeRows(page).filter({ hasText: 'Assigned' });
  await expect(assigned.locator('th .symbol, th .account-cell, td')).toHaveText([
    'AAPL',
    '****4586',
    'Short put 220 Mar 27, 2026',
    '2',
    'Mar 23',
    'Mar 27',
    '$16.28',
    '$0.00',
    '+$3,255.94',
    'Assigned',
  ]);
  await expect(tradeRows(page).filter({ hasText: 'Expired' })).toContainText('Short call 147.50 Apr 3, 2026');
  await expect(tradeRows(page).filter({ hasText: 'Bought to close' })).toHaveCount(2);
  const dividends = section.locator('.dividends-table tbody tr');
  await expect(dividends).toHaveText([
    /May 21, 2026\s*GOOGL\s*\*\*\*\*4586\s*\+\$5\.00/,
    /Mar 2, 2026\s*MSFT/,
  ]);

  // Filter: this month, GOOGL.
  await section.getByRole('button', { name: 'This month' }).click();
  await section.getByRole('combobox', { name: 'Symbol' }).selectOption('GOOGL');
  await expect(tradeRows(page)).toHaveCount(6);
  await expect(section.locator('.filtered-total')).toHaveText('6 trades, realized -$380.70');
  // The period sums stay those of every symbol.
  await expectSums(section, 'Realized P&L', ['+$21.00', '-$277.18', '+$6,138.38', '+$6,138.38']);
  await expect(section.locator('.dividends-table')).toHaveCount(0);

  // Sort by realized P&L: largest first, then smallest first.
  const pl = section.getByRole('button', { name: 'Realized P&L' });
  await pl.click();
  await expect(section.getByRole('columnheader', { name: 'Realized P&L' })).toHaveAttribute(
    'aria-sort',
    'descending',
  );
  await expect(tradeRows(page).locator('td:nth-child(8)')).toHaveText([
    '+$23.67',
    '+$14.36',
    '+$1.91',
    '+$0.48',
    '-$191.06',
    '-$230.06',
  ]);
  await pl.click();
  await expect(tradeRows(page).first().locator('td').nth(6)).toHaveText('-$230.06');

  // The CSV holds exactly the rows shown, in the order shown, amounts exact.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    section.getByRole('button', { name: 'Export CSV' }).click(),
  ]);
  expect(download.suggestedFilename()).toBe('closed-trades-all-accounts-this-month-GOOGL-2026-11-27.csv');
  const csv = await readFile(await download.path(), 'utf8');
  const lines = csv.split('\r\n');
  expect(lines[0]).toBe(
    'Account,Symbol,Asset,Option type,Strike,Expiration,Direction,Quantity,Opened,Closed,Open price,Close price,Realized P&L,Realized P&L %,Closed by',
  );
  expect(lines.slice(1, -1).map((l) => l.split(',').slice(0, 13).join(','))).toEqual([
    '****4586,GOOGL,option,call,177.5,2026-12-04,long,1,2026-11-06T19:07:56.530Z,2026-11-18T18:40:33.838Z,9.63,7.33,-230.06',
    '****9749,GOOGL,option,put,190,2027-01-29,short,1,2026-10-20T18:40:49.082Z,2026-11-09T16:28:20.624Z,26.94,28.85,-191.06',
    '****9749,GOOGL,stock,,,,long,1,2026-06-30T20:26:20.092Z,2026-11-20T16:06:13.885Z,182.1989,182.6799,0.481',
    '****9749,GOOGL,stock,,,,long,4,2026-06-30T20:26:20.092Z,2026-11-20T16:06:11.881Z,182.1989,182.676,1.9084',
    '****9749,GOOGL,stock,,,,long,6,2026-09-07T19:42:02.561Z,2026-11-20T16:06:13.885Z,180.2865,182.6799,14.3604',
    '****4586,GOOGL,stock,,,,long,8,2026-04-02T17:18:59.663Z,2026-11-17T20:32:00.267Z,170.4303,173.3891,23.6704',
  ]);
  expect(lines.slice(1, -1).map((l) => l.split(',').at(-1))).toEqual([
    'Sold',
    'Bought to close',
    'Sold',
    'Sold',
    'Sold',
    'Sold',
  ]);
  expect(lines.at(-1)).toBe('');

  // Every request the panel made went through the contract with the filter it showed.
  expect(magnus.calls.requests.filter((r) => r.name === 'getClosedTrades').at(-1)?.request).toEqual({
    accountKey: 'all',
    period: 'month',
    symbol: 'GOOGL',
  });
});

test('All accounts: summed value, cash, buying power and P&L, every position with its account, a summed chart', async ({
  page,
  magnus,
}) => {
  await magnus.open(page);
  const summary = page.locator('section.summary');
  await expect(summary.locator('.equity')).toHaveText('$21,877.18');
  await page.getByRole('combobox', { name: 'Account' }).selectOption({ label: 'All accounts' });
  await expect(summary.locator('.equity')).toHaveText('$38,261.66');
  await expect(summary.locator('.label').first()).toHaveText('Portfolio value, 2 accounts');
  await expect(summary.locator('.metrics dd')).toHaveText([
    '$29,543.26',
    '$29,543.26',
    '$19,246.40',
    '-$10,526.00',
  ]);
  await expect(summary.locator('.day-change')).toContainText('-$388.42');

  const stocks = page.locator('section[aria-labelledby="stocks-title"] tbody tr');
  await expect(stocks).toHaveCount(7);
  await expect(stocks.locator('.account-cell')).toHaveText([
    /\*\*\*\*(4586|9749)/,
    /\*\*\*\*(4586|9749)/,
    /\*\*\*\*(4586|9749)/,
    /\*\*\*\*(4586|9749)/,
    /\*\*\*\*(4586|9749)/,
    /\*\*\*\*(4586|9749)/,
    /\*\*\*\*(4586|9749)/,
  ]);
  await expect(stocks.filter({ hasText: '****9749' })).toHaveCount(3);
  await expect(stocks.filter({ hasText: 'MSFT' })).toHaveCount(2);
  await expect(
    page.locator(
      '.options-table tbody tr:not(.strategy-row) .account-cell, .options-table .strategy-row .account-cell',
    ),
  ).not.toHaveCount(0);

  // The chart asks for the sum of the accounts and draws it.
  await expect
    .poll(() => magnus.calls.requests.filter((r) => r.name === 'getChart').at(-1)?.request)
    .toEqual({ accountKey: 'all', range: '1M' });
  await expect(page.locator('.chart-frame')).toHaveAttribute(
    'aria-label',
    'Portfolio value, past month: from $38,261.66 to $38,261.66',
  );

  // Back to one account.
  await page.getByRole('combobox', { name: 'Account' }).selectOption('****9749');
  await expect(summary.locator('.equity')).toHaveText('$16,384.48');
  await expect(stocks).toHaveCount(3);
  await expect(page.locator('section[aria-labelledby="stocks-title"] .account-cell')).toHaveCount(0);
});

for (const colorScheme of ['light', 'dark'] as const) {
  test(`screenshots: All accounts with closed trades (${colorScheme})`, async ({ page, magnus }) => {
    await page.setViewportSize({ width: 900, height: 650 });
    await page.emulateMedia({ colorScheme });
    // The page's clock agrees with the runtime's ("synced just now", not days ago).
    await page.clock.setFixedTime(new Date(FIXED_NOW.getTime() + 5_000));
    await magnus.open(page);
    await page.getByRole('combobox', { name: 'Account' }).selectOption({ label: 'All accounts' });
    await expect(tradeRows(page)).toHaveCount(17);
    await expect(page.locator('.chart-canvas canvas')).toBeVisible();
    const dir = 'test-results/screenshots';
    await page.screenshot({ path: `${dir}/status-all-accounts-${colorScheme}.png` });
    await page.screenshot({ path: `${dir}/status-all-accounts-${colorScheme}-full.png`, fullPage: true });
    // Scroll the section to just under the sticky header (the page is at the top here).
    const top = (await closed(page).boundingBox())?.y ?? 0;
    const header = (await page.locator('.status-header').boundingBox())?.height ?? 0;
    await page.mouse.wheel(0, top - header - 8);
    await expect.poll(async () => (await closed(page).boundingBox())?.y).toBeLessThan(header + 20);
    await page.screenshot({ path: `${dir}/closed-trades-${colorScheme}.png` });
  });
}
