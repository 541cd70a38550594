/**
 * The harness every benchmark measures through: the real runtime (engine, cycle runner, Robinhood
 * client, store) syncing the simulator over a socket, with the product's request budget
 * (60 requests/minute, burst 10, default retries and timeouts) on a BenchClock, so rate-limit
 * waits are accounted for exactly without the benchmark sitting through them.
 */

import type { CycleOutcome, HistoryMode } from '../../main/engine/cycle-types.js';
import type { RootLogger } from '../../main/logging/index.js';
import type { SyncTrigger } from '../../shared/models.js';
import { DEFAULT_SYNC_INTERVAL_SECONDS } from '../../shared/settings.js';
import { type Backend, createSyncHarness, type SyncHarness } from '../helpers/sync-harness.js';
import type { Scenario, ScenarioOptions } from '../simulator-tools/index.js';
import { BenchClock } from './bench-clock.js';

export const PRODUCT_REQUESTS_PER_MINUTE = 60;
/** The default sync interval: the idle time between two scheduled cycles. */
export const SYNC_INTERVAL_MS = DEFAULT_SYNC_INTERVAL_SECONDS * 1000;

export interface BenchHarness {
  h: SyncHarness;
  clock: BenchClock;
  /** One cycle; returns the outcome with its rate-limit wait and the simulator's request count. */
  cycle(trigger: SyncTrigger, history: HistoryMode): Promise<MeasuredCycle>;
  close(): Promise<void>;
}

export interface MeasuredCycle {
  outcome: CycleOutcome;
  /** Requests the simulator received during the cycle (cross-check of outcome.apiRequests). */
  simRequests: number;
  /** Wall time including the limiter's waits (the cycle's duration on the bench clock). */
  wallMs: number;
  /** Part of wallMs spent waiting for the request budget. */
  waitedMs: number;
  /** Requests the simulator answered with anything but 2xx (or not at all), as "GET /path 500". */
  failures: string[];
}

/** "METHOD /path ×n" for every distinct request, in first-seen order. */
export function describeRequests(requests: readonly { method: string; path: string }[]): string {
  const counts = new Map<string, number>();
  for (const r of requests)
    counts.set(`${r.method} ${r.path}`, (counts.get(`${r.method} ${r.path}`) ?? 0) + 1);
  return [...counts].map(([k, n]) => (n > 1 ? `${k} ×${n}` : k)).join(', ');
}

export interface BenchHarnessOptions {
  backend: Backend;
  scenario: Scenario | ScenarioOptions;
  latencyMs: number;
  requestsPerMinute?: number;
}

/** A RootLogger that drops everything (the benchmarks must not accumulate log records). */
export function discardingRootLogger(): RootLogger {
  const logger: RootLogger = {
    debug: () => undefined,
    info: () => undefined,
    warn: () => undefined,
    error: () => undefined,
    child: () => logger,
    close: async () => undefined,
    logFileProblem: () => null,
  };
  return logger;
}

export async function createBenchHarness(o: BenchHarnessOptions): Promise<BenchHarness> {
  const clock = new BenchClock();
  const h = await createSyncHarness({
    backend: o.backend,
    scenario: o.scenario,
    simulator: { latencyMs: o.latencyMs },
    runtime: {
      clock,
      logger: discardingRootLogger(),
      requestsPerMinute: o.requestsPerMinute ?? PRODUCT_REQUESTS_PER_MINUTE,
      // Replaces the harness's test tuning: the product's burst, backoff and retry defaults.
      brokerTuning: { timeoutMs: 30_000 },
    },
  });
  return {
    h,
    clock,
    async cycle(trigger, history) {
      h.sim.clearRequests();
      const waitedBefore = clock.waitedMs;
      const outcome = await h.runtime.syncOnce(trigger, history);
      if (outcome.status !== 'success') {
        throw new Error(`benchmark cycle ${outcome.status}: ${outcome.error?.message ?? 'no error'}`);
      }
      return {
        outcome,
        simRequests: h.sim.requests.length,
        wallMs: outcome.durationMs,
        waitedMs: clock.waitedMs - waitedBefore,
        failures: h.sim.requests
          .filter((r) => r.status < 200 || r.status >= 300)
          .map((r) => `${r.method} ${r.path} ${r.status}`),
      };
    },
    close: () => h.close(),
  };
}
