/**
 * The whole sync against the simulator over a socket, on the embedded server and on a fresh PostgreSQL database:
 * what lands in the store, delta writes, exact request counts, incremental history, no duplicates,
 * and streams that roll back as a whole.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../main/util/clock.js';
import { Dec } from '../../main/util/money.js';
import { BACKENDS, createSyncHarness, type SyncHarness } from '../helpers/sync-harness.js';

const harnesses: SyncHarness[] = [];
afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.close();
});

async function harness(...args: Parameters<typeof createSyncHarness>): Promise<SyncHarness> {
  const h = await createSyncHarness(...args);
  harnesses.push(h);
  return h;
}

async function tableCounts(h: SyncHarness) {
  const knex = h.runtime.store()!.knex;
  const count = async (table: string) => Number((await knex(table).count({ n: '*' }))[0]!.n);
  return {
    positions: await count('positions'),
    orders: await count('orders'),
    trades: await count('trade_history'),
    snapshots: await count('portfolio_snapshots'),
    runs: await count('sync_runs'),
  };
}

function openStockCount(h: SyncHarness): number {
  return h.sim.state.stockPositions.filter((p) => !new Dec(p.quantity).isZero()).length;
}
function openLegCount(h: SyncHarness): number {
  return h.sim.state.optionPositions.filter((p) => !new Dec(p.quantity).isZero()).length;
}

describe.each(BACKENDS)('sync on %s', (backend) => {
  it('mirrors the account: every open position, the Greeks as reported, the whole order history', async () => {
    const h = await harness({ backend });
    const outcome = await h.runtime.syncOnce('cli', 'force');
    expect(outcome.error).toBeNull();
    expect(outcome.status).toBe('success');

    const knex = h.runtime.store()!.knex;
    const stocks = await knex('positions').where({ asset_type: 'stock' });
    const options = await knex('positions').where({ asset_type: 'option' });
    expect(stocks).toHaveLength(openStockCount(h));
    expect(options).toHaveLength(openLegCount(h));

    // Greeks are the simulator's own values for each leg's contract, not estimates.
    const optionIdBySymbol = new Map(h.sim.state.optionInstruments.map((o) => [o.id, o]));
    expect(optionIdBySymbol.size).toBeGreaterThan(0);
    for (const row of options) {
      const md = h.sim.state.optionMarketData.find(
        (m) =>
          optionIdBySymbol.get(m.optionId)?.chainSymbol === row.symbol &&
          new Dec(optionIdBySymbol.get(m.optionId)!.strikePrice).eq(row.strike_price) &&
          optionIdBySymbol.get(m.optionId)!.type === row.option_type &&
          optionIdBySymbol.get(m.optionId)!.expirationDate ===
            (row.expiration_date instanceof Date
              ? row.expiration_date.toISOString().slice(0, 10)
              : String(row.expiration_date).slice(0, 10)),
      );
      expect(md, `market data for ${row.symbol} ${row.strike_price}`).toBeDefined();
      if (md?.delta) expect(new Dec(row.delta).eq(md.delta)).toBe(true);
      if (md?.theta) expect(new Dec(row.theta).eq(md.theta)).toBe(true);
      if (md?.impliedVolatility) expect(new Dec(row.implied_volatility).eq(md.impliedVolatility)).toBe(true);
      expect(
        new Dec(row.last_price).eq(md!.adjustedMarkPrice) || new Dec(row.last_price).eq(md!.markPrice),
      ).toBe(true);
    }

    const counts = await tableCounts(h);
    expect(counts.orders).toBe(h.sim.state.stockOrders.length + h.sim.state.optionOrders.length);
    expect(counts.trades).toBeGreaterThan(0);
    expect(counts.snapshots).toBe(1);
    expect(counts.runs).toBe(1);
    expect(outcome.counts).toMatchObject({
      accounts: 1,
      stockPositions: openStockCount(h),
      optionPositions: openLegCount(h),
      orders: counts.orders,
      trades: counts.trades,
    });
  });

  it('syncs every account of the login, each under its own masked key', async () => {
    const h = await harness({
      backend,
      scenario: {
        seed: 8,
        accounts: [
          { type: 'margin', stocks: 5, optionLegs: 4, stockOrders: 20, optionOrders: 10 },
          { type: 'cash', brokerageAccountType: 'ira_roth', stocks: 4, stockOrders: 12, dividends: 3 },
        ],
      },
    });
    const outcome = await h.runtime.syncOnce('cli', 'force');
    expect(outcome.status).toBe('success');
    expect(outcome.accounts).toHaveLength(2);
    const knex = h.runtime.store()!.knex;
    const accounts = await knex('trading_accounts').orderBy('account_number');
    expect(accounts).toHaveLength(2);
    for (const a of accounts) {
      expect(a.account_number).toMatch(/^\*{4}[A-Za-z0-9]{1,4}/);
      const full = h.sim.state.accounts.map((x) => x.accountNumber);
      expect(full).not.toContain(a.account_number);
    }
    const perAccount = await knex('portfolio_snapshots')
      .select('account_number')
      .count({ n: '*' })
      .groupBy('account_number');
    expect(perAccount.map((r) => Number(r.n))).toEqual([1, 1]);
    expect(outcome.counts.orders).toBe(h.sim.state.stockOrders.length + h.sim.state.optionOrders.length);
  });

  it('writes only the snapshot and the run record when nothing changed, and never duplicates', async () => {
    const h = await harness({ backend });
    await h.runtime.syncOnce('cli', 'force');
    const before = await tableCounts(h);
    const positionsBefore = await h.runtime.store()!.knex('positions').orderBy('position_key');

    const again = await h.runtime.syncOnce('cli', 'force');
    expect(again.status).toBe('success');
    const after = await tableCounts(h);
    expect(after).toEqual({ ...before, snapshots: before.snapshots + 1, runs: before.runs + 1 });
    const positionsAfter = await h.runtime.store()!.knex('positions').orderBy('position_key');
    expect(positionsAfter).toEqual(positionsBefore);
  });

  it('steady state for 100 stocks and 50 option legs takes 8 requests', async () => {
    const h = await harness({
      backend,
      scenario: {
        seed: 5,
        accounts: [
          { stocks: 100, optionLegs: 50, multiLegStrategies: 10, stockOrders: 150, optionOrders: 80 },
        ],
      },
    });
    const first = await h.runtime.syncOnce('cli', 'force');
    expect(first.status).toBe('success');
    h.sim.clearRequests();
    const steady = await h.runtime.syncOnce('schedule', 'skip');
    expect(steady.status).toBe('success');
    expect(h.sim.requests.map((r) => r.path)).toHaveLength(8);
    expect(steady.apiRequests).toBe(8);
  });

  it('reads the trade history incrementally: one request per stream when nothing is new, new orders picked up', async () => {
    const h = await harness({ backend });
    await h.runtime.syncOnce('cli', 'force');
    const before = await tableCounts(h);

    h.sim.clearRequests();
    await h.runtime.syncOnce('cli', 'force');
    const historyRequests = h.sim.requests.filter((r) => /^\/(orders|options\/orders)\/$/.test(r.path));
    expect(historyRequests).toHaveLength(2);
    for (const r of historyRequests) expect(r.query['updated_at[gte]']).toBeTruthy();

    // The broker updates an order (e.g. a late fill of a cancelled one): it is re-read, not duplicated.
    const order = h.sim.state.stockOrders[h.sim.state.stockOrders.length - 1]!;
    order.updatedAt = new Date(Date.parse(h.scenario.now) + 60_000).toISOString();
    await h.runtime.syncOnce('cli', 'force');
    const after = await tableCounts(h);
    expect(after.orders).toBe(before.orders);
    expect(after.trades).toBe(before.trades);
  });

  it('rebuilds the trade history only when its fills, events, day or open options changed', async () => {
    let offsetMs = 0;
    const clock = { ...systemClock, now: () => new Date(Date.now() + offsetMs) };
    const h = await harness({ backend, runtime: { clock } });
    await h.runtime.prepare();
    const store = h.runtime.store()!;
    const rebuild = store.rebuildTradeHistory;
    let rebuilds = 0;
    (store as { rebuildTradeHistory: typeof rebuild }).rebuildTradeHistory = (...args) => {
      rebuilds += 1;
      return rebuild(...args);
    };

    const first = await h.runtime.syncOnce('cli', 'force');
    expect(first.status).toBe('success');
    expect(rebuilds).toBe(1);
    const trades = first.counts.trades;
    expect(trades).toBeGreaterThan(0);

    // Nothing new at the broker, same day, same open options: the stored trades stand.
    const same = await h.runtime.syncOnce('cli', 'force');
    expect(same.status).toBe('success');
    expect(rebuilds).toBe(1);
    expect(same.counts.trades).toBe(trades);
    expect((await tableCounts(h)).trades).toBe(trades);

    // A new day: an option may have expired.
    offsetMs = 86_400_000;
    const nextDay = await h.runtime.syncOnce('cli', 'force');
    expect(nextDay.error).toBeNull();
    expect(rebuilds).toBe(2);

    // An option position the broker no longer reports (closed without an order we saw).
    h.sim.state.optionPositions.splice(0, 1);
    expect((await h.runtime.syncOnce('cli', 'force')).status).toBe('success');
    expect(rebuilds).toBe(3);

    // New fills: a buy, then a sale of part of it, so a lot is certainly open to close.
    const held = h.sim.state.stockPositions.find((p) => new Dec(p.quantity).gt(0))!;
    const symbol = h.sim.state.instruments.find((i) => i.id === held.instrumentId)!.symbol;
    for (const [side, quantity] of [
      ['buy', '2'],
      ['sell', '1'],
    ] as const) {
      const order = h.sim.addStockOrder({
        accountNumber: held.accountNumber,
        symbol,
        side,
        quantity,
        price: '10.00',
        state: 'confirmed',
      });
      h.sim.fillOrder(order.id);
    }
    const afterSale = await h.runtime.syncOnce('cli', 'force');
    expect(afterSale.status).toBe('success');
    expect(rebuilds).toBe(4);
    expect(afterSale.counts.trades).toBeGreaterThan(trades);
  });

  it('keeps the history stream whole when page 3 fails, and the next cycle matches a clean sync', async () => {
    const h = await harness({
      backend,
      scenario: { seed: 3, accounts: [{ stocks: 5, optionLegs: 2, stockOrders: 220, optionOrders: 4 }] },
      simulator: { pageSize: 50 },
    });
    h.sim.inject({ kind: 'status', status: 500, match: { path: '/orders/' }, skip: 2, times: Infinity });
    const faulty = await h.runtime.syncOnce('cli', 'force');
    expect(faulty.status).toBe('partial');
    expect(faulty.error?.kind).toBe('broker');
    const knex = h.runtime.store()!.knex;
    expect(Number((await knex('orders').count({ n: '*' }))[0]!.n)).toBe(0);
    expect(Number((await knex('trade_history').count({ n: '*' }))[0]!.n)).toBe(0);
    expect(await knex('sync_state').where({ stream: 'history' })).toHaveLength(0);
    // The account state committed on its own.
    expect(Number((await knex('positions').count({ n: '*' }))[0]!.n)).toBe(
      openStockCount(h) + openLegCount(h),
    );

    h.sim.clearFaults();
    const recovered = await h.runtime.syncOnce('cli', 'force');
    expect(recovered.status).toBe('success');
    expect(Number((await knex('orders').count({ n: '*' }))[0]!.n)).toBe(
      h.sim.state.stockOrders.length + h.sim.state.optionOrders.length,
    );
  });

  it('rolls the account stream back as a whole when market data fails', async () => {
    const h = await harness({ backend });
    await h.runtime.syncOnce('cli', 'force');
    const knex = h.runtime.store()!.knex;
    const before = await knex('positions').orderBy('position_key');
    const snapshotsBefore = Number((await knex('portfolio_snapshots').count({ n: '*' }))[0]!.n);
    h.sim.movePrices({ fraction: 1, maxPercent: 5, seed: 9 });
    h.sim.inject({ kind: 'status', status: 503, match: { path: '/marketdata/options/' }, times: Infinity });
    const outcome = await h.runtime.syncOnce('cli', 'skip');
    expect(outcome.status).toBe('failed');
    expect(await knex('positions').orderBy('position_key')).toEqual(before);
    expect(Number((await knex('portfolio_snapshots').count({ n: '*' }))[0]!.n)).toBe(snapshotsBefore);

    h.sim.clearFaults();
    expect((await h.runtime.syncOnce('cli', 'skip')).status).toBe('success');
    expect(await knex('positions').orderBy('position_key')).not.toEqual(before);
  });
});
