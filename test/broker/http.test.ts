import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliCompressSync } from 'node:zlib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  ForeignNextUrlError,
  HttpStatusError,
  NetworkError,
  PayloadError,
  RequestAbortedError,
  RequestTimeoutError,
  ThrottledError,
} from '../../main/broker/robinhood/errors.js';
import { FakeClock } from './helpers/fake-clock.js';
import { makeHttp, staticAuth } from './helpers/harness.js';
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

describe('HttpClient requests', () => {
  it('sends the Robinhood headers, the bearer token and the query', async () => {
    const server = await serve(() => ({ json: { ok: true } }));
    const { http } = makeHttp(server.url, { auth: staticAuth() });
    const body = await http.getJson('/positions/', {
      nonzero: 'true',
      account_number: '5QR24141',
      skip: undefined,
    });
    expect(body).toEqual({ ok: true });
    const [request] = server.requests;
    expect(request?.path).toBe('/positions/');
    expect(request?.url).toBe('/positions/?nonzero=true&account_number=5QR24141');
    expect(request?.headers['x-robinhood-api-version']).toBe('1.431.4');
    expect(request?.headers['accept']).toBe('*/*');
    expect(request?.headers['accept-language']).toBe('en-US,en;q=1');
    expect(request?.headers['user-agent']).toBe('*');
    expect(request?.headers['authorization']).toBe('Bearer token-one-aaaaaaaaaaaa');
    expect(request?.headers['content-type']).toBeUndefined();
  });

  it('sends form-urlencoded and JSON bodies without a token when auth is off', async () => {
    const server = await serve(() => ({ json: {} }));
    const { http } = makeHttp(server.url);
    await http.request({ method: 'POST', path: '/oauth2/token/', auth: false, form: { a: '1', b: 'x y' } });
    await http.request({
      method: 'POST',
      path: '/pathfinder/user_machine/',
      auth: false,
      json: { flow: 'suv' },
    });
    const [form, json] = server.requests;
    expect(form?.headers['content-type']).toBe('application/x-www-form-urlencoded; charset=utf-8');
    expect(form?.form).toEqual({ a: '1', b: 'x y' });
    expect(form?.headers['authorization']).toBeUndefined();
    expect(json?.headers['content-type']).toBe('application/json');
    expect(json?.json).toEqual({ flow: 'suv' });
  });

  it('reads compressed responses (it advertises gzip, deflate and br)', async () => {
    const server = await serve(() => ({
      body: brotliCompressSync(JSON.stringify({ results: [1] })),
      headers: { 'content-type': 'application/json', 'content-encoding': 'br' },
    }));
    const { http } = makeHttp(server.url, { auth: staticAuth() });
    expect(await http.getJson('/x/')).toEqual({ results: [1] });
    expect(server.requests[0]?.headers['accept-encoding']).toBe('gzip,deflate,br');
  });

  it('keeps a path prefix of the base URL', async () => {
    const server = await serve(() => ({ json: {} }));
    const { http } = makeHttp(`${server.url}/rh/`, { auth: staticAuth() });
    await http.getJson('/accounts/');
    expect(server.requests[0]?.path).toBe('/rh/accounts/');
  });

  it('returns null for an empty 200 body and fails on malformed JSON with a payload error', async () => {
    const server = await serve((r) =>
      r.path === '/empty/'
        ? { status: 200 }
        : { body: '{"results": [', headers: { 'content-type': 'application/json' } },
    );
    const { http } = makeHttp(server.url, { auth: staticAuth() });
    expect(await http.getJson('/empty/')).toBeNull();
    const error = await http.getJson('/broken/').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PayloadError);
    expect((error as PayloadError).kind).toBe('payload');
    expect((error as PayloadError).endpoint).toBe('GET /broken/');
    expect(server.requests).toHaveLength(2);
  });
});

describe('HttpClient retries', () => {
  it('retries a GET on 5xx with bounded, jittered exponential backoff (exact attempts)', async () => {
    const server = await serve(() => ({ status: 503, body: '<html>unavailable</html>' }));
    const { http, clock } = makeHttp(server.url, {
      auth: staticAuth(),
      maxAttempts: 4,
      backoffBaseMs: 500,
      random: () => 1,
    });
    const error = await http.getJson('/positions/').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpStatusError);
    expect((error as HttpStatusError).status).toBe(503);
    expect(server.requests).toHaveLength(4);
    expect(clock.sleeps).toEqual([500, 1000, 2000]);
    expect(http.requestLog.recent().map((e) => e.attempt)).toEqual([1, 2, 3, 4]);
  });

  it('uses full jitter: the random factor scales each wait', async () => {
    const server = await serve(() => ({ status: 502 }));
    const { http, clock } = makeHttp(server.url, {
      auth: staticAuth(),
      maxAttempts: 3,
      backoffBaseMs: 1000,
      backoffMaxMs: 1500,
      random: () => 0.5,
    });
    await expect(http.getJson('/x/')).rejects.toBeInstanceOf(HttpStatusError);
    expect(server.requests).toHaveLength(3);
    expect(clock.sleeps).toEqual([500, 750]); // 0.5 × min(1500, 1000), 0.5 × min(1500, 2000)
  });

  it('succeeds when a retry succeeds', async () => {
    let calls = 0;
    const server = await serve(() => (++calls < 3 ? { status: 500 } : { json: { results: [] } }));
    const { http } = makeHttp(server.url, { auth: staticAuth() });
    expect(await http.getJson('/x/')).toEqual({ results: [] });
    expect(server.requests).toHaveLength(3);
  });

  it('never retries 400, 403 or 404, and reports the DRF detail', async () => {
    for (const status of [400, 403, 404]) {
      const server = await serve(() => ({ status, json: { detail: `Nope ${status}.` } }));
      const { http, clock } = makeHttp(server.url, { auth: staticAuth() });
      const error = (await http.getJson('/orders/').catch((e: unknown) => e)) as HttpStatusError;
      expect(error).toBeInstanceOf(HttpStatusError);
      expect(error.kind).toBe('http');
      expect(error.status).toBe(status);
      expect(error.detail).toBe(`Nope ${status}.`);
      expect(error.message).toContain(`HTTP ${status}: Nope ${status}.`);
      expect(server.requests).toHaveLength(1);
      expect(clock.sleeps).toEqual([]);
    }
  });

  it('does not retry a POST on 5xx', async () => {
    const server = await serve(() => ({ status: 503 }));
    const { http } = makeHttp(server.url);
    await expect(
      http.request({ method: 'POST', path: '/oauth2/token/', auth: false, form: {} }),
    ).rejects.toBeInstanceOf(HttpStatusError);
    expect(server.requests).toHaveLength(1);
  });

  it('retries 408 for any method', async () => {
    let calls = 0;
    const server = await serve(() => (++calls === 1 ? { status: 408 } : { json: { ok: 1 } }));
    const { http } = makeHttp(server.url);
    const response = await http.request({
      method: 'POST',
      path: '/challenge/x/respond/',
      auth: false,
      form: { response: '1' },
    });
    expect(response.body).toEqual({ ok: 1 });
    expect(server.requests).toHaveLength(2);
  });

  it('retries a GET after a connection reset', async () => {
    let calls = 0;
    const server = await serve(() => (++calls === 1 ? 'reset' : { json: { ok: true } }));
    const { http } = makeHttp(server.url, { auth: staticAuth() });
    expect(await http.getJson('/x/')).toEqual({ ok: true });
    expect(server.requests).toHaveLength(2);
    expect(http.requestLog.recent().map((e) => e.error ?? e.status)).toEqual(['network', 200]);
  });

  it('times out each attempt and gives up after maxAttempts with a timeout error', async () => {
    const server = await serve(() => 'hang');
    const { http } = makeHttp(server.url, { auth: staticAuth(), timeoutMs: 60, maxAttempts: 2 });
    const error = (await http.getJson('/slow/').catch((e: unknown) => e)) as RequestTimeoutError;
    expect(error).toBeInstanceOf(RequestTimeoutError);
    expect(error.kind).toBe('timeout');
    expect(server.requests).toHaveLength(2);
  });

  it('reports a refused connection as a network error without retrying', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const { http, clock } = makeHttp(`http://127.0.0.1:${port}`, { auth: staticAuth() });
    const error = (await http.getJson('/accounts/').catch((e: unknown) => e)) as NetworkError;
    expect(error).toBeInstanceOf(NetworkError);
    expect(error.kind).toBe('network');
    expect(error.code).toBe('ECONNREFUSED');
    expect(http.requestLog.total).toBe(1);
    expect(clock.sleeps).toEqual([]);
  });

  it('stops at once when the caller aborts', async () => {
    const server = await serve(() => 'hang');
    const { http } = makeHttp(server.url, { auth: staticAuth() });
    const controller = new AbortController();
    const pending = http.getJson('/x/', undefined, controller.signal);
    // Abort once the request is in flight (a fixed delay raced the request on a loaded machine).
    await vi.waitFor(() => expect(server.requests).toHaveLength(1));
    controller.abort();
    const error = await pending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RequestAbortedError);
    expect((error as RequestAbortedError).kind).toBe('aborted');
    expect(server.requests).toHaveLength(1);
  });
});

describe('HttpClient 401 handling', () => {
  it('refreshes once on 401 and replays the request with the new token', async () => {
    const server = await serve((r) =>
      r.headers['authorization'] === 'Bearer token-two-bbbbbbbbbbbb'
        ? { json: { ok: true } }
        : { status: 401, json: { detail: 'Invalid bearer token.' } },
    );
    const auth = staticAuth();
    const { http } = makeHttp(server.url, { auth });
    expect(await http.getJson('/accounts/')).toEqual({ ok: true });
    expect(auth.refreshes).toBe(1);
    expect(server.requests.map((r) => r.headers['authorization'])).toEqual([
      'Bearer token-one-aaaaaaaaaaaa',
      'Bearer token-two-bbbbbbbbbbbb',
    ]);
    expect(http.requestLog.recent().map((e) => e.attempt)).toEqual([1, 2]);
  });

  it('replays only once: a second 401 is an error', async () => {
    const server = await serve(() => ({ status: 401, json: { detail: 'Invalid bearer token.' } }));
    const auth = staticAuth();
    const { http } = makeHttp(server.url, { auth });
    const error = (await http.getJson('/accounts/').catch((e: unknown) => e)) as HttpStatusError;
    expect(error).toBeInstanceOf(HttpStatusError);
    expect(error.status).toBe(401);
    expect(auth.refreshes).toBe(1);
    expect(server.requests).toHaveLength(2);
  });
});

describe('HttpClient 429 handling', () => {
  it('honours Retry-After, then retries', async () => {
    let calls = 0;
    const server = await serve(() =>
      ++calls === 1
        ? {
            status: 429,
            headers: { 'Retry-After': '7' },
            json: { detail: 'Request was throttled. Expected available in 7 seconds.' },
          }
        : { json: { ok: true } },
    );
    const { http, clock } = makeHttp(server.url, { auth: staticAuth() });
    expect(await http.getJson('/quotes/')).toEqual({ ok: true });
    expect(server.requests).toHaveLength(2);
    expect(clock.sleeps).toEqual([7000]);
    expect(clock.monotonicMs()).toBe(7000);
  });

  it('falls back to the DRF "Expected available in N seconds" text', async () => {
    let calls = 0;
    const server = await serve(() =>
      ++calls === 1
        ? { status: 429, json: { detail: 'Request was throttled. Expected available in 51 seconds.' } }
        : { json: {} },
    );
    const { http, clock } = makeHttp(server.url, { auth: staticAuth() });
    await http.getJson('/quotes/');
    expect(clock.sleeps).toEqual([51000]);
    expect(server.requests).toHaveLength(2);
  });

  it('throws ThrottledError with retryAt, without sleeping, when the wait exceeds the cap', async () => {
    const server = await serve(() => ({
      status: 429,
      headers: { 'Retry-After': '43200' },
      json: { detail: 'Request was throttled. Expected available in 43200 seconds.' },
    }));
    const clock = new FakeClock('2026-03-02T15:00:00.000Z');
    const { http } = makeHttp(server.url, { auth: staticAuth(), clock, maxRetryAfterMs: 120_000 });
    const error = (await http.getJson('/accounts/').catch((e: unknown) => e)) as ThrottledError;
    expect(error).toBeInstanceOf(ThrottledError);
    expect(error.kind).toBe('throttled');
    expect(error.retryAt.toISOString()).toBe('2026-03-03T03:00:00.000Z');
    expect(clock.sleeps).toEqual([]);
    expect(server.requests).toHaveLength(1);
    // The whole budget is paused: the next request fails at once without being sent.
    const next = (await http.getJson('/positions/').catch((e: unknown) => e)) as ThrottledError;
    expect(next).toBeInstanceOf(ThrottledError);
    expect(next.retryAt.toISOString()).toBe('2026-03-03T03:00:00.000Z');
    expect(server.requests).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
  });

  it('gives up with ThrottledError after maxAttempts short throttles', async () => {
    const server = await serve(() => ({
      status: 429,
      headers: { 'Retry-After': '2' },
      json: { detail: 'Request was throttled.' },
    }));
    const { http, clock } = makeHttp(server.url, { auth: staticAuth(), maxAttempts: 3 });
    await expect(http.getJson('/x/')).rejects.toBeInstanceOf(ThrottledError);
    expect(server.requests).toHaveLength(3);
    expect(clock.sleeps).toEqual([2000, 2000]);
  });
});

describe('HttpClient pagination', () => {
  it('follows absolute next URLs on the same origin', async () => {
    const server = await serve((r) => {
      const cursor = r.query.get('cursor');
      const next = (c: string) => `${server.url}/orders/?cursor=${c}&updated_at%5Bgte%5D=2024-01-01`;
      if (!cursor) return { json: { previous: null, next: next('p2'), results: [1, 2] } };
      if (cursor === 'p2') return { json: { previous: null, next: next('p3'), results: [3] } };
      return { json: { previous: null, next: null, results: [4, 5] } };
    });
    const { http } = makeHttp(server.url, { auth: staticAuth() });
    const items = await http.getAllPages('/orders/', { 'updated_at[gte]': '2024-01-01' });
    expect(items).toEqual([1, 2, 3, 4, 5]);
    expect(server.requests.map((r) => r.query.get('cursor'))).toEqual([null, 'p2', 'p3']);
    expect(server.requests[1]?.query.get('updated_at[gte]')).toBe('2024-01-01');
  });

  it('gives each page the cursor of the next one, and starts again from a cursor with the original query', async () => {
    const server = await serve((r) => {
      const cursor = r.query.get('cursor');
      const next = (c: string) => `${server.url}/orders/?cursor=${c}&account_numbers=5QR24141`;
      if (r.query.get('page') === '3') return { json: { previous: null, next: null, results: [4] } };
      if (!cursor) return { json: { previous: null, next: next('cD0y'), results: [1, 2] } };
      if (cursor === 'cD0y')
        return { json: { previous: null, next: `${server.url}/orders/?page=3`, results: [3] } };
      throw new Error(`unexpected cursor ${cursor}`);
    });
    const { http } = makeHttp(server.url, { auth: staticAuth() });
    const pages = [];
    for await (const page of http.pages('/orders/', { account_numbers: '5QR24141' })) pages.push(page);
    // A `next` without a cursor can be followed but not resumed from: its nextCursor is null.
    expect(pages).toEqual([
      { items: [1, 2], last: false, nextCursor: 'cD0y' },
      { items: [3], last: false, nextCursor: null },
      { items: [4], last: true, nextCursor: null },
    ]);
    server.requests.length = 0;
    const resumed = [];
    for await (const page of http.pages('/orders/', { account_numbers: '5QR24141' }, { cursor: 'cD0y' }))
      resumed.push(...page.items);
    expect(resumed).toEqual([3, 4]);
    expect(server.requests[0]?.query.get('cursor')).toBe('cD0y');
    expect(server.requests[0]?.query.get('account_numbers')).toBe('5QR24141');
  });

  it('tells page listeners about every page as it is read, path without query or account number', async () => {
    const server = await serve((r) => {
      if (r.query.get('cursor') === 'p2') return { json: { next: null, results: [{ n: 3 }] } };
      return {
        json: { next: `${server.url}/accounts/5QR24141/orders/?cursor=p2`, results: [{ n: 1 }, { n: 2 }] },
      };
    });
    const { http } = makeHttp(server.url, { auth: staticAuth() });
    const seen: unknown[] = [];
    const off = http.onPage((page) => seen.push({ ...page, items: [...page.items] }));
    await http.getAllPages('/accounts/5QR24141/orders/');
    expect(seen).toEqual([
      { path: '/accounts/****4141/orders/', index: 0, items: [{ n: 1 }, { n: 2 }] },
      { path: '/accounts/****4141/orders/', index: 1, items: [{ n: 3 }] },
    ]);
    off();
    await http.getAllPages('/accounts/5QR24141/orders/');
    expect(seen).toHaveLength(2);
  });

  it('refuses a next URL on another origin and never contacts it', async () => {
    const foreign = await serve(() => ({ json: { next: null, results: ['stolen'] } }));
    const server = await serve(() => ({ json: { next: `${foreign.url}/orders/?cursor=x`, results: [1] } }));
    const { http } = makeHttp(server.url, { auth: staticAuth() });
    const error = (await http.getAllPages('/orders/').catch((e: unknown) => e)) as ForeignNextUrlError;
    expect(error).toBeInstanceOf(ForeignNextUrlError);
    expect(error.kind).toBe('foreign-next-url');
    expect(error.origin).toBe(foreign.url);
    expect(error.message).not.toContain('cursor');
    expect(foreign.requests).toHaveLength(0);
    expect(server.requests).toHaveLength(1);
  });

  it('rejects a malformed envelope and a page loop', async () => {
    const server = await serve((r) =>
      r.path === '/bad/'
        ? { json: { results: 'nope' } }
        : { json: { next: `${server.url}/loop/`, results: [] } },
    );
    const { http } = makeHttp(server.url, { auth: staticAuth() });
    const bad = (await http.getAllPages('/bad/').catch((e: unknown) => e)) as PayloadError;
    expect(bad).toBeInstanceOf(PayloadError);
    expect(bad.fieldPath).toBe('results');
    const loop = (await http.getAllPages('/loop/').catch((e: unknown) => e)) as PayloadError;
    expect(loop).toBeInstanceOf(PayloadError);
    expect(loop.fieldPath).toBe('next');
  });
});

describe('request log and secrecy', () => {
  it('records every request with a masked path and counts spans', async () => {
    const server = await serve((r) =>
      r.path.startsWith('/fail') ? { status: 404, json: { detail: 'Not found.' } } : { json: {} },
    );
    const { http } = makeHttp(server.url, { auth: staticAuth() });
    await http.getJson('/accounts/5QR24141/');
    const mark = http.requestLog.mark();
    await http.getJson('/positions/', { account_number: '5QR24141' });
    await http.getJson('/fail/').catch(() => undefined);
    expect(http.requestLog.countSince(mark)).toBe(2);
    expect(http.requestLog.total).toBe(3);
    const entries = http.requestLog.recent();
    expect(entries.map((e) => [e.method, e.path, e.status, e.attempt])).toEqual([
      ['GET', '/accounts/****4141/', 200, 1],
      ['GET', '/positions/', 200, 1],
      ['GET', '/fail/', 404, 1],
    ]);
    expect(http.requestLog.summary()).toEqual({ total: 3, byOutcome: { '200': 2, '404': 1 }, retries: 0 });
    expect(JSON.stringify(entries)).not.toContain('5QR24141');
  });

  it('keeps tokens and account numbers out of log lines and error messages', async () => {
    const server = await serve(() => ({
      status: 400,
      json: { detail: 'Account 5QR24141 is not allowed for token-one-aaaaaaaaaaaa.' },
    }));
    const { http, logger } = makeHttp(server.url, { auth: staticAuth() });
    http.redactor.registerAccountNumber('5QR24141');
    http.redactor.register('token-one-aaaaaaaaaaaa');
    const error = (await http.getJson('/accounts/5QR24141/').catch((e: unknown) => e)) as HttpStatusError;
    expect(error.message).toBe(
      'GET /accounts/****4141/ failed with HTTP 400: Account ****4141 is not allowed for [REDACTED].',
    );
    const logged = JSON.stringify(logger.records);
    expect(logged.length).toBeGreaterThan(10);
    expect(logged).not.toContain('5QR24141');
    expect(logged).not.toContain('token-one');
  });
});
