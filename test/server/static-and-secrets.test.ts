/**
 * Static files come only from the static folder, and no response of any route ever shows a secret:
 * not the stored password or TOTP secret, not the access token, not a full account number.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startWebServer, type WebServer } from '../../main/server/web-server.js';
import { silentLogger } from '../../main/util/logger.js';
import { CALL_NAMES, type CallName } from '../../shared/contract.js';
import { type RawResponse, send, wholeResponse } from './http-client.js';
import { createMemoryRuntime, type MemoryRuntime } from './memory-runtime.js';
import { PRIMARY_ACCOUNT } from './sample-portfolio.js';
import { makeStaticDir, type StaticFixture } from './static-fixture.js';

let runtime: MemoryRuntime;
let server: WebServer;
let fixture: StaticFixture;
let host: string;
const auth = () => ({ Authorization: `Bearer ${server.token}`, Host: host });

beforeAll(async () => {
  fixture = await makeStaticDir();
  runtime = createMemoryRuntime({ syncDurationMs: null });
  server = await startWebServer({ runtime, port: 0, logger: silentLogger, staticDir: fixture.root });
  host = new URL(server.url).host;
});
afterAll(async () => {
  await runtime.stop();
  await server.close();
  await fixture.remove();
});

describe('static files', () => {
  test('serves pages and assets with their content types', async () => {
    const page = await send(server.url, { path: '/settings.html', headers: auth() });
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['cache-control']).toBe('no-cache');
    const js = await send(server.url, { path: '/assets/app.js', headers: auth() });
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['cache-control']).toBe('private, max-age=31536000, immutable');
    expect(js.body).toBe('console.log("app");');
    const css = await send(server.url, { path: '/assets/app.css', headers: auth() });
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
  });

  test('HEAD answers without a body', async () => {
    const res = await send(server.url, { method: 'HEAD', path: '/assets/app.js', headers: auth() });
    expect(res.status).toBe(200);
    expect(res.headers['content-length']).toBe('19');
    expect(res.body).toBe('');
  });

  test.each([
    '/../secret.txt',
    '/assets/../../secret.txt',
    '/%2e%2e/secret.txt',
    '/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
    '/assets/..%5c..%5csecret.txt',
    '/assets/link.txt',
    '/.env',
    '/%00status.html',
    '/%E0%A4%A',
  ])('traversal %s is refused', async (path) => {
    const res = await send(server.url, { path, headers: auth() });
    expect([400, 404]).toContain(res.status);
    expect(res.body).not.toContain(fixture.secret);
    expect(res.body).not.toContain('HIDDEN');
  });

  test('a missing file is 404', async () => {
    const res = await send(server.url, { path: '/nothing-here.js', headers: auth() });
    expect(res.status).toBe(404);
  });

  test('other methods on static paths get 405', async () => {
    const res = await send(server.url, { method: 'DELETE', path: '/status.html', headers: auth() });
    expect(res.status).toBe(405);
  });
});

describe('no secret in any response', () => {
  const password = 'Corr3ct-Horse-Battery-Staple!';
  const totpSecret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
  const requests: Partial<Record<CallName, unknown>> = {
    getChart: { accountKey: PRIMARY_ACCOUNT, range: '1D' },
    getClosedTrades: { accountKey: PRIMARY_ACCOUNT, period: 'all' },
    submitVerificationCode: { code: '123456' },
    testDatabase: { url: 'postgres://sync:db-Pa55word@localhost:5432/magnus' },
    openExternal: { url: 'https://robinhood.com/' },
    setUpMagnusCompat: { role: 'dash' },
    setCredentials: { username: 'trader@example.com', password, totpSecret },
  };

  const REFUSED_HEADLESS = new Set<CallName>([
    'submitVerificationCode',
    'revealEmbeddedDatabasePassword',
    'setUpMagnusCompat',
    'openLogFolder',
    'openExternal',
  ]);

  test('credentials, token and account numbers never come back', async () => {
    const responses: RawResponse[] = [];
    const call = async (name: CallName) => {
      const res = await send(server.url, {
        method: 'POST',
        path: `/api/call/${name}`,
        headers: { ...auth(), 'Content-Type': 'application/json' },
        body: JSON.stringify(requests[name] ?? {}),
      });
      // The headless runtime refuses what only the desktop app can do (and a code nobody asked for).
      expect(res.status, name).toBe(REFUSED_HEADLESS.has(name) ? 409 : 200);
      responses.push(res);
    };
    await call('setCredentials');
    expect(runtime.storedSecrets.password).toBe(password);
    for (const name of CALL_NAMES) if (name !== 'clearCredentials') await call(name);
    runtime.completeSync();

    for (const path of ['/healthz', '/metrics', '/status.html', '/', '/nope', '/api/nope']) {
      responses.push(await send(server.url, { path, headers: auth() }));
    }
    responses.push(await send(server.url, { path: `/?token=${server.token}`, headers: { Host: host } }));
    responses.push(await send(server.url, { path: '/status.html', headers: { Host: host } }));
    responses.push(await send(server.url, { path: '/?token=wrong', headers: { Host: host } }));

    expect(responses.length).toBe(CALL_NAMES.length + 9);
    for (const res of responses) {
      const text = wholeResponse(res);
      expect(text).not.toContain(password);
      expect(text).not.toContain(totpSecret);
      expect(text).not.toContain('db-Pa55word');
      expect(text).not.toContain(server.token);
      // Accounts only ever appear masked.
      expect(text).not.toMatch(/"accountKey":"(?!\*{4}\w{4}")/);
    }
  });
});
