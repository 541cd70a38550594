/**
 * Every injected fault kind, observed by the production client over real sockets, plus the
 * simulator's own rate limit (429 + Retry-After + the DRF message) and fault matching rules.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { HttpStatusError, PayloadError, ThrottledError } from '../../main/broker/robinhood/index.js';
import { closeAll, connect } from './helpers.js';

afterEach(closeAll);

const statuses = (sim: { requests: readonly { path: string; status: number }[] }, path: string) =>
  sim.requests.filter((r) => r.path === path).map((r) => r.status);

async function loggedIn(options: Parameters<typeof connect>[0] = {}) {
  const c = await connect(options);
  await c.rh.session.login();
  c.sim.clearRequests();
  return c;
}

describe('transport faults', () => {
  it('status: a 500 is retried by the client; a 400 with a body surfaces as HttpStatusError', async () => {
    const { sim, rh } = await loggedIn();
    sim.inject({ kind: 'status', status: 500, match: { path: '/accounts/' } });
    expect((await rh.client.listAccounts()).items).toHaveLength(2);
    expect(statuses(sim, '/accounts/')).toEqual([500, 200]);

    sim.inject({
      kind: 'status',
      status: 400,
      body: { detail: 'Simulated bad request.' },
      match: { path: '/accounts/' },
    });
    const error = await rh.client.listAccounts().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpStatusError);
    expect((error as HttpStatusError).status).toBe(400);
    expect((error as HttpStatusError).detail).toBe('Simulated bad request.');
  });

  it('throttle with Retry-After: the client waits that long and retries', async () => {
    const { sim, rh, clock } = await loggedIn();
    sim.inject({ kind: 'throttle', retryAfterSeconds: 7, match: { path: '/accounts/' } });
    await rh.client.listAccounts();
    expect(statuses(sim, '/accounts/')).toEqual([429, 200]);
    expect(clock.slept.some((ms) => ms >= 6_900)).toBe(true);
  });

  it('throttle without the header: the client reads "Expected available in N seconds"', async () => {
    const { sim, rh, clock } = await loggedIn();
    sim.inject({ kind: 'throttle', retryAfterSeconds: null, message: true, match: { path: '/accounts/' } });
    const raw = await fetch(`${sim.url}/accounts/`);
    expect(raw.status).toBe(429);
    expect(raw.headers.get('retry-after')).toBeNull();
    expect(await raw.json()).toEqual({ detail: 'Request was throttled. Expected available in 1 seconds.' });
    sim.inject({ kind: 'throttle', retryAfterSeconds: null, message: true, match: { path: '/accounts/' } });
    await rh.client.listAccounts();
    expect(statuses(sim, '/accounts/').slice(1)).toEqual([429, 200]);
    expect(clock.slept.some((ms) => ms >= 900)).toBe(true);
  });

  it('throttle with neither header nor message: the client backs off; a long Retry-After gives ThrottledError', async () => {
    const { sim, rh } = await loggedIn();
    sim.inject({ kind: 'throttle', retryAfterSeconds: null, message: false, match: { path: '/accounts/' } });
    await rh.client.listAccounts();
    expect(statuses(sim, '/accounts/')).toEqual([429, 200]);
    sim.inject({ kind: 'throttle', retryAfterSeconds: 3600, match: { path: '/accounts/' } });
    await expect(rh.client.listAccounts()).rejects.toBeInstanceOf(ThrottledError);
  });

  it('reset: the connection is destroyed; the client retries the GET', async () => {
    const { sim, rh } = await loggedIn();
    sim.inject({ kind: 'reset', match: { path: '/accounts/' } });
    await rh.client.listAccounts();
    expect(statuses(sim, '/accounts/')).toEqual([0, 200]);
  });

  it('timeout: never answered until the client gives up; the retry succeeds', async () => {
    const { sim, rh } = await loggedIn({ client: { timeoutMs: 250 } });
    sim.inject({ kind: 'timeout', match: { path: '/accounts/' } });
    const started = performance.now();
    await rh.client.listAccounts();
    expect(performance.now() - started).toBeGreaterThanOrEqual(240);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(statuses(sim, '/accounts/')).toEqual([0, 200]);
  });

  it('delay: the answer comes late but whole', async () => {
    const { sim, rh } = await loggedIn();
    sim.inject({ kind: 'delay', ms: 120, match: { path: '/accounts/' } });
    expect((await rh.client.listAccounts()).items).toHaveLength(2);
    expect(sim.requests[0]!.durationMs).toBeGreaterThanOrEqual(110);
  });

  it('latencyMs slows every request', async () => {
    const { sim, rh } = await loggedIn({ sim: { latencyMs: 40 } });
    await rh.client.listAccounts();
    expect(sim.requests[0]!.durationMs).toBeGreaterThanOrEqual(35);
  });
});

describe('payload faults', () => {
  it('malformed and truncated JSON fail the call with PayloadError', async () => {
    const { sim, rh } = await loggedIn();
    for (const kind of ['malformed', 'truncated'] as const) {
      sim.inject({ kind, match: { path: '/accounts/' } });
      await expect(rh.client.listAccounts()).rejects.toBeInstanceOf(PayloadError);
    }
    expect(statuses(sim, '/accounts/')).toEqual([200, 200]);
    expect((await rh.client.listAccounts()).items).toHaveLength(2);
  });

  it('drop-field and rename-field make items fail validation; extra-fields are ignored', async () => {
    const { sim, rh } = await loggedIn();
    const ids = sim.state.instruments.slice(0, 4).map((i) => i.id);
    sim.inject({ kind: 'drop-field', field: 'symbol', match: { path: '/marketdata/quotes/' } });
    const dropped = await rh.client.getQuotes(ids);
    expect(dropped.rejected.map((r) => r.fieldPath)).toEqual([0, 1, 2, 3].map((i) => `results[${i}].symbol`));

    const account = sim.state.accounts[0]!.accountNumber;
    sim.inject({ kind: 'rename-field', from: 'quantity', to: 'qty', match: { path: '/positions/' } });
    const renamed = await rh.client.listStockPositions(account);
    expect(renamed.items).toHaveLength(0);
    expect(renamed.rejected.length).toBeGreaterThan(0);

    sim.inject({ kind: 'extra-fields', match: { path: '/positions/' } });
    const extra = await rh.client.listStockPositions(account);
    expect(extra.rejected).toEqual([]);
    expect(extra.items).toHaveLength(12);
  });

  it('null-item: the first batch entry is null (missing); in a list it is a rejected row', async () => {
    const { sim, rh } = await loggedIn();
    const ids = sim.state.instruments.slice(0, 3).map((i) => i.id);
    sim.inject({ kind: 'null-item', match: { path: '/marketdata/quotes/' } });
    const quotes = await rh.client.getQuotes(ids);
    expect(quotes.missing).toEqual([ids[0]]);
    const account = sim.state.accounts[0]!.accountNumber;
    sim.inject({ kind: 'null-item', match: { path: '/positions/' } });
    const positions = await rh.client.listStockPositions(account);
    expect(positions.items).toHaveLength(11);
    expect(positions.rejected).toHaveLength(1);
  });

  it('expire-token: the request gets 401, the client refreshes and replays it', async () => {
    const { sim, rh } = await loggedIn();
    sim.inject({ kind: 'expire-token', match: { path: '/accounts/' } });
    await rh.client.listAccounts();
    expect(sim.requests.map((r) => `${r.path} ${r.status}`)).toEqual([
      '/accounts/ 401',
      '/oauth2/token/ 200',
      '/accounts/ 200',
    ]);
  });
});

describe('matching and the rate limit', () => {
  it('faults match by method and path (prefix or RegExp), skip some requests, then hit `times` of them', async () => {
    const { sim, rh } = await loggedIn();
    sim.inject({ kind: 'status', status: 404, match: { method: 'POST', path: '/accounts/' } });
    sim.inject({ kind: 'status', status: 503, match: { path: /^\/acc/ }, skip: 1, times: 2 });
    await rh.client.listAccounts(); // 200 (skipped)
    await rh.client.listAccounts(); // 503, 503, 200
    await rh.client.listAccounts(); // 200
    expect(statuses(sim, '/accounts/')).toEqual([200, 503, 503, 200, 200]);
    sim.inject({ kind: 'status', status: 500, times: Number.POSITIVE_INFINITY });
    sim.clearFaults();
    await rh.client.listAccounts();
    expect(statuses(sim, '/accounts/').at(-1)).toBe(200);
  });

  it('rateLimit answers 429 with Retry-After and the DRF message once the minute budget is spent', async () => {
    const { sim, clock } = await connect({ sim: { rateLimit: { perMinute: 3 } } });
    const codes: number[] = [];
    let last: Response | null = null;
    for (let i = 0; i < 4; i++) {
      last = await fetch(`${sim.url}/accounts/`);
      codes.push(last.status);
    }
    expect(codes).toEqual([401, 401, 401, 429]);
    expect(last!.headers.get('retry-after')).toBe('20');
    expect(await last!.json()).toEqual({
      detail: 'Request was throttled. Expected available in 20 seconds.',
    });
    clock.offsetMs += 20_000;
    expect((await fetch(`${sim.url}/accounts/`)).status).toBe(401);
  });

  it('the client honours the simulator rate limit: waits when allowed, else ThrottledError', async () => {
    const patient = await connect({ sim: { rateLimit: { perMinute: 2 } } });
    await patient.rh.session.login();
    await patient.rh.client.listAccounts();
    await patient.rh.client.listAccounts(); // 429 → waits 30 s on the jump clock → 200
    expect(patient.sim.requests.map((r) => r.status)).toEqual([200, 200, 429, 200]);

    const hasty = await connect({ sim: { rateLimit: { perMinute: 1 } }, client: { maxRetryAfterMs: 1_000 } });
    await hasty.rh.session.login();
    await expect(hasty.rh.client.listAccounts()).rejects.toBeInstanceOf(ThrottledError);
    expect(hasty.sim.requests.every((r) => r.status !== 0)).toBe(true);
  });
});
