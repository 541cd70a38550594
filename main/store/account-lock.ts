/**
 * One agent per account at a time, across machines sharing a PostgreSQL server: a session-level
 * advisory lock held on a dedicated connection for the whole sync of the account. If the process
 * dies, the server drops the connection and with it the lock. Because the lock can be lost while a
 * stream is still fetching (its connection fails), every stream confirms it inside its own
 * transaction before committing (AccountLease), so nothing commits without the lock.
 */
import { createHash } from 'node:crypto';
import pg from 'pg';
import { errorMessage } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { databaseErrorMeta, redactMessage } from './config.js';
import type { Queryable } from './repos/common.js';

/** The advisory lock key space of Magnus Sync: the first int4 of the two-key form ("MSYN"). */
export const ADVISORY_LOCK_NAMESPACE = 0x4d53594e;

/** The second int4 of the key: the first 4 bytes of sha256(accountKey), signed. */
export function advisoryLockKey(accountKey: string): number {
  return createHash('sha256').update(accountKey).digest().readInt32BE(0);
}

export type AccountLockResult<T> =
  | { status: 'ran'; value: T }
  | { status: 'locked'; accountKey: string; message: string };

/** The account lock could not be taken, or was lost; the message is safe to show (no password). */
export class AccountLockError extends Error {
  override readonly name = 'AccountLockError';
}

/**
 * Proof that this agent still holds an account's lock. The lock lives on its own connection; when
 * that connection fails (a server restart, a terminated backend) the server drops the lock and
 * another agent may take it. A stream therefore calls confirm() inside its own transaction, as its
 * last statement before the commit: when the lock is gone it throws and the transaction rolls back.
 */
export interface AccountLease {
  confirm(db: Queryable): Promise<void>;
}

export async function withAdvisoryLock<T>(
  connection: pg.ClientConfig,
  url: string,
  accountKey: string,
  fn: (lease: AccountLease) => Promise<T>,
  logger: Logger,
): Promise<AccountLockResult<T>> {
  const client = new pg.Client(connection);
  let lost: string | null = null;
  // A dropped connection must not crash the process; the lock is gone with it, and no stream of
  // this account may commit any more (see AccountLease).
  client.on('error', (error) => {
    const meta = databaseErrorMeta(error, url);
    lost = meta.error.message;
    logger.warn('The account lock connection failed; this account will not commit until it is synced again', {
      accountKey,
      ...meta,
    });
  });
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw new AccountLockError(
      `take the account lock of ${accountKey}: ${redactMessage(errorMessage(error), url)}`,
    );
  }
  const key = advisoryLockKey(accountKey);
  try {
    let held: { locked: boolean; pid: number } | undefined;
    try {
      const result = await client.query<{ locked: boolean; pid: number }>(
        'select pg_try_advisory_lock($1, $2) as locked, pg_backend_pid() as pid',
        [ADVISORY_LOCK_NAMESPACE, key],
      );
      held = result.rows[0];
    } catch (error) {
      throw new AccountLockError(
        `take the account lock of ${accountKey}: ${redactMessage(errorMessage(error), url)}`,
      );
    }
    if (!held?.locked) {
      return {
        status: 'locked',
        accountKey,
        message: `Account ${accountKey} is being synced by another Magnus Sync agent; this cycle skips it.`,
      };
    }
    const pid = held.pid;
    const lease: AccountLease = {
      async confirm(db) {
        const problem = lost ?? (await lockProblem(db, key, pid));
        if (problem) {
          throw new AccountLockError(
            `the account lock of ${accountKey} was lost (${problem}); the stream was rolled back`,
          );
        }
      },
    };
    try {
      return { status: 'ran', value: await fn(lease) };
    } finally {
      if (!lost) {
        await client
          .query('select pg_advisory_unlock($1, $2)', [ADVISORY_LOCK_NAMESPACE, key])
          .catch((error: unknown) =>
            logger.warn('Could not release the account lock (it goes with the connection)', {
              accountKey,
              ...databaseErrorMeta(error, url),
            }),
          );
      }
    }
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Whether the lock connection (backend `pid`) still holds the advisory lock, seen from another
 * connection of the same database. pg_locks shows a two-int4 advisory key as classid = first key,
 * objid = second key (as an unsigned oid), objsubid = 2.
 */
async function lockProblem(db: Queryable, key: number, pid: number): Promise<string | null> {
  const rows = (await db
    .select(db.raw('1'))
    .from('pg_locks')
    .where({ locktype: 'advisory', objsubid: 2, pid, granted: true })
    .andWhere('classid', ADVISORY_LOCK_NAMESPACE)
    .andWhereRaw('objid = ?::oid', [String(key >>> 0)])
    .andWhereRaw('database = (select oid from pg_database where datname = current_database())')) as unknown[];
  return rows.length > 0 ? null : 'its connection is gone';
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
    logger.warn('The migration lock connection failed', databaseErrorMeta(error, url));
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
