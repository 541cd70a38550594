/**
 * The fault-matrix procedure, shared by every row of the matrix:
 *   1. a clean sync fills the store (baseline), then the broker state changes (prices move, an order
 *      is amended), so a half-written stream would show;
 *   2. the faults are injected and one cycle runs;
 *   3. the outcome has the expected status, error kind and log line;
 *   4. every stream is either exactly as before or exactly what a clean sync of the new broker state
 *      produces (never in between), and it is the latter exactly when the cycle reports it committed
 *      — except a history stream that kept unreadable items in quarantine: committed without them;
 *   5. no duplicated rows; the history cursor has not moved unless the history committed;
 *   6. after the fault clears, the next cycle brings the store to exactly what a clean sync produces,
 *      with nothing left in quarantine.
 */
import { expect } from 'vitest';
import type { CycleErrorKind, CycleOutcome } from '../../../main/engine/cycle-types.js';
import type { RuntimeOptions } from '../../../main/runtime/runtime.js';
import type { RunStatus } from '../../../shared/models.js';
import { type Backend, createSyncHarness, type SyncHarness } from '../../helpers/sync-harness.js';
import type { Fault, Scenario, ScenarioOptions, Simulator } from '../../simulator-tools/index.js';
import { cleanSyncContents, FAST_TUNING, UNTHROTTLED } from './clean-sync.js';
import {
  countRows,
  duplicateKeys,
  historyCursor,
  pick,
  STREAM_TABLES,
  type StoreContents,
  storeContents,
} from './store-contents.js';

export interface FaultExpectation {
  status: RunStatus;
  /** null: the cycle reports no error. */
  kind: CycleErrorKind | null;
  /** A log line of the cycle (warn for failures, info for success) must match. */
  log: RegExp;
  committed: { positions: boolean; history: boolean };
  /** Items the history stream kept in quarantine (it committed the rest). */
  quarantined?: number;
}

export interface FaultCase {
  name: string;
  faults: Fault[];
  expect: FaultExpectation;
  runtime?: Partial<RuntimeOptions>;
  /** The client rightly holds off (e.g. a long Retry-After): recover through a restart. */
  recover?: 'next-cycle' | 'restart';
  /** A product bug the lead must fix: the row runs as it.fails and the report names it. */
  knownBug?: string;
  /** More broker changes before the faulty cycle (after changeBrokerState). */
  mutate?: (sim: Simulator, scenarioNow: string) => void;
  /** Extra checks on the faulty cycle (request counts, timings). */
  check?: (ctx: { h: SyncHarness; outcome: CycleOutcome; elapsedMs: number }) => void | Promise<void>;
}

export interface FaultResult {
  outcome: CycleOutcome;
  recovered: CycleOutcome;
  h: SyncHarness;
}

/** Moves every price and amends one filled stock order (new fees, later updated_at). */
export function changeBrokerState(sim: Simulator, scenarioNow: string): void {
  sim.movePrices({ fraction: 1, maxPercent: 4, seed: 17 });
  const filled = sim.state.stockOrders.filter((o) => o.state === 'filled');
  const order = filled[filled.length - 1];
  if (order) {
    order.fees = '0.07';
    order.updatedAt = new Date(Date.parse(scenarioNow) + 90_000).toISOString();
  }
}

export const MATRIX_SCENARIO: ScenarioOptions = {
  seed: 23,
  accounts: [
    {
      stocks: 8,
      optionLegs: 6,
      multiLegStrategies: 1,
      stockOrders: 230,
      optionOrders: 20,
      dividends: 4,
      optionEvents: 2,
    },
  ],
};

export async function runFaultCase(
  c: FaultCase,
  options: { backend?: Backend; scenario: Scenario; track: (h: SyncHarness) => void },
): Promise<FaultResult> {
  const h = await createSyncHarness({
    backend: options.backend ?? 'postgres',
    scenario: options.scenario,
    simulator: { pageSize: 50 },
    runtime: { requestsPerMinute: UNTHROTTLED, brokerTuning: FAST_TUNING, ...c.runtime },
  });
  options.track(h);
  const knex = () => h.runtime.store()!.knex;

  const baseline = await h.runtime.syncOnce('cli', 'force');
  expect(baseline.status, baseline.error?.message).toBe('success');
  changeBrokerState(h.sim, options.scenario.now);
  c.mutate?.(h.sim, options.scenario.now);
  const before = await storeContents(knex());
  const cursorBefore = await historyCursor(knex());
  const snapshotsBefore = await countRows(knex(), 'portfolio_snapshots');

  h.sim.clearRequests();
  const logFrom = h.logger.records.length;
  for (const fault of c.faults) h.sim.inject(fault);
  const started = performance.now();
  const outcome = await h.runtime.syncOnce('cli', 'force');
  const elapsedMs = performance.now() - started;
  h.sim.clearFaults();

  // 3. status, error kind, log line
  expect({ status: outcome.status, kind: outcome.error?.kind ?? null }, outcome.error?.message).toEqual({
    status: c.expect.status,
    kind: c.expect.kind,
  });
  const lines = h.logger.records.slice(logFrom).map((r) => `${r.level} ${r.message}`);
  expect(
    lines.some((l) => c.expect.log.test(l)),
    `log lines:\n${lines.join('\n')}`,
  ).toBe(true);
  await c.check?.({ h, outcome, elapsedMs });

  // 4. whole streams only
  const after = await storeContents(knex());
  const target = await cleanSyncContents(h.sim, options.backend ?? 'postgres');
  const committedStreams = new Set(outcome.streams.map((s) => s.split(':')[0]));
  const quarantined = async (db: typeof knex) =>
    Number((await db()('quarantined_items').count({ n: '*' }))[0]!.n);
  expect(await quarantined(knex)).toBe(c.expect.quarantined ?? 0);
  for (const stream of ['positions', 'history'] as const) {
    const tables = STREAM_TABLES[stream];
    if (stream === 'history' && c.expect.quarantined) {
      expect(committedStreams.has(stream), `${stream} reported committed`).toBe(true);
      continue;
    }
    const expected = c.expect.committed[stream] ? target : before;
    expect(pick(after, tables), `${stream} stream after "${c.name}"`).toEqual(pick(expected, tables));
    expect(committedStreams.has(stream), `${stream} reported committed`).toBe(c.expect.committed[stream]);
  }
  // 5. duplicates, snapshots, cursor
  expect(await duplicateKeys(knex())).toEqual([]);
  expect(await countRows(knex(), 'portfolio_snapshots')).toBe(
    snapshotsBefore + (c.expect.committed.positions ? 1 : 0),
  );
  if (!c.expect.committed.history) expect(await historyCursor(knex())).toEqual(cursorBefore);

  // 6. recovery equals a clean sync
  let runtime = h.runtime;
  if (c.recover === 'restart') {
    await h.runtime.stop();
    runtime = h.reopen();
  }
  const recovered = await runtime.syncOnce('cli', 'force');
  expect(recovered.status, recovered.error?.message).toBe('success');
  expect(await storeContents(runtime.store()!.knex)).toEqual(target);
  expect(await quarantined(() => runtime.store()!.knex)).toBe(0);
  expect(await duplicateKeys(runtime.store()!.knex)).toEqual([]);
  return { outcome, recovered, h };
}

export type { StoreContents };
