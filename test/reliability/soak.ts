/**
 * The soak: many cycles against one simulator with prices moving and faults injected at random
 * (seeded). Some faults are absorbed by the client's retries; the "fatal" ones must fail exactly
 * one cycle each. At the end the store equals a clean sync of the final broker state and the
 * engine's error count equals the fatal faults injected.
 */

import { createSyncHarness } from '../helpers/sync-harness.js';
import type { Fault } from '../simulator-tools/index.js';
import { cleanSyncContents, FAST_TUNING, UNTHROTTLED } from './helpers/clean-sync.js';
import { duplicateKeys, type StoreContents, storeContents } from './helpers/store-contents.js';

export interface SoakOptions {
  cycles: number;
  seed?: number;
  backend?: 'embedded' | 'postgres';
  /** Every n-th cycle also runs the trade history. */
  historyEvery?: number;
  onProgress?: (done: number) => void;
}

export interface SoakResult {
  cycles: number;
  fatalFaults: number;
  absorbedFaults: number;
  errorCount: number;
  failedOrPartialCycles: number;
  duplicates: string[];
  matchesCleanSync: boolean;
  store: StoreContents;
  clean: StoreContents;
  durationMs: number;
}

/** Faults that no retry absorbs: the cycle must report an error. */
const FATAL: Fault[] = [
  { kind: 'status', status: 500, match: { path: '/positions/' }, times: Infinity },
  { kind: 'throttle', retryAfterSeconds: 0, match: { path: '/options/positions/' }, times: Infinity },
  { kind: 'malformed', match: { path: '/accounts/' }, times: Infinity },
  { kind: 'truncated', match: { path: '/marketdata/options/' }, times: Infinity },
];
/** Faults the client's retries absorb: the cycle succeeds. */
const ABSORBED: Fault[] = [
  { kind: 'status', status: 503, match: { path: '/positions/' }, times: 1 },
  { kind: 'reset', match: { path: '/marketdata/quotes/' }, times: 1 },
  { kind: 'throttle', retryAfterSeconds: 0, match: { path: /^\/portfolios\// }, times: 1 },
  { kind: 'expire-token', match: { path: '/options/positions/' }, times: 1 },
  { kind: 'extra-fields', times: Infinity },
  { kind: 'delay', ms: 15, match: { path: '/accounts/' }, times: 1 },
];

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function runSoak(o: SoakOptions): Promise<SoakResult> {
  const random = rng(o.seed ?? 1);
  const started = performance.now();
  const h = await createSyncHarness({
    backend: o.backend ?? 'postgres',
    scenario: {
      seed: 41,
      accounts: [{ stocks: 10, optionLegs: 6, multiLegStrategies: 1, stockOrders: 60, optionOrders: 20 }],
    },
    runtime: { requestsPerMinute: UNTHROTTLED, brokerTuning: FAST_TUNING },
  });
  let fatal = 0;
  let absorbed = 0;
  let failedOrPartial = 0;
  try {
    for (let i = 0; i < o.cycles; i++) {
      h.sim.clearFaults();
      if (random() < 0.6)
        h.sim.movePrices({ fraction: 0.3, maxPercent: 2, seed: Math.floor(random() * 1e9) });
      const roll = random();
      if (roll < 0.1) {
        h.sim.inject(FATAL[Math.floor(random() * FATAL.length)]!);
        fatal += 1;
      } else if (roll < 0.3) {
        h.sim.inject(ABSORBED[Math.floor(random() * ABSORBED.length)]!);
        absorbed += 1;
      }
      const history = i % (o.historyEvery ?? 10) === 0 ? 'force' : 'skip';
      const outcome = await h.runtime.syncOnce('schedule', history);
      if (outcome.status !== 'success') failedOrPartial += 1;
      o.onProgress?.(i + 1);
    }
    h.sim.clearFaults();
    const last = await h.runtime.syncOnce('schedule', 'force');
    if (last.status !== 'success') failedOrPartial += 1;
    const knex = h.runtime.store()!.knex;
    const store = await storeContents(knex);
    const clean = await cleanSyncContents(h.sim, o.backend ?? 'postgres');
    return {
      cycles: o.cycles + 1,
      fatalFaults: fatal,
      absorbedFaults: absorbed,
      errorCount: h.runtime.status().errorCount,
      failedOrPartialCycles: failedOrPartial,
      duplicates: await duplicateKeys(knex),
      matchesCleanSync: JSON.stringify(store) === JSON.stringify(clean),
      store,
      clean,
      durationMs: performance.now() - started,
    };
  } finally {
    await h.close();
  }
}
