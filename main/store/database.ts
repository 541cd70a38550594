/**
 * knex over node-postgres, for the embedded server and any external one alike, with these result
 * types: bigint/count → number, numeric → decimal string, date → "YYYY-MM-DD", timestamptz → Date,
 * jsonb → parsed value.
 */
import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import type { Logger } from '../util/logger.js';

const INT8_OID = 20;
const DATE_OID = 1082;

function int8ToNumber(value: string): number {
  const n = Number(value);
  // Counts and ids stay far below 2^53; a larger value would be silently wrong, so refuse it.
  if (!Number.isSafeInteger(n)) throw new RangeError(`bigint ${value} does not fit a JavaScript number`);
  return n;
}

const keepDateText = (value: string): string => value;

/** node-postgres type parsers for this store's connections only (the global pg.types stay untouched). */
export const pgTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID) return int8ToNumber;
    if (oid === DATE_OID) return keepDateText;
    // biome-ignore lint/suspicious/noExplicitAny: pg's overloads do not accept a union format
    return pg.types.getTypeParser(oid, format as any);
  },
};

function firstLine(message: unknown): string {
  return String(message).split('\n')[0] ?? '';
}

function knexLog(logger: Logger): Knex.Config['log'] {
  return {
    // knex warns about failures the caller reports itself (a refused connection): keep its text,
    // with the stack it quotes, for debugging only.
    warn: (message: unknown) => logger.debug('database: ' + String(message)),
    error: (message: unknown) => logger.error('database: ' + firstLine(message)),
    deprecate: (message: unknown) => logger.debug('database: ' + String(message)),
    debug: (message: unknown) => logger.debug('database: ' + String(message)),
  };
}

export interface PostgresOptions {
  statementTimeoutMs?: number;
  maxConnections?: number;
  applicationName?: string;
}

/** pg connection settings shared by the pool and by dedicated lock/listen connections. */
export function pgConnectionConfig(url: string, options: PostgresOptions): pg.ClientConfig {
  const config: pg.ClientConfig = {
    connectionString: url,
    application_name: options.applicationName ?? 'magnus-sync',
    connectionTimeoutMillis: 10_000,
    keepAlive: true,
    types: pgTypes,
  };
  if (options.statementTimeoutMs !== undefined) config.statement_timeout = options.statementTimeoutMs;
  return config;
}

export function openPostgresDatabase(url: string, options: PostgresOptions, logger: Logger): Knex {
  return knexFactory({
    client: 'pg',
    connection: pgConnectionConfig(url, options) as Knex.PgConnectionConfig,
    pool: { min: 0, max: options.maxConnections ?? 4, idleTimeoutMillis: 30_000 },
    acquireConnectionTimeout: 30_000,
    log: knexLog(logger),
  });
}
