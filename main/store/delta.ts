/**
 * Delta writes: insert new rows, update rows whose values changed, leave identical rows alone.
 *
 * The comparison happens in SQL (`IS DISTINCT FROM` on the compared columns), so numerically equal
 * decimals ("1.5" vs "1.50") and equal JSON documents count as unchanged; a row that is not
 * rewritten keeps its timestamps. `xmax = 0` tells an inserted row from an updated one.
 */
import type { Knex } from 'knex';
import type { WriteCounts } from './rows.js';

export type Queryable = Knex | Knex.Transaction;
export type Row = Record<string, unknown>;

export interface DeltaSpec {
  table: string;
  /** The unique key the rows conflict on. */
  key: readonly string[];
  /** Columns whose change makes an update (and which are updated). */
  compare: readonly string[];
  /** Columns set only when the row is inserted or changed (e.g. synced_at, updated_at). */
  touch: readonly string[];
}

const CHUNK_ROWS = 500;

export function emptyCounts(): WriteCounts {
  return { inserted: 0, updated: 0, deleted: 0 };
}

export function addCounts(a: WriteCounts, b: WriteCounts): WriteCounts {
  return {
    inserted: a.inserted + b.inserted,
    updated: a.updated + b.updated,
    deleted: a.deleted + b.deleted,
  };
}

export function keyOf(row: Row, key: readonly string[]): string {
  return key.map((k) => String(row[k])).join('\u0000');
}

/** Upserts rows; unchanged rows are not written. Rows must have unique keys. */
export async function upsertDelta(
  db: Queryable,
  spec: DeltaSpec,
  rows: readonly Row[],
): Promise<WriteCounts> {
  const counts = emptyCounts();
  if (rows.length === 0 || spec.compare.length === 0) return counts;
  const existing = spec.compare.map(() => '??.??').join(', ');
  const incoming = spec.compare.map(() => 'excluded.??').join(', ');
  const bindings = [...spec.compare.flatMap((c) => [spec.table, c]), ...spec.compare];
  for (let start = 0; start < rows.length; start += CHUNK_ROWS) {
    const chunk = rows.slice(start, start + CHUNK_ROWS);
    const result = (await db(spec.table)
      .insert(chunk)
      .onConflict([...spec.key])
      .merge([...spec.compare, ...spec.touch])
      .whereRaw(`(${existing}) is distinct from (${incoming})`, bindings)
      .returning(db.raw('(xmax = 0) as inserted'))) as unknown as { inserted: boolean }[];
    for (const r of result) {
      if (r.inserted) counts.inserted++;
      else counts.updated++;
    }
  }
  return counts;
}

/** Inserts rows whose key is not there yet; existing rows are left as they are. */
export async function insertMissing(
  db: Queryable,
  table: string,
  key: readonly string[],
  rows: readonly Row[],
) {
  let inserted = 0;
  for (let start = 0; start < rows.length; start += CHUNK_ROWS) {
    const chunk = rows.slice(start, start + CHUNK_ROWS);
    const result = (await db(table)
      .insert(chunk)
      .onConflict([...key])
      .ignore()
      .returning(db.raw('1 as one'))) as unknown[];
    inserted += result.length;
  }
  return inserted;
}

/** Deletes the rows in `scope` whose `keyColumn` is not in `keep`. */
export async function deleteMissing(
  db: Queryable,
  table: string,
  scope: Row,
  keyColumn: string,
  keep: ReadonlySet<string>,
): Promise<number> {
  const present = (await db(table).where(scope).select(keyColumn)) as Row[];
  const gone = present.map((r) => String(r[keyColumn])).filter((k) => !keep.has(k));
  let deleted = 0;
  for (let start = 0; start < gone.length; start += 1000) {
    deleted += await db(table)
      .where(scope)
      .whereIn(keyColumn, gone.slice(start, start + 1000))
      .delete();
  }
  return deleted;
}

/** Rejects duplicate keys (for sets that must be unique, like positions). */
export function findDuplicateKey(rows: readonly Row[], key: readonly string[]): string | null {
  const seen = new Set<string>();
  for (const row of rows) {
    const k = keyOf(row, key);
    if (seen.has(k)) return k.split('\u0000').join(' / ');
    seen.add(k);
  }
  return null;
}

/** Keeps the last row of each key (for overlapping pages of the same broker list). */
export function lastPerKey(rows: readonly Row[], key: readonly string[]): Row[] {
  const byKey = new Map<string, Row>();
  for (const row of rows) byKey.set(keyOf(row, key), row);
  return [...byKey.values()];
}

/** A JSON value ready for a jsonb column (null stays SQL null). */
export function jsonb(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value);
}

export function isoOrNull(value: Date | string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return value instanceof Date ? value.toISOString() : new Date(value).toISOString();
}

export function iso(value: Date | string): string {
  return value instanceof Date ? value.toISOString() : new Date(value).toISOString();
}
