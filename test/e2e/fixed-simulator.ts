/**
 * The real runtime (engine, Robinhood client, simulator over a socket, a fresh PostgreSQL database)
 * on a fixed date, so a spec can expect literal values: the simulator's scenario (seed 17) is built
 * for 27 November 2026, 10:00 in New York, and the runtime's and simulator's clocks start there.
 * Before the first sync, the second account (a Roth IRA) buys 5 MSFT at 400.00 and sells 2 at
 * 410.50 that morning: a trade closed today.
 */

import { shiftedClock } from '../helpers/shifted-clock.js';
import { createSyncHarness } from '../helpers/sync-harness.js';
import type { HarnessFactory } from './fixtures.js';

export const FIXED_NOW = new Date('2026-11-27T15:00:00Z');

export function fixedSimulatorHarness(): HarnessFactory {
  return {
    name: 'fixed-simulator',
    create: async () => {
      const clock = shiftedClock(FIXED_NOW);
      const h = await createSyncHarness({
        backend: 'postgres',
        scenario: {
          seed: 17,
          now: FIXED_NOW,
          accounts: [
            {
              stocks: 4,
              optionLegs: 4,
              multiLegStrategies: 1,
              stockOrders: 16,
              optionOrders: 8,
              dividends: 2,
              optionEvents: 2,
            },
            { type: 'cash', brokerageAccountType: 'ira_roth', stocks: 2, stockOrders: 6, dividends: 1 },
          ],
        },
        simulator: { clock },
        runtime: { clock },
      });
      const ira = h.sim.state.accounts[1]?.accountNumber;
      if (!ira) throw new Error('the scenario has no second account');
      for (const [side, quantity, price, at] of [
        ['buy', '5', '400.00', '2026-11-27T14:35:00Z'],
        ['sell', '2', '410.50', '2026-11-27T14:45:00Z'],
      ] as const) {
        h.sim.addStockOrder({ accountNumber: ira, symbol: 'MSFT', side, quantity, price, at: new Date(at) });
      }
      await h.runtime.start('startup');
      const first = await h.runtime.syncOnce('startup');
      if (first.status !== 'success') throw new Error(`the first sync failed: ${first.error?.message}`);
      await h.runtime.syncOnce('schedule', 'skip');
      return {
        runtime: h.runtime,
        changeData: async () => {
          h.sim.movePrices({ fraction: 1, maxPercent: 3 });
          await h.runtime.syncOnce('manual', 'skip');
        },
        close: () => h.close(),
      };
    },
  };
}
