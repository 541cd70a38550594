/**
 * A real HTTP server on 127.0.0.1 (port 0) for broker tests: the handler sees each request and
 * answers with JSON, a raw body, a dropped connection or silence.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** Pathname only. */
  path: string;
  query: URLSearchParams;
  /** Path and query as received. */
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The body as form fields, when it was form-encoded. */
  form: Record<string, string> | null;
  /** The body parsed as JSON, when it was JSON. */
  json: unknown;
}

export type Reply =
  | { status?: number; json?: unknown; body?: string | Buffer; headers?: Record<string, string> }
  /** Destroy the socket without answering (a connection reset). */
  | 'reset'
  /** Never answer (for timeouts). */
  | 'hang';

export type Handler = (request: RecordedRequest) => Reply | Promise<Reply>;

export interface TestServer {
  /** e.g. "http://127.0.0.1:41234" */
  url: string;
  requests: RecordedRequest[];
  /** Requests whose method and pathname match. */
  count(method: string, path: string): number;
  close(): Promise<void>;
}

export async function startServer(handler: Handler): Promise<TestServer> {
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void (async () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const url = new URL(req.url ?? '/', 'http://127.0.0.1');
        const type = String(req.headers['content-type'] ?? '');
        const recorded: RecordedRequest = {
          method: req.method ?? 'GET',
          path: url.pathname,
          query: url.searchParams,
          url: req.url ?? '/',
          headers: req.headers,
          body,
          form: type.startsWith('application/x-www-form-urlencoded')
            ? Object.fromEntries(new URLSearchParams(body))
            : null,
          json: type.startsWith('application/json') && body !== '' ? JSON.parse(body) : null,
        };
        requests.push(recorded);
        let reply: Reply;
        try {
          reply = await handler(recorded);
        } catch (error) {
          reply = { status: 599, json: { detail: `test handler failed: ${(error as Error).message}` } };
        }
        send(res, reply);
      })();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    count: (method, path) => requests.filter((r) => r.method === method && r.path === path).length,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function send(res: ServerResponse, reply: Reply): void {
  if (reply === 'reset') {
    res.socket?.destroy();
    return;
  }
  if (reply === 'hang') return;
  const headers: Record<string, string> = { ...(reply.headers ?? {}) };
  let body: string | Buffer = reply.body ?? '';
  if (reply.json !== undefined) {
    body = JSON.stringify(reply.json);
    headers['content-type'] ??= 'application/json';
  }
  res.writeHead(reply.status ?? 200, headers);
  res.end(body);
}

/** A recorded payload from test/fixtures/robinhood/. */
export function fixture<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../../fixtures/robinhood/${name}`, import.meta.url), 'utf8')) as T;
}

/** A fixture with every https://api.robinhood.com URL pointed at the test server. */
export function fixtureAt<T = Record<string, unknown>>(name: string, baseUrl: string): T {
  const text = readFileSync(new URL(`../../fixtures/robinhood/${name}`, import.meta.url), 'utf8');
  return JSON.parse(text.replaceAll('https://api.robinhood.com', baseUrl)) as T;
}
