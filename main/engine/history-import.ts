/**
 * The position of a first history import, kept in sync_state's `cursor` for the history stream
 * while the import is under way: which listing is being read and the broker's cursor of the next
 * page not yet committed. It only ever names a page after committed rows (cycle.ts importHistory).
 */
import type { HistoryItems, HistoryList } from '../broker/robinhood/index.js';

/** The listings an import reads, in this order. */
export const HISTORY_LISTS: readonly HistoryList[] = [
  'stockOrders',
  'optionOrders',
  'dividends',
  'optionEvents',
];

/** How logs and errors name each listing. */
export const LIST_NAMES: Record<HistoryList, string> = {
  stockOrders: 'stock orders',
  optionOrders: 'option orders',
  dividends: 'dividends',
  optionEvents: 'option events',
};

/** Items read from the history listings and not yet written. */
export type HistoryBatch = { [L in HistoryList]: HistoryItems[L][] };

export function emptyBatch(): HistoryBatch {
  return { stockOrders: [], optionOrders: [], dividends: [], optionEvents: [] };
}

/** Where an unfinished import goes on: `list` from the page `cursor` names (null: its first page). */
export interface ImportPosition {
  /** When the import began: orders changed since then are read again when it completes. */
  startedAt: string;
  list: HistoryList;
  cursor: string | null;
}

/** The import position kept in a history cursor (`{ import: … }`), or null when there is none. */
export function importPositionIn(cursor: unknown): ImportPosition | null {
  if (typeof cursor !== 'object' || cursor === null) return null;
  const position = (cursor as { import?: unknown }).import;
  if (typeof position !== 'object' || position === null) return null;
  const { startedAt, list, cursor: page } = position as Record<string, unknown>;
  if (typeof startedAt !== 'string' || Number.isNaN(Date.parse(startedAt))) return null;
  if (!HISTORY_LISTS.includes(list as HistoryList)) return null;
  if (page !== null && typeof page !== 'string') return null;
  return { startedAt, list: list as HistoryList, cursor: page };
}

/**
 * The position after a page of listing HISTORY_LISTS[index]: its next page, or the next listing's
 * first page. Null when the import cannot be resumed there: after the very last page (the import is
 * complete), or when the broker's `next` carried no cursor.
 */
export function positionAfter(
  startedAt: string,
  index: number,
  page: { last: boolean; nextCursor: string | null },
): ImportPosition | null {
  const list = HISTORY_LISTS[index];
  if (!list) return null;
  if (!page.last) return page.nextCursor ? { startedAt, list, cursor: page.nextCursor } : null;
  const next = HISTORY_LISTS[index + 1];
  return next ? { startedAt, list: next, cursor: null } : null;
}
