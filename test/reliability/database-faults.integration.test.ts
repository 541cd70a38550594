/**
 * Fault matrix, database side (real PostgreSQL): unreachable at start, a connection terminated by
 * the server in the middle of each stream's transaction, a statement timeout, and a log file on a
 * full disk. Each leaves no half-written stream and the next cycle equals a clean sync.
 */
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CycleOutcome } from '../../main/engine/cycle-types.js';
import { createLogger, logFileName, Redactor } from '../../main/logging/index.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import { createSyncHarness, type SyncHarness } from '../helpers/sync-harness.js';
import { buildScenario, type Scenario } from '../simulator-tools/index.js';
import { cleanSyncContents, FAST_TUNING, UNTHROTTLED } from './helpers/clean-sync.js';
import { changeBrokerState, MATRIX_SCENARIO } from './helpers/fault-case.js';
import { holdTableLock, terminateBackend, waitForLockWaiter } from './helpers/pg-admin.js';
import {
  countRows,
  duplicateKeys,
  historyCursor,
  pick,
  STREAM_TABLES,
  storeContents,
} from './helpers/store-contents.js';
import { createTcpProxy } from './helpers/tcp-proxy.js';

let scenario: Scenario;
beforeAll(() => {
  scenario = buildScenario({ ...MATRIX_SCENARIO, now: new Date(Date.now() - 3_600_000) });
});
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

async function harness(
  runtime: Parameters<typeof createSyncHarness>[0]['runtime'] = {},
): Promise<SyncHarness> {
  const h = await createSyncHarness({
    backend: 'postgres',
    scenario,
    simulator: { pageSize: 50 },
    runtime: { requestsPerMinute: UNTHROTTLED, brokerTuning: FAST_TUNING, ...runtime },
  });
  cleanups.push(() => h.close());
  return h;
}

const warned = (h: SyncHarness, pattern: RegExp) =>
  h.logger.records.some((r) => (r.level === 'warn' || r.level === 'error') && pattern.test(r.message));

/** Baseline sync, then a broker change; returns what the store held before the fault. */
async function baseline(h: SyncHarness) {
  expect((await h.runtime.syncOnce('cli', 'force')).status).toBe('success');
  changeBrokerState(h.sim, scenario.now);
  const knex = h.runtime.store()!.knex;
  return {
    contents: await storeContents(knex),
    cursor: await historyCursor(knex),
    snapshots: await countRows(knex, 'portfolio_snapshots'),
  };
}

async function expectRecoversToCleanSync(h: SyncHarness): Promise<void> {
  const recovered = await h.runtime.syncOnce('cli', 'force');
  expect(recovered.status, recovered.error?.message).toBe('success');
  const knex = h.runtime.store()!.knex;
  expect(await storeContents(knex)).toEqual(await cleanSyncContents(h.sim));
  expect(await duplicateKeys(knex)).toEqual([]);
}

describe('database fault matrix (PostgreSQL)', () => {
  it('unreachable at start: a clear database error, no crash; syncs once it is reachable', async () => {
    const db: TestDatabase = await createTestDatabase('unreach');
    cleanups.push(() => db.drop());
    const proxy = await createTcpProxy({ host: '127.0.0.1', port: Number(new URL(db.url).port || 5432) });
    cleanups.push(() => proxy.down());
    const url = new URL(db.url);
    url.host = `127.0.0.1:${proxy.port}`;
    const h = await harness({ databaseUrl: url.toString() });

    let failure: unknown = null;
    let outcome: CycleOutcome | null = null;
    try {
      outcome = await h.runtime.syncOnce('cli', 'force');
    } catch (error) {
      failure = error;
    }
    const message = outcome ? (outcome.error?.message ?? '') : String((failure as Error)?.message);
    if (outcome) {
      expect(outcome.status).toBe('failed');
      expect(outcome.error?.kind).toBe('database');
    }
    expect(message).toMatch(/database|connect|ECONNREFUSED|reach/i);
    expect(message).not.toMatch(/password/i);

    await proxy.up();
    const ok = await h.runtime.syncOnce('cli', 'force');
    expect(ok.status, ok.error?.message).toBe('success');
    expect(await storeContents(h.runtime.store()!.knex)).toEqual(await cleanSyncContents(h.sim));
  });

  it('unreachable at start under the engine: the cycle reports a database error and the engine keeps running', async () => {
    const proxy = await createTcpProxy({ host: '127.0.0.1', port: 5432 });
    cleanups.push(() => proxy.down());
    const h = await harness({ databaseUrl: `postgres://postgres@127.0.0.1:${proxy.port}/postgres` });
    const cycles: CycleOutcome[] = [];
    h.runtime.onCycle((o) => cycles.push(o));
    await h.runtime.start('startup');
    const deadline = Date.now() + 10_000;
    while (cycles.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(cycles).toHaveLength(1);
    const status = h.runtime.status();
    expect(status.state).toBe('error');
    expect(status.nextRunAt).not.toBeNull();
    expect(cycles[0]!.error?.kind).toBe('database');
    expect(status.lastError?.message).toMatch(/database/i);
  });

  for (const [stream, table] of [
    ['positions', 'portfolio_snapshots'],
    ['history', 'trade_history'],
  ] as const) {
    it(`connection terminated in the middle of the ${stream} transaction: rolled back whole, next cycle clean`, async () => {
      const h = await harness();
      const db = h.database!;
      const before = await baseline(h);
      const lock = await holdTableLock(db.url, table);
      cleanups.push(() => lock.release());
      const running = h.runtime.syncOnce('cli', 'force');
      const waiter = await waitForLockWaiter(db.url, db.name);
      expect(await terminateBackend(db.url, waiter.pid)).toBe(true);
      await lock.release();
      const outcome = await running;

      expect(outcome.error?.kind).toBe('database');
      expect(outcome.status).toBe(stream === 'positions' ? 'failed' : 'partial');
      expect(warned(h, /^sync cycle (failed|partial): .*database/i)).toBe(true);
      const knex = h.runtime.store()!.knex;
      const after = await storeContents(knex);
      expect(pick(after, STREAM_TABLES[stream])).toEqual(pick(before.contents, STREAM_TABLES[stream]));
      expect(await historyCursor(knex)).toEqual(before.cursor);
      expect(await countRows(knex, 'portfolio_snapshots')).toBe(
        before.snapshots + (stream === 'positions' ? 0 : 1),
      );
      await expectRecoversToCleanSync(h);
    });
  }

  it('statement timeout inside the history transaction: rolled back, partial, next cycle clean', async () => {
    const h = await harness({ statementTimeoutMs: 400 });
    const db = h.database!;
    const before = await baseline(h);
    const lock = await holdTableLock(db.url, 'trade_history');
    cleanups.push(() => lock.release());
    const outcome = await h.runtime.syncOnce('cli', 'force');
    await lock.release();
    expect(outcome.status).toBe('partial');
    expect(outcome.error?.kind).toBe('database');
    expect(warned(h, /^sync cycle partial: .*database failed/i)).toBe(true);
    const knex = h.runtime.store()!.knex;
    expect(pick(await storeContents(knex), STREAM_TABLES.history)).toEqual(
      pick(before.contents, STREAM_TABLES.history),
    );
    expect(await historyCursor(knex)).toEqual(before.cursor);
    await expectRecoversToCleanSync(h);
  });

  it('statement timeout: the error names the reason', async () => {
    const h = await harness({ statementTimeoutMs: 400 });
    await baseline(h);
    const lock = await holdTableLock(h.database!.url, 'trade_history');
    cleanups.push(() => lock.release());
    const outcome = await h.runtime.syncOnce('cli', 'force');
    await lock.release();
    expect(outcome.error?.message).toMatch(/statement timeout/i);
    expect(outcome.error?.message).not.toMatch(/insert into/i);
  });

  it('disk full for the log file: reported once, syncing goes on', async () => {
    const logDir = await mkdtemp(join(tmpdir(), 'magnus-full-logs-'));
    cleanups.push(() => rm(logDir, { recursive: true, force: true }));
    // Today's log file is /dev/full: every write fails with ENOSPC.
    await symlink('/dev/full', join(logDir, logFileName(new Date())));
    const stderr: string[] = [];
    const consoleStream = new PassThrough();
    consoleStream.setEncoding('utf8').on('data', (chunk: string) => stderr.push(chunk));
    const logger = createLogger({ logDir, redactor: new Redactor(), console: true, consoleStream });
    cleanups.push(() => logger.close());
    const h = await harness({ logger });
    const outcomes = [await h.runtime.syncOnce('cli', 'force'), await h.runtime.syncOnce('cli', 'force')];
    for (const o of outcomes) expect(o.status, o.error?.message).toBe('success');
    await new Promise((r) => setTimeout(r, 200));
    expect(logger.logFileProblem()).toMatch(/log/i);
    const reports = stderr.filter((l) => l.includes(logger.logFileProblem()!.slice(0, 40)));
    expect(reports).toHaveLength(1);
    // The console still gets the cycle lines.
    expect(stderr.join('')).toMatch(/sync cycle success/);
  });
});
