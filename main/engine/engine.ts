/**
 * The sync engine: a scheduler and state machine around one CycleRunner.
 *
 * - The first cycle runs at start; then every sync interval. The trade history runs inside a cycle
 *   when its own interval has passed (the runner keeps that watermark in the store, so it survives
 *   restarts and is never refreshed by the 5-minute cycles — the original agent's defect A.3 #3).
 * - Cycles never overlap: "sync now" during a cycle joins it.
 * - States: idle, syncing, paused, error, needs-auth, offline. Offline cycles are retried with a
 *   short backoff and when the network returns, and are not counted as errors. A throttled broker
 *   is left alone until its Retry-After. Needs-auth waits for the user: no retry loop, no login storm.
 * - Every change is emitted as a SyncStatus ('status'); every finished cycle as 'cycle'.
 */
import { EventEmitter } from 'node:events';
import type { AuthPrompt, SyncProgress, SyncState, SyncStatus, SyncTrigger } from '../../shared/models.js';
import { type Clock, systemClock } from '../util/clock.js';
import { errorMeta } from '../util/errors.js';
import { type Logger, silentLogger } from '../util/logger.js';
import { type CycleOutcome, type CycleRunner, failedCycle, type HistoryMode } from './cycle-types.js';

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const systemTimers: Timers = {
  setTimeout: (fn, ms) => {
    const handle = setTimeout(fn, ms);
    handle.unref?.();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface EngineOptions {
  runner: CycleRunner;
  syncIntervalSeconds: number;
  tradeHistoryIntervalSeconds: number;
  rateLimitPerMinute: number;
  demo?: boolean;
  clock?: Clock;
  timers?: Timers;
  logger?: Logger;
  /** Offline retries back off from min to max seconds. */
  offlineRetrySeconds?: { min: number; max: number };
  /** Repeated failures stretch the interval up to this many seconds. */
  maxFailureBackoffSeconds?: number;
}

export interface EngineEvents {
  status: [SyncStatus];
  cycle: [CycleOutcome];
}

export class SyncEngine {
  private readonly runner: CycleRunner;
  private readonly clock: Clock;
  private readonly timers: Timers;
  private readonly logger: Logger;
  private readonly emitter = new EventEmitter<EngineEvents>();
  private readonly abort = new AbortController();
  private readonly startedAt: Date;
  private readonly offlineRetry: { min: number; max: number };
  private readonly maxFailureBackoffSeconds: number;

  private syncIntervalSeconds: number;
  private tradeHistoryIntervalSeconds: number;
  private readonly rateLimitPerMinute: number;
  private readonly demo: boolean;

  private timer: unknown = null;
  private running: Promise<CycleOutcome> | null = null;
  private started = false;
  private stopped = false;
  private paused = false;
  private suspended = false;
  private offline = false;
  private offlineAttempts = 0;
  private authPrompt: AuthPrompt | null = null;
  private throttledUntil: Date | null = null;
  private progress: SyncProgress | null = null;
  private nextRunAt: Date | null = null;
  private historyDueAt: Date | null = null;
  private lastSuccessAt: Date | null = null;
  private lastAttemptAt: Date | null = null;
  private lastError: { message: string; at: Date } | null = null;
  private lastFailed = false;
  private cycleCount = 0;
  private errorCount = 0;
  private consecutiveFailures = 0;
  private lastCycleRequests: number | null = null;

  constructor(options: EngineOptions) {
    this.runner = options.runner;
    this.clock = options.clock ?? systemClock;
    this.timers = options.timers ?? systemTimers;
    this.logger = options.logger ?? silentLogger;
    this.syncIntervalSeconds = options.syncIntervalSeconds;
    this.tradeHistoryIntervalSeconds = options.tradeHistoryIntervalSeconds;
    this.rateLimitPerMinute = options.rateLimitPerMinute;
    this.demo = options.demo ?? false;
    this.offlineRetry = options.offlineRetrySeconds ?? { min: 30, max: 300 };
    this.maxFailureBackoffSeconds = options.maxFailureBackoffSeconds ?? 3600;
    this.startedAt = this.clock.now();
  }

  on<E extends keyof EngineEvents>(event: E, listener: (...args: EngineEvents[E]) => void): () => void {
    this.emitter.on(event, listener as never);
    return () => this.emitter.off(event, listener as never);
  }

  /** Schedules the first cycle at once. */
  start(trigger: SyncTrigger = 'startup'): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.scheduleIn(0, trigger);
  }

  /** Stops timers; the running cycle is aborted (its open transaction rolls back) and awaited. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.clearTimer();
    this.nextRunAt = null;
    this.abort.abort(new Error('the engine is stopping'));
    if (this.running) await this.running.catch(() => undefined);
    this.emitStatus();
  }

  /**
   * Runs a cycle now, or joins the one running. Works while paused (the user asked explicitly);
   * the engine stays paused afterwards.
   */
  syncNow(trigger: SyncTrigger = 'manual', historyMode: HistoryMode = 'if-due'): Promise<CycleOutcome> {
    return this.runCycle(trigger, historyMode);
  }

  pause(): void {
    if (this.paused) return;
    this.paused = true;
    this.clearTimer();
    this.nextRunAt = null;
    this.logger.info('syncing paused');
    this.emitStatus();
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.logger.info('syncing resumed');
    if (!this.running) this.scheduleAfterIdle();
    this.emitStatus();
  }

  /** The machine is going to sleep: no timers until wake(). */
  suspend(): void {
    this.suspended = true;
    this.clearTimer();
    this.nextRunAt = null;
    this.emitStatus();
  }

  /** The machine woke up, or the wall clock jumped: sync now (unless paused or waiting for the user). */
  wake(reason: 'resume' | 'clock-jump'): void {
    this.suspended = false;
    if (this.stopped || !this.started) return;
    this.logger.info(reason === 'resume' ? 'woke from sleep; syncing' : 'wall clock jumped; syncing');
    if (this.paused || this.authPrompt) {
      this.emitStatus();
      return;
    }
    void this.runCycle('resume', 'if-due');
  }

  /** The network is back: retry at once when offline. */
  networkRestored(): void {
    if (this.offline && !this.paused && !this.stopped && !this.suspended)
      void this.runCycle('schedule', 'if-due');
  }

  /** The user completed a login (or changed credentials): clear the prompt and sync. */
  authResolved(): void {
    this.authPrompt = null;
    if (this.stopped) return;
    this.emitStatus();
    if (this.started && !this.paused) void this.runCycle('manual', 'if-due');
  }

  /** Shows a prompt before any cycle ran into it (e.g. no credentials at start). */
  requireAuth(prompt: AuthPrompt): void {
    this.authPrompt = prompt;
    this.clearTimer();
    this.nextRunAt = null;
    this.emitStatus();
  }

  setIntervals(syncIntervalSeconds: number, tradeHistoryIntervalSeconds: number): void {
    this.syncIntervalSeconds = syncIntervalSeconds;
    this.tradeHistoryIntervalSeconds = tradeHistoryIntervalSeconds;
    if (this.timer && this.nextRunAt && !this.offline && !this.lastFailed) {
      const due = new Date((this.lastAttemptAt ?? this.clock.now()).getTime() + syncIntervalSeconds * 1000);
      this.scheduleAt(due, 'schedule');
    }
    this.emitStatus();
  }

  status(): SyncStatus {
    return {
      state: this.state(),
      demo: this.demo,
      progress: this.progress,
      startedAt: this.startedAt.toISOString(),
      lastSuccessAt: iso(this.lastSuccessAt),
      lastAttemptAt: iso(this.lastAttemptAt),
      lastError: this.lastError
        ? { message: this.lastError.message, at: this.lastError.at.toISOString() }
        : null,
      nextRunAt: iso(this.nextRunAt),
      nextHistoryRunAt: iso(this.historyDueAt),
      throttledUntil: iso(this.throttledUntil),
      cycleCount: this.cycleCount,
      errorCount: this.errorCount,
      consecutiveFailures: this.consecutiveFailures,
      lastCycleRequests: this.lastCycleRequests,
      rateLimitPerMinute: this.rateLimitPerMinute,
      syncIntervalSeconds: this.syncIntervalSeconds,
      tradeHistoryIntervalSeconds: this.tradeHistoryIntervalSeconds,
      authPrompt: this.authPrompt,
    };
  }

  private state(): SyncState {
    if (this.running) return 'syncing';
    if (this.authPrompt) return 'needs-auth';
    if (this.paused) return 'paused';
    if (this.offline) return 'offline';
    if (this.lastFailed) return 'error';
    return 'idle';
  }

  private runCycle(trigger: SyncTrigger, historyMode: HistoryMode): Promise<CycleOutcome> {
    if (this.running) return this.running;
    if (this.stopped) return Promise.resolve(this.abortedOutcome(trigger));
    this.clearTimer();
    this.nextRunAt = null;
    this.lastAttemptAt = this.clock.now();
    const cycle = this.runner
      .run({
        trigger,
        historyMode,
        signal: this.abort.signal,
        progress: (p) => {
          this.progress = p;
          this.emitStatus();
        },
      })
      .catch((error: unknown): CycleOutcome => {
        // The runner reports failures as outcomes; anything thrown is a bug. Log it, never crash.
        this.logger.error('sync cycle threw', errorMeta(error));
        return this.failedOutcome(trigger, 'The sync cycle failed unexpectedly; see the log for details.');
      })
      .then((outcome) => {
        this.running = null;
        this.progress = null;
        this.afterCycle(outcome);
        return outcome;
      });
    this.running = cycle;
    this.emitStatus();
    return cycle;
  }

  private afterCycle(outcome: CycleOutcome): void {
    this.lastCycleRequests = outcome.apiRequests;
    if (outcome.historyDueAt) this.historyDueAt = outcome.historyDueAt;
    const error = outcome.error;
    if (error?.kind === 'aborted') {
      this.emitStatus();
      this.emitter.emit('cycle', outcome);
      return;
    }
    this.cycleCount += 1;
    if (!error) {
      this.lastSuccessAt = outcome.finishedAt;
      this.lastFailed = false;
      this.lastError = null;
      this.offline = false;
      this.offlineAttempts = 0;
      this.throttledUntil = null;
      this.authPrompt = null;
      this.consecutiveFailures = 0;
      if (outcome.status === 'partial')
        this.lastError = { message: 'Some accounts were skipped.', at: outcome.finishedAt };
      this.scheduleIn(this.syncIntervalSeconds * 1000, 'schedule');
    } else {
      this.handleFailure(outcome, error);
    }
    this.emitStatus();
    this.emitter.emit('cycle', outcome);
  }

  private handleFailure(outcome: CycleOutcome, error: NonNullable<CycleOutcome['error']>): void {
    this.lastError = { message: error.message, at: outcome.finishedAt };
    if (error.kind === 'network') {
      // Offline is not an error of ours: retry soon, and at once when the network returns.
      this.offline = true;
      this.lastFailed = false;
      this.offlineAttempts += 1;
      const delay = Math.min(this.offlineRetry.max, this.offlineRetry.min * 2 ** (this.offlineAttempts - 1));
      this.logger.warn(`offline; retrying in ${delay} s`, errorMeta(error));
      this.scheduleIn(delay * 1000, 'schedule');
      return;
    }
    this.offline = false;
    this.lastFailed = true;
    this.errorCount += 1;
    this.consecutiveFailures += 1;
    if (error.kind === 'auth') {
      this.authPrompt = error.prompt ?? { kind: 'credentials', message: error.message };
      this.logger.warn('sync needs the user to sign in', errorMeta(error));
      // Retry on our own only when the client told us when a login may be tried again.
      if (error.retryAt) this.scheduleAt(error.retryAt, 'schedule');
      return;
    }
    const interval = this.syncIntervalSeconds * 1000;
    if (error.kind === 'throttled' && error.retryAt) {
      this.throttledUntil = error.retryAt;
      const at = Math.max(error.retryAt.getTime(), this.clock.now().getTime() + interval);
      this.logger.warn('broker throttled us; waiting', { until: error.retryAt.toISOString() });
      this.scheduleAt(new Date(at), 'schedule');
      return;
    }
    // Repeated failures stretch the interval (1x, 1x, 2x, 4x, ... up to the cap): gentle on a broken broker.
    const factor = 2 ** Math.max(0, this.consecutiveFailures - 2);
    const delay = Math.min(interval * factor, Math.max(interval, this.maxFailureBackoffSeconds * 1000));
    this.logger.warn('sync cycle failed', { ...errorMeta(error), retryInSeconds: delay / 1000 });
    this.scheduleIn(delay, 'schedule');
  }

  private scheduleAfterIdle(): void {
    const due = this.lastAttemptAt
      ? new Date(this.lastAttemptAt.getTime() + this.syncIntervalSeconds * 1000)
      : this.clock.now();
    this.scheduleAt(due, 'schedule');
  }

  private scheduleIn(ms: number, trigger: SyncTrigger): void {
    this.scheduleAt(new Date(this.clock.now().getTime() + ms), trigger);
  }

  private scheduleAt(at: Date, trigger: SyncTrigger): void {
    this.clearTimer();
    // A cycle run before start() (the CLI's --once) schedules nothing.
    if (!this.started || this.stopped || this.paused || this.suspended) {
      this.nextRunAt = null;
      return;
    }
    this.nextRunAt = at;
    const delay = Math.max(0, at.getTime() - this.clock.now().getTime());
    this.timer = this.timers.setTimeout(() => {
      this.timer = null;
      void this.runCycle(trigger, 'if-due');
    }, delay);
  }

  private clearTimer(): void {
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
  }

  private emitStatus(): void {
    this.emitter.emit('status', this.status());
  }

  private failedOutcome(trigger: SyncTrigger, message: string): CycleOutcome {
    const now = this.clock.now();
    return failedCycle(trigger, this.lastAttemptAt ?? now, now, { kind: 'internal', message });
  }

  private abortedOutcome(trigger: SyncTrigger): CycleOutcome {
    return {
      ...this.failedOutcome(trigger, 'The engine is stopped.'),
      error: { kind: 'aborted', message: 'The engine is stopped.' },
    };
  }
}

function iso(date: Date | null): string | null {
  return date ? date.toISOString() : null;
}
