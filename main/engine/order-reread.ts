/**
 * Orders the client could not read are quarantined and the order stream goes on, but they must
 * come back: while a stream has unread orders, its next reads start no later than the point from
 * which the broker sent them (a "re-read floor" in sync_state), so a later good copy replaces the
 * quarantined one. A complete read from the floor without an unreadable order clears it, and with
 * it the quarantined items that had no id to match.
 */
import type { Knex } from 'knex';
import type { RejectedItem } from '../broker/robinhood/index.js';
import type { Store, WriteCounts } from '../store/index.js';

export type OrderKind = 'stock' | 'option';

/** The quarantine stream of each order list. */
export const ORDER_STREAMS: Record<OrderKind, string> = { stock: 'stock-orders', option: 'option-orders' };

const floorStream = (kind: OrderKind) => `${ORDER_STREAMS[kind]}-reread`;

interface FloorCursor {
  /** ISO time to read from; null: from the beginning. */
  from: string | null;
}

export interface OrderFloor {
  /** There is a floor: some order of this list was not read yet. */
  active: boolean;
  from: string | null;
}

export async function orderFloor(store: Store, key: string, kind: OrderKind): Promise<OrderFloor> {
  const state = await store.syncState.get(store.knex, key, floorStream(kind));
  const cursor = state?.cursor as Partial<FloorCursor> | null | undefined;
  if (!cursor || !('from' in cursor)) return { active: false, from: null };
  return { active: true, from: typeof cursor.from === 'string' ? cursor.from : null };
}

/** The earlier of the stored watermark and the floor (null = read everything). */
export function readFrom(latestStored: string | null, floor: OrderFloor): string | null {
  if (!floor.active) return latestStored;
  if (floor.from === null || latestStored === null) return null;
  return Date.parse(floor.from) < Date.parse(latestStored) ? floor.from : latestStored;
}

/** Where the unread orders can be found again: their own updated_at when readable, else where this read began. */
function floorFor(rejected: readonly RejectedItem[], readStart: string | null): string | null {
  let earliest: number | null = null;
  for (const r of rejected) {
    const raw = r.raw as { updated_at?: unknown } | null;
    const at = typeof raw?.updated_at === 'string' ? Date.parse(raw.updated_at) : Number.NaN;
    if (Number.isNaN(at)) return readStart;
    earliest = earliest === null ? at : Math.min(earliest, at);
  }
  return earliest === null ? readStart : new Date(earliest).toISOString();
}

/**
 * In the history transaction: keeps (or lowers) the floor when this read left orders unread; clears
 * it, and releases the stream's quarantined items without an id, after a read from the floor that
 * read everything.
 */
export async function saveOrderFloor(
  store: Store,
  trx: Knex.Transaction,
  key: string,
  kind: OrderKind,
  floor: OrderFloor,
  rejected: readonly RejectedItem[],
  readStart: string | null,
  now: Date,
): Promise<WriteCounts> {
  const stream = floorStream(kind);
  if (rejected.length > 0) {
    const proposed = floorFor(rejected, readStart);
    const from = floor.active ? readFrom(floor.from, { active: true, from: proposed }) : proposed;
    await store.syncState.save(
      trx,
      { accountNumber: key, stream, lastAttemptAt: now.toISOString(), cursor: { from } },
      now,
    );
    return { inserted: 0, updated: 0, deleted: 0 };
  }
  if (!floor.active) return { inserted: 0, updated: 0, deleted: 0 };
  await store.syncState.save(
    trx,
    { accountNumber: key, stream, lastSuccessAt: now.toISOString(), cursor: null },
    now,
  );
  return store.quarantine.releaseWithoutId(trx, key, ORDER_STREAMS[kind]);
}
