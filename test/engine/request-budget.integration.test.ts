/**
 * Requests of a full cycle (account state and trade history) with nothing new, counted exactly by
 * the simulator, for an account of 300 stock positions and 120 option legs with pages and batches
 * of 100: portfolios in one list, quotes once (3 batches), only /options/positions/ (the legs did
 * not change, so no aggregates), and no full re-read of dividends or option events on the same
 * trading day. The account-state cycle stays at its floor.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { tradingDayOf } from '../../main/store/index.js';
import { systemClock } from '../../main/util/clock.js';
import { createSyncHarness, type SyncHarness } from '../helpers/sync-harness.js';

const harnesses: SyncHarness[] = [];
afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.close();
});

const ACCOUNT_STATE = [
  '/accounts/',
  '/portfolios/',
  '/positions/',
  '/positions/',
  '/positions/',
  '/options/positions/',
  '/options/positions/',
  '/marketdata/quotes/',
  '/marketdata/quotes/',
  '/marketdata/quotes/',
  '/marketdata/options/',
  '/marketdata/options/',
];

describe('requests per cycle, 300 stocks + 120 legs', () => {
  it('a full cycle with nothing new takes 14 data requests (16 on the next trading day), the account state 12', async () => {
    let offsetMs = 0;
    const clock = { ...systemClock, now: () => new Date(Date.now() + offsetMs) };
    const h = await createSyncHarness({
      backend: 'postgres',
      scenario: {
        seed: 7,
        accounts: [
          {
            stocks: 300,
            optionLegs: 120,
            multiLegStrategies: 12,
            stockOrders: 400,
            optionOrders: 150,
            dividends: 6,
          },
        ],
      },
      simulator: { pageSize: 100, batchLimit: 100, clock },
      runtime: { clock },
    });
    harnesses.push(h);
    const first = await h.runtime.syncOnce('cli', 'force');
    expect(first.error).toBeNull();
    expect(first.counts.stockPositions).toBe(300);
    expect(first.counts.optionPositions).toBe(120);
    const paths = () => h.sim.requests.map((r) => r.path);

    h.sim.clearRequests();
    const full = await h.runtime.syncOnce('cli', 'force');
    expect(full.status).toBe('success');
    expect(paths()).toEqual([...ACCOUNT_STATE, '/orders/', '/options/orders/']);
    expect(full.apiRequests).toBe(14);

    h.sim.clearRequests();
    const accountState = await h.runtime.syncOnce('schedule', 'skip');
    expect(accountState.status).toBe('success');
    expect(paths()).toEqual(ACCOUNT_STATE);

    // The next trading day: dividends and option events are read once more in full (sign-in
    // refreshes are not data requests and are left out).
    const day = tradingDayOf(clock.now());
    while (tradingDayOf(clock.now()) === day) offsetMs += 86_400_000;
    h.sim.clearRequests();
    const nextDay = await h.runtime.syncOnce('cli', 'force');
    expect(nextDay.status).toBe('success');
    expect(paths().filter((p) => !p.startsWith('/oauth2/'))).toEqual([
      ...ACCOUNT_STATE,
      '/orders/',
      '/options/orders/',
      '/dividends/',
      '/options/events/',
    ]);
  }, 120_000);
});
