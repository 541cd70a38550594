/**
 * The real runtime for the Playwright specs: engine + cycle runner + Robinhood client syncing the
 * simulator over a socket into a fresh PostgreSQL database. Used by the `real-runtime` project in
 * playwright.config.ts, which runs the status and accessibility specs unchanged against it.
 */
import { createSyncHarness } from '../helpers/sync-harness.js';
import type { HarnessFactory } from './fixtures.js';

export function realRuntimeHarness(): HarnessFactory {
  return {
    name: 'real-runtime',
    create: async () => {
      const h = await createSyncHarness({
        backend: 'postgres',
        scenario: {
          seed: 17,
          accounts: [
            {
              stocks: 8,
              optionLegs: 8,
              multiLegStrategies: 2,
              stockOrders: 40,
              optionOrders: 20,
              dividends: 2,
            },
            { type: 'cash', brokerageAccountType: 'ira_roth', stocks: 3, stockOrders: 10 },
          ],
        },
      });
      await h.runtime.start('startup');
      // The first cycle at start fills the store before the page opens; a second one after the
      // prices moved gives the chart two points.
      const first = await h.runtime.syncOnce('startup');
      if (first.status !== 'success') throw new Error(`the first sync failed: ${first.error?.message}`);
      h.sim.movePrices({ fraction: 1, maxPercent: 2, seed: 2 });
      await h.runtime.syncOnce('schedule', 'skip');
      // The broker's prices move, so the next cycle (Sync now, or changeData) shows new numbers.
      h.sim.movePrices({ fraction: 1, maxPercent: 3, seed: 1 });
      return {
        runtime: h.runtime,
        changeData: async () => {
          h.sim.movePrices({ fraction: 1, maxPercent: 3 });
          const outcome = await h.runtime.syncOnce('manual', 'skip');
          if (outcome.status !== 'success') throw new Error(`the sync failed: ${outcome.error?.message}`);
        },
        close: () => h.close(),
      };
    },
  };
}
