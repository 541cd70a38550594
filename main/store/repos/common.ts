/** Small helpers shared by the repositories: reading rows back into record types. */
import type { Knex } from 'knex';

export type Queryable = Knex | Knex.Transaction;
export type DbRow = Record<string, unknown>;

/** How many rows of `table` belong to the account. */
export async function countAccountRows(db: Queryable, table: string, accountNumber: string): Promise<number> {
  const row = (await db(table).where({ account_number: accountNumber }).count({ n: '*' }).first()) as
    | DbRow
    | undefined;
  return Number(row?.n ?? 0);
}

/** A timestamptz as a UTC ISO string. */
export function isoAt(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  return new Date(String(value)).toISOString();
}

export function isoAtOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : isoAt(value);
}

export function text(value: unknown): string {
  return String(value);
}

export function textOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

export function numberOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

export function boolOrNull(value: unknown): boolean | null {
  return value === null || value === undefined ? null : Boolean(value);
}

/** Explicit when reading enums the database constrains with CHECK. */
export function as<T extends string>(value: unknown): T {
  return String(value) as T;
}

export function asOrNull<T extends string>(value: unknown): T | null {
  return value === null || value === undefined ? null : (String(value) as T);
}
