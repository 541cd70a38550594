/**
 * Table sorting: decimals compared exactly, text by locale, missing values always last (in either
 * direction), ties kept in their original order.
 */
import { compareDecimals, isPlainDecimal } from './decimal.js';

export type SortDirection = 'ascending' | 'descending';
export type SortValue =
  | { kind: 'decimal'; value: string | null }
  | { kind: 'number'; value: number | null }
  | { kind: 'text'; value: string | null };

export interface SortState<K extends string> {
  key: K;
  direction: SortDirection;
}

export type SortAccessors<Row, K extends string> = Record<K, (row: Row) => SortValue>;

function isMissing(v: SortValue): boolean {
  if (v.value === null) return true;
  if (v.kind === 'decimal') return !isPlainDecimal(v.value);
  if (v.kind === 'number') return !Number.isFinite(v.value);
  return v.value === '';
}

export function compareSortValues(a: SortValue, b: SortValue): number {
  if (a.kind === 'decimal' && b.kind === 'decimal') return compareDecimals(a.value ?? '0', b.value ?? '0');
  if (a.kind === 'number' && b.kind === 'number') return Math.sign((a.value ?? 0) - (b.value ?? 0));
  return String(a.value ?? '').localeCompare(String(b.value ?? ''), 'en', {
    numeric: true,
    sensitivity: 'base',
  });
}

export function sortRows<Row, K extends string>(
  rows: readonly Row[],
  state: SortState<K>,
  accessors: SortAccessors<Row, K>,
): Row[] {
  const get = accessors[state.key];
  const factor = state.direction === 'ascending' ? 1 : -1;
  return rows
    .map((row, index) => ({ row, index, value: get(row) }))
    .sort((a, b) => {
      const missingA = isMissing(a.value);
      const missingB = isMissing(b.value);
      if (missingA || missingB) return missingA === missingB ? a.index - b.index : missingA ? 1 : -1;
      return compareSortValues(a.value, b.value) * factor || a.index - b.index;
    })
    .map((entry) => entry.row);
}

/**
 * Clicking a column: the same column flips direction; a new column starts with the direction that
 * is most useful for it (largest first for amounts, A→Z for text).
 */
export function nextSort<K extends string>(
  current: SortState<K>,
  key: K,
  firstDirection: SortDirection = 'descending',
): SortState<K> {
  if (current.key === key) {
    return { key, direction: current.direction === 'ascending' ? 'descending' : 'ascending' };
  }
  return { key, direction: firstDirection };
}

/** The aria-sort value of a column header. */
export function ariaSort<K extends string>(state: SortState<K>, key: K): SortDirection | 'none' {
  return state.key === key ? state.direction : 'none';
}
