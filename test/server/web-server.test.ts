/**
 * The headless web server over a real socket: access token and cookie flow, Host allow-list,
 * cross-origin refusal, body limits, payload validation, health and metrics. The runtime is the
 * in-memory one; the transport is what is under test.
 */
import { request as httpRequest } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { startWebServer, type WebServer } from '../../main/server/web-server.js';
import { collectingLogger, silentLogger } from '../../main/util/logger.js';
import type { CallResult } from '../../shared/contract.js';
import { type RawResponse, send } from './http-client.js';
import { createMemoryRuntime, type MemoryRuntime } from './memory-runtime.js';
import { makeStaticDir, type StaticFixture } from './static-fixture.js';

let runtime: MemoryRuntime;
let server: WebServer;
let staticFixture: StaticFixture;
let host: string;

const auth = () => ({ Authorization: `Bearer ${server.token}`, Host: host });
const post = (name: string, body: unknown, headers: Record<string, string> = {}) =>
  send(server.url, {
    method: 'POST',
    path: `/api/call/${name}`,
    headers: { ...auth(), 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
const errorOf = (res: RawResponse) => {
  const result = res.json<CallResult<unknown>>();
  if (result.ok) throw new Error(`expected an error, got ${res.body}`);
  return result.error;
};

beforeAll(async () => {
  staticFixture = await makeStaticDir();
  runtime = createMemoryRuntime();
  server = await startWebServer({ runtime, port: 0, logger: silentLogger, staticDir: staticFixture.root });
  host = new URL(server.url).host;
});
afterAll(async () => {
  await server.close();
  await staticFixture.remove();
});
afterEach(() => {
  runtime.calls.length = 0;
});

describe('start', () => {
  test('listens on loopback with a random token of at least 128 bits', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(Buffer.from(server.token, 'base64url').length).toBeGreaterThanOrEqual(16);
    expect(server.loginUrl).toBe(`${server.url}/?token=${server.token}`);
    const other = await startWebServer({ runtime, port: 0, logger: silentLogger });
    expect(other.token).not.toBe(server.token);
    await other.close();
  });

  test('refuses a short fixed token', async () => {
    await expect(startWebServer({ runtime, port: 0, logger: silentLogger, token: 'short' })).rejects.toThrow(
      /at least 22 characters/,
    );
  });

  test('warns when it listens on a non-loopback address, and only then', async () => {
    const loud = collectingLogger();
    const open = await startWebServer({ runtime, host: '0.0.0.0', port: 0, logger: loud });
    await open.close();
    expect(loud.records.filter((r) => r.level === 'warn').map((r) => r.message)).toEqual([
      expect.stringContaining('non-loopback'),
    ]);
    expect(open.url).toMatch(/^http:\/\/127\.0\.0\.1:/);
    const quiet = collectingLogger();
    const local = await startWebServer({ runtime, port: 0, logger: quiet });
    await local.close();
    expect(quiet.records.filter((r) => r.level === 'warn')).toEqual([]);
  });
});

describe('access token', () => {
  test.each([
    ['POST', '/api/call/getState'],
    ['GET', '/api/events'],
    ['GET', '/metrics'],
    ['GET', '/status.html'],
    ['GET', '/assets/app.js'],
    ['GET', '/'],
  ])('%s %s without the token is refused', async (method, path) => {
    const res = await send(server.url, { method, path, headers: { Host: host } });
    expect(res.status).toBe(401);
    expect(runtime.calls).toEqual([]);
  });

  test('a wrong bearer token is refused with a CallResult', async () => {
    const res = await post('getState', {}, { Authorization: `Bearer ${server.token.slice(0, -2)}xx` });
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toContain('Bearer');
    expect(errorOf(res)).toEqual({ code: 'forbidden', message: 'Missing or wrong access token.' });
    expect(runtime.callCount('getState')).toBe(0);
  });

  test('the bearer token opens the API', async () => {
    const res = await post('getState', {});
    expect(res.status).toBe(200);
    const result = res.json<CallResult<{ status: { state: string } }>>();
    expect(result.ok && result.value.status.state).toBe('idle');
    expect(runtime.callCount('getState')).toBe(1);
  });

  test('GET /healthz needs no token', async () => {
    const res = await send(server.url, { path: '/healthz', headers: { Host: host } });
    expect(res.status).toBe(200);
  });
});

describe('page flow', () => {
  test('/?token= sets an HttpOnly SameSite=Strict cookie and redirects without the token', async () => {
    const res = await send(server.url, {
      path: `/?token=${encodeURIComponent(server.token)}`,
      headers: { Host: host },
    });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/status.html');
    const cookie = res.headers['set-cookie']?.[0] ?? '';
    expect(cookie).toMatch(/^magnus_session=[\w-]{40,}; HttpOnly; SameSite=Strict; Path=\/$/);
    expect(cookie).not.toContain(server.token);

    const session = cookie.split(';')[0] ?? '';
    const page = await send(server.url, { path: '/status.html', headers: { Host: host, Cookie: session } });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>Status test page</title>');
    const call = await send(server.url, {
      method: 'POST',
      path: '/api/call/getStats',
      headers: { Host: host, Cookie: session, Origin: `http://${host}`, 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(call.status).toBe(200);
    expect(runtime.callCount('getStats')).toBe(1);
  });

  test('a wrong token in the address sets no cookie', async () => {
    const res = await send(server.url, { path: '/?token=not-the-token', headers: { Host: host } });
    expect(res.status).toBe(401);
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(res.body).toContain('access token');
  });

  test('a forged session cookie is refused', async () => {
    const res = await send(server.url, {
      path: '/status.html',
      headers: { Host: host, Cookie: `magnus_session=${server.token}` },
    });
    expect(res.status).toBe(401);
  });

  test('/ with a session redirects to the status page', async () => {
    const res = await send(server.url, { path: '/', headers: auth() });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/status.html');
  });
});

describe('Host allow-list (DNS rebinding)', () => {
  test('a rebinding Host is refused even with the token', async () => {
    const port = new URL(server.url).port;
    const res = await post('pause', {}, { Host: `attacker.example:${port}` });
    expect(res.status).toBe(403);
    expect(runtime.callCount('pause')).toBe(0);
  });

  test('a loopback name with another port is refused', async () => {
    const res = await post('getState', {}, { Host: 'localhost:1' });
    expect(res.status).toBe(403);
  });

  test.each(['127.0.0.1', 'localhost', '[::1]'])('%s:PORT is accepted', async (name) => {
    const port = new URL(server.url).port;
    const res = await post('getStats', {}, { Host: `${name}:${port}` });
    expect(res.status).toBe(200);
  });

  test('configured names are accepted, with the port added', async () => {
    const named = await startWebServer({
      runtime,
      port: 0,
      logger: silentLogger,
      allowedHosts: ['Magnus.LAN'],
    });
    const port = new URL(named.url).port;
    try {
      const ok = await send(named.url, {
        method: 'POST',
        path: '/api/call/getStats',
        headers: { Host: `magnus.lan:${port}`, Authorization: `Bearer ${named.token}` },
      });
      expect(ok.status).toBe(200);
      const refused = await send(named.url, {
        method: 'POST',
        path: '/api/call/getStats',
        headers: { Host: `other.lan:${port}`, Authorization: `Bearer ${named.token}` },
      });
      expect(refused.status).toBe(403);
    } finally {
      await named.close();
    }
  });
});

describe('cross-origin calls', () => {
  test('a cross-origin Origin is refused and the handler does not run', async () => {
    const res = await post('pause', {}, { Origin: 'http://attacker.example' });
    expect(res.status).toBe(403);
    expect(errorOf(res).message).toBe('Cross-origin calls are not allowed.');
    expect(runtime.callCount('pause')).toBe(0);
  });

  test('Origin "null" and Sec-Fetch-Site: cross-site are refused', async () => {
    expect((await post('pause', {}, { Origin: 'null' })).status).toBe(403);
    expect((await post('pause', {}, { 'Sec-Fetch-Site': 'cross-site' })).status).toBe(403);
    expect(runtime.callCount('pause')).toBe(0);
  });

  test('the same origin is accepted', async () => {
    const res = await post('pause', {}, { Origin: `http://${host}`, 'Sec-Fetch-Site': 'same-origin' });
    expect(res.status).toBe(200);
    expect(runtime.callCount('pause')).toBe(1);
    await post('resume', {});
  });
});

describe('request bodies', () => {
  test('a declared oversized body gets 413 before it is read', async () => {
    const port = new URL(server.url).port;
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/api/call/updateSettings',
          headers: {
            ...auth(),
            'Content-Type': 'application/json',
            'Content-Length': String(10 * 1024 * 1024),
          },
        },
        (r) => {
          let body = '';
          r.on('data', (c: Buffer) => {
            body += c.toString();
          });
          r.on('end', () => resolve({ status: r.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      // Only the first kilobyte is ever sent: the answer must not wait for the rest.
      req.write('{"x":"'.padEnd(1024, 'a'));
    });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toEqual({
      ok: false,
      error: { code: 'invalid-request', message: 'Request body is larger than 65536 bytes.' },
    });
    expect(runtime.callCount('updateSettings')).toBe(0);
  });

  test('a chunked body over the limit gets 413 too', async () => {
    const port = new URL(server.url).port;
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/api/call/updateSettings',
          headers: { ...auth(), 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' },
        },
        (r) => {
          r.resume();
          resolve(r.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      for (let i = 0; i < 80; i++) req.write('x'.repeat(1024));
    });
    expect(status).toBe(413);
    expect(runtime.callCount('updateSettings')).toBe(0);
  });

  test('an invalid payload gets 400 with the field and message, and the handler does not run', async () => {
    const res = await post('updateSettings', { syncIntervalSeconds: 5 });
    expect(res.status).toBe(400);
    expect(errorOf(res)).toEqual({
      code: 'invalid-request',
      message:
        'Invalid request: syncIntervalSeconds: Sync interval must be a whole number of seconds between 60 and 86400.',
      fields: {
        syncIntervalSeconds: 'Sync interval must be a whole number of seconds between 60 and 86400.',
      },
    });
    expect(runtime.callCount('updateSettings')).toBe(0);
    expect(runtime.settings().syncIntervalSeconds).toBe(300);
  });

  test('getClosedTrades: a bad symbol or period is one line, and the handler does not run', async () => {
    const symbol = await post('getClosedTrades', {
      accountKey: 'all',
      period: 'all',
      symbol: 'AAPL; drop table',
    });
    expect(symbol.status).toBe(400);
    expect(errorOf(symbol)).toEqual({
      code: 'invalid-request',
      message: 'Invalid request: symbol: Symbol must be 1–16 letters, digits, dots or dashes.',
      fields: { symbol: 'Symbol must be 1–16 letters, digits, dots or dashes.' },
    });
    const period = await post('getClosedTrades', { accountKey: 'all', period: 'week' });
    expect(period.status).toBe(400);
    expect(errorOf(period).message).toMatch(/^Invalid request: period: /);
    expect(runtime.callCount('getClosedTrades')).toBe(0);
    const ok = await post('getClosedTrades', { accountKey: 'all', period: 'month', symbol: ' BRK.B ' });
    expect(ok.status).toBe(200);
    expect(runtime.calls.at(-1)).toEqual({
      name: 'getClosedTrades',
      request: { accountKey: 'all', period: 'month', symbol: 'BRK.B' },
    });
  });

  test('an unknown field and a wrong enum are named', async () => {
    const extra = await post('syncNow', { force: true });
    expect(extra.status).toBe(400);
    expect(errorOf(extra).message).toContain('Unknown field(s): force.');
    const range = await post('getChart', { accountKey: '****4141', range: '5Y' });
    expect(range.status).toBe(400);
    expect(errorOf(range).message).toMatch(/^Invalid request: range: /);
    expect(runtime.callCount('syncNow') + runtime.callCount('getChart')).toBe(0);
  });

  test('broken JSON gets 400, a non-JSON body 415', async () => {
    const bad = await send(server.url, {
      method: 'POST',
      path: '/api/call/getState',
      headers: { ...auth(), 'Content-Type': 'application/json' },
      body: '{"a":',
    });
    expect(bad.status).toBe(400);
    expect(errorOf(bad).message).toBe('Request body is not valid JSON.');
    const form = await send(server.url, {
      method: 'POST',
      path: '/api/call/getState',
      headers: { ...auth(), 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'a=1',
    });
    expect(form.status).toBe(415);
    expect(runtime.callCount('getState')).toBe(0);
  });

  test('an empty body counts as {}', async () => {
    const res = await send(server.url, { method: 'POST', path: '/api/call/getStats', headers: auth() });
    expect(res.status).toBe(200);
    expect(runtime.calls).toEqual([{ name: 'getStats', request: {} }]);
  });

  test('an unknown call gets 404', async () => {
    const res = await post('dropDatabase', {});
    expect(res.status).toBe(404);
    expect(errorOf(res)).toEqual({ code: 'unknown-call', message: 'There is no call named "dropDatabase".' });
    expect((await post('__proto__', {})).status).toBe(404);
    expect((await post('toString', {})).status).toBe(404);
  });

  test('a call with GET gets 405', async () => {
    const res = await send(server.url, { path: '/api/call/getState', headers: auth() });
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('POST');
  });
});

describe('handlers', () => {
  test('answers are the runtime handlers’ answers', async () => {
    const paused = await post('pause', {});
    expect(paused.json()).toEqual({ ok: true, value: runtime.status() });
    expect(runtime.status().state).toBe('paused');
    const refused = await post('syncNow', {});
    expect(refused.status).toBe(409);
    expect(refused.json()).toEqual({
      ok: false,
      error: { code: 'refused', message: 'Syncing is paused; resume it first.' },
    });
    await post('resume', {});
    expect(runtime.status().state).toBe('idle');
    const chart = await post('getChart', { accountKey: '****4141', range: '1M' });
    expect(chart.json<CallResult<{ points: unknown[] }>>()).toMatchObject({
      ok: true,
      value: { range: '1M' },
    });
  });

  test('headless-only refusals come from the runtime', async () => {
    const res = await post('openLogFolder', {});
    expect(res.status).toBe(409);
    expect(res.json()).toEqual({
      ok: false,
      error: {
        code: 'refused',
        message: 'The headless server cannot open folders; the logs are in the data folder.',
      },
    });
  });

  test('a failing handler becomes a generic internal error without its message', async () => {
    const failing = createMemoryRuntime();
    failing.handlers.getStats = async () => {
      throw new Error('connect ECONNREFUSED postgres://sync:pa55word@db/magnus');
    };
    const logger = collectingLogger();
    const s = await startWebServer({ runtime: failing, port: 0, logger });
    try {
      const res = await send(s.url, {
        method: 'POST',
        path: '/api/call/getStats',
        headers: { Authorization: `Bearer ${s.token}`, Host: new URL(s.url).host },
      });
      expect(res.status).toBe(500);
      expect(errorOf(res)).toEqual({
        code: 'internal',
        message: 'The getStats call failed; the log has the details.',
      });
      expect(res.body).not.toContain('pa55word');
      expect(logger.records.some((r) => r.level === 'error' && r.message.includes('getStats'))).toBe(true);
    } finally {
      await s.close();
    }
  });
});

describe('/healthz and /metrics', () => {
  test('/healthz is 200 while the last sync is recent and 503 when it is stale', async () => {
    const ok = await send(server.url, { path: '/healthz', headers: { Host: 'monitor.internal:9' } });
    expect(ok.status).toBe(200);
    expect(ok.json()).toMatchObject({ healthy: true, state: 'idle', maxAgeSeconds: 720 });
    const recent = runtime.status().lastSuccessAt;
    runtime.setStatus({ lastSuccessAt: new Date(Date.now() - 3_600_000).toISOString() });
    const stale = await send(server.url, { path: '/healthz', headers: { Host: host } });
    expect(stale.status).toBe(503);
    expect(stale.json()).toMatchObject({ healthy: false, ageSeconds: expect.any(Number) });
    expect(stale.headers['cache-control']).toBe('no-store');
    runtime.setStatus({ lastSuccessAt: recent });
  });

  test('/metrics is Prometheus text from the runtime', async () => {
    await post('getStats', {});
    const res = await send(server.url, { path: '/metrics', headers: auth() });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(res.body).toContain('# TYPE magnus_test_calls_total counter');
    expect(res.body).toMatch(/magnus_test_calls_total\{call="getStats"\} \d+/);
  });
});

describe('security headers', () => {
  test.each([
    ['/healthz', {}],
    ['/status.html', 'auth'],
    ['/nope', 'auth'],
    ['/api/call/getState', 'auth-post'],
  ] as const)('%s carries CSP, nosniff and no-referrer', async (path, mode) => {
    const res =
      mode === 'auth-post'
        ? await post('getState', {})
        : await send(server.url, { path, headers: mode === 'auth' ? auth() : { Host: host } });
    expect(res.headers['content-security-policy']).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; object-src 'none'; frame-ancestors 'none'",
    );
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['x-frame-options']).toBe('DENY');
  });

  test('API answers are never cached', async () => {
    const res = await post('getState', {});
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
  });
});
