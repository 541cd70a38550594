/**
 * The status window's reads on PostgreSQL: realized P&L and dividends per calendar period (New York
 * time), closed trades filtered by period and symbol, and the All accounts view (snapshots summed,
 * positions of every account, chart series summed across accounts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../main/store/index.js';
import { ALL_ACCOUNTS } from '../../shared/models.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import { account, shortCall, snapshot, stock } from './fixtures.js';

// Monday 2 March 2026, 10:00 in New York.
const NOW = new Date('2026-03-02T15:00:00Z');
const A = '****4141';
const B = '****9999';

function trade(key: string, accountNumber: string, fields: Record<string, unknown>) {
  return {
    trade_key: key,
    account_number: accountNumber,
    asset_type: 'stock',
    instrument_id: `inst-${key}`,
    symbol: 'AAPL',
    multiplier: '1',
    direction: 'long',
    quantity: '10',
    open_date: '2025-11-03T15:00:00Z',
    open_price: '150',
    close_price: '160',
    realized_pl: '100.00',
    close_reason: 'closed',
    days_held: 10,
    open_order_id: `o-${key}`,
    open_execution_id: `e-${key}`,
    ...fields,
  };
}

function dividend(id: string, accountNumber: string, fields: Record<string, unknown>) {
  return {
    dividend_id: id,
    account_number: accountNumber,
    instrument_id: 'inst-aapl',
    symbol: 'AAPL',
    amount: '5.00',
    withholding: '0',
    state: 'paid',
    ...fields,
  };
}

describe('closed trades, realized P&L and All accounts (PostgreSQL)', () => {
  let db: TestDatabase;
  let store: Store;

  beforeAll(async () => {
    db = await createTestDatabase('closedtrades');
    store = await openStore({ kind: 'postgres', url: db.url });
    await store.transaction(async (trx) => {
      await store.accounts.upsert(
        trx,
        [account(A), account(B, { accountType: 'cash', brokerageAccountType: 'ira_roth' })],
        NOW,
      );
      await trx('trade_history').insert([
        // Today (New York), sold.
        trade('t-today', A, { close_date: '2026-03-02T14:30:00Z' }),
        // 22:00 on 1 March in New York (already 2 March in UTC): this month, not today. A short
        // sale bought back.
        trade('t-month', A, {
          symbol: 'MSFT',
          direction: 'short',
          quantity: '3',
          open_price: '410.50',
          close_price: '417.25',
          close_date: '2026-03-02T03:00:00Z',
          realized_pl: '-20.25',
        }),
        // This year, an expired short put.
        trade('t-year', A, {
          asset_type: 'option',
          option_type: 'put',
          strike_price: '140.0000',
          expiration_date: '2026-02-20',
          multiplier: '100',
          direction: 'short',
          quantity: '1',
          open_price: '0.455',
          close_price: '0',
          close_date: '2026-02-20T21:00:00Z',
          realized_pl: '45.50',
          close_reason: 'expired',
        }),
        // 22:00 on 31 December 2025 in New York (1 January in UTC): last year. A long call exercised.
        trade('t-lastyear', B, {
          asset_type: 'option',
          symbol: 'TSLA',
          option_type: 'call',
          strike_price: '250',
          expiration_date: '2025-12-31',
          multiplier: '100',
          quantity: '2',
          open_price: '3.10',
          close_price: '4.60',
          close_date: '2026-01-01T03:00:00Z',
          realized_pl: '300',
          close_reason: 'exercised',
        }),
      ]);
      await trx('dividends').insert([
        dividend('d-paid', A, {
          paid_at: '2026-02-10T13:00:00Z',
          payable_date: '2026-02-10',
          withholding: '0.50',
        }),
        dividend('d-pending', A, { state: 'pending', amount: '3.00', payable_date: '2026-03-02' }),
        dividend('d-drip', B, {
          symbol: 'KO',
          state: 'reinvested',
          amount: '2.25',
          paid_at: null,
          payable_date: '2026-03-02',
        }),
      ]);
      await store.positions.replaceForAccount(trx, A, [stock(), shortCall()], NOW);
      await store.positions.replaceForAccount(
        trx,
        B,
        [stock({ instrumentId: 'inst-ko', symbol: 'KO', name: 'Coca-Cola', quantity: '5', lastPrice: '60' })],
        NOW,
      );
      await store.snapshots.insert(trx, snapshot(A, '2026-03-02T14:00:00.000Z', { equity: '1000.00' }));
      await store.snapshots.insert(
        trx,
        snapshot(A, '2026-03-02T14:05:00.000Z', {
          equity: '1010.00',
          cash: '100.10',
          buyingPower: '200.20',
          marketValue: '909.90',
          stockValue: '800.00',
          optionsValue: '109.90',
          previousCloseEquity: '990.00',
        }),
      );
      await store.snapshots.insert(
        trx,
        snapshot(B, '2026-03-02T14:00:00.000Z', {
          equity: '500.00',
          cash: '50.05',
          buyingPower: '50.05',
          marketValue: '449.95',
          stockValue: '449.95',
          optionsValue: '0',
          previousCloseEquity: '495.00',
        }),
      );
      await trx('daily_portfolio_balances').insert([
        { account_number: A, date: '2026-02-26', ending_balance: '1000.10' },
        { account_number: A, date: '2026-02-27', ending_balance: '1100.20' },
        { account_number: B, date: '2026-02-26', ending_balance: '500.01' },
        { account_number: B, date: '2026-02-27', ending_balance: '600.02' },
      ]);
    });
  });

  afterAll(async () => {
    await store?.close();
    await db?.drop();
  });

  it('sums realized P&L and dividends received per New York calendar period, per account', async () => {
    const view = await store.closedTrades({ accountKey: A, period: 'all', symbol: null, now: NOW });
    expect(view.asOf).toBe('2026-03-02');
    expect(view.realized).toEqual({ today: '100', month: '79.75', year: '125.25', all: '125.25' });
    // Paid 5.00 less 0.50 withheld; the pending dividend is not received yet.
    expect(view.dividends).toEqual({ today: '0', month: '0', year: '4.5', all: '4.5' });
    expect(view.symbols).toEqual(['AAPL', 'MSFT']);
    expect(view.tradeCount).toBe(3);
    expect(view.filteredRealized).toBe('125.25');
    expect(view.trades.map((t) => [t.tradeKey, t.closeReason])).toEqual([
      ['t-today', 'sold'],
      ['t-month', 'bought'],
      ['t-year', 'expired'],
    ]);
    const put = view.trades[2];
    expect(put).toMatchObject({
      accountKey: A,
      assetType: 'option',
      symbol: 'AAPL',
      optionType: 'put',
      strikePrice: '140',
      expirationDate: '2026-02-20',
      direction: 'short',
      quantity: '1',
      openPrice: '0.455',
      closePrice: '0',
      realizedPl: '45.5',
      openedAt: '2025-11-03T15:00:00.000Z',
      closedAt: '2026-02-20T21:00:00.000Z',
    });
    expect(view.receivedDividends).toEqual([
      {
        dividendId: 'd-paid',
        accountKey: A,
        symbol: 'AAPL',
        paidOn: '2026-02-10',
        amount: '4.5',
        state: 'paid',
      },
    ]);
  });

  it('filters the closed trades by period and symbol; the period sums stay whole', async () => {
    const month = await store.closedTrades({ accountKey: A, period: 'month', symbol: null, now: NOW });
    expect(month.trades.map((t) => t.tradeKey)).toEqual(['t-today', 't-month']);
    expect(month.filteredRealized).toBe('79.75');
    expect(month.receivedDividends).toEqual([]);
    expect(month.realized.all).toBe('125.25');

    const aapl = await store.closedTrades({ accountKey: A, period: 'year', symbol: 'AAPL', now: NOW });
    expect(aapl.trades.map((t) => t.tradeKey)).toEqual(['t-today', 't-year']);
    expect(aapl.tradeCount).toBe(2);
    expect(aapl.filteredRealized).toBe('145.5');
    expect(aapl.receivedDividends.map((d) => d.dividendId)).toEqual(['d-paid']);

    const today = await store.closedTrades({ accountKey: A, period: 'today', symbol: 'MSFT', now: NOW });
    expect(today.trades).toEqual([]);
    expect(today.tradeCount).toBe(0);
    expect(today.filteredRealized).toBe('0');
  });

  it('All accounts: every account summed, each trade with its account', async () => {
    const view = await store.closedTrades({
      accountKey: ALL_ACCOUNTS,
      period: 'all',
      symbol: null,
      now: NOW,
    });
    expect(view.realized).toEqual({ today: '100', month: '79.75', year: '125.25', all: '425.25' });
    expect(view.dividends).toEqual({ today: '2.25', month: '2.25', year: '6.75', all: '6.75' });
    expect(view.symbols).toEqual(['AAPL', 'KO', 'MSFT', 'TSLA']);
    expect(view.trades.map((t) => [t.tradeKey, t.accountKey, t.closeReason])).toEqual([
      ['t-today', A, 'sold'],
      ['t-month', A, 'bought'],
      ['t-year', A, 'expired'],
      ['t-lastyear', B, 'exercised'],
    ]);
    expect(view.receivedDividends.map((d) => [d.dividendId, d.paidOn, d.amount])).toEqual([
      ['d-drip', '2026-03-02', '2.25'],
      ['d-paid', '2026-02-10', '4.5'],
    ]);
    const limited = await store.closedTrades({
      accountKey: ALL_ACCOUNTS,
      period: 'all',
      symbol: null,
      now: NOW,
      limit: 2,
    });
    expect(limited.trades).toHaveLength(2);
    expect(limited.tradeCount).toBe(4);
  });

  it('the All accounts dashboard sums the latest snapshots and lists every position with its account', async () => {
    const one = await store.dashboard({ accountKey: A, now: NOW });
    expect(one.scope).toBe('account');
    expect(one.snapshot?.equity).toBe('1010.00');

    const all = await store.dashboard({ accountKey: ALL_ACCOUNTS, now: NOW });
    expect(all.scope).toBe('all');
    expect(all.account).toBeNull();
    expect(all.accounts.map((a) => a.accountKey)).toEqual([A, B]);
    expect(all.snapshot).toMatchObject({
      accountKey: ALL_ACCOUNTS,
      equity: '1510',
      cash: '150.15',
      buyingPower: '250.25',
      marketValue: '1359.85',
      stockValue: '1249.95',
      optionsValue: '109.9',
      previousCloseEquity: '1485',
      dayChange: '25',
      // The older of the two latest snapshots.
      takenAt: '2026-03-02T14:00:00.000Z',
    });
    expect(all.stocks.map((s) => [s.accountKey, s.symbol])).toEqual([
      [A, 'AAPL'],
      [B, 'KO'],
    ]);
    expect(all.options.map((o) => [o.accountKey, o.symbol])).toEqual([[A, 'F']]);
  });

  it('the All accounts chart sums daily balances per day and snapshots per bucket', async () => {
    const year = await store.chart({ accountKey: ALL_ACCOUNTS, range: '1Y', now: NOW });
    expect(year.points.map((p) => p.equity)).toEqual(['1500.11', '1700.22']);
    const ever = await store.chart({ accountKey: ALL_ACCOUNTS, range: 'ALL', now: NOW });
    expect(ever.points.map((p) => p.equity)).toEqual(['1500.11', '1700.22']);
    // One account alone is not summed.
    const single = await store.chart({ accountKey: B, range: '1Y', now: NOW });
    expect(single.points.map((p) => p.equity)).toEqual(['500.01', '600.02']);

    const day = await store.chart({ accountKey: ALL_ACCOUNTS, range: '1D', now: NOW });
    // 14:00 both accounts (1000 + 500); 14:05 account A moved (1010) and B counts with its last.
    expect(day.points).toEqual([
      { t: '2026-03-02T14:00:00.000Z', equity: '1500' },
      { t: '2026-03-02T14:05:00.000Z', equity: '1510' },
    ]);
  });
});
