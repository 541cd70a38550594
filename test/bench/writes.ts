/**
 * Item 3: write volume per cycle, on the embedded server and PostgreSQL.
 *
 * Rows are counted in the database, not taken from the engine: before a cycle the benchmark reads
 * the current transaction id; after it, every row version whose xmin is newer was inserted or
 * updated by the cycle (or by the sync_runs record right after it); the change of each table's row
 * count (inserted − deleted) is reported beside it, and so is the engine's own count
 * (CycleOutcome.rowsWritten: inserted + updated + deleted, without the run record).
 */
import type { Knex } from 'knex';
import type { Backend } from '../helpers/sync-harness.js';
import type { ScenarioOptions } from '../simulator-tools/index.js';
import { type BenchHarness, createBenchHarness, SYNC_INTERVAL_MS } from './bench-harness.js';
import { median } from './stats.js';

export const WRITE_SCENARIO: ScenarioOptions = {
  seed: 21,
  accounts: [
    {
      stocks: 100,
      optionLegs: 50,
      multiLegStrategies: 5,
      stockOrders: 150,
      optionOrders: 80,
      dividends: 12,
      optionEvents: 3,
    },
  ],
};

export type WriteCase = 'first sync' | 'nothing changed' | '10% of prices moved';

export interface WriteResult {
  backend: Backend;
  case: WriteCase;
  runs: number;
  /** Median rows inserted or updated (row versions created), all tables. */
  rowsWritten: number;
  /** Median net change of the row count (inserted − deleted). */
  netRows: number;
  /** Median of the engine's own count (inserted + updated + deleted, without the run record). */
  engineRows: number;
  /** Per table, from the median run: "table n". */
  tables: string;
  /** Median cycle time without rate-limit waits. */
  workMs: number;
  /** Prices the simulator changed before the cycle (10% case). */
  pricesMoved: number | null;
}

interface TableCount {
  written: number;
  rows: number;
}

async function tableNames(knex: Knex): Promise<string[]> {
  const result = await knex.raw(
    `select table_name from information_schema.tables
      where table_schema = current_schema() and table_type = 'BASE TABLE' and table_name not like 'knex%'
      order by table_name`,
  );
  return (result.rows as Array<{ table_name: string }>).map((r) => r.table_name);
}

async function currentXid(knex: Knex): Promise<string> {
  const result = await knex.raw('select (txid_current() % 4294967296)::text as x');
  return String((result.rows as Array<{ x: string }>)[0]?.x);
}

async function counts(
  knex: Knex,
  tables: readonly string[],
  sinceXid: string,
): Promise<Map<string, TableCount>> {
  const out = new Map<string, TableCount>();
  for (const table of tables) {
    const result = await knex.raw(
      `select count(*)::int as rows, count(*) filter (where xmin::text::bigint > ?::bigint)::int as written from "${table}"`,
      [sinceXid],
    );
    const row = (result.rows as Array<{ rows: number; written: number }>)[0];
    out.set(table, { rows: Number(row?.rows ?? 0), written: Number(row?.written ?? 0) });
  }
  return out;
}

interface OneCycle {
  written: number;
  /** Rows after minus rows before, all tables (inserted − deleted). */
  net: number;
  engineRows: number;
  perTable: string;
  workMs: number;
}

async function measuredCycle(bench: BenchHarness, history: 'force' | 'skip'): Promise<OneCycle> {
  const store = bench.h.runtime.store();
  let knex = store?.knex;
  let tables = knex ? await tableNames(knex) : [];
  const before = knex ? await counts(knex, tables, '0') : new Map<string, TableCount>();
  const xid = knex ? await currentXid(knex) : '0';
  const cycle = await bench.cycle('cli', history);
  knex = bench.h.runtime.store()!.knex;
  if (tables.length === 0) tables = await tableNames(knex);
  const after = await counts(knex, tables, xid);
  let written = 0;
  let net = 0;
  const parts: string[] = [];
  for (const table of tables) {
    const a = after.get(table)!;
    const b = before.get(table) ?? { rows: 0, written: 0 };
    const change = a.rows - b.rows;
    written += a.written;
    net += change;
    if (a.written > 0 || change !== 0)
      parts.push(
        `${table} ${a.written}${change !== a.written ? ` (net ${change >= 0 ? '+' : ''}${change})` : ''}`,
      );
  }
  return {
    written,
    net,
    engineRows: cycle.outcome.rowsWritten,
    perTable: parts.join(', '),
    workMs: cycle.wallMs - cycle.waitedMs,
  };
}

function summarise(
  backend: Backend,
  kind: WriteCase,
  runs: OneCycle[],
  pricesMoved: number[] = [],
): WriteResult {
  const sorted = [...runs].sort((a, b) => a.written - b.written);
  const mid = sorted[Math.floor(sorted.length / 2)]!;
  return {
    backend,
    case: kind,
    runs: runs.length,
    rowsWritten: median(runs.map((r) => r.written)),
    netRows: median(runs.map((r) => r.net)),
    engineRows: median(runs.map((r) => r.engineRows)),
    tables: mid.perTable,
    workMs: median(runs.map((r) => r.workMs)),
    pricesMoved: pricesMoved.length > 0 ? median(pricesMoved) : null,
  };
}

export interface WriteBenchOptions {
  backends: readonly Backend[];
  runs: number;
  latencyMs: number;
  log: (line: string) => void;
}

export async function measureWrites(o: WriteBenchOptions): Promise<WriteResult[]> {
  const results: WriteResult[] = [];
  for (const backend of o.backends) {
    const firsts: OneCycle[] = [];
    const quiet: OneCycle[] = [];
    const moved: OneCycle[] = [];
    const movedCounts: number[] = [];
    for (let run = 0; run < o.runs; run++) {
      const bench = await createBenchHarness({ backend, scenario: WRITE_SCENARIO, latencyMs: o.latencyMs });
      try {
        // The store opens with the first cycle; prepare it first so the count covers the cycle only.
        await bench.h.runtime.prepare();
        firsts.push(await measuredCycle(bench, 'force'));
        bench.clock.idle(SYNC_INTERVAL_MS);
        quiet.push(await measuredCycle(bench, 'skip'));
        bench.clock.idle(SYNC_INTERVAL_MS);
        movedCounts.push(bench.h.sim.movePrices({ fraction: 0.1, seed: 100 + run }));
        moved.push(await measuredCycle(bench, 'skip'));
      } finally {
        await bench.close();
      }
    }
    const rows = [
      summarise(backend, 'first sync', firsts),
      summarise(backend, 'nothing changed', quiet),
      summarise(backend, '10% of prices moved', moved, movedCounts),
    ];
    for (const r of rows)
      o.log(
        `  ${backend} ${r.case}: ${r.rowsWritten} rows written, net ${r.netRows}, ${Math.round(r.workMs)} ms`,
      );
    results.push(...rows);
  }
  return results;
}
