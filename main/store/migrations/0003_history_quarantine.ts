/**
 * 0003: where each daily balance came from, and the quarantine of broker items the client could
 * not read.
 *
 * - daily_portfolio_balances.source: 'app' for days the app recorded from its own snapshots,
 *   'broker' for days filled from the broker's portfolio history. Rows written before this step
 *   with the backfill note become 'broker'.
 * - quarantined_items: one row per account, stream and broker id; the raw item (account numbers
 *   masked) and why it could not be read, first and last seen. A later successful read of the same
 *   id deletes the row.
 */
import { runStatements, type StoreMigration } from './types.js';

const up = [
  `alter table daily_portfolio_balances
     add column source text not null default 'app' check (source in ('app', 'broker'))`,
  `update daily_portfolio_balances set source = 'broker' where notes = 'backfilled from broker history'`,

  `create table quarantined_items (
    account_number text not null,
    stream text not null check (length(stream) between 1 and 60),
    broker_id text not null check (length(broker_id) between 1 and 200),
    raw jsonb not null,
    reason text not null,
    first_seen_at timestamptz not null,
    last_seen_at timestamptz not null,
    primary key (account_number, stream, broker_id),
    check (account_number ~ '^\\*{4}[A-Za-z0-9]{1,4}(-[0-9a-f]{4}){0,1}$')
  )`,
];

const down = [
  'drop table if exists quarantined_items',
  'alter table daily_portfolio_balances drop column if exists source',
];

export const historySourceAndQuarantine: StoreMigration = {
  name: '0003_history_quarantine',
  up: (knex) => runStatements(knex, up),
  down: (knex) => runStatements(knex, down),
};
