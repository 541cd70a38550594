/**
 * Change notifications for dashboards: `LISTEN magnus_sync` on the server and refetch when a
 * payload arrives. Sent inside the stream's transaction, so PostgreSQL delivers it only on commit
 * (and never after a rollback).
 */
import type { Knex } from 'knex';
import { z } from 'zod';
import { StoreInputError } from './config.js';
import { accountKey, isoTime, parseOne } from './validate.js';

export const NOTIFY_CHANNEL = 'magnus_sync';

export interface ChangeNotification {
  event: 'data_changed';
  /** Masked keys of the accounts whose rows changed. */
  accounts: string[];
  /** The streams that committed, e.g. ["positions", "balances"]. */
  streams: string[];
  rowsWritten: number;
  at: string;
  runId?: number | null;
  agentId?: string | null;
}

const schema = z
  .object({
    event: z.literal('data_changed'),
    accounts: z.array(accountKey).max(50),
    streams: z.array(z.string().min(1).max(60)).max(50),
    rowsWritten: z.number().int().min(0),
    at: isoTime,
    runId: z.number().int().nullish(),
    agentId: z.string().max(200).nullish(),
  })
  .strict();

/** PostgreSQL refuses payloads of 8000 bytes or more. */
const MAX_PAYLOAD_BYTES = 7900;

export function notificationPayload(payload: ChangeNotification): string {
  const parsed = parseOne(schema, payload, 'notification');
  const text = JSON.stringify(parsed);
  if (Buffer.byteLength(text, 'utf8') > MAX_PAYLOAD_BYTES) {
    throw new StoreInputError('notification: payload is too large for NOTIFY');
  }
  return text;
}

export async function sendNotification(trx: Knex.Transaction, payload: ChangeNotification): Promise<void> {
  await trx.raw('select pg_notify(?, ?)', [NOTIFY_CHANNEL, notificationPayload(payload)]);
}
