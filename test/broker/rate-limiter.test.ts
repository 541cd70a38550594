import { afterEach, describe, expect, it } from 'vitest';
import { ThrottledError } from '../../main/broker/robinhood/errors.js';
import type { FetchLike } from '../../main/broker/robinhood/http.js';
import { RateLimiter } from '../../main/broker/robinhood/rate-limiter.js';
import { FakeClock } from './helpers/fake-clock.js';
import { makeHttp, maxInWindow, staticAuth } from './helpers/harness.js';
import { type Handler, startServer, type TestServer } from './helpers/server.js';

const servers: TestServer[] = [];
async function serve(handler: Handler): Promise<TestServer> {
  const server = await startServer(handler);
  servers.push(server);
  return server;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('RateLimiter', () => {
  it('never grants more than the per-minute limit in any 60 s window, and at most `burst` back to back', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ clock, requestsPerMinute: 60, burst: 10 });
    const grants: number[] = [];
    for (let i = 0; i < 200; i++) {
      await limiter.acquire();
      grants.push(clock.monotonicMs());
    }
    expect(grants.slice(0, 10).every((t) => t === 0)).toBe(true);
    expect(grants[10]).toBeGreaterThan(0);
    expect(maxInWindow(grants, 60_000)).toBeLessThanOrEqual(60);
    expect(maxInWindow(grants, 1)).toBeLessThanOrEqual(10);
    // The bucket also smooths: in any 10 s, at most burst + 10 s × 1/s.
    expect(maxInWindow(grants, 10_000)).toBeLessThanOrEqual(20);
    // And it is not needlessly slow: 200 requests at 60/min take a little over 3 minutes.
    expect(grants.at(-1)).toBeLessThanOrEqual(200_000);
  });

  it('tells wait listeners how long each request waits for the budget', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ clock, requestsPerMinute: 60, burst: 2 });
    const waits: number[] = [];
    const off = limiter.onWait((ms) => waits.push(ms));
    for (let i = 0; i < 4; i++) await limiter.acquire();
    // Two back to back, then one token a second.
    expect(waits).toEqual([1000, 1000]);
    expect(clock.monotonicMs()).toBe(2000);
    limiter.pauseFor(5000);
    await limiter.acquire();
    expect(waits).toEqual([1000, 1000, 5000]);
    off();
    await limiter.acquire();
    expect(waits).toHaveLength(3);
  });

  it('holds the limit when burst equals the limit (the sliding window caps it)', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ clock, requestsPerMinute: 30, burst: 30 });
    const grants: number[] = [];
    for (let i = 0; i < 120; i++) {
      await limiter.acquire();
      grants.push(clock.monotonicMs());
    }
    expect(maxInWindow(grants, 60_000)).toBe(30);
  });

  it('pauses every caller after a 429 and refuses long pauses without waiting', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ clock, requestsPerMinute: 600, burst: 10 });
    await limiter.acquire();
    limiter.pauseFor(30_000);
    expect(limiter.pausedForMs()).toBe(30_000);
    await expect(limiter.acquire({ maxPauseWaitMs: 10_000 })).rejects.toBeInstanceOf(ThrottledError);
    await limiter.acquire({ maxPauseWaitMs: 60_000 });
    expect(clock.monotonicMs()).toBe(30_000);
    expect(limiter.pausedForMs()).toBe(0);
  });

  it('rejects a nonsensical configuration', () => {
    expect(() => new RateLimiter({ requestsPerMinute: 0 })).toThrow(RangeError);
    expect(() => new RateLimiter({ requestsPerMinute: 1.5 })).toThrow(RangeError);
    expect(() => new RateLimiter({ burst: 0 })).toThrow(RangeError);
    expect(new RateLimiter({ requestsPerMinute: 5, burst: 50 }).burst).toBe(5);
  });
});

describe('rate limit over real sockets', () => {
  it('keeps concurrent requests of one login within 60/min in every window', async () => {
    const clock = new FakeClock();
    const server = await serve(() => ({ json: { results: [] } }));
    const sendTimes: number[] = [];
    const recordingFetch: FetchLike = (input, init) => {
      sendTimes.push(clock.monotonicMs());
      return fetch(input, init);
    };
    const { http } = makeHttp(server.url, {
      auth: staticAuth(),
      clock,
      fetch: recordingFetch,
      rateLimiter: new RateLimiter({ clock, requestsPerMinute: 60, burst: 10 }),
    });
    const worker = async (n: number) => {
      for (let i = 0; i < 30; i++) await http.getJson(`/marketdata/quotes/`, { worker: n, i });
    };
    await Promise.all([0, 1, 2, 3, 4].map(worker));
    expect(server.requests).toHaveLength(150);
    expect(sendTimes).toHaveLength(150);
    expect(maxInWindow(sendTimes, 60_000)).toBeLessThanOrEqual(60);
    expect(maxInWindow(sendTimes, 10_000)).toBeLessThanOrEqual(20);
    expect(http.requestLog.total).toBe(150);
  });

  it('a 429 seen by one request pauses the others too', async () => {
    const clock = new FakeClock();
    let calls = 0;
    const server = await serve(() =>
      ++calls === 1
        ? {
            status: 429,
            headers: { 'Retry-After': '30' },
            json: { detail: 'Request was throttled. Expected available in 30 seconds.' },
          }
        : { json: {} },
    );
    const sends: Array<{ t: number; url: string }> = [];
    const recordingFetch: FetchLike = (input, init) => {
      sends.push({ t: clock.monotonicMs(), url: input });
      return fetch(input, init);
    };
    const { http } = makeHttp(server.url, {
      auth: staticAuth(),
      clock,
      fetch: recordingFetch,
      rateLimiter: new RateLimiter({ clock, requestsPerMinute: 600, burst: 10 }),
    });
    // Other requests start once the 429 has been received.
    const others: Promise<unknown>[] = [];
    const stop = http.requestLog.subscribe((entry) => {
      if (entry.status === 429) {
        setImmediate(() => {
          for (let i = 0; i < 4; i++) others.push(http.getJson('/other/', { i }));
        });
      }
    });
    await http.getJson('/first/');
    await new Promise((resolve) => setImmediate(resolve));
    await Promise.all(others);
    stop();
    expect(sends).toHaveLength(6); // the throttled request, its retry, 4 others
    expect(sends[0]?.t).toBe(0);
    expect(sends.slice(1).every((send) => send.t >= 30_000)).toBe(true);
    expect(server.requests).toHaveLength(6);
  });
});
