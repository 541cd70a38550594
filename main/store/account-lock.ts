/**
 * One agent per account at a time, across machines sharing a PostgreSQL server: a session-level
 * advisory lock held on a dedicated connection for the whole sync of the account. If the process
 * dies, the server drops the connection and with it the lock.
 */
import { createHash } from 'node:crypto';
import pg from 'pg';
import type { Logger } from '../util/logger.js';
import { redactMessage } from './config.js';

/** The advisory lock key space of Magnus Sync: the first int4 of the two-key form ("MSYN"). */
export const ADVISORY_LOCK_NAMESPACE = 0x4d53594e;

/** The second int4 of the key: the first 4 bytes of sha256(accountKey), signed. */
export function advisoryLockKey(accountKey: string): number {
  return createHash('sha256').update(accountKey).digest().readInt32BE(0);
}

export type AccountLockResult<T> =
  | { status: 'ran'; value: T }
  | { status: 'locked'; accountKey: string; message: string };

export async function withAdvisoryLock<T>(
  connection: pg.ClientConfig,
  url: string,
  accountKey: string,
  fn: () => Promise<T>,
  logger: Logger,
): Promise<AccountLockResult<T>> {
  const client = new pg.Client(connection);
  // A dropped connection (server restart) must not crash the process; the lock is gone with it.
  client.on('error', (error) => {
    logger.warn('The account lock connection failed; the lock is released', {
      accountKey,
      error: redactMessage(error.message, url),
    });
  });
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw new Error(
      `Could not connect to take the account lock: ${redactMessage((error as Error).message, url)}`,
    );
  }
  const key = advisoryLockKey(accountKey);
  try {
    const result = await client.query<{ locked: boolean }>('select pg_try_advisory_lock($1, $2) as locked', [
      ADVISORY_LOCK_NAMESPACE,
      key,
    ]);
    if (!result.rows[0]?.locked) {
      return {
        status: 'locked',
        accountKey,
        message: `Account ${accountKey} is being synced by another Magnus Sync agent; this cycle skips it.`,
      };
    }
    try {
      return { status: 'ran', value: await fn() };
    } finally {
      await client
        .query('select pg_advisory_unlock($1, $2)', [ADVISORY_LOCK_NAMESPACE, key])
        .catch((error: Error) =>
          logger.warn('Could not release the account lock (it goes with the connection)', {
            accountKey,
            error: redactMessage(error.message, url),
          }),
        );
    }
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Key space of the schema-migration mutex (distinct from the account locks). */
export const MIGRATION_LOCK_NAMESPACE = ADVISORY_LOCK_NAMESPACE + 1;

/**
 * Runs fn while holding the migration mutex, waiting for it if another agent migrates. knex's own
 * migration lock lives in a table that two agents opening an empty database would both try to create.
 */
export async function withMigrationLock<T>(
  connection: pg.ClientConfig,
  url: string,
  fn: () => Promise<T>,
  logger: Logger,
): Promise<T> {
  const client = new pg.Client(connection);
  client.on('error', (error) => {
    logger.warn('The migration lock connection failed', { error: redactMessage(error.message, url) });
  });
  await client.connect();
  try {
    await client.query('select pg_advisory_lock($1, 0)', [MIGRATION_LOCK_NAMESPACE]);
    try {
      return await fn();
    } finally {
      await client
        .query('select pg_advisory_unlock($1, 0)', [MIGRATION_LOCK_NAMESPACE])
        .catch(() => undefined);
    }
  } finally {
    await client.end().catch(() => undefined);
  }
}
