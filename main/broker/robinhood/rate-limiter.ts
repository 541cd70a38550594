/**
 * The request budget of one login, shared by every request (auth and data).
 *
 * Two rules hold at once, both on the injected monotonic clock:
 * - a token bucket of `burst` tokens refilled at `requestsPerMinute` per minute smooths the pace;
 * - a sliding log of grants guarantees that no 60-second window ever holds more than
 *   `requestsPerMinute` requests (a bucket alone would allow burst + rate in one window).
 * A 429 pauses the whole budget until the broker's retry time.
 */
import type { Clock } from '../../util/clock.js';
import { systemClock } from '../../util/clock.js';
import { RequestAbortedError, ThrottledError } from './errors.js';

export interface RateLimiterOptions {
  /** Default 60. */
  requestsPerMinute?: number;
  /** Requests that may go back to back after an idle period. Default 10 (never more than the per-minute limit). */
  burst?: number;
  clock?: Clock;
}

export interface AcquireOptions {
  signal?: AbortSignal;
  /**
   * If the budget is paused by a 429 for longer than this, throw ThrottledError at once instead of
   * waiting. Default: wait however long it takes.
   */
  maxPauseWaitMs?: number;
}

const WINDOW_MS = 60_000;

export class RateLimiter {
  readonly requestsPerMinute: number;
  readonly burst: number;
  readonly #clock: Clock;
  readonly #refillPerMs: number;
  #tokens: number;
  #lastRefillMs: number;
  /** Monotonic times of the grants inside the current window, oldest first. */
  readonly #grants: number[] = [];
  #pausedUntilMs = Number.NEGATIVE_INFINITY;
  /** Serialises acquisitions so waiting callers are served in order. */
  #queue: Promise<void> = Promise.resolve();
  readonly #waitListeners = new Set<(waitMs: number) => void>();

  constructor(options: RateLimiterOptions = {}) {
    const rpm = options.requestsPerMinute ?? 60;
    if (!Number.isInteger(rpm) || rpm < 1 || rpm > 100_000) {
      throw new RangeError('requestsPerMinute must be an integer between 1 and 100000');
    }
    const burst = options.burst ?? 10;
    if (!Number.isInteger(burst) || burst < 1) throw new RangeError('burst must be a positive integer');
    this.requestsPerMinute = rpm;
    this.burst = Math.min(burst, rpm);
    this.#clock = options.clock ?? systemClock;
    this.#refillPerMs = rpm / WINDOW_MS;
    this.#tokens = this.burst;
    this.#lastRefillMs = this.#clock.monotonicMs();
  }

  /** Resolves when one request may be sent; the caller must send it right away. */
  acquire(options: AcquireOptions = {}): Promise<void> {
    const turn = this.#queue.then(() => this.#take(options));
    this.#queue = turn.catch(() => undefined);
    return turn;
  }

  /** Stops every request until `ms` from now (a 429). Never shortens an existing pause. */
  pauseFor(ms: number): void {
    const until = this.#clock.monotonicMs() + Math.max(0, ms);
    if (until > this.#pausedUntilMs) this.#pausedUntilMs = until;
  }

  /**
   * Called each time a request starts waiting for the budget, with the milliseconds it will wait
   * (progress reports add them up). Returns an unsubscribe function.
   */
  onWait(listener: (waitMs: number) => void): () => void {
    this.#waitListeners.add(listener);
    return () => this.#waitListeners.delete(listener);
  }

  /** Milliseconds left in the current pause (0 when not paused). */
  pausedForMs(): number {
    return Math.max(0, this.#pausedUntilMs - this.#clock.monotonicMs());
  }

  async #take(options: AcquireOptions): Promise<void> {
    for (;;) {
      if (options.signal?.aborted) throw new RequestAbortedError();
      const now = this.#clock.monotonicMs();
      const pauseLeft = this.#pausedUntilMs - now;
      if (pauseLeft > 0 && options.maxPauseWaitMs !== undefined && pauseLeft > options.maxPauseWaitMs) {
        throw new ThrottledError(new Date(this.#clock.now().getTime() + pauseLeft), pauseLeft);
      }
      this.#refill(now);
      while (this.#grants.length > 0 && (this.#grants[0] ?? 0) <= now - WINDOW_MS) this.#grants.shift();

      const tokenWait = this.#tokens >= 1 ? 0 : (1 - this.#tokens) / this.#refillPerMs;
      const oldest = this.#grants[0];
      const windowWait =
        this.#grants.length >= this.requestsPerMinute && oldest !== undefined ? oldest + WINDOW_MS - now : 0;
      const wait = Math.max(tokenWait, windowWait, pauseLeft, 0);
      if (wait <= 0) {
        this.#tokens -= 1;
        this.#grants.push(now);
        return;
      }
      const sleepMs = Math.ceil(wait);
      for (const listener of this.#waitListeners) listener(sleepMs);
      try {
        await this.#clock.sleep(sleepMs, options.signal);
      } catch {
        throw new RequestAbortedError();
      }
    }
  }

  #refill(now: number): void {
    const elapsed = now - this.#lastRefillMs;
    if (elapsed > 0) {
      this.#tokens = Math.min(this.burst, this.#tokens + elapsed * this.#refillPerMs);
      this.#lastRefillMs = now;
    }
  }
}
