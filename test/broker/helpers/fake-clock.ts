/**
 * A virtual clock for broker tests: sleeping never waits for real time. Pending sleeps are woken in
 * time order on the next macrotask, so concurrent sleepers see consistent virtual time.
 */
import type { Clock } from '../../../main/util/clock.js';

interface Timer {
  at: number;
  resolve: () => void;
}

export class FakeClock implements Clock {
  #mono = 0;
  readonly #epochMs: number;
  readonly #timers: Timer[] = [];
  #scheduled = false;
  /** Every sleep requested, in ms, in order. */
  readonly sleeps: number[] = [];

  constructor(start = '2026-03-02T15:00:05.000Z') {
    this.#epochMs = Date.parse(start);
  }

  now(): Date {
    return new Date(this.#epochMs + this.#mono);
  }

  monotonicMs(): number {
    return this.#mono;
  }

  /** Moves time forward (wakes the sleepers that are due). */
  advance(ms: number): void {
    this.#mono += ms;
    this.#fireDue();
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const timer: Timer = { at: this.#mono + Math.max(0, ms), resolve };
      this.#timers.push(timer);
      this.#timers.sort((a, b) => a.at - b.at);
      signal?.addEventListener(
        'abort',
        () => {
          const index = this.#timers.indexOf(timer);
          if (index >= 0) this.#timers.splice(index, 1);
          reject(signal.reason);
        },
        { once: true },
      );
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      const next = this.#timers[0];
      if (!next) return;
      if (next.at > this.#mono) this.#mono = next.at;
      this.#fireDue();
    });
  }

  #fireDue(): void {
    while (this.#timers.length > 0 && (this.#timers[0]?.at ?? Number.POSITIVE_INFINITY) <= this.#mono) {
      this.#timers.shift()?.resolve();
    }
    if (this.#timers.length > 0) this.#schedule();
  }
}
