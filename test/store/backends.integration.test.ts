/**
 * Every repository and read, run against both backends: the system PostgreSQL 15 and the embedded
 * PostgreSQL 17 server the app runs. One database per backend for the whole file; each test uses
 * its own account key.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matchLots, type Store, StoreInputError } from '../../main/store/index.js';
import type { ChartSeries, Dashboard, SyncStats } from '../../shared/models.js';
import {
  account,
  BACKENDS,
  nextAccountKey,
  shortCall,
  snapshot,
  stock,
  stockFill,
  stockOrder,
} from './fixtures.js';

const T0 = new Date('2026-03-02T15:00:00.000Z');
const T1 = new Date('2026-03-02T15:05:00.000Z');
const T2 = new Date('2026-03-02T15:10:00.000Z');

async function collect(chunks: AsyncIterable<string>): Promise<string> {
  let out = '';
  for await (const chunk of chunks) out += chunk;
  return out;
}

describe.each(BACKENDS)('store on $name', (backend) => {
  let store: Store;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    ({ store, cleanup } = await backend.open());
  });
  afterAll(async () => {
    await cleanup?.();
  });

  async function withAccount(key = nextAccountKey()): Promise<string> {
    await store.transaction((trx) => store.accounts.upsert(trx, [account(key)], T0));
    return key;
  }

  it('returns the same result types from the driver: counts as numbers, numeric as text, dates as text', async () => {
    const result = await store.knex.raw(
      `select count(*) as n, 12345678901::bigint as big, 1.50::numeric as money, date '2026-03-20' as day,
              timestamptz '2026-03-02 15:00:00+00' as at, '{"a":1}'::jsonb as doc`,
    );
    expect(result.rows[0]).toEqual({
      n: 1,
      big: 12345678901,
      money: '1.50',
      day: '2026-03-20',
      at: new Date('2026-03-02T15:00:00.000Z'),
      doc: { a: 1 },
    });
  });

  describe('trading_accounts', () => {
    it('inserts, skips identical rows, updates changed ones and moves updated_at only then', async () => {
      const key = nextAccountKey();
      expect(await store.transaction((trx) => store.accounts.upsert(trx, [account(key)], T0))).toEqual({
        inserted: 1,
        updated: 0,
        deleted: 0,
      });
      // Same values written with another scale: numerically equal, so not a change.
      const same = account(key, { cash: '1523.41' });
      expect(await store.transaction((trx) => store.accounts.upsert(trx, [same], T1))).toEqual({
        inserted: 0,
        updated: 0,
        deleted: 0,
      });
      expect((await store.accounts.get(store.knex, key))?.updatedAt).toBe(T0.toISOString());
      const changed = account(key, { buyingPower: '1000.00' });
      expect(await store.transaction((trx) => store.accounts.upsert(trx, [changed], T2))).toEqual({
        inserted: 0,
        updated: 1,
        deleted: 0,
      });
      const record = await store.accounts.get(store.knex, key);
      expect(record).toMatchObject({
        accountNumber: key,
        broker: 'demo',
        buyingPower: '1000.00',
        cash: '1523.4100',
        firstSeenAt: T0.toISOString(),
        updatedAt: T2.toISOString(),
      });
    });

    it('refuses a full account number and writes nothing', async () => {
      const before = await store.accounts.list(store.knex);
      await expect(
        store.transaction((trx) => store.accounts.upsert(trx, [account('5QR24141')], T0)),
      ).rejects.toThrow(/accounts\[0\]\.accountNumber: must be a masked account key/);
      expect(await store.accounts.list(store.knex)).toEqual(before);
    });
  });

  describe('positions', () => {
    it('derives values with the sign conventions and writes only what changed', async () => {
      const key = await withAccount();
      const first = await store.transaction((trx) =>
        store.positions.replaceForAccount(trx, key, [stock(), shortCall()], T0),
      );
      expect(first).toEqual({ inserted: 2, updated: 0, deleted: 0 });
      const [option, aapl] = [
        ...(await store.positions.list(store.knex, key, 'option')),
        ...(await store.positions.list(store.knex, key, 'stock')),
      ];
      expect(aapl).toMatchObject({
        positionKey: 'stock:inst-aapl:long',
        multiplier: '1',
        marketValue: '365.04',
        costBasis: '363.93',
        unrealizedPl: '1.11',
        unrealizedPlPercent: '0.305',
      });
      // A short call sold at 0.29 (29 per contract), marked at 0.12: worth -12, a gain of 17.
      expect(option).toMatchObject({
        positionKey: 'option:opt-f-1150c:short',
        direction: 'short',
        averagePrice: '0.29',
        multiplier: '100.0000',
        marketValue: '-12',
        costBasis: '-29',
        unrealizedPl: '17',
        unrealizedPlPercent: '58.6207',
        delta: '0.251234',
        expirationDate: '2026-03-20',
        syncedAt: T0.toISOString(),
      });

      const again = await store.transaction((trx) =>
        store.positions.replaceForAccount(
          trx,
          key,
          [stock({ quantity: '2', averagePrice: '181.965' }), shortCall()],
          T1,
        ),
      );
      expect(again).toEqual({ inserted: 0, updated: 0, deleted: 0 });

      const moved = await store.transaction((trx) =>
        store.positions.replaceForAccount(trx, key, [stock({ lastPrice: '183' }), shortCall()], T2),
      );
      expect(moved).toEqual({ inserted: 0, updated: 1, deleted: 0 });
      const after = await store.positions.list(store.knex, key);
      expect(after.map((p) => [p.symbol, p.syncedAt, p.firstSeenAt])).toEqual([
        ['F', T0.toISOString(), T0.toISOString()],
        ['AAPL', T2.toISOString(), T0.toISOString()],
      ]);

      const closed = await store.transaction((trx) =>
        store.positions.replaceForAccount(trx, key, [stock({ lastPrice: '183' })], T2),
      );
      expect(closed).toEqual({ inserted: 0, updated: 0, deleted: 1 });
      const none = await store.transaction((trx) => store.positions.replaceForAccount(trx, key, [], T2));
      expect(none).toEqual({ inserted: 0, updated: 0, deleted: 1 });
      expect(await store.positions.list(store.knex, key)).toEqual([]);
    });

    it('refuses bad rows with a message naming the field, and writes nothing', async () => {
      const key = await withAccount();
      await store.transaction((trx) => store.positions.replaceForAccount(trx, key, [stock()], T0));
      await expect(
        store.transaction((trx) =>
          store.positions.replaceForAccount(
            trx,
            key,
            [stock({ instrumentId: 'x' }), stock({ instrumentId: 'y', quantity: '-1' })],
            T1,
          ),
        ),
      ).rejects.toThrow(new StoreInputError('positions[1].quantity: must be greater than zero'));
      await expect(
        store.transaction((trx) => store.positions.replaceForAccount(trx, key, [stock(), stock()], T1)),
      ).rejects.toThrow(/two rows for the same position/);
      expect((await store.positions.list(store.knex, key)).map((p) => p.instrumentId)).toEqual(['inst-aapl']);
    });

    it('counts the stock and option positions each account holds', async () => {
      const key = await withAccount();
      const other = await withAccount();
      await store.transaction((trx) =>
        store.positions.replaceForAccount(trx, key, [stock(), shortCall()], T0),
      );
      await store.transaction((trx) => store.positions.replaceForAccount(trx, other, [stock()], T0));
      const counts = await store.positionCounts();
      expect(counts.find((c) => c.account === key)).toEqual({ account: key, stock: 1, option: 1 });
      expect(counts.find((c) => c.account === other)).toEqual({ account: other, stock: 1, option: 0 });
    });

    it('lists the option instruments the account holds', async () => {
      const key = await withAccount();
      await store.transaction((trx) =>
        store.positions.replaceForAccount(trx, key, [stock(), shortCall()], T0),
      );
      expect(await store.positions.openOptionInstrumentIds(store.knex, key)).toEqual(['opt-f-1150c']);
    });
  });

  it('rolls a whole transaction back when a step fails, leaving nothing', async () => {
    const key = nextAccountKey();
    await expect(
      store.transaction(async (trx) => {
        await store.accounts.upsert(trx, [account(key)], T0);
        await store.positions.replaceForAccount(trx, key, [stock()], T0);
        await store.snapshots.insert(trx, snapshot(key, T0.toISOString()));
        throw new Error('broker went away mid-cycle');
      }),
    ).rejects.toThrow('broker went away mid-cycle');
    expect(await store.accounts.get(store.knex, key)).toBeNull();
    expect(await store.positions.list(store.knex, key)).toEqual([]);
    expect(await store.snapshots.latest(store.knex, key)).toBeNull();
  });

  it('rolls back when the database refuses a row mid-stream', async () => {
    const key = nextAccountKey();
    await expect(
      store.transaction(async (trx) => {
        await store.accounts.upsert(trx, [account(key)], T0);
        // A fill of an order that does not exist violates the foreign key.
        await store.orders.upsert(trx, [], [stockFill(key, 'missing-order', 'x1')], T0);
      }),
    ).rejects.toThrow();
    expect(await store.accounts.get(store.knex, key)).toBeNull();
  });

  describe('orders and fills', () => {
    it('upserts delta-wise, masks account numbers in the raw payload, keeps cancelled partial fills', async () => {
      const key = await withAccount();
      const orders = [
        stockOrder(key, `${key}-o1`),
        stockOrder(key, `${key}-o2`, {
          state: 'cancelled',
          side: 'sell',
          quantity: '10',
          filledQuantity: '1',
          averagePrice: '190',
          positionEffect: 'close',
          createdAt: '2026-01-20T15:00:00Z',
          updatedAt: '2026-01-20T15:30:00Z',
        }),
      ];
      const fills = [
        stockFill(key, `${key}-o1`, 'e1', { quantity: '1.5', price: '181.9' }),
        stockFill(key, `${key}-o1`, 'e2', {
          quantity: '0.5',
          price: '182.16',
          executedAt: '2026-01-14T14:32:28.900000Z',
        }),
        stockFill(key, `${key}-o2`, 'e1', {
          side: 'sell',
          positionEffect: 'close',
          quantity: '1',
          price: '190',
          fees: '0.01',
          executedAt: '2026-01-20T15:10:00Z',
        }),
      ];
      expect(await store.transaction((trx) => store.orders.upsert(trx, orders, fills, T0))).toEqual({
        inserted: 5,
        updated: 0,
        deleted: 0,
      });
      // Overlapping pages repeat an order: the copy is merged, nothing changes.
      expect(
        await store.transaction((trx) => store.orders.upsert(trx, [...orders, orders[0]!], fills, T1)),
      ).toEqual({
        inserted: 0,
        updated: 0,
        deleted: 0,
      });
      const filled = { ...orders[1]!, updatedAt: '2026-01-20T15:31:00Z', state: 'cancelled' };
      expect(await store.transaction((trx) => store.orders.upsert(trx, [filled], [], T2))).toEqual({
        inserted: 0,
        updated: 1,
        deleted: 0,
      });

      const listed = await store.orders.list(store.knex, key);
      expect(listed.map((o) => [o.orderId, o.state, o.filledQuantity, o.syncedAt])).toEqual([
        [`${key}-o2`, 'cancelled', '1', T2.toISOString()],
        [`${key}-o1`, 'filled', '2', T0.toISOString()],
      ]);
      expect(listed[1]?.createdAt).toBe('2026-01-14T14:32:27.948Z');
      const raw = await store
        .knex('orders')
        .where({ order_id: `${key}-o1` })
        .first('raw');
      expect(raw.raw).toEqual({
        id: `${key}-o1`,
        account: 'https://api.robinhood.com/accounts/****4141/',
        account_number: '****4141',
        state: 'filled',
      });
      expect(JSON.stringify(await store.knex('orders').select('raw'))).not.toContain('5QR24141');
      expect(await store.orders.latestUpdatedAt(store.knex, key, 'stock')).toBe('2026-01-20T15:31:00.000Z');
      expect(await store.orders.countExecutions(store.knex, key)).toBe(3);

      const fifo = await store.orders.fifoExecutions(store.knex, key);
      expect(fifo.map((e) => [e.orderId, e.executionId, e.side, e.quantity, e.multiplier])).toEqual([
        [`${key}-o1`, 'e1', 'buy', '1.5', '1'],
        [`${key}-o1`, 'e2', 'buy', '0.5', '1'],
        [`${key}-o2`, 'e1', 'sell', '1', '1'],
      ]);
    });
  });

  describe('trade_history', () => {
    it('rebuilds from stored fills and events, idempotently, and follows new fills', async () => {
      const key = await withAccount();
      const optionFill = {
        assetType: 'option' as const,
        instrumentId: 'opt-put',
        symbol: 'F',
        multiplier: '100',
        optionType: 'put' as const,
        strikePrice: '10',
        expirationDate: '2026-02-20',
      };
      await store.transaction(async (trx) => {
        await store.orders.upsert(
          trx,
          [
            stockOrder(key, `${key}-b`),
            stockOrder(key, `${key}-s`, { side: 'sell', createdAt: '2026-02-02T15:00:00Z' }),
            stockOrder(key, `${key}-p`, {
              assetType: 'option',
              symbol: 'F',
              instrumentId: null,
              side: 'sell',
            }),
          ],
          [
            stockFill(key, `${key}-b`, 'e1', { quantity: '10', price: '100', fees: '1' }),
            stockFill(key, `${key}-s`, 'e1', {
              side: 'sell',
              positionEffect: 'close',
              quantity: '4',
              price: '110',
              executedAt: '2026-02-02T15:00:00Z',
            }),
            stockFill(key, `${key}-p`, 'e1', {
              ...optionFill,
              side: 'sell',
              positionEffect: 'open',
              quantity: '2',
              price: '0.50',
            }),
          ],
          T0,
        );
        await store.optionEvents.upsert(
          trx,
          [
            {
              eventId: `${key}-ev`,
              accountNumber: key,
              optionInstrumentId: 'opt-put',
              type: 'assignment',
              quantity: '1',
              eventDate: '2026-02-20',
              state: 'confirmed',
              raw: { account_number: '5QR24141' },
            },
            {
              eventId: `${key}-void`,
              accountNumber: key,
              optionInstrumentId: 'opt-put',
              type: 'exercise',
              quantity: '1',
              eventDate: '2026-02-19',
              state: 'cancelled',
            },
          ],
          T0,
        );
      });

      const first = await store.transaction((trx) => store.rebuildTradeHistory(trx, key, T0));
      // Stock: one partial close. Put: one assigned, the other expired (past 2026-02-20, not held).
      expect(first).toMatchObject({
        counts: { inserted: 3, updated: 0, deleted: 0 },
        trades: 3,
        openLots: 1,
        unmatched: [],
      });
      const trades = await store.trades.list(store.knex, key);
      expect(trades.map((t) => [t.symbol, t.closeReason, t.quantity, t.realizedPl]).sort()).toEqual([
        ['AAPL', 'closed', '4', '39.6'],
        ['F', 'assigned', '1', '50'],
        ['F', 'expired', '1', '50'],
      ]);
      const second = await store.transaction((trx) => store.rebuildTradeHistory(trx, key, T1));
      expect(second.counts).toEqual({ inserted: 0, updated: 0, deleted: 0 });

      await store.transaction((trx) =>
        store.orders.upsert(
          trx,
          [stockOrder(key, `${key}-s2`, { side: 'sell', createdAt: '2026-02-03T15:00:00Z' })],
          [
            stockFill(key, `${key}-s2`, 'e1', {
              side: 'sell',
              positionEffect: 'close',
              quantity: '6',
              price: '90',
              executedAt: '2026-02-03T15:00:00Z',
            }),
          ],
          T2,
        ),
      );
      const third = await store.transaction((trx) => store.rebuildTradeHistory(trx, key, T2));
      expect(third.counts).toEqual({ inserted: 1, updated: 0, deleted: 0 });
      expect(third.openLots).toBe(0);
    });

    it('replaces an account’s trades by key: inserts new, updates changed, deletes vanished', async () => {
      const key = await withAccount();
      const { trades } = matchLots({
        executions: [
          { ...fifoFill(key, 'a', 'buy', '10', '100'), executedAt: '2026-01-05T15:00:00Z' },
          { ...fifoFill(key, 'b', 'sell', '5', '110'), executedAt: '2026-01-06T15:00:00Z' },
          { ...fifoFill(key, 'c', 'sell', '5', '120'), executedAt: '2026-01-07T15:00:00Z' },
        ],
        today: '2026-03-02',
      });
      expect(trades).toHaveLength(2);
      expect(await store.transaction((trx) => store.trades.replaceForAccount(trx, key, trades, T0))).toEqual({
        inserted: 2,
        updated: 0,
        deleted: 0,
      });
      const changed = [{ ...trades[0]!, realizedPl: '49.5' }];
      expect(await store.transaction((trx) => store.trades.replaceForAccount(trx, key, changed, T1))).toEqual(
        {
          inserted: 0,
          updated: 1,
          deleted: 1,
        },
      );
      await expect(
        store.transaction((trx) => store.trades.replaceForAccount(trx, nextAccountKey(), trades, T1)),
      ).rejects.toThrow(/belongs to another account/);
    });
  });

  describe('balances', () => {
    it('appends one snapshot per account and time, and keeps the daily row per New York trading day', async () => {
      const key = await withAccount();
      // Monday 2026-03-02, 10:00 New York.
      const monday = snapshot(key, '2026-03-02T15:00:00Z', {
        equity: '10100.00',
        previousCloseEquity: '10000.00',
      });
      await store.transaction(async (trx) => {
        expect(await store.snapshots.insert(trx, monday)).toEqual({ inserted: 1, updated: 0, deleted: 0 });
        expect(await store.snapshots.insert(trx, monday)).toEqual({ inserted: 0, updated: 0, deleted: 0 });
        expect(await store.dailyBalances.recordFromSnapshot(trx, monday, T0)).toEqual({
          inserted: 1,
          updated: 0,
          deleted: 0,
        });
        expect(await store.dailyBalances.recordFromSnapshot(trx, monday, T1)).toEqual({
          inserted: 0,
          updated: 0,
          deleted: 0,
        });
      });
      // Saturday (and Sunday) snapshots belong to Friday; Friday keeps its starting balance.
      const friday = snapshot(key, '2026-03-06T20:55:00Z', {
        equity: '10300.00',
        previousCloseEquity: '10200.00',
      });
      const saturday = snapshot(key, '2026-03-07T15:00:00Z', {
        equity: '10310.00',
        previousCloseEquity: '10300.00',
      });
      // No previous close reported: start from the previous day's ending balance.
      const nextMonday = snapshot(key, '2026-03-09T14:00:00Z', {
        equity: '10400.00',
        previousCloseEquity: null,
      });
      await store.transaction(async (trx) => {
        for (const s of [friday, saturday, nextMonday]) {
          await store.snapshots.insert(trx, s);
          await store.dailyBalances.recordFromSnapshot(trx, s, T2);
        }
      });
      const days = await store.dailyBalances.range(store.knex, key, '2026-03-01', '2026-03-31');
      expect(
        days.map((d) => [d.date, d.startingBalance, d.endingBalance, d.dailyPl, d.dailyPlPercent]),
      ).toEqual([
        ['2026-03-02', '10000.00', '10100.00', '100', '1'],
        ['2026-03-06', '10200.00', '10310.00', '110', '1.0784'],
        ['2026-03-09', '10310.00', '10400.00', '90', '0.8729'],
      ]);
      expect(days[0]).toMatchObject({
        buyingPower: '2000.00',
        cashValue: '2000.00',
        totalPositions: 3,
        notes: null,
      });

      const latest = await store.snapshots.latest(store.knex, key);
      expect(latest).toMatchObject({
        takenAt: '2026-03-09T14:00:00.000Z',
        equity: '10400.00',
        totalPositions: 3,
      });
      expect(
        (
          await store.snapshots.range(
            store.knex,
            key,
            new Date('2026-03-06T00:00:00Z'),
            new Date('2026-03-08T00:00:00Z'),
          )
        ).map((s) => s.equity),
      ).toEqual(['10300.00', '10310.00']);

      const filled = await store.transaction((trx) =>
        store.dailyBalances.backfill(
          trx,
          key,
          [
            { date: '2026-02-26', endingBalance: '9800' },
            { date: '2026-02-27', endingBalance: '9900' },
            { date: '2026-03-02', endingBalance: '1' },
          ],
          T2,
        ),
      );
      expect(filled).toEqual({ inserted: 2, updated: 0, deleted: 0 });
      const all = await store.dailyBalances.range(store.knex, key, '2026-01-01', '2026-03-31');
      expect(all.map((d) => [d.date, d.startingBalance, d.endingBalance, d.dailyPl])).toEqual([
        ['2026-02-26', null, '9800', null],
        ['2026-02-27', '9800', '9900', '100'],
        ['2026-03-02', '10000.00', '10100.00', '100'],
        ['2026-03-06', '10200.00', '10310.00', '110'],
        ['2026-03-09', '10310.00', '10400.00', '90'],
      ]);
    });
  });

  describe('caches and events', () => {
    it('caches instruments and option instruments delta-wise', async () => {
      const instrument = {
        id: `i-${nextAccountKey()}`,
        symbol: 'AAPL',
        name: 'Apple Inc. Common Stock',
        simpleName: 'Apple',
        type: 'stock',
      };
      const contract = {
        id: `o-${nextAccountKey()}`,
        chainSymbol: 'IWM',
        optionType: 'call' as const,
        strikePrice: '275.0000',
        expirationDate: '2026-08-21',
        multiplier: '100',
        state: 'active',
      };
      await store.transaction(async (trx) => {
        expect(await store.instruments.upsert(trx, [instrument, instrument], T0)).toEqual({
          inserted: 1,
          updated: 0,
          deleted: 0,
        });
        expect(await store.optionInstruments.upsert(trx, [contract], T0)).toEqual({
          inserted: 1,
          updated: 0,
          deleted: 0,
        });
      });
      await store.transaction(async (trx) => {
        expect(await store.instruments.upsert(trx, [instrument], T1)).toEqual({
          inserted: 0,
          updated: 0,
          deleted: 0,
        });
        expect(await store.optionInstruments.upsert(trx, [{ ...contract, state: 'expired' }], T1)).toEqual({
          inserted: 0,
          updated: 1,
          deleted: 0,
        });
      });
      const found = await store.instruments.getMany(store.knex, [instrument.id, 'unknown']);
      expect([...found.keys()]).toEqual([instrument.id]);
      expect(found.get(instrument.id)).toMatchObject({ symbol: 'AAPL', simpleName: 'Apple', listDate: null });
      const contracts = await store.optionInstruments.getMany(store.knex, [contract.id]);
      expect(contracts.get(contract.id)).toMatchObject({
        state: 'expired',
        expirationDate: '2026-08-21',
        updatedAt: T1.toISOString(),
      });
    });

    it('keeps dividends and option events, masking account numbers in their payloads', async () => {
      const key = await withAccount();
      const dividend = {
        dividendId: `${key}-d1`,
        accountNumber: key,
        instrumentId: 'inst-aapl',
        symbol: 'AAPL',
        amount: '11.19',
        rate: '0.7500000000',
        position: '14.9266',
        recordDate: '2024-02-15',
        payableDate: '2024-03-14',
        state: 'pending',
        raw: { account: 'https://api.robinhood.com/accounts/5QR24141/' },
      };
      await store.transaction(async (trx) => {
        expect(await store.dividends.upsert(trx, [dividend], T0)).toEqual({
          inserted: 1,
          updated: 0,
          deleted: 0,
        });
      });
      await store.transaction(async (trx) => {
        expect(
          await store.dividends.upsert(
            trx,
            [{ ...dividend, state: 'paid', paidAt: '2024-03-14T12:00:00Z' }],
            T1,
          ),
        ).toEqual({
          inserted: 0,
          updated: 1,
          deleted: 0,
        });
      });
      expect(await store.dividends.list(store.knex, key)).toEqual(
        [
          {
            ...dividend,
            raw: undefined,
            state: 'paid',
            paidAt: '2024-03-14T12:00:00.000Z',
            withholding: null,
            dripEnabled: null,
            firstSeenAt: T0.toISOString(),
            updatedAt: T1.toISOString(),
          },
        ].map(({ raw: _raw, ...rest }) => rest),
      );
      const stored = await store.knex('dividends').where({ dividend_id: dividend.dividendId }).first('raw');
      expect(stored.raw).toEqual({ account: 'https://api.robinhood.com/accounts/****4141/' });
    });
  });

  describe('runs, stream state and statistics', () => {
    it('records runs and summarises them as SyncStats', async () => {
      const before = await store.stats({ rateLimitPerMinute: 60 });
      const base = {
        trigger: 'schedule' as const,
        streams: ['accounts', 'positions'],
        accounts: ['****4141'],
        error: null,
        agentId: 'test-agent',
      };
      const ids: number[] = [];
      for (const [i, status, requests, duration] of [
        [0, 'success', 10, 1000],
        [1, 'failed', 4, 500],
        [2, 'partial', 8, 1500],
        [3, 'skipped', 0, 1],
        [4, 'success', 12, 2000],
      ] as const) {
        ids.push(
          await store.runs.record(store.knex, {
            ...base,
            startedAt: new Date(T0.getTime() + i * 300_000).toISOString(),
            finishedAt: new Date(T0.getTime() + i * 300_000 + duration).toISOString(),
            status,
            apiRequests: requests,
            rowsWritten: requests * 2,
            durationMs: duration,
            error: status === 'failed' ? 'Robinhood answered 503' : null,
          }),
        );
      }
      expect(ids.every((id) => typeof id === 'number')).toBe(true);
      const stats: SyncStats = await store.stats({ rateLimitPerMinute: 60, recentLimit: 3 });
      expect(stats).toEqual({
        cycles: before.cycles + 4,
        successes: before.successes + 2,
        failures: before.failures + 1,
        partials: before.partials + 1,
        interrupted: before.interrupted,
        successRate: (before.successes + 2) / (before.cycles + 4),
        averageDurationMs: before.cycles === 0 ? 1250 : expect.any(Number),
        averageRequests: before.cycles === 0 ? 8.5 : expect.any(Number),
        maxRequests: Math.max(12, before.maxRequests ?? 0),
        rateLimitPerMinute: 60,
        quarantined: 0,
        recentRuns: [
          {
            id: ids[4],
            startedAt: new Date(T0.getTime() + 4 * 300_000).toISOString(),
            finishedAt: new Date(T0.getTime() + 4 * 300_000 + 2000).toISOString(),
            status: 'success',
            trigger: 'schedule',
            streams: ['accounts', 'positions'],
            apiRequests: 12,
            rowsWritten: 24,
            durationMs: 2000,
            error: null,
          },
          expect.objectContaining({ id: ids[3], status: 'skipped' }),
          expect.objectContaining({ id: ids[2], status: 'partial' }),
        ],
      });
      const [latest] = await store.runs.recent(store.knex, 1);
      expect(latest).toMatchObject({ agentId: 'test-agent', accounts: ['****4141'], host: null });
    });

    it('saves stream state field by field and reports whether anything changed', async () => {
      const key = nextAccountKey();
      const hwm = '2026-03-02T14:59:00.123Z';
      await store.transaction(async (trx) => {
        expect(
          await store.syncState.save(
            trx,
            { accountNumber: key, stream: 'orders', lastAttemptAt: T0.toISOString() },
            T0,
          ),
        ).toBe(1);
        expect(
          await store.syncState.save(
            trx,
            {
              accountNumber: key,
              stream: 'orders',
              lastSuccessAt: T0.toISOString(),
              highWaterMark: hwm,
              cursor: { page: 2 },
            },
            T0,
          ),
        ).toBe(1);
        expect(
          await store.syncState.save(trx, { accountNumber: key, stream: 'orders', highWaterMark: hwm }, T1),
        ).toBe(0);
        expect(
          await store.syncState.save(
            trx,
            { accountNumber: '*', stream: 'instruments', lastSuccessAt: T1.toISOString() },
            T1,
          ),
        ).toBe(1);
      });
      expect(await store.syncState.get(store.knex, key, 'orders')).toEqual({
        accountNumber: key,
        stream: 'orders',
        lastAttemptAt: T0.toISOString(),
        lastSuccessAt: T0.toISOString(),
        highWaterMark: hwm,
        cursor: { page: 2 },
        lastError: null,
        updatedAt: T0.toISOString(),
      });
      expect((await store.syncState.list(store.knex, key)).map((s) => s.stream)).toEqual(['orders']);
      await expect(
        store.transaction((trx) =>
          store.syncState.save(trx, { accountNumber: '5QR24141', stream: 'orders' }, T0),
        ),
      ).rejects.toThrow(StoreInputError);
    });
  });

  describe('reads for the windows', () => {
    it('builds the dashboard: accounts, latest snapshot with day change, stocks, option legs', async () => {
      const key = await withAccount();
      await store.transaction(async (trx) => {
        await store.instruments.upsert(
          trx,
          [{ id: 'inst-msft', symbol: 'MSFT', name: 'Microsoft Corporation', simpleName: 'Microsoft' }],
          T0,
        );
        await store.positions.replaceForAccount(
          trx,
          key,
          [
            stock(),
            stock({
              instrumentId: 'inst-msft',
              symbol: 'MSFT',
              name: null,
              quantity: '1',
              averagePrice: '400',
              lastPrice: '410',
            }),
            shortCall(),
            shortCall({
              instrumentId: 'opt-f-1200c',
              direction: 'long',
              strikePrice: '12',
              strategy: 'long_call',
              strategyId: null,
              lastPrice: null,
              delta: null,
            }),
          ],
          T0,
        );
        await store.snapshots.insert(
          trx,
          snapshot(key, '2026-03-02T15:00:00Z', { equity: '10000', previousCloseEquity: '9900' }),
        );
        await store.snapshots.insert(
          trx,
          snapshot(key, '2026-03-02T15:05:00Z', { equity: '10123.45', previousCloseEquity: '9900' }),
        );
      });
      const dashboard: Dashboard = await store.dashboard({
        accountKey: key,
        now: new Date('2026-03-02T15:06:00Z'),
      });
      expect(dashboard.account).toEqual({
        accountKey: key,
        broker: 'demo',
        accountType: 'margin',
        updatedAt: T0.toISOString(),
      });
      expect(dashboard.accounts.map((a) => a.accountKey)).toContain(key);
      expect(dashboard.snapshot).toEqual({
        accountKey: key,
        takenAt: '2026-03-02T15:05:00.000Z',
        equity: '10123.45',
        marketValue: '8000.00',
        cash: '2000.00',
        buyingPower: '2000.00',
        stockValue: '7500.00',
        optionsValue: '500.00',
        previousCloseEquity: '9900',
        dayChange: '223.45',
        dayChangePercent: '2.2571',
      });
      expect(dashboard.scope).toBe('account');
      expect(dashboard.stocks).toEqual([
        {
          accountKey: key,
          symbol: 'MSFT',
          name: 'Microsoft',
          quantity: '1',
          averagePrice: '400',
          lastPrice: '410',
          marketValue: '410',
          costBasis: '400',
          unrealizedPl: '10',
          unrealizedPlPercent: '2.5',
        },
        {
          accountKey: key,
          symbol: 'AAPL',
          name: 'Apple',
          quantity: '2.00000000',
          averagePrice: '181.9650',
          lastPrice: '182.52',
          marketValue: '365.04',
          costBasis: '363.93',
          unrealizedPl: '1.11',
          unrealizedPlPercent: '0.305',
        },
      ]);
      expect(dashboard.options).toEqual([
        {
          accountKey: key,
          symbol: 'F',
          optionType: 'call',
          strikePrice: '11.5000',
          expirationDate: '2026-03-20',
          daysToExpiry: 18,
          direction: 'short',
          quantity: '1.0000',
          multiplier: '100.0000',
          averagePrice: '0.29',
          markPrice: '0.12',
          delta: '0.251234',
          gamma: '0.112',
          theta: '-0.0123',
          vega: '0.0042',
          rho: '0.0011',
          impliedVolatility: '0.2871',
          marketValue: '-12',
          unrealizedPl: '17',
          unrealizedPlPercent: '58.6207',
          strategyId: 'agg-1',
          strategy: 'short_call',
        },
        expect.objectContaining({
          strikePrice: '12',
          direction: 'long',
          markPrice: null,
          marketValue: null,
          unrealizedPl: null,
          delta: null,
          strategyId: null,
          strategy: 'long_call',
        }),
      ]);
      // Positions are written in the same transaction as the snapshot: its time is their freshness.
      expect(dashboard.positionsAsOf).toBe('2026-03-02T15:05:00.000Z');

      // Days to expiry count New York days: 23:30 New York on the 19th is the day before expiry.
      const late = await store.dashboard({ accountKey: key, now: new Date('2026-03-20T03:30:00Z') });
      expect(late.options[0]?.daysToExpiry).toBe(1);
    });

    it('draws intraday charts from snapshots and long ones from daily balances, within the point bound', async () => {
      const key = await withAccount();
      const now = new Date('2026-03-09T15:00:00Z');
      const rows: Array<{ taken_at: string; equity: string; account_number: string }> = [];
      for (let i = 0; i < 2016 * 2; i++) {
        rows.push({
          account_number: key,
          taken_at: new Date(now.getTime() - i * 150_000).toISOString(),
          equity: (10000 + i).toString(),
        });
      }
      await store.knex.batchInsert('portfolio_snapshots', rows, 500);
      const week: ChartSeries = await store.chart({ accountKey: key, range: '1W', now });
      expect(week.source).toBe('snapshots');
      expect(week.points.length).toBeGreaterThan(400);
      expect(week.points.length).toBeLessThanOrEqual(500);
      expect(week.points.at(-1)).toEqual({ t: now.toISOString(), equity: '10000' });
      expect(week.points.map((p) => p.t)).toEqual([...week.points.map((p) => p.t)].sort());
      // Two snapshots every five minutes for a day: 577 points, thinned to the bound.
      const day = await store.chart({ accountKey: key, range: '1D', now });
      expect(day.points.length).toBeGreaterThan(280);
      expect(day.points.length).toBeLessThanOrEqual(500);
      expect(day.points.at(-1)?.t).toBe(now.toISOString());
      expect((day.points[0]?.t ?? '') >= new Date(now.getTime() - 86_400_000).toISOString()).toBe(true);

      await store.transaction((trx) =>
        store.dailyBalances.backfill(
          trx,
          key,
          Array.from({ length: 400 }, (_, i) => ({
            date: new Date(Date.UTC(2025, 0, 1) + i * 86_400_000).toISOString().slice(0, 10),
            endingBalance: String(9000 + i),
          })),
          T0,
        ),
      );
      const year = await store.chart({ accountKey: key, range: '1Y', now });
      expect(year.source).toBe('daily');
      // 2025-03-09 is the first day of daylight-saving time: 16:00 EDT = 20:00 UTC.
      expect(year.points[0]).toEqual({ t: '2025-03-09T20:00:00.000Z', equity: '9067' });
      expect(year.points.at(-1)).toEqual({ t: '2026-02-04T21:00:00.000Z', equity: '9399' });
      const all = await store.chart({ accountKey: key, range: 'ALL', now });
      expect(all.points[0]?.equity).toBe('9000');
      expect(all.points).toHaveLength(400);
      expect(await store.chart({ accountKey: nextAccountKey(), range: 'ALL', now })).toEqual({
        accountKey: expect.any(String),
        range: 'ALL',
        source: 'daily',
        points: [],
      });
    });

    it('exports page by page as CSV and JSON', async () => {
      const key = await withAccount();
      await store.transaction((trx) =>
        store.orders.upsert(
          trx,
          [1, 2, 3].map((n) =>
            stockOrder(key, `${key}-x${n}`, {
              createdAt: `2026-01-1${n}T14:32:27.94831${n}Z`,
              symbol: n === 2 ? 'A,"B"' : 'AAPL',
            }),
          ),
          [],
          T0,
        ),
      );
      const csv = await collect(store.exportData('orders', 'csv', { accountKey: key, pageSize: 2 }));
      const lines = csv.trimEnd().split('\r\n');
      expect(lines).toHaveLength(4);
      expect(lines[0]?.startsWith('order_id,account_number,asset_type,symbol,')).toBe(true);
      expect(lines[0]).not.toContain('raw');
      expect(lines[2]).toContain('"A,""B"""');
      expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual([`${key}-x1`, `${key}-x2`, `${key}-x3`]);
      const json = JSON.parse(
        await collect(store.exportData('orders', 'json', { accountKey: key, pageSize: 2 })),
      );
      expect(json.map((o: { order_id: string }) => o.order_id)).toEqual([
        `${key}-x1`,
        `${key}-x2`,
        `${key}-x3`,
      ]);
      expect(json[0]).toMatchObject({
        created_at: '2026-01-11T14:32:27.948Z',
        fees: '0',
        raw: expect.any(Object),
      });
      expect(JSON.parse(await collect(store.exportData('trades', 'json', { accountKey: key })))).toEqual([]);
      const emptyCsv = await collect(store.exportData('snapshots', 'csv', { accountKey: key }));
      expect(emptyCsv).toMatch(/^id,account_number,taken_at,equity,/);
    });
  });

  it('runs work under the account lock when it is free', async () => {
    const result = await store.withAccountLock('****4141', async () => 42);
    expect(result).toEqual({ status: 'ran', value: 42 });
  });

  it('checks a change notification before sending it', async () => {
    await expect(
      store.transaction((trx) =>
        store.notify(trx, {
          event: 'data_changed',
          accounts: ['5QR24141'],
          streams: [],
          rowsWritten: 0,
          at: T0.toISOString(),
        }),
      ),
    ).rejects.toThrow(/notification\.accounts\.0/);
    await store.transaction((trx) =>
      store.notify(trx, {
        event: 'data_changed',
        accounts: ['****4141'],
        streams: ['positions'],
        rowsWritten: 3,
        at: T0.toISOString(),
      }),
    );
  });
});

function fifoFill(accountNumber: string, id: string, side: 'buy' | 'sell', quantity: string, price: string) {
  return {
    accountNumber,
    assetType: 'stock' as const,
    instrumentKey: 'inst-aapl',
    symbol: 'AAPL',
    optionType: null,
    strikePrice: null,
    expirationDate: null,
    multiplier: '1',
    side,
    positionEffect: null,
    quantity,
    price,
    fees: '0',
    orderId: id,
    executionId: '1',
  };
}
