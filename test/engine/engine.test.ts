import { describe, expect, it } from 'vitest';
import type {
  CycleErrorKind,
  CycleOutcome,
  CycleRequest,
  CycleRunner,
} from '../../main/engine/cycle-types.js';
import { SyncEngine } from '../../main/engine/engine.js';
import type { SyncStatus } from '../../shared/models.js';
import { flush, ManualTime } from '../helpers/manual-time.js';

/** A runner whose cycles the test finishes one by one, with the outcome it chooses. */
class ScriptedRunner implements CycleRunner {
  readonly requests: CycleRequest[] = [];
  private resolvers: Array<(o: CycleOutcome) => void> = [];
  constructor(private readonly time: ManualTime) {}
  run(request: CycleRequest): Promise<CycleOutcome> {
    this.requests.push(request);
    return new Promise((resolve) => this.resolvers.push(resolve));
  }
  get waiting(): number {
    return this.resolvers.length;
  }
  finish(
    error: { kind: CycleErrorKind; message?: string; retryAt?: Date } | null = null,
    apiRequests = 8,
  ): void {
    const resolve = this.resolvers.shift();
    if (!resolve) throw new Error('no cycle is running');
    const now = this.time.now();
    resolve({
      status: error ? 'failed' : 'success',
      trigger: this.requests.at(-1)!.trigger,
      startedAt: now,
      finishedAt: now,
      durationMs: 0,
      apiRequests,
      rowsWritten: 0,
      streams: [],
      accounts: [],
      skippedAccounts: [],
      counts: { accounts: 1, stockPositions: 0, optionPositions: 0, orders: 0, trades: 0 },
      historyDueAt: new Date(now.getTime() + 3600_000),
      error: error
        ? {
            kind: error.kind,
            message: error.message ?? `${error.kind} failure`,
            ...(error.retryAt ? { retryAt: error.retryAt } : {}),
          }
        : null,
    });
  }
}

function setup() {
  const time = new ManualTime();
  const runner = new ScriptedRunner(time);
  const engine = new SyncEngine({
    runner,
    clock: time,
    timers: time,
    syncIntervalSeconds: 300,
    tradeHistoryIntervalSeconds: 3600,
    rateLimitPerMinute: 60,
  });
  const statuses: SyncStatus[] = [];
  engine.on('status', (s) => statuses.push(s));
  return { time, runner, engine, statuses };
}

describe('SyncEngine', () => {
  it('runs the first cycle at start, then every interval', async () => {
    const { time, runner, engine } = setup();
    engine.start();
    expect(runner.waiting).toBe(0);
    time.advance(0);
    expect(runner.requests.map((r) => r.trigger)).toEqual(['startup']);
    expect(engine.status().state).toBe('syncing');
    runner.finish();
    await flush();
    expect(engine.status().state).toBe('idle');
    expect(engine.status().lastCycleRequests).toBe(8);
    expect(time.nextTimerIn()).toBe(300_000);
    expect(engine.status().nextRunAt).toBe(new Date(time.now().getTime() + 300_000).toISOString());
    time.advance(299_999);
    expect(runner.requests).toHaveLength(1);
    time.advance(1);
    expect(runner.requests.map((r) => r.trigger)).toEqual(['startup', 'schedule']);
  });

  it('never overlaps cycles: sync now during a cycle joins it', async () => {
    const { time, runner, engine } = setup();
    engine.start();
    time.advance(0);
    const joined = engine.syncNow('manual');
    expect(runner.requests).toHaveLength(1);
    runner.finish();
    const outcome = await joined;
    expect(outcome.trigger).toBe('startup');
    expect(runner.requests).toHaveLength(1);
  });

  it('pauses and resumes without losing the schedule', async () => {
    const { time, runner, engine } = setup();
    engine.start();
    time.advance(0);
    runner.finish();
    await flush();
    engine.pause();
    expect(engine.status().state).toBe('paused');
    expect(engine.status().nextRunAt).toBeNull();
    expect(time.timerCount()).toBe(0);
    time.advance(600_000);
    expect(runner.requests).toHaveLength(1);
    engine.resume();
    // The interval has passed while paused: the next cycle is due at once.
    time.advance(0);
    expect(runner.requests).toHaveLength(2);
  });

  it('runs a manual sync while paused and stays paused', async () => {
    const { time, runner, engine } = setup();
    engine.start();
    time.advance(0);
    runner.finish();
    await flush();
    engine.pause();
    const manual = engine.syncNow('manual');
    runner.finish();
    await manual;
    expect(engine.status().state).toBe('paused');
    expect(time.timerCount()).toBe(0);
  });

  it('goes offline on network errors, does not count them, backs off and retries when the network returns', async () => {
    const { time, runner, engine } = setup();
    engine.start();
    time.advance(0);
    runner.finish({ kind: 'network', message: 'api.robinhood.com could not be reached' });
    await flush();
    expect(engine.status().state).toBe('offline');
    expect(engine.status().errorCount).toBe(0);
    expect(time.nextTimerIn()).toBe(30_000);
    time.advance(30_000);
    runner.finish({ kind: 'network' });
    await flush();
    expect(time.nextTimerIn()).toBe(60_000);
    engine.networkRestored();
    expect(runner.requests).toHaveLength(3);
    runner.finish();
    await flush();
    expect(engine.status().state).toBe('idle');
    expect(time.nextTimerIn()).toBe(300_000);
  });

  it('waits for the user on auth errors: no retry loop', async () => {
    const { time, runner, engine } = setup();
    engine.start();
    time.advance(0);
    runner.finish({ kind: 'auth', message: 'Robinhood rejected the saved password.' });
    await flush();
    expect(engine.status().state).toBe('needs-auth');
    expect(engine.status().authPrompt).toEqual({
      kind: 'credentials',
      message: 'Robinhood rejected the saved password.',
    });
    expect(time.timerCount()).toBe(0);
    time.advance(24 * 3600_000);
    expect(runner.requests).toHaveLength(1);
    engine.authResolved();
    expect(runner.requests).toHaveLength(2);
    runner.finish();
    await flush();
    expect(engine.status().state).toBe('idle');
    expect(engine.status().authPrompt).toBeNull();
  });

  it('honours a long throttle and shows until when', async () => {
    const { time, runner, engine } = setup();
    engine.start();
    time.advance(0);
    const retryAt = new Date(time.now().getTime() + 12 * 3600_000);
    runner.finish({ kind: 'throttled', message: 'Robinhood throttled the requests', retryAt });
    await flush();
    expect(engine.status().state).toBe('error');
    expect(engine.status().throttledUntil).toBe(retryAt.toISOString());
    expect(time.nextTimerIn()).toBe(12 * 3600_000);
  });

  it('stretches the interval after repeated failures and resets on success', async () => {
    const { time, runner, engine } = setup();
    engine.start();
    time.advance(0);
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      runner.finish({ kind: 'broker', message: 'HTTP 503' });
      await flush();
      delays.push(time.nextTimerIn()!);
      time.advance(time.nextTimerIn()!);
    }
    expect(delays).toEqual([300_000, 300_000, 600_000, 1_200_000, 2_400_000]);
    expect(engine.status().errorCount).toBe(5);
    expect(engine.status().consecutiveFailures).toBe(5);
    runner.finish();
    await flush();
    expect(engine.status().consecutiveFailures).toBe(0);
    expect(engine.status().state).toBe('idle');
    expect(time.nextTimerIn()).toBe(300_000);
  });

  it('stops timers on suspend and syncs on wake', async () => {
    const { time, runner, engine } = setup();
    engine.start();
    time.advance(0);
    runner.finish();
    await flush();
    engine.suspend();
    expect(time.timerCount()).toBe(0);
    time.advance(3 * 3600_000);
    expect(runner.requests).toHaveLength(1);
    engine.wake('resume');
    expect(runner.requests.map((r) => r.trigger)).toEqual(['startup', 'resume']);
  });

  it('aborts the running cycle on stop and schedules nothing more', async () => {
    const { time, runner, engine } = setup();
    engine.start();
    time.advance(0);
    const stopping = engine.stop();
    expect(runner.requests[0]!.signal.aborted).toBe(true);
    runner.finish({ kind: 'aborted' });
    await stopping;
    expect(time.timerCount()).toBe(0);
    expect(engine.status().cycleCount).toBe(0);
    const after = await engine.syncNow();
    expect(after.error?.kind).toBe('aborted');
    expect(runner.requests).toHaveLength(1);
  });

  it('reports progress while syncing and clears it after', async () => {
    const { time, runner, engine, statuses } = setup();
    engine.start();
    time.advance(0);
    runner.requests[0]!.progress({ step: 'Fetching positions', completed: 2, total: 7 });
    expect(engine.status().progress).toEqual({ step: 'Fetching positions', completed: 2, total: 7 });
    runner.finish();
    await flush();
    expect(engine.status().progress).toBeNull();
    expect(statuses.some((s) => s.progress?.completed === 2)).toBe(true);
  });

  it('turns a runner that throws into a failed cycle instead of crashing', async () => {
    const time = new ManualTime();
    const engine = new SyncEngine({
      runner: { run: () => Promise.reject(new Error('boom')) },
      clock: time,
      timers: time,
      syncIntervalSeconds: 300,
      tradeHistoryIntervalSeconds: 3600,
      rateLimitPerMinute: 60,
    });
    const outcome = await engine.syncNow('cli', 'force');
    expect(outcome.status).toBe('failed');
    expect(outcome.error?.kind).toBe('internal');
    expect(engine.status().state).toBe('error');
    expect(time.timerCount()).toBe(0);
  });
});
