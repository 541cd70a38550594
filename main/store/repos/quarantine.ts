/**
 * quarantined_items: broker items the client could not read, kept so nothing is silently dropped.
 * A stream records what it could not read and releases the ids it has now read successfully.
 */
import type { Knex } from 'knex';
import { z } from 'zod';
import { maskAccountReferences } from '../../domain/account-references.js';
import { jsonb, lastPerKey } from '../delta.js';
import type { QuarantineInput, QuarantineRecord, WriteCounts } from '../rows.js';
import { accountKey, parseOne, parseRows } from '../validate.js';
import type { DbRow, Queryable } from './common.js';
import { isoAt } from './common.js';

const MAX_REASON_LENGTH = 500;

const quarantineSchema = z
  .object({
    accountNumber: accountKey,
    stream: z.string().min(1).max(60),
    brokerId: z.string().min(1).max(200),
    raw: z.unknown(),
    reason: z.string().min(1),
  })
  .strict();

function record(r: DbRow): QuarantineRecord {
  return {
    accountNumber: String(r.account_number),
    stream: String(r.stream),
    brokerId: String(r.broker_id),
    raw: r.raw,
    reason: String(r.reason),
    firstSeenAt: isoAt(r.first_seen_at),
    lastSeenAt: isoAt(r.last_seen_at),
  };
}

export const quarantineRepo = {
  /** Keeps each item (a new one is inserted; one seen before gets its raw, reason and last_seen_at). */
  async record(trx: Knex.Transaction, items: readonly QuarantineInput[], at: Date): Promise<WriteCounts> {
    const parsed = parseRows(quarantineSchema, items, 'quarantined items');
    if (parsed.length === 0) return { inserted: 0, updated: 0, deleted: 0 };
    const now = at.toISOString();
    const rows = lastPerKey(
      parsed.map((i) => ({
        account_number: i.accountNumber,
        stream: i.stream,
        broker_id: i.brokerId,
        raw: jsonb(maskAccountReferences(i.raw ?? null)) ?? 'null',
        reason: i.reason.slice(0, MAX_REASON_LENGTH),
        first_seen_at: now,
        last_seen_at: now,
      })),
      ['account_number', 'stream', 'broker_id'],
    );
    const result = (await trx('quarantined_items')
      .insert(rows)
      .onConflict(['account_number', 'stream', 'broker_id'])
      .merge(['raw', 'reason', 'last_seen_at'])
      .returning(trx.raw('(xmax = 0) as inserted'))) as unknown as { inserted: boolean }[];
    const inserted = result.filter((r) => r.inserted).length;
    return { inserted, updated: result.length - inserted, deleted: 0 };
  },

  /** Deletes the stream's items whose id has now been read successfully. */
  async release(
    trx: Knex.Transaction,
    accountNumber: string,
    stream: string,
    brokerIds: readonly string[],
  ): Promise<WriteCounts> {
    parseOne(accountKey, accountNumber, 'accountNumber');
    let deleted = 0;
    const ids = [...new Set(brokerIds)];
    for (let start = 0; start < ids.length; start += 1000) {
      // Count returned rows: knex-pglite does not report a row count for DELETE.
      const rows = (await trx('quarantined_items')
        .where({ account_number: accountNumber, stream })
        .whereIn('broker_id', ids.slice(start, start + 1000))
        .delete()
        .returning('broker_id')) as unknown[];
      deleted += rows.length;
    }
    return { inserted: 0, updated: 0, deleted };
  },

  /** Deletes the stream's items that had no id (`sha256:` keys): a complete re-read covered them. */
  async releaseWithoutId(trx: Knex.Transaction, accountNumber: string, stream: string): Promise<WriteCounts> {
    parseOne(accountKey, accountNumber, 'accountNumber');
    const rows = (await trx('quarantined_items')
      .where({ account_number: accountNumber, stream })
      .andWhere('broker_id', 'like', 'sha256:%')
      .delete()
      .returning('broker_id')) as unknown[];
    return { inserted: 0, updated: 0, deleted: rows.length };
  },

  /** How many items are in quarantine, for one account or all. */
  async count(db: Queryable, accountNumber?: string): Promise<number> {
    const query = db('quarantined_items');
    if (accountNumber !== undefined) query.where({ account_number: accountNumber });
    const row = (await query.count({ n: '*' }).first()) as DbRow | undefined;
    return Number(row?.n ?? 0);
  },

  /** Newest first. */
  async list(db: Queryable, limit = 100): Promise<QuarantineRecord[]> {
    const rows = (await db('quarantined_items').orderBy('last_seen_at', 'desc').limit(limit)) as DbRow[];
    return rows.map(record);
  },
};
