/**
 * Every cycle leaves a sync_runs row, even when its process dies. A run is inserted as 'running'
 * on a dedicated connection that, in the same transaction, takes a session advisory lock keyed by
 * the run's id; the lock lives as long as that connection. When the process dies (or the server
 * drops the connection) the lock goes, and the next run to start on any agent marks every
 * 'running' row without its lock as 'interrupted' (sweepInterruptedRuns).
 */
import pg from 'pg';
import { errorMessage } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { ADVISORY_LOCK_NAMESPACE } from './account-lock.js';
import { databaseErrorMeta, redactMessage } from './config.js';
import type { Queryable } from './repos/common.js';
import { INTERRUPTED_RUN_MESSAGE } from './repos/runs.js';
import type { SyncRunStart } from './rows.js';
import { parseOne, syncRunStartSchema } from './validate.js';

/** Key space of the run locks (the account locks use ADVISORY_LOCK_NAMESPACE, migrations +1). */
export const RUN_LOCK_NAMESPACE = ADVISORY_LOCK_NAMESPACE + 2;

/** A started run whose row stays marked alive until release(). */
export interface HeldRun {
  id: number;
  release(): Promise<void>;
}

/** The second int4 of a run's lock key; pg_locks shows it as objid = id mod 2^32. */
function runLockKey(id: number): number {
  return id | 0;
}

/** Inserts the run as 'running' and holds its lock on a connection of its own. */
export async function startLockedRun(
  connection: pg.ClientConfig,
  url: string,
  start: SyncRunStart,
  logger: Logger,
): Promise<HeldRun> {
  const r = parseOne(syncRunStartSchema, start, 'run');
  const client = new pg.Client(connection);
  client.on('error', (error) => {
    logger.warn(
      'The run lock connection failed; another agent will mark this run interrupted',
      databaseErrorMeta(error, url),
    );
  });
  try {
    await client.connect();
    await client.query('begin');
    const { rows } = await client.query<{ id: string }>(
      `insert into sync_runs (started_at, finished_at, status, trigger, duration_ms, agent_id, host)
       values ($1, $1, 'running', $2, 0, $3, $4) returning id`,
      [r.startedAt, r.trigger, r.agentId ?? null, r.host ?? null],
    );
    const id = Number(rows[0]?.id);
    // Taken before the row is visible to anyone: no sweep can see the row without its lock.
    await client.query('select pg_advisory_lock($1, $2)', [RUN_LOCK_NAMESPACE, runLockKey(id)]);
    await client.query('commit');
    return {
      id,
      release: () => client.end().catch(() => undefined),
    };
  } catch (error) {
    await client.end().catch(() => undefined);
    throw new Error(`record the start of the run: ${redactMessage(errorMessage(error), url)}`);
  }
}

/** Marks 'running' rows whose run lock nobody holds as 'interrupted'; returns how many. */
export async function sweepInterruptedRuns(db: Queryable, at: Date): Promise<number> {
  const changed = await db('sync_runs')
    .where({ status: 'running' })
    .whereNotExists(
      db
        .select(db.raw('1'))
        .from('pg_locks')
        .where({ locktype: 'advisory', objsubid: 2, granted: true })
        .andWhere('classid', RUN_LOCK_NAMESPACE)
        .andWhereRaw('objid = (sync_runs.id % 4294967296)::text::oid')
        .andWhereRaw('database = (select oid from pg_database where datname = current_database())'),
    )
    .update({ status: 'interrupted', finished_at: at.toISOString(), error: INTERRUPTED_RUN_MESSAGE });
  return Number(changed);
}
