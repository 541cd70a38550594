/**
 * A clock and timers that move only when the test says so: schedules can be checked to the
 * millisecond without waiting.
 */
import type { Timers } from '../../main/engine/engine.js';
import type { Clock } from '../../main/util/clock.js';

export class ManualTime implements Clock, Timers {
  private wallMs: number;
  private monoMs = 0;
  private seq = 0;
  private readonly pending = new Map<number, { at: number; fn: () => void }>();

  constructor(start = new Date('2026-11-27T15:00:00Z')) {
    this.wallMs = start.getTime();
  }

  now(): Date {
    return new Date(this.wallMs);
  }
  monotonicMs(): number {
    return this.monoMs;
  }
  async sleep(ms: number): Promise<void> {
    this.advance(ms);
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.pending.set(id, { at: this.monoMs + Math.max(0, ms), fn });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }
  /** Milliseconds until the next timer fires, or null. */
  nextTimerIn(): number | null {
    let next: number | null = null;
    for (const t of this.pending.values()) next = next === null ? t.at : Math.min(next, t.at);
    return next === null ? null : next - this.monoMs;
  }
  timerCount(): number {
    return this.pending.size;
  }
  /** Moves both clocks forward, firing every timer that comes due, in order. */
  advance(ms: number): void {
    const target = this.monoMs + ms;
    for (;;) {
      let due: [number, { at: number; fn: () => void }] | null = null;
      for (const entry of this.pending)
        if (entry[1].at <= target && (!due || entry[1].at < due[1].at)) due = entry;
      if (!due) break;
      this.wallMs += due[1].at - this.monoMs;
      this.monoMs = due[1].at;
      this.pending.delete(due[0]);
      due[1].fn();
    }
    this.wallMs += target - this.monoMs;
    this.monoMs = target;
  }
  /** The wall clock alone jumps (NTP correction, suspend seen from the wall clock). */
  jumpWallClock(ms: number): void {
    this.wallMs += ms;
  }
}

/** Lets pending promise callbacks run. */
export async function flush(times = 5): Promise<void> {
  for (let i = 0; i < times; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
