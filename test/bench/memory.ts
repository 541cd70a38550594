/**
 * Item 5: resident memory of the headless engine over many back-to-back cycles. The simulator runs
 * here; the engine runs alone in a child process (memory-child.ts, with --expose-gc so every sample
 * is taken after a full collection) and reports its memory every few cycles.
 *
 * start = median RSS of the samples in the first 10% after the warm-up (the first 5% of cycles,
 * at least 20), end = median RSS of the last 10%, slope = least-squares fit over every sample after
 * the warm-up, in MB per 1,000 cycles; the late slopes fit the second half only, after the bounded
 * buffers (the client's request log of 5,000 entries) have filled.
 *
 * The child runs as plain JavaScript, like the shipped engine: memory-child.ts is bundled with
 * esbuild (our code inlined, packages left to node_modules) into node_modules/.cache, so no
 * TypeScript loader sits in the measured process.
 */
import { fork } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { createTestDatabase } from '../helpers/postgres.js';
import type { Backend } from '../helpers/sync-harness.js';
import { buildScenario, type ScenarioOptions, startSimulator } from '../simulator-tools/index.js';
import type { MemoryChildMessage, MemoryChildParams } from './memory-child.js';
import { linearFit, median } from './stats.js';

export const MEMORY_SCENARIO: ScenarioOptions = {
  seed: 41,
  accounts: [
    {
      stocks: 100,
      optionLegs: 50,
      multiLegStrategies: 5,
      stockOrders: 150,
      optionOrders: 80,
      dividends: 12,
      optionEvents: 3,
    },
  ],
};

export interface MemoryResult {
  backend: Backend;
  cycles: number;
  failures: number;
  requests: number;
  elapsedMs: number;
  /** RSS with the code loaded, before the first cycle. */
  loadedRssMb: number;
  startRssMb: number;
  endRssMb: number;
  peakRssMb: number;
  /** MB per 1,000 cycles. */
  rssSlopeMbPer1000: number;
  startHeapMb: number;
  endHeapMb: number;
  heapSlopeMbPer1000: number;
  /** The same fits over the second half of the cycles only (after bounded buffers have filled). */
  rssSlopeLateMbPer1000: number;
  heapSlopeLateMbPer1000: number;
  samples: number;
  /** The embedded server's processes (summed PSS); 0 on an external PostgreSQL. */
  serverStartMb: number;
  serverEndMb: number;
  /** Node RSS + server PSS: medians at the start and end, and the highest a 25 ms sampler saw. */
  totalStartMb: number;
  totalEndMb: number;
  totalPeakMb: number;
  /** The runtime's prepare(): on a new embedded folder, initdb + start + migrations. */
  readyMs: number;
}

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Bundles the child to plain JavaScript; returns its path. */
export async function bundleMemoryChild(): Promise<string> {
  const outfile = join(ROOT, 'node_modules', '.cache', 'magnus-bench', 'memory-child.mjs');
  await mkdir(dirname(outfile), { recursive: true });
  await build({
    entryPoints: [join(ROOT, 'test', 'bench', 'memory-child.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outfile,
    logLevel: 'warning',
  });
  return outfile;
}

interface Sample {
  cycle: number;
  rss: number;
  heapUsed: number;
  serverPss: number;
}

const MB = 1024 * 1024;

export interface MemoryBenchOptions {
  backend: Backend;
  cycles: number;
  log: (line: string) => void;
}

export async function measureMemory(o: MemoryBenchOptions): Promise<MemoryResult> {
  const scenario = buildScenario(MEMORY_SCENARIO);
  const sim = await startSimulator({ scenario, latencyMs: 0 });
  const database = o.backend === 'postgres' ? await createTestDatabase('bench_mem') : null;
  // The simulator keeps a record of every request; the parent's memory is not measured, but keep it small.
  const trim = setInterval(() => sim.clearRequests(), 5_000);
  const user = scenario.users[0]!;
  const sampleEvery = Math.max(1, Math.floor(o.cycles / 200));
  const params: MemoryChildParams = {
    apiUrl: sim.url,
    username: user.username,
    password: user.password,
    databaseUrl: database?.url ?? null,
    cycles: o.cycles,
    sampleEvery,
  };
  const samples: Sample[] = [];
  const script = await bundleMemoryChild();
  try {
    const done = await new Promise<Extract<MemoryChildMessage, { kind: 'done' }>>((resolve, reject) => {
      const child = fork(script, [JSON.stringify(params)], {
        execArgv: ['--expose-gc'],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      let finished: Extract<MemoryChildMessage, { kind: 'done' }> | null = null;
      child.on('message', (message: MemoryChildMessage) => {
        if (message.kind === 'sample') {
          samples.push({
            cycle: message.cycle,
            rss: message.rss,
            heapUsed: message.heapUsed,
            serverPss: message.serverPss,
          });
          if (message.cycle % Math.max(sampleEvery, Math.floor(o.cycles / 5)) === 0)
            o.log(
              `  ${o.backend} cycle ${message.cycle}: rss ${(message.rss / MB).toFixed(1)} MB, server ${(message.serverPss / MB).toFixed(1)} MB`,
            );
        } else if (message.kind === 'done') finished = message;
        else reject(new Error(`memory child: ${message.message}`));
      });
      child.on('error', reject);
      child.on('exit', (code) => {
        if (finished) resolve(finished);
        else reject(new Error(`memory child exited with ${code} before finishing`));
      });
    });
    const warmup = Math.max(20, Math.floor(o.cycles * 0.05));
    const steady = samples.filter((s) => s.cycle > warmup);
    const tenth = Math.max(1, Math.floor(steady.length / 10));
    const head = steady.slice(0, tenth);
    const tail = steady.slice(-tenth);
    const rssFit = linearFit(
      steady.map((s) => s.cycle),
      steady.map((s) => s.rss / MB),
    );
    const heapFit = linearFit(
      steady.map((s) => s.cycle),
      steady.map((s) => s.heapUsed / MB),
    );
    const late = samples.filter((s) => s.cycle > o.cycles / 2);
    const lateFit = (pick: (s: Sample) => number) =>
      linearFit(
        late.map((s) => s.cycle),
        late.map(pick),
      ).slope * 1000;
    return {
      backend: o.backend,
      cycles: done.cycles,
      failures: done.failures,
      requests: done.requests,
      elapsedMs: done.elapsedMs,
      loadedRssMb: (samples.find((s) => s.cycle === 0)?.rss ?? Number.NaN) / MB,
      startRssMb: median(head.map((s) => s.rss / MB)),
      endRssMb: median(tail.map((s) => s.rss / MB)),
      peakRssMb: Math.max(...samples.map((s) => s.rss / MB)),
      rssSlopeMbPer1000: rssFit.slope * 1000,
      startHeapMb: median(head.map((s) => s.heapUsed / MB)),
      endHeapMb: median(tail.map((s) => s.heapUsed / MB)),
      heapSlopeMbPer1000: heapFit.slope * 1000,
      rssSlopeLateMbPer1000: lateFit((s) => s.rss / MB),
      heapSlopeLateMbPer1000: lateFit((s) => s.heapUsed / MB),
      samples: samples.length,
      serverStartMb: median(head.map((s) => s.serverPss / MB)),
      serverEndMb: median(tail.map((s) => s.serverPss / MB)),
      totalStartMb: median(head.map((s) => (s.rss + s.serverPss) / MB)),
      totalEndMb: median(tail.map((s) => (s.rss + s.serverPss) / MB)),
      totalPeakMb: done.peakTotal / MB,
      readyMs: done.readyMs,
    };
  } finally {
    clearInterval(trim);
    await sim.close();
    await database?.drop();
  }
}
