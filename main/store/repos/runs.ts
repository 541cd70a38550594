/** sync_runs (one row per cycle) and sync_state (per account and stream: watermarks, last success). */
import type { Knex } from 'knex';
import type { RunRecordStatus, SyncTrigger } from '../../../shared/models.js';
import { jsonb } from '../delta.js';
import type { SyncRunEnd, SyncRunInput, SyncRunRecord, SyncStatePatch, SyncStateRecord } from '../rows.js';
import {
  parseOne,
  streamAccountKey,
  syncRunEndSchema,
  syncRunSchema,
  syncStatePatchSchema,
} from '../validate.js';
import type { DbRow, Queryable } from './common.js';
import { as, isoAt, isoAtOrNull, textOrNull } from './common.js';

const MAX_ERROR_LENGTH = 2000;

export const INTERRUPTED_RUN_MESSAGE = 'The process running this cycle ended before it finished.';

function stringArray(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}

export function runRecord(r: DbRow): SyncRunRecord {
  return {
    id: Number(r.id),
    startedAt: isoAt(r.started_at),
    finishedAt: isoAt(r.finished_at),
    status: as<RunRecordStatus>(r.status),
    trigger: as<SyncTrigger>(r.trigger),
    streams: stringArray(r.streams),
    accounts: stringArray(r.accounts),
    apiRequests: Number(r.api_requests),
    rowsWritten: Number(r.rows_written),
    durationMs: Number(r.duration_ms),
    error: textOrNull(r.error),
    agentId: textOrNull(r.agent_id),
    host: textOrNull(r.host),
  };
}

function stateRecord(r: DbRow): SyncStateRecord {
  return {
    accountNumber: String(r.account_number),
    stream: String(r.stream),
    lastAttemptAt: isoAtOrNull(r.last_attempt_at),
    lastSuccessAt: isoAtOrNull(r.last_success_at),
    highWaterMark: isoAtOrNull(r.high_water_mark),
    cursor: r.cursor ?? null,
    lastError: textOrNull(r.last_error),
    updatedAt: isoAt(r.updated_at),
  };
}

export const runsRepo = {
  /** Records a finished cycle; returns its id. Works inside or outside a transaction. */
  async record(db: Queryable, run: SyncRunInput): Promise<number> {
    const r = parseOne(syncRunSchema, run, 'run');
    const error = r.error === null ? null : r.error.slice(0, MAX_ERROR_LENGTH);
    const [row] = (await db('sync_runs')
      .insert({
        started_at: r.startedAt,
        finished_at: r.finishedAt,
        status: r.status,
        trigger: r.trigger,
        streams: jsonb(r.streams),
        accounts: jsonb(r.accounts ?? []),
        api_requests: r.apiRequests,
        rows_written: r.rowsWritten,
        duration_ms: r.durationMs,
        error,
        agent_id: r.agentId ?? null,
        host: r.host ?? null,
      })
      .returning('id')) as DbRow[];
    return Number(row?.id);
  },

  /** Completes a started run with how it ended. Returns false when the row was not running any more. */
  async finish(db: Queryable, id: number, end: SyncRunEnd): Promise<boolean> {
    const r = parseOne(syncRunEndSchema, end, 'run');
    const changed = await db('sync_runs')
      .where({ id, status: 'running' })
      .update({
        finished_at: r.finishedAt,
        status: r.status,
        streams: jsonb(r.streams),
        accounts: jsonb(r.accounts ?? []),
        api_requests: r.apiRequests,
        rows_written: r.rowsWritten,
        duration_ms: r.durationMs,
        error: r.error === null ? null : r.error.slice(0, MAX_ERROR_LENGTH),
      });
    return Number(changed) > 0;
  },

  /** Newest first. */
  async recent(db: Queryable, limit = 20): Promise<SyncRunRecord[]> {
    const rows = (await db('sync_runs').orderBy('id', 'desc').limit(limit)) as DbRow[];
    return rows.map(runRecord);
  },
};

const STATE_COLUMNS: Record<Exclude<keyof SyncStatePatch, 'accountNumber' | 'stream'>, string> = {
  lastAttemptAt: 'last_attempt_at',
  lastSuccessAt: 'last_success_at',
  highWaterMark: 'high_water_mark',
  cursor: 'cursor',
  lastError: 'last_error',
};

export const syncStateRepo = {
  async get(db: Queryable, accountNumber: string, stream: string): Promise<SyncStateRecord | null> {
    const row = (await db('sync_state').where({ account_number: accountNumber, stream }).first()) as
      | DbRow
      | undefined;
    return row ? stateRecord(row) : null;
  },

  async list(db: Queryable, accountNumber?: string): Promise<SyncStateRecord[]> {
    const query = db('sync_state');
    if (accountNumber !== undefined) query.where({ account_number: accountNumber });
    const rows = (await query.orderBy(['account_number', 'stream'])) as DbRow[];
    return rows.map(stateRecord);
  },

  /**
   * Saves the given fields of a stream's state (fields left out keep their value). Commit it in
   * the same transaction as the stream's data, so a watermark never runs ahead of what is stored.
   * Returns 1 when something changed, else 0.
   */
  async save(trx: Knex.Transaction, patch: SyncStatePatch, at: Date): Promise<number> {
    const p = parseOne(syncStatePatchSchema, patch, 'syncState');
    parseOne(streamAccountKey, p.accountNumber, 'accountNumber');
    const values: DbRow = {};
    for (const [field, column] of Object.entries(STATE_COLUMNS)) {
      const value = (p as Record<string, unknown>)[field];
      if (value === undefined) continue;
      values[column] = field === 'cursor' ? jsonb(value) : value;
    }
    const columns = Object.keys(values);
    const insert = {
      account_number: p.accountNumber,
      stream: p.stream,
      ...values,
      updated_at: at.toISOString(),
    };
    if (columns.length === 0) {
      const inserted = (await trx('sync_state')
        .insert(insert)
        .onConflict(['account_number', 'stream'])
        .ignore()
        .returning('stream')) as unknown[];
      return inserted.length;
    }
    const existing = columns.map(() => '??.??').join(', ');
    const incoming = columns.map(() => 'excluded.??').join(', ');
    const changed = (await trx('sync_state')
      .insert(insert)
      .onConflict(['account_number', 'stream'])
      .merge([...columns, 'updated_at'])
      .whereRaw(`(${existing}) is distinct from (${incoming})`, [
        ...columns.flatMap((c) => ['sync_state', c]),
        ...columns,
      ])
      .returning('stream')) as unknown[];
    return changed.length;
  },
};
