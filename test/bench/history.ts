/**
 * Item 4: the trade history. A first import of N orders (default 50,000: 80% stock, 20% option)
 * with the product's rate limiter on the bench clock, so the time without the limiter's waits and
 * the waits themselves are both exact; then an incremental run with nothing new.
 *
 * FIFO time: the cycle rebuilds trade_history inside its transaction and does not time it apart,
 * so the benchmark runs the same rebuild again right after the import (store.rebuildTradeHistory
 * in a transaction; it recomputes every lot and writes only differences, so the second run costs
 * the full computation and comparison, and writes nothing).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Backend } from '../helpers/sync-harness.js';
import { buildScenario, type Scenario } from '../simulator-tools/index.js';
import { createBenchHarness, describeRequests, SYNC_INTERVAL_MS } from './bench-harness.js';
import { median } from './stats.js';

export interface HistoryResult {
  backend: Backend;
  orders: number;
  runs: number;
  import: {
    /** Pages of /orders/ plus /options/orders/. */
    pages: number;
    /** Every request of the cycle (login, account state, history). */
    requests: number;
    historyRequests: number;
    /** Median time without the rate limiter's waits. */
    workMs: number;
    /** Median time the product's 60/min limiter made the cycle wait. */
    waitedMs: number;
    rowsWritten: number;
    trades: number;
    fifoMs: number;
    /** Longest event-loop stall during the import cycle. */
    maxLoopDelayMs: number;
  };
  incremental: {
    /** Requests to /orders/ and /options/orders/ (target: one each). */
    orderStreamRequests: number;
    /** Every history request (order streams, dividends, option events). */
    historyRequests: number;
    requests: number;
    /** What the simulator received (the engine's log also counts attempts that never arrived). */
    simRequests: number;
    workMs: number;
    rowsWritten: number;
    maxLoopDelayMs: number;
    /** The requests of the (last) incremental run, for the record. */
    described: string;
    /** Non-2xx answers seen in any run (import or incremental). */
    failures: string[];
  };
}

const ORDER_PATHS = new Set(['/orders/', '/options/orders/']);
const HISTORY_PATHS = new Set(['/orders/', '/options/orders/', '/dividends/', '/options/events/']);

/** The longest event-loop stall between start and stop, in ms. */
function loopMonitor(): { stop(): number } {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  return {
    stop() {
      histogram.disable();
      return histogram.max / 1e6;
    },
  };
}

export function historyScenario(orders: number): Scenario {
  const optionOrders = Math.round(orders * 0.2);
  return buildScenario({
    seed: 31,
    accounts: [
      {
        stocks: 100,
        optionLegs: 50,
        multiLegStrategies: 5,
        stockOrders: orders - optionOrders,
        optionOrders,
        dividends: 40,
        optionEvents: 10,
      },
    ],
  });
}

export interface HistoryBenchOptions {
  backends: readonly Backend[];
  orders: number;
  runs: number;
  latencyMs: number;
  log: (line: string) => void;
}

export async function measureHistory(o: HistoryBenchOptions): Promise<HistoryResult[]> {
  const scenario = historyScenario(o.orders);
  const total = scenario.stockOrders.length + scenario.optionOrders.length;
  const results: HistoryResult[] = [];
  for (const backend of o.backends) {
    const imports: HistoryResult['import'][] = [];
    const incrementals: HistoryResult['incremental'][] = [];
    for (let run = 0; run < o.runs; run++) {
      const bench = await createBenchHarness({ backend, scenario, latencyMs: o.latencyMs });
      try {
        await bench.h.runtime.prepare();
        const importLoop = loopMonitor();
        const first = await bench.cycle('cli', 'force');
        const importDelay = importLoop.stop();
        const paths = bench.h.sim.requests.map((r) => r.path);
        const store = bench.h.runtime.store()!;
        const key = first.outcome.accounts[0]!;
        const fifoStart = performance.now();
        await store.transaction((trx) => store.rebuildTradeHistory(trx, key, bench.clock.now()));
        const fifoMs = performance.now() - fifoStart;
        imports.push({
          pages: paths.filter((p) => ORDER_PATHS.has(p)).length,
          requests: first.outcome.apiRequests,
          historyRequests: paths.filter((p) => HISTORY_PATHS.has(p)).length,
          workMs: first.wallMs - first.waitedMs,
          waitedMs: first.waitedMs,
          rowsWritten: first.outcome.rowsWritten,
          trades: first.outcome.counts.trades,
          fifoMs,
          maxLoopDelayMs: importDelay,
        });

        bench.clock.idle(SYNC_INTERVAL_MS);
        const incrementalLoop = loopMonitor();
        const again = await bench.cycle('cli', 'force');
        const incrementalDelay = incrementalLoop.stop();
        const againPaths = bench.h.sim.requests.map((r) => r.path);
        incrementals.push({
          orderStreamRequests: againPaths.filter((p) => ORDER_PATHS.has(p)).length,
          historyRequests: againPaths.filter((p) => HISTORY_PATHS.has(p)).length,
          requests: again.outcome.apiRequests,
          simRequests: again.simRequests,
          workMs: again.wallMs - again.waitedMs,
          maxLoopDelayMs: incrementalDelay,
          rowsWritten: again.outcome.rowsWritten,
          described: describeRequests(bench.h.sim.requests),
          failures: [...first.failures, ...again.failures],
        });
        o.log(
          `  ${backend} run ${run + 1}: import ${imports.at(-1)!.pages} pages, ${Math.round(imports.at(-1)!.workMs)} ms ` +
            `(+${Math.round(first.waitedMs / 1000)} s limiter), FIFO ${Math.round(fifoMs)} ms; ` +
            `incremental ${incrementals.at(-1)!.orderStreamRequests} order-stream requests`,
        );
      } finally {
        await bench.close();
      }
    }
    const mid = <T>(items: T[], pick: (item: T) => number) => median(items.map(pick));
    results.push({
      backend,
      orders: total,
      runs: o.runs,
      import: {
        pages: mid(imports, (i) => i.pages),
        requests: mid(imports, (i) => i.requests),
        historyRequests: mid(imports, (i) => i.historyRequests),
        workMs: mid(imports, (i) => i.workMs),
        waitedMs: mid(imports, (i) => i.waitedMs),
        rowsWritten: mid(imports, (i) => i.rowsWritten),
        trades: mid(imports, (i) => i.trades),
        fifoMs: mid(imports, (i) => i.fifoMs),
        maxLoopDelayMs: mid(imports, (i) => i.maxLoopDelayMs),
      },
      incremental: {
        orderStreamRequests: mid(incrementals, (i) => i.orderStreamRequests),
        historyRequests: mid(incrementals, (i) => i.historyRequests),
        requests: mid(incrementals, (i) => i.requests),
        simRequests: mid(incrementals, (i) => i.simRequests),
        maxLoopDelayMs: mid(incrementals, (i) => i.maxLoopDelayMs),
        workMs: mid(incrementals, (i) => i.workMs),
        rowsWritten: mid(incrementals, (i) => i.rowsWritten),
        described: incrementals.at(-1)?.described ?? '',
        failures: incrementals.flatMap((i) => i.failures),
      },
    });
  }
  return results;
}
