/**
 * Items 1 and 2: API requests and wall time per cycle for P stock positions and O option legs,
 * first cycle (login, cold instrument cache) and steady state, with the per-position pattern of the
 * popular clients measured against the same simulator.
 *
 * First and steady cycles here are account-state cycles (trade history skipped; it is measured on
 * its own in history.ts). Then the history is imported once, and one more cycle runs both streams
 * with nothing new at the broker: the full cycle's count, beside the account-state count.
 */

import type { Backend } from '../helpers/sync-harness.js';
import type { ScenarioOptions } from '../simulator-tools/index.js';
import { createBenchHarness, SYNC_INTERVAL_MS } from './bench-harness.js';
import { PerPositionClient } from './per-position-client.js';
import { median } from './stats.js';

export interface Size {
  stocks: number;
  legs: number;
}

export interface SizeResult extends Size {
  first: { requests: number; simRequests: number; wallMs: number; waitedMs: number };
  steady: {
    /** Every steady run's request count (they should all be equal). */
    requests: number[];
    simRequests: number[];
    wallMs: number;
    waitedMs: number;
    /** Wall time minus the limiter's waits: what the cycle costs at 50 ms per request. */
    workMs: number;
  };
  /** A cycle of both streams (account state and trade history) with nothing new at the broker. */
  full: { requests: number; simRequests: number };
  perPosition: {
    first: number;
    repeat: number[];
    /** Sequential (as the libraries run) wall time of a repeat refresh, when measured. */
    sequentialMs: number | null;
  };
}

export interface RequestBenchOptions {
  sizes: readonly Size[];
  runs: number;
  latencyMs: number;
  backend: Backend;
  /** Parallel lanes for the per-position pattern (its request count does not depend on it). */
  perPositionConcurrency: number;
  /** Sizes whose per-position refresh is also timed sequentially. */
  sequentialFor: (size: Size) => boolean;
  log: (line: string) => void;
}

export function scenarioFor(size: Size, seed = 7): ScenarioOptions {
  return {
    seed,
    accounts: [
      {
        stocks: size.stocks,
        optionLegs: size.legs,
        multiLegStrategies: Math.floor(size.legs / 10),
        dividends: 2,
      },
    ],
  };
}

export async function measureSize(size: Size, o: RequestBenchOptions): Promise<SizeResult> {
  const bench = await createBenchHarness({
    backend: o.backend,
    scenario: scenarioFor(size),
    latencyMs: o.latencyMs,
  });
  try {
    const first = await bench.cycle('cli', 'skip');
    if (
      first.outcome.counts.stockPositions !== size.stocks ||
      first.outcome.counts.optionPositions !== size.legs
    )
      throw new Error(
        `expected ${size.stocks} stocks and ${size.legs} legs, synced ${first.outcome.counts.stockPositions} and ${first.outcome.counts.optionPositions}`,
      );
    const steady = [];
    for (let run = 0; run < o.runs; run++) {
      bench.clock.idle(SYNC_INTERVAL_MS);
      steady.push(await bench.cycle('schedule', 'skip'));
    }

    bench.clock.idle(SYNC_INTERVAL_MS);
    await bench.cycle('schedule', 'force'); // imports the trade history
    bench.clock.idle(SYNC_INTERVAL_MS);
    const full = await bench.cycle('schedule', 'force');

    const user = bench.h.scenario.users[0]!;
    const client = new PerPositionClient({
      baseUrl: bench.h.sim.url,
      username: user.username,
      password: user.password,
      concurrency: o.perPositionConcurrency,
    });
    const refreshOnce = async () => {
      bench.h.sim.clearRequests();
      const refresh = await client.refresh();
      if (refresh.holdings.length !== size.stocks || refresh.options.length !== size.legs)
        throw new Error(
          `per-position client read ${refresh.holdings.length} holdings and ${refresh.options.length} legs`,
        );
      return bench.h.sim.requests.length;
    };
    const perFirst = await refreshOnce();
    const perRepeat: number[] = [];
    for (let run = 0; run < Math.max(1, Math.min(o.runs, 2)); run++) perRepeat.push(await refreshOnce());
    let sequentialMs: number | null = null;
    if (o.sequentialFor(size)) {
      const sequential = new PerPositionClient({
        baseUrl: bench.h.sim.url,
        username: user.username,
        password: user.password,
        concurrency: 1,
      });
      await sequential.refresh(); // fills its name cache, like a long-running script
      const start = performance.now();
      await sequential.refresh();
      sequentialMs = performance.now() - start;
    }

    const result: SizeResult = {
      ...size,
      first: {
        requests: first.outcome.apiRequests,
        simRequests: first.simRequests,
        wallMs: first.wallMs,
        waitedMs: first.waitedMs,
      },
      steady: {
        requests: steady.map((s) => s.outcome.apiRequests),
        simRequests: steady.map((s) => s.simRequests),
        wallMs: median(steady.map((s) => s.wallMs)),
        waitedMs: median(steady.map((s) => s.waitedMs)),
        workMs: median(steady.map((s) => s.wallMs - s.waitedMs)),
      },
      full: { requests: full.outcome.apiRequests, simRequests: full.simRequests },
      perPosition: { first: perFirst, repeat: perRepeat, sequentialMs },
    };
    o.log(
      `  P=${size.stocks} O=${size.legs}: first ${result.first.requests} req, steady ${result.steady.requests.join('/')} req, full ${result.full.requests} req ` +
        `${Math.round(result.steady.wallMs)} ms; per-position ${perFirst} / ${perRepeat.join('/')} req`,
    );
    return result;
  } finally {
    await bench.close();
  }
}

export async function measureRequests(o: RequestBenchOptions): Promise<SizeResult[]> {
  const results: SizeResult[] = [];
  for (const size of o.sizes) results.push(await measureSize(size, o));
  return results;
}
