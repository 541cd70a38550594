/**
 * Export for `magnus-sync export --format csv|json`: streams a table page by page (keyset
 * pagination), so memory stays flat however large the history is. Columns are the database's
 * (snake_case, as documented in docs/schema.md); times are UTC ISO strings, numbers are the exact
 * decimal strings stored.
 */
import type { Knex } from 'knex';
import type { Queryable } from './repos/common.js';

export const EXPORT_DATASETS = ['positions', 'orders', 'trades', 'snapshots'] as const;
export type ExportDataset = (typeof EXPORT_DATASETS)[number];
export const EXPORT_FORMATS = ['csv', 'json'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportOptions {
  /** Only this account (masked key); all accounts when left out. */
  accountKey?: string;
  /** Rows fetched per query (default 1000). */
  pageSize?: number;
}

interface DatasetSpec {
  table: string;
  /** The keyset: unique, indexed, in export order. */
  order: readonly string[];
  /** Columns left out of CSV (large JSON documents). */
  csvExclude: readonly string[];
}

const DATASETS: Record<ExportDataset, DatasetSpec> = {
  positions: { table: 'positions', order: ['account_number', 'position_key'], csvExclude: [] },
  orders: { table: 'orders', order: ['created_at', 'order_id'], csvExclude: ['raw'] },
  trades: { table: 'trade_history', order: ['close_date', 'trade_key'], csvExclude: [] },
  snapshots: { table: 'portfolio_snapshots', order: ['id'], csvExclude: [] },
};

function plain(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  return value;
}

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(plain(value));
  return /[",\r\n]/.test(text) || /^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

async function* pages(db: Queryable, spec: DatasetSpec, options: ExportOptions) {
  const size = options.pageSize ?? 1000;
  let after: unknown[] | null = null;
  for (;;) {
    // The keyset travels as PostgreSQL's own text form, so microseconds in timestamps survive.
    const query = db(spec.table).select(
      '*',
      ...spec.order.map((c, i) => db.raw('??::text as ??', [c, `__key${i}`])),
    );
    if (options.accountKey !== undefined) query.where({ account_number: options.accountKey });
    if (after) {
      const columns = spec.order.map(() => '??').join(', ');
      const params = spec.order.map(() => '?').join(', ');
      query.whereRaw(`(${columns}) > (${params})`, [...spec.order, ...after] as Knex.RawBinding[]);
    }
    const rows = (await query.orderBy([...spec.order]).limit(size)) as Record<string, unknown>[];
    if (rows.length === 0) return;
    yield rows.map((row) => {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(row)) if (!k.startsWith('__key')) out[k] = v;
      return out;
    });
    if (rows.length < size) return;
    const last = rows[rows.length - 1] as Record<string, unknown>;
    after = spec.order.map((_c, i) => last[`__key${i}`]);
  }
}

/** Yields the export as text chunks (pipe them to a file or stdout). */
export async function* exportData(
  db: Queryable,
  dataset: ExportDataset,
  format: ExportFormat,
  options: ExportOptions = {},
): AsyncGenerator<string> {
  const spec = DATASETS[dataset];
  if (!spec) throw new Error(`Unknown export dataset: ${String(dataset)}`);
  let first = true;
  let columns: string[] = [];
  if (format === 'json') {
    yield '[';
  } else {
    const info = (await db('information_schema.columns')
      .where({ table_name: spec.table })
      .whereRaw('table_schema = current_schema()')
      .orderBy('ordinal_position')
      .select('column_name')) as { column_name: string }[];
    columns = info.map((c) => c.column_name).filter((c) => !spec.csvExclude.includes(c));
    yield `${columns.join(',')}\r\n`;
  }
  for await (const rows of pages(db, spec, options)) {
    let chunk = '';
    for (const row of rows) {
      if (format === 'json') {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(row)) out[k] = plain(v);
        chunk += `${first ? '\n' : ',\n'}${JSON.stringify(out)}`;
      } else {
        chunk += `${columns.map((c) => csvCell(row[c])).join(',')}\r\n`;
      }
      first = false;
    }
    yield chunk;
  }
  if (format === 'json') yield first ? ']\n' : '\n]\n';
}
