/**
 * The headless web server: the status and settings pages, the contract over HTTP
 * (`POST /api/call/<name>`) and server-sent events (`GET /api/events`), `/healthz` and `/metrics`.
 *
 * It is a transport only: every call goes to `runtime.handlers` after its payload passed the call's
 * zod schema; what makes no sense headless (open a folder, launch at login) is answered by the
 * runtime, not here.
 *
 * Access: a random token (printed by the CLI). Scripts send `Authorization: Bearer <token>`; a
 * browser opens `/?token=…` once and gets an HttpOnly, SameSite=Strict session cookie. Only
 * `GET /healthz` is open. The Host header must name this server (DNS rebinding), and calls must not
 * come from another origin.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Runtime } from '../runtime/runtime-types.js';
import { errorMeta } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { createAccessCheck, generateToken, MIN_TOKEN_LENGTH, sessionCookieHeader } from './access-token.js';
import { type DispatchOutcome, dispatchCall, failure } from './call-dispatch.js';
import { createEventStreamHub } from './event-stream.js';
import { buildHostAllowList, hostAllowed, hostForUrl, isLoopbackHost, sameOrigin } from './host-check.js';
import { declaredTooLarge, readJsonBody } from './request-body.js';
import { applySecurityHeaders } from './security-headers.js';
import { lookupStatic, openStatic } from './static-files.js';

export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;
export const DEFAULT_HOST = '127.0.0.1';

/**
 * The project's dist/renderer, whether this module runs compiled (dist/main/server/) or from
 * source (main/server/, under tsx or a test runner).
 */
function defaultStaticDir(moduleDir: string): string {
  const compiled = basename(dirname(dirname(moduleDir))) === 'dist';
  return join(moduleDir, compiled ? '../../..' : '../..', 'dist', 'renderer');
}
export const DEFAULT_STATIC_DIR = defaultStaticDir(dirname(fileURLToPath(import.meta.url)));

export interface WebServerOptions {
  runtime: Runtime;
  /** Loopback by default; anything else is reachable from the network and logged as a warning. */
  host?: string;
  /** 0 picks a free port. */
  port: number;
  /** Fixed access token (≥ 22 characters); a random 256-bit one when omitted. */
  token?: string;
  staticDir?: string;
  logger: Logger;
  maxBodyBytes?: number;
  /** Extra Host names this server answers to ("name" or "name:port"), e.g. behind a reverse proxy. */
  allowedHosts?: readonly string[];
  /** Interval of the keep-alive comment on event streams. */
  sseKeepAliveMs?: number;
  /** Event streams open at once; more are refused with 503. */
  maxEventClients?: number;
}

export interface WebServer {
  /** Base URL, e.g. "http://127.0.0.1:8787" (no token). */
  readonly url: string;
  readonly token: string;
  /** The URL a person opens once: `${url}/?token=…` (it sets the session cookie and redirects). */
  readonly loginUrl: string;
  /** Event streams currently open. */
  eventClientCount(): number;
  close(): Promise<void>;
}

/** A wildcard address is not something to type into a browser; its loopback twin is. */
const WILDCARD_TO_LOOPBACK: Record<string, string> = { '0.0.0.0': '127.0.0.1', '::': '::1', '[::]': '::1' };

const JSON_TYPE = 'application/json; charset=utf-8';

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  extra: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': JSON_TYPE,
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    ...extra,
  });
  res.end(text);
}

function sendCallOutcome(
  res: ServerResponse,
  outcome: DispatchOutcome,
  extra: Record<string, string> = {},
): void {
  sendJson(res, outcome.status, outcome.result, extra);
}

function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  extra: Record<string, string> = {},
): void {
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    ...extra,
  });
  res.end(text);
}

/** A page a person sees without a session: says what to do, contains no script and no secret. */
function sendLoginRequired(res: ServerResponse, reason: string): void {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Magnus Sync</title></head>
<body><h1>Magnus Sync</h1><p>${reason}</p>
<p>Open the address that <code>magnus-sync</code> printed when it started; it contains the access token.</p></body></html>`;
  res.writeHead(401, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': Buffer.byteLength(html),
    'Cache-Control': 'no-store',
  });
  res.end(html);
}

export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const { runtime, logger } = options;
  const bindHost = options.host ?? DEFAULT_HOST;
  const staticDir = options.staticDir ?? DEFAULT_STATIC_DIR;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (options.token !== undefined && options.token.length < MIN_TOKEN_LENGTH) {
    throw new Error(`The web access token must be at least ${MIN_TOKEN_LENGTH} characters long.`);
  }
  const access = createAccessCheck(options.token ?? generateToken());
  const hub = createEventStreamHub({
    events: runtime.events,
    logger,
    keepAliveMs: options.sseKeepAliveMs ?? 15_000,
    maxClients: options.maxEventClients ?? 32,
  });
  let allowedHosts: ReadonlySet<string> = new Set();

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    applySecurityHeaders(res);
    const method = req.method ?? 'GET';
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://server.invalid');
    } catch {
      sendText(res, 400, 'Bad request URL.');
      return;
    }
    const path = url.pathname;
    const isRead = method === 'GET' || method === 'HEAD';

    // Health carries no secret and is what supervisors probe, often by IP: open to every Host.
    if (path === '/healthz') {
      if (!isRead) return sendText(res, 405, 'Use GET.', { Allow: 'GET, HEAD' });
      const health = runtime.health();
      return sendJson(res, health.healthy ? 200 : 503, health);
    }

    if (!hostAllowed(req.headers.host, allowedHosts)) {
      logger.warn('web server: refused a request for an unknown Host', {
        host: String(req.headers.host ?? ''),
      });
      return sendText(res, 403, 'This server does not answer to that host name.');
    }

    // The page flow: /?token=… becomes a session cookie, and the token leaves the address bar.
    const queryToken = url.searchParams.get('token');
    if (queryToken !== null && isRead && !path.startsWith('/api/')) {
      if (!access.tokenMatches(queryToken))
        return sendLoginRequired(res, 'The access token in this address is not valid.');
      const target = path === '/' ? '/status.html' : path;
      res.writeHead(303, {
        Location: target,
        'Set-Cookie': sessionCookieHeader(access.session),
        'Cache-Control': 'no-store',
      });
      res.end();
      return;
    }

    if (!access.allows(req.headers)) {
      if (path.startsWith('/api/') || path === '/metrics') {
        const outcome = failure('forbidden', 'Missing or wrong access token.');
        return sendJson(res, 401, outcome.result, { 'WWW-Authenticate': 'Bearer realm="magnus-sync"' });
      }
      return sendLoginRequired(res, 'This page needs the access token.');
    }

    if (path.startsWith('/api/call/')) {
      if (method !== 'POST') {
        const outcome = failure('invalid-request', 'Calls use POST with a JSON body.');
        return sendJson(res, 405, outcome.result, { Allow: 'POST' });
      }
      if (!sameOrigin(req.headers, allowedHosts)) {
        return sendCallOutcome(res, failure('forbidden', 'Cross-origin calls are not allowed.'));
      }
      // Connection: close makes node drop the socket after the answer instead of draining the body.
      if (declaredTooLarge(req, maxBodyBytes)) {
        const outcome = failure('invalid-request', `Request body is larger than ${maxBodyBytes} bytes.`);
        return sendJson(res, 413, outcome.result, { Connection: 'close' });
      }
      const body = await readJsonBody(req, maxBodyBytes);
      switch (body.kind) {
        case 'aborted':
          return;
        case 'too-large': {
          const outcome = failure('invalid-request', `Request body is larger than ${maxBodyBytes} bytes.`);
          return sendJson(res, 413, outcome.result, { Connection: 'close' });
        }
        case 'bad-type':
          return sendJson(
            res,
            415,
            failure('invalid-request', 'Send the call body as application/json.').result,
          );
        case 'bad-json':
          return sendCallOutcome(res, failure('invalid-request', 'Request body is not valid JSON.'));
        case 'ok':
          return sendCallOutcome(
            res,
            await dispatchCall(runtime.handlers, path.slice('/api/call/'.length), body.value, logger),
          );
      }
    }

    if (!isRead) return sendText(res, 405, 'Method not allowed.', { Allow: 'GET, HEAD' });

    if (path === '/api/events') {
      if (hub.full) return sendText(res, 503, 'Too many open event streams.');
      hub.attach(res);
      return;
    }
    if (path.startsWith('/api/')) return sendCallOutcome(res, failure('unknown-call', 'No such API route.'));

    if (path === '/metrics') {
      const metrics = await runtime.metrics();
      res.writeHead(200, {
        'Content-Type': metrics.contentType,
        'Content-Length': Buffer.byteLength(metrics.body),
        'Cache-Control': 'no-store',
      });
      res.end(method === 'HEAD' ? undefined : metrics.body);
      return;
    }

    if (path === '/') {
      res.writeHead(303, { Location: '/status.html', 'Cache-Control': 'no-store' });
      res.end();
      return;
    }

    const found = await lookupStatic(staticDir, path);
    if (found.kind === 'bad-path') return sendText(res, 400, 'Bad path.');
    if (found.kind === 'not-found') return sendText(res, 404, 'Not found.');
    res.writeHead(200, {
      'Content-Type': found.contentType,
      'Content-Length': found.size,
      // Hashed asset names change with every build; pages are re-read every time.
      'Cache-Control': path.startsWith('/assets/') ? 'private, max-age=31536000, immutable' : 'no-cache',
    });
    if (method === 'HEAD') {
      res.end();
      return;
    }
    openStatic(found.path)
      .on('error', () => res.destroy())
      .pipe(res);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      logger.error('web server: request failed', errorMeta(error));
      if (!res.headersSent) sendCallOutcome(res, failure('internal', 'Internal server error.'));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, bindHost, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  allowedHosts = buildHostAllowList(bindHost, port, options.allowedHosts);
  if (!isLoopbackHost(bindHost)) {
    logger.warn(
      'web server: listening on a non-loopback address; anyone who can reach it and has the token can use it',
      {
        host: bindHost,
        port,
      },
    );
  }
  const url = `http://${hostForUrl(WILDCARD_TO_LOOPBACK[bindHost] ?? bindHost)}:${port}`;
  logger.info('web server: listening', { url });

  return {
    url,
    token: access.token,
    loginUrl: `${url}/?token=${encodeURIComponent(access.token)}`,
    eventClientCount: () => hub.clientCount,
    close: async () => {
      hub.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
