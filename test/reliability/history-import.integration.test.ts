/**
 * A first history import commits in chunks and resumes where it stopped (issue 14, item 8):
 * the simulator over HTTP with a large history in small pages, fresh PostgreSQL databases, the real
 * runtime. The agent is stopped after some chunks committed and started again.
 */
import type { Knex } from 'knex';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppRuntime } from '../../main/runtime/runtime.js';
import { openPostgresDatabase } from '../../main/store/database.js';
import { silentLogger } from '../../main/util/logger.js';
import { createSyncHarness, type SyncHarness } from '../helpers/sync-harness.js';
import type { SimRequest } from '../simulator-tools/index.js';
import { cleanSyncContents, FAST_TUNING, UNTHROTTLED } from './helpers/clean-sync.js';
import { pick, STREAM_TABLES, storeContents } from './helpers/store-contents.js';

const PAGE_SIZE = 10;
/** The cycle's default: a first import commits every 5 broker pages. */
const CHUNK_PAGES = 5;
const LISTS = {
  stockOrders: '/orders/',
  optionOrders: '/options/orders/',
  dividends: '/dividends/',
  optionEvents: '/options/events/',
} as const;
const LIST_PATHS = new Set<string>(Object.values(LISTS));

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

async function harness(): Promise<SyncHarness> {
  const h = await createSyncHarness({
    backend: 'postgres',
    // 300 stock orders, 60 option orders, 15 dividends, 5 events: 30 + 6 + 2 + 1 pages of 10.
    scenario: {
      seed: 14,
      accounts: [
        {
          stocks: 10,
          optionLegs: 4,
          multiLegStrategies: 1,
          stockOrders: 300,
          optionOrders: 60,
          dividends: 15,
          optionEvents: 5,
        },
      ],
    },
    // A little latency per request, so a stop can land in the middle of the import.
    simulator: { pageSize: PAGE_SIZE, latencyMs: 25 },
    runtime: { requestsPerMinute: UNTHROTTLED, brokerTuning: FAST_TUNING },
  });
  cleanups.push(() => h.close());
  return h;
}

/** A connection of the test's own to the harness database (the runtimes' stores close on stop). */
function watcher(h: SyncHarness): Knex {
  const knex = openPostgresDatabase(h.database!.url, { maxConnections: 2 }, silentLogger);
  cleanups.push(() => knex.destroy());
  return knex;
}

/** How many pages of PAGE_SIZE each listing of the simulator's (one) account has. */
function pageCounts(h: SyncHarness): Record<keyof typeof LISTS, number> {
  const s = h.sim.state;
  const pages = (n: number) => Math.max(1, Math.ceil(n / PAGE_SIZE));
  return {
    stockOrders: pages(s.stockOrders.length),
    optionOrders: pages(s.optionOrders.length),
    dividends: pages(s.dividends.length),
    optionEvents: pages(s.optionEvents.length),
  };
}

/** A history-list page request as `path?cursor` (empty cursor: the first page). */
function pageKey(path: string, cursor: string | null | undefined): string {
  return `${path}?${cursor ?? ''}`;
}

/** The import's page requests (no `updated_at` filter) that the broker answered, in order. */
function importPages(requests: readonly SimRequest[]): string[] {
  return requests
    .filter((r) => LIST_PATHS.has(r.path) && !('updated_at[gte]' in r.query) && r.status === 200)
    .map((r) => pageKey(r.path, r.query.cursor));
}

/** Requests re-reading orders changed since the import began. */
function catchUpRequests(requests: readonly SimRequest[]): string[] {
  return requests.filter((r) => LIST_PATHS.has(r.path) && 'updated_at[gte]' in r.query).map((r) => r.path);
}

interface Sample {
  orders: number;
  trades: number;
  done: boolean;
}

/** One consistent look at the store (a single statement sees one snapshot). */
async function sample(knex: Knex): Promise<Sample> {
  const { rows } = (await knex.raw(
    `select (select count(*) from orders)::int as orders,
            (select count(*) from trade_history)::int as trades,
            exists (select 1 from sync_state where stream = 'history' and last_success_at is not null) as done`,
  )) as { rows: Sample[] };
  return rows[0]!;
}

/**
 * Runs one forced cycle while watching the store every 10 ms; `stopWhen` a sample matches, the
 * runtime is stopped. Returns the outcome and every sample taken.
 */
async function watchedSync(
  runtime: AppRuntime,
  knex: Knex,
  stopWhen: (s: Sample) => boolean = () => false,
): Promise<{ outcome: Awaited<ReturnType<AppRuntime['syncOnce']>>; samples: Sample[] }> {
  const samples: Sample[] = [];
  let settled = false;
  const cycle = runtime.syncOnce('cli', 'force').finally(() => {
    settled = true;
  });
  while (!settled) {
    const s = await sample(knex);
    samples.push(s);
    if (stopWhen(s)) {
      await runtime.stop();
      break;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  const outcome = await cycle;
  samples.push(await sample(knex));
  return { outcome, samples };
}

interface ImportCursor {
  import: { list: keyof typeof LISTS; cursor: string | null; startedAt: string };
}

async function historyState(knex: Knex) {
  return (await knex('sync_state').where({ stream: 'history' }).first()) as
    | { last_success_at: Date | null; cursor: ImportCursor | { fifo: unknown } }
    | undefined;
}

describe('a first history import resumes where it stopped (PostgreSQL)', () => {
  it('redoes only the pages after the last committed chunk and shows no trade history before completion', async () => {
    const h = await harness();
    // The reference: the same broker state synced once, cleanly, into another database.
    h.sim.clearRequests();
    const clean = await cleanSyncContents(h.sim);
    const allPages = importPages(h.sim.requests);
    const counts = pageCounts(h);
    expect(allPages).toHaveLength(
      counts.stockOrders + counts.optionOrders + counts.dividends + counts.optionEvents,
    );
    expect(counts.stockOrders).toBeGreaterThan(3 * CHUNK_PAGES);

    // First run: stopped once at least two chunks (2 × 5 pages of stock orders) are committed.
    await h.runtime.prepare();
    const knex = watcher(h);
    h.sim.clearRequests();
    const first = await watchedSync(h.runtime, knex, (s) => s.orders >= 2 * CHUNK_PAGES * PAGE_SIZE);
    expect(first.outcome.status).toBe('interrupted');
    const firstRequests = [...h.sim.requests];
    const state = await historyState(knex);
    expect(state?.last_success_at).toBeNull();
    const position = (state!.cursor as ImportCursor).import;
    expect(position.list).toBe('stockOrders');
    const resumeAt = allPages.indexOf(pageKey(LISTS[position.list], position.cursor));
    // Whole chunks were committed: the orders stored are exactly those of the pages before the cursor.
    expect(resumeAt % CHUNK_PAGES).toBe(0);
    expect(resumeAt).toBeGreaterThanOrEqual(2 * CHUNK_PAGES);
    expect((await sample(knex)).orders).toBe(resumeAt * PAGE_SIZE);
    expect((await sample(knex)).trades).toBe(0);
    // Read by the stopped run but not committed: at most one chunk.
    const wasted = importPages(firstRequests).slice(resumeAt);
    expect(wasted.length).toBeLessThanOrEqual(CHUNK_PAGES);
    await h.runtime.stop();

    // Restart: a new runtime on the same database goes on from the cursor.
    h.sim.clearRequests();
    const second = h.reopen();
    await second.prepare();
    const resumed = await watchedSync(second, knex);
    expect(resumed.outcome.status, resumed.outcome.error?.message).toBe('success');
    // Exactly the pages from the committed cursor on, each once, plus one re-read per order list
    // of what changed since the import began (nothing here: one page each).
    expect(importPages(h.sim.requests)).toEqual(allPages.slice(resumeAt));
    expect(catchUpRequests(h.sim.requests)).toEqual([LISTS.stockOrders, LISTS.optionOrders]);

    // Nothing of trade_history was visible before the import completed, in either run.
    const samples = [...first.samples, ...resumed.samples];
    expect(samples.filter((s) => !s.done && s.trades > 0)).toEqual([]);
    // The watcher did see the committed chunks (orders without trade history) before completion.
    expect(samples.some((s) => !s.done && s.orders > 0)).toBe(true);
    const orders = h.sim.state.stockOrders.length + h.sim.state.optionOrders.length;
    expect(samples.at(-1)).toMatchObject({ done: true, orders });

    const contents = await storeContents(knex);
    expect(pick(contents, STREAM_TABLES.history)).toEqual(pick(clean, STREAM_TABLES.history));
    expect(contents.trade_history.length).toBeGreaterThan(0);
    const done = await historyState(knex);
    expect(done?.cursor).not.toHaveProperty('import');
    expect(done?.cursor).toHaveProperty('fifo');
    console.info(
      `history import: ${allPages.length} pages; stopped after ${importPages(firstRequests).length} read, ` +
        `${resumeAt} committed; restart read ${importPages(h.sim.requests).length} (${wasted.length} redone)`,
    );
  });

  it('reads again the orders placed while the import was stopped', async () => {
    const h = await harness();
    await h.runtime.prepare();
    const knex = watcher(h);
    const first = await watchedSync(h.runtime, knex, (s) => s.orders >= CHUNK_PAGES * PAGE_SIZE);
    expect(first.outcome.status).toBe('interrupted');
    await h.runtime.stop();
    // Placed while the agent was down: newest first, so on a page the import had already committed.
    const held = h.sim.state.stockPositions[0]!;
    const symbol = h.sim.state.instruments.find((i) => i.id === held.instrumentId)!.symbol;
    const placed = h.sim.addStockOrder({ symbol, side: 'buy', quantity: '1', price: '10.00' });

    const second = h.reopen();
    await second.prepare();
    const resumed = await watchedSync(second, knex);
    expect(resumed.outcome.status, resumed.outcome.error?.message).toBe('success');
    const contents = await storeContents(knex);
    expect(contents.orders.some((o) => o.order_id === placed.id)).toBe(true);
    const clean = await cleanSyncContents(h.sim);
    expect(pick(contents, STREAM_TABLES.history)).toEqual(pick(clean, STREAM_TABLES.history));
  });
});
