/**
 * A cycle reports errors as what they are, never commits without its account lock, and always
 * leaves its sync_runs record (simulator + PostgreSQL, through the real runtime).
 */
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../main/store/index.js';
import { createSyncHarness, type SyncHarness } from '../helpers/sync-harness.js';
import { FAST_TUNING, UNTHROTTLED } from './helpers/clean-sync.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

async function harness(): Promise<SyncHarness> {
  const h = await createSyncHarness({
    backend: 'postgres',
    runtime: { requestsPerMinute: UNTHROTTLED, brokerTuning: FAST_TUNING },
  });
  cleanups.push(() => h.close());
  await h.runtime.prepare();
  return h;
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string, values: unknown[] = []) {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return (await client.query<T>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

/** Terminates the backends of `database` whose application_name starts with `prefix`. */
async function terminate(url: string, database: string, prefix: string): Promise<number> {
  const rows = await query<{ ok: boolean }>(
    url,
    `select pg_terminate_backend(pid) as ok from pg_stat_activity
      where datname = $1 and application_name like $2`,
    [database, `${prefix}%`],
  );
  return rows.filter((r) => r.ok).length;
}

type Client = ReturnType<SyncHarness['runtime']['connection']>['client'];

/** Replaces one broker call of the live client (the runtime keeps the same object). */
function patch<K extends keyof Client>(h: SyncHarness, name: K, wrap: (real: Client[K]) => Client[K]): void {
  const client = h.runtime.connection().client;
  const real = (client[name] as (...a: unknown[]) => unknown).bind(client) as Client[K];
  (client as unknown as Record<string, unknown>)[name as string] = wrap(real);
}

describe('the cycle error boundary and run records (PostgreSQL)', () => {
  it('a stop during the account stream is an interruption, not a database failure, and is recorded', async () => {
    const h = await harness();
    patch(h, 'getOptionMarketData', (real) => async (...args: Parameters<typeof real>) => {
      const result = await real(...args);
      // The stop arrives between the last broker call and the write.
      const stopping = h.runtime.stop();
      await Promise.race([stopping, new Promise((r) => setTimeout(r, 300))]);
      return result;
    });
    const outcome = await h.runtime.syncOnce('cli', 'force');
    expect(outcome.error?.kind).toBe('aborted');
    expect(outcome.error?.message).not.toMatch(/database/i);
    expect(outcome.status).toBe('interrupted');
    const runs = await query<{ status: string }>(h.database!.url, 'select status from sync_runs');
    expect(runs).toEqual([{ status: 'interrupted' }]);
    expect(await query(h.database!.url, 'select 1 from portfolio_snapshots')).toEqual([]);
  });

  it('a TypeError in a broker step is internal, not a database failure', async () => {
    const h = await harness();
    patch(h, 'listStockPositions', () => async () => {
      throw new TypeError("Cannot read properties of undefined (reading 'equity')");
    });
    const outcome = await h.runtime.syncOnce('cli', 'force');
    expect(outcome.error?.kind).toBe('internal');
    expect(outcome.error?.message).not.toMatch(/database/i);
    const runs = await query<{ status: string }>(h.database!.url, 'select status from sync_runs');
    expect(runs).toEqual([{ status: 'failed' }]);
  });

  it('a lost account lock stops the stream from committing', async () => {
    const h = await harness();
    const db = h.database!;
    patch(h, 'listStockPositions', (real) => async (...args: Parameters<typeof real>) => {
      // The lock's connection fails while the stream is still fetching (as in a server restart).
      expect(await terminate(db.url, db.name, 'magnus-sync-lock:')).toBe(1);
      return real(...args);
    });
    const outcome = await h.runtime.syncOnce('cli', 'force');
    expect(outcome.error?.kind).toBe('database');
    expect(outcome.error?.message).toMatch(/account lock of \*{4}\w+ was lost/);
    expect(outcome.status).toBe('failed');
    expect(await query(db.url, 'select 1 from portfolio_snapshots')).toEqual([]);
    expect(await query(db.url, 'select 1 from positions')).toEqual([]);
  });

  it('records a run at start, ties its snapshot to it, and marks the run of a dead process interrupted', async () => {
    const h = await harness();
    const db = h.database!;
    // Another agent: one run alive, one whose process died (its run lock connection is gone).
    const other = await openStore({ kind: 'postgres', url: db.url }, { agentId: 'other-agent' });
    cleanups.push(() => other.close());
    const dead = await other.startRun({ startedAt: new Date().toISOString(), trigger: 'schedule' });
    expect(await terminate(db.url, db.name, 'magnus-sync-run:other-agent')).toBe(1);
    const alive = await other.startRun({ startedAt: new Date().toISOString(), trigger: 'schedule' });
    let seenRunning: unknown[] = [];
    patch(h, 'listStockPositions', (real) => async (...args: Parameters<typeof real>) => {
      seenRunning = await query(db.url, `select id from sync_runs where status = 'running' order by id`);
      return real(...args);
    });

    const outcome = await h.runtime.syncOnce('cli', 'force');
    expect(outcome.status, outcome.error?.message).toBe('success');
    const runs = await query<{ id: string; status: string }>(
      db.url,
      'select id, status from sync_runs order by id',
    );
    const mine = runs.at(-1)!;
    expect(runs).toEqual([
      { id: String(dead.id), status: 'interrupted' },
      { id: String(alive.id), status: 'running' },
      { id: mine.id, status: 'success' },
    ]);
    // While the cycle ran, its own row was already there, marked running.
    expect(seenRunning).toEqual([{ id: String(alive.id) }, { id: mine.id }]);
    const snapshots = await query<{ run_id: string }>(db.url, 'select run_id from portfolio_snapshots');
    expect(snapshots).toEqual([{ run_id: mine.id }]);

    expect(
      await alive.finish({
        finishedAt: new Date().toISOString(),
        status: 'success',
        streams: [],
        apiRequests: 0,
        rowsWritten: 0,
        durationMs: 1,
        error: null,
      }),
    ).toBe(true);
    const stats = await h.runtime.store()!.stats({ rateLimitPerMinute: 60 });
    expect(stats).toMatchObject({ cycles: 3, successes: 2, failures: 0, interrupted: 1 });
  });
});
