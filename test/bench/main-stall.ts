/**
 * Desktop issue 11, item 5: how long the desktop app's main process (tray, windows, IPC) is blocked
 * while the engine imports a trade history, with the engine in the main process (as before) and in
 * its own process (as now).
 *
 *   node --import tsx test/bench/main-stall.ts [orders]   (default 20,000; PostgreSQL on 127.0.0.1)
 *
 * Both runs import the same history (test/bench/history.ts's scenario, the simulator over a socket,
 * a fresh database) with the real runtime. "In-process" runs it in this process; "engine process"
 * runs it in a forked child that sends every status event back, as the engine process relays
 * them, while this process only receives them. The number is the longest stall of this process's
 * event loop (perf_hooks.monitorEventLoopDelay, 10 ms resolution) during the import.
 */
import { fork } from 'node:child_process';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createSyncHarness } from '../helpers/sync-harness.js';
import { historyScenario } from './history.js';

interface ImportResult {
  status: string;
  ms: number;
  statuses: number;
}

async function importHistory(orders: number, onStatus: () => void): Promise<ImportResult> {
  const h = await createSyncHarness({ backend: 'postgres', scenario: historyScenario(orders) });
  try {
    h.runtime.events.on('status', onStatus);
    let statuses = 0;
    h.runtime.events.on('status', () => statuses++);
    const started = performance.now();
    const outcome = await h.runtime.syncOnce('startup', 'force');
    return { status: outcome.status, ms: performance.now() - started, statuses };
  } finally {
    await h.close();
  }
}

function loopMonitor(): () => number {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  return () => {
    histogram.disable();
    return histogram.max / 1e6;
  };
}

async function inProcess(orders: number) {
  let relayed = 0;
  const stop = loopMonitor();
  const result = await importHistory(orders, () => relayed++);
  return { ...result, relayed, maxStallMs: stop() };
}

async function inEngineProcess(orders: number) {
  let relayed = 0;
  const stop = loopMonitor();
  const child = fork(fileURLToPath(import.meta.url), ['--child', String(orders)], {
    execArgv: ['--import', 'tsx'],
    serialization: 'advanced',
  });
  const result = await new Promise<ImportResult>((resolve, reject) => {
    child.on('message', (message: { status?: unknown; done?: ImportResult }) => {
      if (message.status) relayed++;
      if (message.done) resolve(message.done);
    });
    child.on('exit', (code) => reject(new Error(`the engine child exited with ${code}`)));
  });
  const maxStallMs = stop();
  child.kill();
  return { ...result, relayed, maxStallMs };
}

const childAt = process.argv.indexOf('--child');
if (childAt >= 0) {
  const done = await importHistory(Number(process.argv[childAt + 1]), () => process.send?.({ status: true }));
  process.send?.({ done });
  process.disconnect?.();
} else {
  const requested = Number(process.argv[2] ?? 20_000);
  const count = Number.isInteger(requested) && requested > 0 ? requested : 20_000;
  const before = await inProcess(count);
  const after = await inEngineProcess(count);
  console.log(JSON.stringify({ orders: count, inProcess: before, engineProcess: after }, null, 2));
  console.log(
    `| ${count.toLocaleString('en-US')} | ${Math.round(before.ms)} | ${Math.round(before.maxStallMs)} | ${Math.round(after.ms)} | ${Math.round(after.maxStallMs)} |`,
  );
}
