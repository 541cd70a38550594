/**
 * Every cycle leaves its record: a sync_runs row is written when the cycle starts ('running') and
 * finished when it ends; a row left 'running' by a process that died is marked 'interrupted' by the
 * next agent (see run-lock.ts). Each portfolio snapshot names the run that took it.
 */
import type { StoreMigration } from './types.js';
import { runStatements } from './types.js';

const up = [
  'alter table sync_runs drop constraint sync_runs_status_check',
  `alter table sync_runs add constraint sync_runs_status_check
     check (status in ('running', 'success', 'failed', 'partial', 'skipped', 'interrupted'))`,
  `create index sync_runs_running_idx on sync_runs (id) where status = 'running'`,
  'alter table portfolio_snapshots add column run_id bigint references sync_runs (id) on delete set null',
  'create index portfolio_snapshots_run_idx on portfolio_snapshots (run_id)',
];

const down = [
  'drop index if exists portfolio_snapshots_run_idx',
  'alter table portfolio_snapshots drop column if exists run_id',
  'drop index if exists sync_runs_running_idx',
  `update sync_runs set status = 'failed' where status in ('running', 'interrupted')`,
  'alter table sync_runs drop constraint sync_runs_status_check',
  `alter table sync_runs add constraint sync_runs_status_check
     check (status in ('success', 'failed', 'partial', 'skipped'))`,
];

export const runRecords: StoreMigration = {
  name: '0002_run_records',
  up: (knex) => runStatements(knex, up),
  down: (knex) => runStatements(knex, down),
};
