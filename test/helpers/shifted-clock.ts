/**
 * A clock that starts at a chosen wall time and then runs at real speed: a sync against the
 * simulator sees a fixed date (so dates and period sums are the same on every run) while timers,
 * timeouts and the rate limiter behave as they do in the product.
 */
import { type Clock, systemClock } from '../../main/util/clock.js';

export function shiftedClock(start: Date): Clock {
  const startedMs = performance.now();
  return {
    now: () => new Date(start.getTime() + (performance.now() - startedMs)),
    monotonicMs: () => systemClock.monotonicMs(),
    sleep: (ms, signal) => systemClock.sleep(ms, signal),
  };
}
