/**
 * An administrator's hand on a test database: hold a table lock so a sync blocks inside its
 * transaction at a known point, find the blocked backend, and terminate it (pg_terminate_backend),
 * as a DBA or a server restart would.
 */
import pg from 'pg';
import { ADVISORY_LOCK_NAMESPACE } from '../../../main/store/index.js';

export interface HeldLock {
  release(): Promise<void>;
}

/** Locks `table` in ACCESS EXCLUSIVE mode inside an open transaction until release(). */
export async function holdTableLock(url: string, table: string): Promise<HeldLock> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  await client.query('begin');
  await client.query(`lock table ${pg.escapeIdentifier(table)} in access exclusive mode`);
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      await client.query('rollback').catch(() => undefined);
      await client.end().catch(() => undefined);
    },
  };
}

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Waits until a backend of `database` waits for a lock; returns its pid and statement. */
export async function waitForLockWaiter(
  url: string,
  database: string,
  timeoutMs = 15_000,
): Promise<{ pid: number; query: string }> {
  const deadline = Date.now() + timeoutMs;
  return withClient(url, async (c) => {
    for (;;) {
      const { rows } = await c.query<{ pid: number; query: string }>(
        `select pid, query from pg_stat_activity
          where datname = $1 and wait_event_type = 'Lock' and pid <> pg_backend_pid()`,
        [database],
      );
      if (rows[0]) return rows[0];
      if (Date.now() > deadline) throw new Error('no backend blocked on the lock in time');
      await new Promise((r) => setTimeout(r, 20));
    }
  });
}

export async function terminateBackend(url: string, pid: number): Promise<boolean> {
  return withClient(url, async (c) => {
    const { rows } = await c.query<{ ok: boolean }>('select pg_terminate_backend($1) as ok', [pid]);
    return rows[0]?.ok === true;
  });
}

/** Advisory locks of Magnus Sync's account namespace currently granted in `database`. */
export async function heldAccountLocks(url: string, database: string): Promise<number> {
  return withClient(url, async (c) => {
    const { rows } = await c.query<{ n: string }>(
      `select count(*) as n from pg_locks l join pg_database d on d.oid = l.database
        where l.locktype = 'advisory' and l.classid = $2 and l.granted and d.datname = $1`,
      [database, ADVISORY_LOCK_NAMESPACE],
    );
    return Number(rows[0]?.n ?? 0);
  });
}
