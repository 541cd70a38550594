/** Server-sent events over a real socket: every contract event, in order, keep-alives, cleanup. */
import { type ClientRequest, request as httpRequest, type IncomingMessage } from 'node:http';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { startWebServer, type WebServer } from '../../main/server/web-server.js';
import { silentLogger } from '../../main/util/logger.js';
import { EVENT_NAMES } from '../../shared/contract.js';
import { waitFor } from './http-client.js';
import { createMemoryRuntime, type MemoryRuntime } from './memory-runtime.js';

interface Stream {
  res: IncomingMessage;
  req: ClientRequest;
  text(): string;
  frames(): Array<{ event: string; data: unknown; id: number }>;
}

function openStream(server: WebServer, headers: Record<string, string>): Promise<Stream> {
  const url = new URL(server.url);
  return new Promise((resolve, reject) => {
    let text = '';
    const req = httpRequest({ host: url.hostname, port: url.port, path: '/api/events', headers }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        text += c;
      });
      res.on('error', () => {});
      resolve({
        res,
        req,
        text: () => text,
        frames: () =>
          text
            .split('\n\n')
            .filter((block) => /^event: /m.test(block))
            .map((block) => {
              const field = (name: string) => new RegExp(`^${name}: (.*)$`, 'm').exec(block)?.[1] ?? '';
              return { event: field('event'), data: JSON.parse(field('data')), id: Number(field('id')) };
            }),
      });
    });
    req.on('error', reject);
    req.end();
  });
}

let runtime: MemoryRuntime;
let server: WebServer;
let host: string;

beforeEach(async () => {
  runtime = createMemoryRuntime({ syncDurationMs: null });
  server = await startWebServer({
    runtime,
    port: 0,
    logger: silentLogger,
    sseKeepAliveMs: 40,
    maxEventClients: 2,
  });
  host = new URL(server.url).host;
});
afterEach(async () => {
  await server.close();
});

describe('GET /api/events', () => {
  test('needs the token', async () => {
    const stream = await openStream(server, { Host: host });
    expect(stream.res.statusCode).toBe(401);
    expect(server.eventClientCount()).toBe(0);
  });

  test('delivers every event in the order it was emitted', async () => {
    const stream = await openStream(server, { Host: host, Authorization: `Bearer ${server.token}` });
    expect(stream.res.statusCode).toBe(200);
    expect(stream.res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(stream.res.headers['cache-control']).toBe('no-store');
    await waitFor(() => server.eventClientCount() === 1, 'the stream to register');

    const paused = runtime.setStatus({ state: 'paused' });
    runtime.events.emit('dataChanged', { accounts: ['****4141'], at: '2026-11-28T17:00:00.000Z' });
    await runtime.handlers.updateSettings({ privacyMode: true });
    await runtime.handlers.clearCredentials({});
    const resumed = runtime.setStatus({ state: 'idle' });

    await waitFor(() => stream.frames().length === 5, 'five events');
    const frames = stream.frames();
    expect(frames.map((f) => f.event)).toEqual([
      'status',
      'dataChanged',
      'settingsChanged',
      'credentialsChanged',
      'status',
    ]);
    expect(new Set(frames.map((f) => f.event))).toEqual(new Set(EVENT_NAMES));
    expect(frames[0]?.data).toEqual(paused);
    expect(frames[1]?.data).toEqual({ accounts: ['****4141'], at: '2026-11-28T17:00:00.000Z' });
    expect(frames[2]?.data).toMatchObject({ settings: { privacyMode: true } });
    expect(frames[3]?.data).toMatchObject({ usernameStored: false, passwordStored: false });
    expect(frames[4]?.data).toEqual(resumed);
    const ids = frames.map((f) => f.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    stream.req.destroy();
  });

  test('the session cookie opens the stream too (EventSource cannot send headers)', async () => {
    const login = await new Promise<string>((resolve, reject) => {
      const url = new URL(server.url);
      httpRequest(
        { host: url.hostname, port: url.port, path: `/?token=${server.token}`, headers: { Host: host } },
        (res) => {
          res.resume();
          resolve(res.headers['set-cookie']?.[0]?.split(';')[0] ?? '');
        },
      )
        .on('error', reject)
        .end();
    });
    const stream = await openStream(server, { Host: host, Cookie: login });
    expect(stream.res.statusCode).toBe(200);
    stream.req.destroy();
  });

  test('sends keep-alive comments while idle', async () => {
    const stream = await openStream(server, { Host: host, Authorization: `Bearer ${server.token}` });
    await waitFor(() => stream.text().includes(': keep-alive\n\n'), 'a keep-alive comment');
    expect(stream.text().startsWith('retry: 2000\n')).toBe(true);
    stream.req.destroy();
  });

  test('forgets a client when it disconnects, and each stream gets every event', async () => {
    const auth = { Host: host, Authorization: `Bearer ${server.token}` };
    const a = await openStream(server, auth);
    const b = await openStream(server, auth);
    await waitFor(() => server.eventClientCount() === 2, 'two streams');
    const third = await openStream(server, auth);
    expect(third.res.statusCode).toBe(503);

    a.req.destroy();
    await waitFor(() => server.eventClientCount() === 1, 'the closed stream to be dropped');
    runtime.setStatus({ state: 'offline' });
    await waitFor(() => b.frames().length === 1, 'the event on the open stream');
    expect(b.frames()[0]?.data).toMatchObject({ state: 'offline' });
    expect(a.frames()).toEqual([]);
    b.req.destroy();
    await waitFor(() => server.eventClientCount() === 0, 'no streams left');
  });

  test('close() ends open streams and stops listening to the runtime', async () => {
    const baseline = EVENT_NAMES.map((name) => runtime.events.listenerCount(name));
    expect(baseline).toEqual([1, 1, 1, 1]);
    const stream = await openStream(server, { Host: host, Authorization: `Bearer ${server.token}` });
    await waitFor(() => server.eventClientCount() === 1, 'the stream');
    const ended = new Promise<void>((resolve) => stream.res.on('end', () => resolve()));
    await server.close();
    await ended;
    expect(EVENT_NAMES.map((name) => runtime.events.listenerCount(name))).toEqual([0, 0, 0, 0]);
    // afterEach closes again: close() must be safe to repeat.
  });
});
