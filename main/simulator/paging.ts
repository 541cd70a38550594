/**
 * Cursor pagination and batch parameters the way the real API does them (docs/broker-api.md#pagination, docs/broker-api.md#quotes, docs/broker-api.md#request-counts):
 * `{previous, next, results}` with absolute `next` URLs that keep every other filter; the cursor is
 * base64 of "p=<offset>" (DRF style); `page_size` overrides the default. Batch parameters are comma
 * lists answered in request order, with null for unknown items and a cap on their number.
 */
import { detail, type Reply, type RouteContext, type SimHttpRequest } from './routing.js';

export const MAX_PAGE_SIZE = 1000;

export interface Page<T> {
  items: T[];
  next: string | null;
  previous: string | null;
}

function decodeCursor(cursor: string | null): number | null {
  if (cursor === null || cursor === '') return 0;
  try {
    const decoded = Buffer.from(cursor, 'base64').toString('utf8');
    const match = /^p=(\d+)$/.exec(decoded);
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

function encodeCursor(offset: number): string {
  return Buffer.from(`p=${offset}`, 'utf8').toString('base64').replace(/=+$/, '');
}

function pageUrl(request: SimHttpRequest, ctx: RouteContext, offset: number): string {
  const url = new URL(`${ctx.base}${request.path}`);
  const params = new URLSearchParams(request.query);
  params.delete('cursor');
  const rest = params.toString();
  url.search = offset === 0 ? rest : `cursor=${encodeCursor(offset)}${rest ? `&${rest}` : ''}`;
  return url.href;
}

/** One page of `items` for this request, or a 400/404 reply for a bad cursor or page size. */
export function paginate<T>(
  request: SimHttpRequest,
  ctx: RouteContext,
  items: readonly T[],
): Page<T> | Reply {
  const offset = decodeCursor(request.query.get('cursor'));
  if (offset === null) return detail(404, 'Invalid cursor');
  let size = ctx.pageSize;
  const requested = request.query.get('page_size');
  if (requested !== null) {
    const n = Number(requested);
    if (!Number.isInteger(n) || n < 1) return detail(400, 'Invalid page size.');
    size = Math.min(n, MAX_PAGE_SIZE);
  }
  const slice = items.slice(offset, offset + size);
  return {
    items: slice,
    next: offset + size < items.length ? pageUrl(request, ctx, offset + size) : null,
    previous: offset > 0 ? pageUrl(request, ctx, Math.max(0, offset - size)) : null,
  };
}

export function isReply(value: unknown): value is Reply {
  return (
    typeof value === 'object' &&
    value !== null &&
    'status' in value &&
    typeof (value as Reply).status === 'number'
  );
}

/** A paginated list reply with the envelope of the real API. */
export function listReply<T>(
  request: SimHttpRequest,
  ctx: RouteContext,
  items: readonly T[],
  render: (item: T) => unknown,
): Reply {
  const page = paginate(request, ctx, items);
  if (isReply(page)) return page;
  return { status: 200, body: { next: page.next, previous: page.previous, results: page.items.map(render) } };
}

/** The comma list of a batch parameter, or null when absent. Empty entries are dropped. */
export function batchParam(request: SimHttpRequest, name: string): string[] | null {
  const raw = request.query.get(name);
  if (raw === null) return null;
  return raw
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

/** 400 when a batch carries more than the limit (clients split on "too many"). */
export function batchTooBig(ctx: RouteContext, name: string, values: readonly string[]): Reply | null {
  if (values.length <= ctx.batchLimit) return null;
  return detail(400, `Too many ${name} requested (${values.length}); the maximum is ${ctx.batchLimit}.`);
}

/** Results in request order, null for the unknown ones. */
export function batchReply<T>(
  values: readonly string[],
  find: (value: string) => T | undefined,
  render: (item: T) => unknown,
  envelope: 'results' | 'paginated',
): Reply {
  const results = values.map((value) => {
    const item = find(value);
    return item === undefined ? null : render(item);
  });
  return ok200(envelope === 'paginated' ? { next: null, previous: null, results } : { results });
}

function ok200(body: unknown): Reply {
  return { status: 200, body };
}
