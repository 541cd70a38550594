/**
 * What a store holds, in a form two stores can be compared by: every table the sync writes, rows
 * sorted by their natural key, Magnus Sync's own write times and surrogate ids left out (they differ
 * between two syncs of the same broker state), numbers compared as decimals, times as ISO strings.
 */
import type { Knex } from 'knex';
import { Dec } from '../../../main/util/money.js';

/** Natural key of each table, for a stable order. */
const TABLES = {
  trading_accounts: ['account_number'],
  positions: ['account_number', 'position_key'],
  orders: ['order_id'],
  order_executions: ['order_id', 'execution_id'],
  trade_history: ['trade_key'],
  dividends: ['dividend_id'],
  option_events: ['event_id'],
  instruments: ['id'],
  option_instruments: ['id'],
} as const;

export type TableName = keyof typeof TABLES | 'latest_snapshot' | 'latest_daily_balance';

/** The tables each stream writes in its one transaction. */
export const STREAM_TABLES = {
  positions: ['trading_accounts', 'positions', 'latest_snapshot', 'latest_daily_balance'],
  history: ['orders', 'order_executions', 'trade_history', 'dividends', 'option_events'],
} as const satisfies Record<string, readonly TableName[]>;

/** Magnus Sync's write times and ids; `orders.created_at/updated_at` are the broker's and stay. */
// run_id names the sync run that took a snapshot: bookkeeping, like the ids.
const VOLATILE = new Set([
  'id',
  'run_id',
  'first_seen_at',
  'synced_at',
  'taken_at',
  'updated_at',
  'created_at',
]);
const BROKER_TIMES: Partial<Record<string, readonly string[]>> = { orders: ['created_at', 'updated_at'] };

export type StoreContents = Record<TableName, Array<Record<string, string | null>>>;

function normalise(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'number' || typeof value === 'bigint') return new Dec(value.toString()).toString();
  if (typeof value === 'string') {
    if (/^-?\d+(\.\d+)?$/.test(value)) return new Dec(value).toString();
    return value;
  }
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, sortKeys(v)]),
    );
  }
  return value;
}

function clean(table: string, row: Record<string, unknown>): Record<string, string | null> {
  const keep = BROKER_TIMES[table] ?? [];
  const out: Record<string, string | null> = {};
  for (const [column, value] of Object.entries(row)) {
    if (VOLATILE.has(column) && !keep.includes(column)) continue;
    out[column] = normalise(value);
  }
  return out;
}

export async function storeContents(knex: Knex): Promise<StoreContents> {
  const result = {} as StoreContents;
  for (const [table, key] of Object.entries(TABLES)) {
    const rows = (await knex(table).orderBy([...key])) as Array<Record<string, unknown>>;
    result[table as TableName] = rows.map((r) => clean(table, r));
  }
  // Snapshots are one per successful cycle: only the latest of each account is a function of the broker state.
  const snapshots = (await knex('portfolio_snapshots').orderBy([
    'account_number',
    { column: 'taken_at', order: 'desc' },
  ])) as Array<Record<string, unknown>>;
  result.latest_snapshot = latestPerAccount(snapshots).map((r) => clean('portfolio_snapshots', r));
  const balances = (await knex('daily_portfolio_balances').orderBy([
    'account_number',
    { column: 'date', order: 'desc' },
  ])) as Array<Record<string, unknown>>;
  result.latest_daily_balance = latestPerAccount(balances).map((r) => clean('daily_portfolio_balances', r));
  return result;
}

function latestPerAccount(rows: Array<Record<string, unknown>>): Array<Record<string, unknown>> {
  const seen = new Set<unknown>();
  return rows.filter((r) => {
    if (seen.has(r.account_number)) return false;
    seen.add(r.account_number);
    return true;
  });
}

export function pick(contents: StoreContents, tables: readonly TableName[]): Partial<StoreContents> {
  return Object.fromEntries(tables.map((t) => [t, contents[t]]));
}

export async function countRows(knex: Knex, table: string): Promise<number> {
  return Number((await knex(table).count({ n: '*' }))[0]!.n);
}

/** The history cursor: the sync_state row of the history stream and the newest stored order. */
export async function historyCursor(
  knex: Knex,
): Promise<{ state: string | null; newestOrder: string | null }> {
  const state = (await knex('sync_state').where({ stream: 'history' }).orderBy('account_number')) as Array<
    Record<string, unknown>
  >;
  const newest = (await knex('orders').max({ m: 'updated_at' }))[0]?.m;
  return {
    state: state.length ? state.map((s) => normalise(s.last_success_at)).join(',') : null,
    newestOrder: normalise(newest),
  };
}

/** Rows that share a natural key (must be none: the keys are unique, this guards the key choice). */
export async function duplicateKeys(knex: Knex): Promise<string[]> {
  const found: string[] = [];
  const checks: Array<[string, string[]]> = [
    ['positions', ['account_number', 'position_key']],
    ['orders', ['order_id']],
    ['trade_history', ['trade_key']],
    ['order_executions', ['order_id', 'execution_id']],
    ['portfolio_snapshots', ['account_number', 'taken_at']],
    ['daily_portfolio_balances', ['account_number', 'date']],
    // The same pair of fills (or fill and event) matched twice under different keys.
    ['trade_history', ['open_execution_id', 'close_execution_id', 'close_event_id', 'instrument_id']],
  ];
  for (const [table, key] of checks) {
    const rows = await knex(table).select(key).count({ n: '*' }).groupBy(key).havingRaw('count(*) > 1');
    if (rows.length > 0) found.push(`${table}: ${rows.length} duplicated key(s)`);
  }
  return found;
}
