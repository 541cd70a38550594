/**
 * Items of a broker list the client could not read become quarantine rows instead of failing the
 * stream: the rest of the list is written and the cursor moves on, and the item is kept (raw, with
 * account numbers masked by the store) until a later read of the same id succeeds.
 */
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import type { RejectedItem } from '../broker/robinhood/index.js';
import { maskAccountReferences, type QuarantineInput, type Store, type WriteCounts } from '../store/index.js';

/** The quarantine id of an item: its own id, else a hash of its (masked) JSON. */
export function quarantineId(item: Pick<RejectedItem, 'id' | 'raw'>): string {
  if (item.id) return item.id;
  const json = JSON.stringify(maskAccountReferences(item.raw ?? null)) ?? 'null';
  return `sha256:${createHash('sha256').update(json).digest('hex')}`;
}

export function quarantineInputs(
  accountKey: string,
  stream: string,
  rejected: readonly RejectedItem[],
): QuarantineInput[] {
  return rejected.map((r) => ({
    accountNumber: accountKey,
    stream,
    brokerId: quarantineId(r),
    raw: r.raw ?? null,
    reason: `${r.fieldPath}: ${r.problem}`,
  }));
}

/** What one read of a list gave: the ids it could read and the items it could not. */
export interface ListRead {
  stream: string;
  readIds: readonly string[];
  rejected: readonly RejectedItem[];
}

/** In the stream's transaction: keeps what could not be read, releases what now could. */
export async function recordQuarantine(
  store: Store,
  trx: Knex.Transaction,
  accountKey: string,
  reads: readonly ListRead[],
  now: Date,
): Promise<WriteCounts> {
  const counts: WriteCounts[] = [
    await store.quarantine.record(
      trx,
      reads.flatMap((r) => quarantineInputs(accountKey, r.stream, r.rejected)),
      now,
    ),
  ];
  for (const read of reads)
    counts.push(await store.quarantine.release(trx, accountKey, read.stream, read.readIds));
  return counts.reduce((sum, c) => ({
    inserted: sum.inserted + c.inserted,
    updated: sum.updated + c.updated,
    deleted: sum.deleted + c.deleted,
  }));
}
