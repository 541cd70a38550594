/**
 * When the trade-history stream re-reads the two lists the broker cannot filter by time
 * (`/dividends/` and `/options/events/` take no `updated_at[gte]`): each costs a full read, so
 * not on every history run.
 *
 * - dividends: once per New York trading day (a dividend is paid on a day; the day it is paid is
 *   the day it is read);
 * - option events (expirations, assignments, exercises): once per trading day, and at once when the
 *   open option legs changed or an option order arrived, since an event closes a leg.
 *
 * Each list's last read is kept in its own sync_state row, committed with the data it read.
 */
import type { Knex } from 'knex';
import type { Store } from '../store/index.js';
import { tradingDayOf } from '../store/index.js';

export const DIVIDENDS_STREAM = 'dividends';
export const OPTION_EVENTS_STREAM = 'option-events';

export interface ListCursor {
  /** Trading day of the last complete read. */
  readOn: string;
  /** sha256 of the open option legs at that read (option events only). */
  openOptions?: string;
}

export interface HistoryListsDue {
  dividends: boolean;
  optionEvents: boolean;
}

function cursorOf(value: unknown): Partial<ListCursor> {
  return typeof value === 'object' && value !== null ? (value as Partial<ListCursor>) : {};
}

export async function historyListsDue(
  store: Store,
  key: string,
  now: Date,
  openOptions: string,
  optionOrdersChanged: boolean,
): Promise<HistoryListsDue> {
  const today = tradingDayOf(now);
  const [dividends, events] = await Promise.all([
    store.syncState.get(store.knex, key, DIVIDENDS_STREAM),
    store.syncState.get(store.knex, key, OPTION_EVENTS_STREAM),
  ]);
  const eventsCursor = cursorOf(events?.cursor);
  return {
    dividends: cursorOf(dividends?.cursor).readOn !== today,
    optionEvents:
      optionOrdersChanged || eventsCursor.readOn !== today || eventsCursor.openOptions !== openOptions,
  };
}

export function listCursor(now: Date, openOptions?: string): ListCursor {
  return { readOn: tradingDayOf(now), ...(openOptions !== undefined ? { openOptions } : {}) };
}

/** In the history transaction: remembers the full reads this run made. */
export async function saveListReads(
  store: Store,
  trx: Knex.Transaction,
  key: string,
  due: HistoryListsDue,
  now: Date,
  openOptions: string,
): Promise<void> {
  const read = (stream: string, cursor: ListCursor) =>
    store.syncState.save(trx, { accountNumber: key, stream, lastSuccessAt: now.toISOString(), cursor }, now);
  if (due.dividends) await read(DIVIDENDS_STREAM, listCursor(now));
  if (due.optionEvents) await read(OPTION_EVENTS_STREAM, listCursor(now, openOptions));
}
