/**
 * The clock the benchmarked runtime runs on: real time plus an offset.
 *
 * - sleep(ms) does not wait: it moves the offset forward by ms and adds ms to `waitedMs`. The only
 *   sleeps in a clean cycle are the rate limiter's (retries would be too; the runner reports them),
 *   so a cycle's duration on this clock is exactly its wall time with the limiter's waits, and
 *   `waitedMs` is the part of it spent waiting for the request budget.
 * - idle(ms) stands for the sync interval between two scheduled cycles: the limiter refills as it
 *   would in production, without the benchmark waiting for it.
 */
import type { Clock } from '../../main/util/clock.js';

export class BenchClock implements Clock {
  #offsetMs = 0;
  #waitedMs = 0;

  now(): Date {
    return new Date(Date.now() + this.#offsetMs);
  }

  monotonicMs(): number {
    return performance.now() + this.#offsetMs;
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw signal.reason;
    const step = Math.max(0, ms);
    this.#offsetMs += step;
    this.#waitedMs += step;
  }

  /** Lets `ms` of idle time pass (between cycles) without counting it as waiting. */
  idle(ms: number): void {
    this.#offsetMs += Math.max(0, ms);
  }

  /** Total time skipped in sleep() so far. */
  get waitedMs(): number {
    return this.#waitedMs;
  }
}
