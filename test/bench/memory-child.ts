/**
 * The process item 5 measures: a headless runtime (engine, cycle runner, client, store) and nothing
 * else — the simulator runs in the parent. It syncs `cycles` times back to back; between cycles the
 * bench clock lets one sync interval pass (so the rate limiter never waits and the trade history
 * runs whenever it is due, as in production). Every `sampleEvery` cycles it collects garbage
 * (--expose-gc) and sends { cycle, rss, heapUsed, external } to the parent; at the end { done }.
 *
 * Started by memory.ts with fork(); the parameters come as one JSON argument.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redactor } from '../../main/logging/index.js';
import { createRuntime } from '../../main/runtime/runtime.js';
import { memorySettingsStore } from '../../main/runtime/settings-file.js';
import { MemorySecretStore } from '../../main/secrets/index.js';
import { DEFAULT_SETTINGS } from '../../shared/settings.js';
import { BenchClock } from './bench-clock.js';
import { discardingRootLogger, PRODUCT_REQUESTS_PER_MINUTE, SYNC_INTERVAL_MS } from './bench-harness.js';
import { childProcessesPss } from './process-memory.js';

export interface MemoryChildParams {
  apiUrl: string;
  username: string;
  password: string;
  /** PostgreSQL URL, or null for the embedded database in a temporary folder. */
  databaseUrl: string | null;
  cycles: number;
  sampleEvery: number;
}

export type MemoryChildMessage =
  | {
      kind: 'sample';
      cycle: number;
      rss: number;
      heapUsed: number;
      external: number;
      /** Summed PSS of the processes this one started (the embedded server), bytes. */
      serverPss: number;
    }
  | {
      kind: 'done';
      cycles: number;
      failures: number;
      requests: number;
      elapsedMs: number;
      /** The highest RSS + server PSS seen by a 25 ms sampler over the whole run (first start included). */
      peakTotal: number;
      /** How long the first cycle took to open the store (initdb and start on the embedded server). */
      readyMs: number;
    }
  | { kind: 'error'; message: string };

async function main(): Promise<void> {
  const params = JSON.parse(process.argv[2] ?? '{}') as MemoryChildParams;
  const send = (message: MemoryChildMessage) => process.send?.(message);
  const gc = (globalThis as { gc?: () => void }).gc;
  const dataDir = await mkdtemp(join(tmpdir(), 'magnus-bench-mem-'));
  const clock = new BenchClock();
  const runtime = createRuntime({
    host: 'headless',
    dataDir,
    settings: memorySettingsStore({ ...DEFAULT_SETTINGS }),
    secrets: new MemorySecretStore(),
    keychainStatus: { available: true },
    logger: discardingRootLogger(),
    redactor: new Redactor(),
    apiUrl: params.apiUrl,
    env: { ROBINHOOD_USERNAME: params.username, ROBINHOOD_PASSWORD: params.password },
    clock,
    requestsPerMinute: PRODUCT_REQUESTS_PER_MINUTE,
    brokerTuning: { timeoutMs: 30_000 },
    ...(params.databaseUrl ? { databaseUrl: params.databaseUrl } : {}),
  });
  let failures = 0;
  let requests = 0;
  let peakTotal = 0;
  const sampler = setInterval(() => {
    peakTotal = Math.max(peakTotal, process.memoryUsage.rss() + childProcessesPss());
  }, 25);
  const started = performance.now();
  try {
    // Cycle 0: the code is loaded, nothing has run yet.
    gc?.();
    const loaded = process.memoryUsage();
    send({
      kind: 'sample',
      cycle: 0,
      rss: loaded.rss,
      heapUsed: loaded.heapUsed,
      external: loaded.external,
      serverPss: 0,
    });
    const opening = performance.now();
    await runtime.prepare();
    const readyMs = performance.now() - opening;
    for (let cycle = 1; cycle <= params.cycles; cycle++) {
      const outcome = await runtime.syncOnce('schedule', 'if-due');
      if (outcome.status !== 'success') failures += 1;
      requests += outcome.apiRequests;
      clock.idle(SYNC_INTERVAL_MS);
      if (cycle === 1 || cycle % params.sampleEvery === 0) {
        gc?.();
        const m = process.memoryUsage();
        send({
          kind: 'sample',
          cycle,
          rss: m.rss,
          heapUsed: m.heapUsed,
          external: m.external,
          serverPss: childProcessesPss(),
        });
      }
    }
    send({
      kind: 'done',
      cycles: params.cycles,
      failures,
      requests,
      elapsedMs: performance.now() - started,
      peakTotal,
      readyMs,
    });
  } catch (error) {
    send({ kind: 'error', message: error instanceof Error ? error.message : String(error) });
  } finally {
    clearInterval(sampler);
    await runtime.stop().catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
process.disconnect?.();
