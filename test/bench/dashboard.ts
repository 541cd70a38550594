/**
 * Item 6: dashboard reads on a store holding one year of 5-minute snapshots for two accounts.
 *
 * The store is filled the real way first (one sync cycle of a two-account scenario: accounts,
 * positions, option legs, a snapshot each), then the year is bulk-inserted through knex with
 * generate_series (105,120 snapshots per account, every 5 minutes back from the synced one, and a
 * daily balance for every day), and analysed. The reads are the store's own: store.dashboard (the
 * accounts, the latest snapshot and the open positions and legs of one account) and store.chart for
 * each range. Medians and 95th percentiles of `samples` calls after 3 warm-up calls.
 */
import type { ChartRange } from '../../shared/models.js';
import type { Backend } from '../helpers/sync-harness.js';
import { createBenchHarness } from './bench-harness.js';
import { median } from './stats.js';

export const DASHBOARD_ACCOUNTS = [
  { stocks: 100, optionLegs: 50, multiLegStrategies: 5 },
  { stocks: 40, optionLegs: 10, multiLegStrategies: 1 },
];

export interface ReadTiming {
  read: string;
  medianMs: number;
  p95Ms: number;
  /** Rows (positions) or points the read returned, to show it did the work. */
  size: number;
}

export interface DashboardResult {
  backend: Backend;
  days: number;
  snapshots: number;
  dailyRows: number;
  fillMs: number;
  reads: ReadTiming[];
}

export interface DashboardBenchOptions {
  backends: readonly Backend[];
  days: number;
  samples: number;
  log: (line: string) => void;
}

const STEP_SECONDS = 300;

function p95(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)] ?? Number.NaN;
}

export async function measureDashboard(o: DashboardBenchOptions): Promise<DashboardResult[]> {
  const results: DashboardResult[] = [];
  for (const backend of o.backends) {
    const bench = await createBenchHarness({
      backend,
      scenario: { seed: 51, accounts: DASHBOARD_ACCOUNTS },
      latencyMs: 0,
    });
    try {
      const synced = await bench.cycle('cli', 'skip');
      const keys = synced.outcome.accounts;
      if (keys.length !== 2) throw new Error(`expected 2 accounts, synced ${keys.length}`);
      const store = bench.h.runtime.store()!;
      const knex = store.knex;
      const now = bench.clock.now();

      const fillStart = performance.now();
      for (const [index, key] of keys.entries()) {
        const latest = (await knex('portfolio_snapshots')
          .where({ account_number: key })
          .orderBy('taken_at', 'desc')
          .first()) as { taken_at: Date | string; equity: string };
        const newest = new Date(latest.taken_at);
        const count = Math.floor((o.days * 86_400) / STEP_SECONDS);
        // Every 5 minutes back from the synced snapshot; equity wanders ±10% around the synced value.
        await knex.raw(
          `insert into portfolio_snapshots
             (account_number, taken_at, equity, market_value, cash, buying_power, stock_value, options_value,
              previous_close_equity, total_positions)
           select ?, ?::timestamptz - make_interval(secs => i * ?),
                  round(e, 2), round(e * 0.9, 2), round(e * 0.1, 2), round(e * 0.2, 2), round(e * 0.8, 2),
                  round(e * 0.1, 2), round(e, 2), ?
             from (select i, ?::numeric * (1 + 0.1 * sin(i / 900.0 + ?) + 0.002 * sin(i * 7.3))::numeric as e
                     from generate_series(1, ?) as i) s`,
          [
            key,
            newest.toISOString(),
            STEP_SECONDS,
            DASHBOARD_ACCOUNTS[index]!.stocks + DASHBOARD_ACCOUNTS[index]!.optionLegs,
            String(latest.equity),
            index,
            count,
          ],
        );
        await knex.raw(
          `insert into daily_portfolio_balances
             (account_number, date, starting_balance, ending_balance, daily_pl, daily_pl_percent,
              buying_power, options_value, stock_value, cash_value, total_positions)
           select ?, (?::date - d), round(e * 0.999, 2), round(e, 2), round(e * 0.001, 2), 0.1,
                  round(e * 0.2, 2), round(e * 0.1, 2), round(e * 0.8, 2), round(e * 0.1, 2), 0
             from (select d, ?::numeric * (1 + 0.1 * sin(d / 30.0))::numeric as e from generate_series(1, ?) as d) s
           on conflict (account_number, date) do nothing`,
          [key, now.toISOString().slice(0, 10), String(latest.equity), o.days],
        );
      }
      await knex.raw('analyze');
      const fillMs = performance.now() - fillStart;
      const [{ n: snapshots }] = (await knex('portfolio_snapshots').count({ n: '*' })) as [{ n: string }];
      const [{ n: dailyRows }] = (await knex('daily_portfolio_balances').count({ n: '*' })) as [
        { n: string },
      ];

      const key = keys[0]!;
      const reads: Array<{ read: string; run: () => Promise<number> }> = [
        {
          read: 'dashboard: latest snapshot + open positions',
          run: async () => {
            const d = await store.dashboard({ accountKey: key, now });
            if (!d.snapshot) throw new Error('the dashboard has no snapshot');
            return d.stocks.length + d.options.length;
          },
        },
        ...(['1D', '1W', '1M', '1Y', 'ALL'] as ChartRange[]).map((range) => ({
          read: `chart ${range}`,
          run: async () => (await store.chart({ accountKey: key, range, now })).points.length,
        })),
      ];
      const timings: ReadTiming[] = [];
      for (const { read, run } of reads) {
        let size = 0;
        for (let i = 0; i < 3; i++) size = await run();
        const times: number[] = [];
        for (let i = 0; i < o.samples; i++) {
          const start = performance.now();
          await run();
          times.push(performance.now() - start);
        }
        timings.push({ read, medianMs: median(times), p95Ms: p95(times), size });
      }
      o.log(
        `  ${backend}: ${snapshots} snapshots, ${timings.map((t) => `${t.read.split(':')[0]} ${t.medianMs.toFixed(1)} ms`).join(', ')}`,
      );
      results.push({
        backend,
        days: o.days,
        snapshots: Number(snapshots),
        dailyRows: Number(dailyRows),
        fillMs,
        reads: timings,
      });
    } finally {
      await bench.close();
    }
  }
  return results;
}
