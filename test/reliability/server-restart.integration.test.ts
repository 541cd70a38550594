/**
 * The PostgreSQL server itself restarts in the middle of a cycle (issue 14, item 2): the account
 * lock goes with its connection, so the stream must not commit; the next cycle recovers. A server
 * of this test's own (test/helpers/throwaway-postgres.ts), the simulator over HTTP, the real runtime.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSyncHarness, type SyncHarness } from '../helpers/sync-harness.js';
import {
  startThrowawayPostgres,
  type ThrowawayPostgres,
  throwawayPostgresAvailable,
} from '../helpers/throwaway-postgres.js';
import { cleanSyncContents, FAST_TUNING, UNTHROTTLED } from './helpers/clean-sync.js';
import { pick, STREAM_TABLES, storeContents } from './helpers/store-contents.js';

let server: ThrowawayPostgres | null = null;
let h: SyncHarness | null = null;

beforeAll(async () => {
  if (!throwawayPostgresAvailable()) return;
  server = await startThrowawayPostgres();
}, 120_000);

afterAll(async () => {
  await h?.close();
  await server?.stop();
  // The server is gone: no postmaster of ours is left running.
  expect(await server?.pid()).toBeFalsy();
}, 60_000);

async function rows<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

describe.runIf(throwawayPostgresAvailable())('a PostgreSQL server restarted mid-cycle', () => {
  it('commits no stream without its account lock, and the next cycle recovers', async () => {
    const url = await server!.createDatabase('magnus_restart');
    // No embedded server is started: the databaseUrl sends the runtime to the throwaway server.
    h = await createSyncHarness({
      backend: 'embedded',
      runtime: { requestsPerMinute: UNTHROTTLED, brokerTuning: FAST_TUNING, databaseUrl: url },
    });
    await h.runtime.prepare();
    const before = await server!.pid();

    // The restart happens while the account stream is still fetching, after its lock was taken.
    const client = h.runtime.connection().client;
    const realPositions = client.listStockPositions.bind(client);
    let restarts = 0;
    client.listStockPositions = async (...args: Parameters<typeof realPositions>) => {
      if (restarts === 0) {
        restarts += 1;
        await server!.restart();
      }
      return realPositions(...args);
    };
    const failed = await h.runtime.syncOnce('cli', 'force');
    expect(restarts).toBe(1);
    expect(await server!.pid()).not.toBe(before);
    expect(failed.status).toBe('failed');
    expect(failed.error?.kind).toBe('database');
    expect(failed.error?.message).toMatch(/account lock of \*{4}\w+ was lost/);
    expect(failed.streams).toEqual([]);
    // Nothing of either stream was written: the commit needs the lock the restart took away.
    for (const table of ['positions', 'portfolio_snapshots', 'orders', 'trading_accounts']) {
      expect(await rows(url, `select 1 from ${table}`), table).toEqual([]);
    }

    // The next cycle on the same agent reconnects, takes the lock again and syncs everything.
    const recovered = await h.runtime.syncOnce('cli', 'force');
    expect(recovered.status, recovered.error?.message).toBe('success');
    const runs = await rows<{ status: string }>(url, 'select status from sync_runs order by id');
    expect(runs.map((r) => r.status)).toEqual(['failed', 'success']);
    const clean = await cleanSyncContents(h.sim);
    const contents = await storeContents(h.runtime.store()!.knex);
    const tables = [...STREAM_TABLES.positions, ...STREAM_TABLES.history];
    expect(pick(contents, tables)).toEqual(pick(clean, tables));
  });
});
