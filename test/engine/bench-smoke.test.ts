/**
 * The smoke version of `npm run bench` (item 1 of the benchmarks): requests per steady-state cycle
 * for the 100 stocks + 50 legs account must stay within the target of 8, and the per-position
 * pattern of the popular clients, run against the same simulator, must cost more — by a ratio that
 * grows with the number of positions. No latency, so it runs in seconds.
 */
import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../main/broker/robinhood/rate-limiter.js';
import { BenchClock } from '../bench/bench-clock.js';
import { measureSize, type RequestBenchOptions, type SizeResult } from '../bench/requests.js';

const STEADY_TARGET = 8;

const options: RequestBenchOptions = {
  sizes: [],
  runs: 2,
  latencyMs: 0,
  backend: 'embedded',
  perPositionConcurrency: 8,
  sequentialFor: () => false,
  log: () => undefined,
};

const perPositionRatio = (r: SizeResult) =>
  Math.min(...r.perPosition.repeat) / Math.max(...r.steady.requests);

describe('benchmark smoke: requests per cycle', () => {
  it(`keeps a steady-state cycle of 100 stocks + 50 legs within ${STEADY_TARGET} requests, far below the per-position pattern`, async () => {
    const small = await measureSize({ stocks: 10, legs: 5 }, options);
    const base = await measureSize({ stocks: 100, legs: 50 }, options);

    expect(base.steady.requests).toHaveLength(2);
    for (const requests of base.steady.requests) expect(requests).toBeLessThanOrEqual(STEADY_TARGET);
    // The simulator saw exactly what the engine's request log counted.
    expect(base.steady.simRequests).toEqual(base.steady.requests);
    expect(base.first.simRequests).toBe(base.first.requests);

    // The per-position pattern: 3 per stock + 3 per leg + lists, every refresh (§9 of the reference).
    for (const repeat of base.perPosition.repeat) expect(repeat).toBe(3 * 100 + 3 * 50 + 4);
    expect(base.perPosition.first).toBeGreaterThan(Math.max(...base.perPosition.repeat));
    expect(Math.min(...base.perPosition.repeat)).toBeGreaterThan(Math.max(...base.steady.requests));
    expect(perPositionRatio(base)).toBeGreaterThan(perPositionRatio(small));
  }, 180_000);
});

describe('benchmark clock', () => {
  it("accounts the rate limiter's waits without sleeping through them", async () => {
    const clock = new BenchClock();
    const limiter = new RateLimiter({ requestsPerMinute: 60, burst: 10, clock });
    const started = performance.now();
    for (let i = 0; i < 15; i++) await limiter.acquire();
    // 10 from the burst, then one a second.
    expect(clock.waitedMs).toBeGreaterThanOrEqual(4_900);
    expect(clock.waitedMs).toBeLessThan(5_500);
    expect(performance.now() - started).toBeLessThan(1_000);

    clock.idle(60_000);
    const before = clock.waitedMs;
    for (let i = 0; i < 10; i++) await limiter.acquire();
    expect(clock.waitedMs).toBe(before);
  });
});
