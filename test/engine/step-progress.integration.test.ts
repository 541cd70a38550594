/**
 * Progress inside a step, end to end: a first sync of the simulator (pages of 5, a client budget
 * of 1,200 requests a minute with a burst of 3) into PostgreSQL. The status events the runtime
 * pushes during the trade-history step carry the pages and requests so far, the day the order
 * history has reached and the time waited on the rate limit; the tray's tooltip says the same.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tooltipText } from '../../main/desktop/tray.js';
import type { SyncStatus } from '../../shared/models.js';
import { shiftedClock } from '../helpers/shifted-clock.js';
import { createSyncHarness, type SyncHarness } from '../helpers/sync-harness.js';

const NOW = new Date('2026-11-27T15:00:00Z');
/** The New York day of the oldest order in this scenario (seed 23, built for NOW). */
const OLDEST_ORDER_DAY = '2025-12-01';

describe('progress inside a step (PostgreSQL, simulator)', () => {
  let h: SyncHarness;
  const events: Array<{ status: SyncStatus; at: number }> = [];

  // The runtime's and the simulator's clock: the simulator stamps its requests with it.
  const clock = shiftedClock(NOW);

  beforeAll(async () => {
    h = await createSyncHarness({
      backend: 'postgres',
      scenario: {
        seed: 23,
        now: NOW,
        accounts: [
          { stocks: 3, optionLegs: 2, stockOrders: 40, optionOrders: 12, dividends: 2, optionEvents: 1 },
        ],
      },
      simulator: { pageSize: 5, clock },
      runtime: {
        clock,
        requestsPerMinute: 1200,
        brokerTuning: {
          backoffBaseMs: 5,
          backoffMaxMs: 20,
          timeoutMs: 5_000,
          maxRetryAfterMs: 2_000,
          burst: 3,
        },
      },
    });
    h.runtime.events.on('status', (status) => events.push({ status, at: clock.now().getTime() }));
    const outcome = await h.runtime.syncOnce('cli', 'force');
    if (outcome.status !== 'success') throw new Error(`the sync failed: ${outcome.error?.message}`);
  }, 120_000);

  afterAll(async () => {
    await h?.close();
  });

  it('pushes pages, requests, the day reached and the rate-limit wait while the history imports', () => {
    const history = events.filter((e) => e.status.progress?.step.startsWith('Trade history'));
    const moving = history.filter((e) => e.status.progress?.activity);
    // The step is announced before anything moved in it; then one event per page or wait.
    expect(history[0]?.status.progress?.activity).toBeUndefined();
    expect(moving.length).toBeGreaterThan(10);
    const activities = moving.flatMap((e) =>
      e.status.progress?.activity ? [e.status.progress.activity] : [],
    );
    for (let i = 1; i < activities.length; i++) {
      const [before, after] = [activities[i - 1]!, activities[i]!];
      expect(after.pages).toBeGreaterThanOrEqual(before.pages);
      expect(after.requests).toBeGreaterThanOrEqual(before.requests);
      expect(after.rateLimitWaitMs).toBeGreaterThanOrEqual(before.rateLimitWaitMs);
      // Orders come newest first: the day reached only moves back.
      if (before.reachedDate && after.reachedDate) expect(after.reachedDate <= before.reachedDate).toBe(true);
    }
    const last = activities.at(-1)!;
    // Every request of the step read one page (no retries here), and the simulator saw each one.
    const stepStart = history[0]!.at;
    const served = h.sim.requests.filter((r) => r.at.getTime() >= stepStart);
    expect(last.requests).toBe(last.pages);
    expect(last.pages).toBe(served.length);
    const orderPages = served.filter((r) => r.path === '/orders/' || r.path === '/options/orders/').length;
    expect(orderPages).toBeGreaterThanOrEqual(10);
    // The day reached is the New York day of the oldest order the simulator holds.
    const oldest = [...h.sim.state.stockOrders, ...h.sim.state.optionOrders]
      .map((o) => o.createdAt)
      .sort()[0];
    expect(last.reachedDate).toBe(OLDEST_ORDER_DAY);
    expect(oldest?.slice(0, 10)).toBe(OLDEST_ORDER_DAY);
    expect(last.rateLimitWaitMs).toBeGreaterThan(0);
    // The counters start again with the next step (or end with the cycle).
    const after = events.slice(events.indexOf(moving.at(-1)!) + 1);
    expect(after.every((e) => !e.status.progress?.step.startsWith('Trade history'))).toBe(true);
    expect(events.at(-1)?.status.progress).toBeNull();

    // The tray's tooltip says the same in one line.
    const tooltip = tooltipText(moving.at(-1)!.status, { now: NOW, showAmounts: false, equity: null });
    expect(tooltip).toContain(
      `${last.pages} pages · ${last.requests} requests · back to ${OLDEST_ORDER_DAY}`,
    );
    expect(tooltip).not.toContain('\n');
  });
});
