/**
 * What a route sees and answers. Routes are plain functions over a parsed request; the server
 * (server.ts) does sockets, latency, rate limits, faults and the request log around them.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { PayloadContext } from './payloads.js';

export interface SimHttpRequest {
  method: string;
  /** The request URL resolved against the simulator's base URL. */
  url: URL;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** Form fields or a JSON object body; {} when there is none. */
  body: Record<string, unknown>;
  /** The username behind the bearer token, for routes that require one. */
  user: string | null;
}

export interface Reply {
  status: number;
  /** JSON body; undefined sends an empty body. */
  body?: unknown;
  headers?: Record<string, string>;
}

export interface RouteContext extends PayloadContext {
  /** Default page size of list endpoints. */
  pageSize: number;
  /** Most ids/symbols/URLs one batch request may carry. */
  batchLimit: number;
  now(): Date;
}

export interface Route {
  method: 'GET' | 'POST';
  pattern: RegExp;
  /** Requires a valid bearer token. */
  auth: boolean;
  handle(request: SimHttpRequest, params: string[]): Reply;
}

export const ok = (body: unknown): Reply => ({ status: 200, body });
export const detail = (status: number, text: string): Reply => ({ status, body: { detail: text } });
export const notFound = (): Reply => detail(404, 'Not found.');

/** A route on GET; `:x` segments become capture groups; the trailing slash is optional when `loose`. */
export function route(
  method: 'GET' | 'POST',
  path: string,
  auth: boolean,
  handle: Route['handle'],
  options: { optionalSlash?: boolean } = {},
): Route {
  const body = path
    .replace(/\/$/, '')
    .split('/')
    .map((segment) => (segment.startsWith(':') ? '([^/]+)' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  const pattern = new RegExp(`^${body}${options.optionalSlash ? '/?' : '/'}$`);
  return { method, pattern, auth, handle };
}

/** Truthy query/form values the way clients send them: true/True/1 (and Python's "True"). */
export function truthy(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  return typeof value === 'string' && /^(true|1|yes)$/i.test(value.trim());
}

export function text(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return null;
}

/**
 * The DRF 429: `Retry-After: N` when `header`, and "Expected available in N seconds." in the detail
 * when `message` (clients fall back to that text when the header is missing).
 */
export function throttled(seconds: number, header: boolean, message: boolean): Reply {
  const text = message
    ? `Request was throttled. Expected available in ${seconds} seconds.`
    : 'Request was throttled.';
  return {
    status: 429,
    body: { detail: text },
    ...(header ? { headers: { 'Retry-After': String(seconds) } } : {}),
  };
}
