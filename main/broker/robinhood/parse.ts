/**
 * Applies the payload schemas to responses.
 *
 * Policy: a malformed envelope or single object fails the call (PayloadError with the field path);
 * one bad row inside a list does not. It is skipped and reported in `rejected` (and logged at warn),
 * so one odd position or order never fails a whole sync, while the engine can still see it.
 */
import type { z } from 'zod';
import type { Logger } from '../../util/logger.js';
import { PayloadError } from './errors.js';

export interface RejectedItem {
  /** Index of the item in the response (across pages). */
  index: number;
  /** The item's id when it had a readable one. */
  id: string | null;
  /** Path of the first bad field inside the item, e.g. "legs[0].strike_price". */
  fieldPath: string;
  problem: string;
  /** The item as received, so the caller can keep it (quarantine) instead of dropping it. */
  raw: unknown;
}

export interface ListResult<T> {
  items: T[];
  rejected: RejectedItem[];
}

export interface BatchResult<T> {
  byId: Map<string, T>;
  /** Requested ids the broker answered with null (or left out). */
  missing: string[];
  /** Items that came back but failed validation. */
  rejected: RejectedItem[];
}

/** "results[3].legs[0].strike_price" from a zod issue path. */
export function formatPath(path: ReadonlyArray<PropertyKey>, prefix = ''): string {
  let out = prefix;
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

/** Parses one object; any problem fails the call. */
export function parseOne<S extends z.ZodType>(schema: S, value: unknown, endpoint: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new PayloadError(endpoint, issue ? formatPath(issue.path) : '', issue?.message ?? 'invalid payload');
}

/** Parses every item of a list; bad items are reported instead of failing the call. */
export function parseItems<S extends z.ZodType>(
  schema: S,
  items: readonly unknown[],
  endpoint: string,
  logger: Logger,
  options: { indexOffset?: number; skipNull?: boolean } = {},
): ListResult<z.output<S>> {
  const parsed: z.output<S>[] = [];
  const rejected: RejectedItem[] = [];
  items.forEach((item, i) => {
    const index = i + (options.indexOffset ?? 0);
    if (item === null || item === undefined) {
      // Batch endpoints answer unknown ids with null: the caller reports those as missing.
      if (options.skipNull) return;
      rejected.push({
        index,
        id: null,
        fieldPath: `results[${index}]`,
        problem: 'the item is null',
        raw: item ?? null,
      });
      return;
    }
    const result = schema.safeParse(item);
    if (result.success) {
      parsed.push(result.data);
      return;
    }
    const issue = result.error.issues[0];
    rejected.push({
      index,
      id: readableId(item),
      fieldPath: formatPath(issue?.path ?? [], `results[${index}]`),
      problem: issue?.message ?? 'invalid item',
      raw: item,
    });
  });
  if (!options.skipNull) reportRejected(rejected, items.length, endpoint, logger);
  return { items: parsed, rejected };
}

export function reportRejected(
  rejected: readonly RejectedItem[],
  total: number,
  endpoint: string,
  logger: Logger,
): void {
  if (rejected.length === 0) return;
  logger.warn('Skipped items the client could not read', {
    endpoint,
    skipped: rejected.length,
    of: total,
    problems: rejected.slice(0, 5).map((r) => `${r.fieldPath}: ${r.problem}`),
  });
}

/** The `id` (or `instrument_id`) of a raw item, if it is a plain UUID-like string; never other values. */
function readableId(item: unknown): string | null {
  if (typeof item !== 'object' || item === null) return null;
  const record = item as Record<string, unknown>;
  for (const key of ['id', 'instrument_id', 'option_id']) {
    const value = record[key];
    if (typeof value === 'string' && /^[0-9a-f-]{8,64}$/i.test(value)) return value;
  }
  return null;
}
