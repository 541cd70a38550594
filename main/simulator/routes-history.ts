/**
 * Trade history (docs/broker-api.md#history): stock and option orders (newest first, `updated_at[gte]` and the
 * other filters carried into `next`), dividends and option events.
 */
import { idFromUrl } from './ids.js';
import { batchParam, listReply } from './paging.js';
import {
  dividendPayload,
  newestFirst,
  optionEventPayload,
  optionOrderPayload,
  stockOrderPayload,
} from './payloads.js';
import {
  notFound,
  ok,
  type Reply,
  type Route,
  type RouteContext,
  route,
  type SimHttpRequest,
} from './routing.js';
import { parseFilterTime, timeToMicros } from './time.js';

type Predicate<T> = (item: T) => boolean;

/** updated_at[gte] / updated_at[lte] (raw or %-encoded brackets), or the 400 a bad value earns. */
function timeFilters<T>(
  request: SimHttpRequest,
  field: string,
  time: (item: T) => string,
): Predicate<T> | Reply {
  const checks: Predicate<T>[] = [];
  for (const [suffix, compare] of [
    ['gte', (a: number, b: number) => a >= b],
    ['lte', (a: number, b: number) => a <= b],
  ] as const) {
    const key = `${field}[${suffix}]`;
    const raw = request.query.get(key);
    if (raw === null) continue;
    const bound = parseFilterTime(raw);
    if (bound === null) return { status: 400, body: { [key]: ['Enter a valid date/time.'] } };
    checks.push((item) => compare(timeToMicros(time(item)), bound));
  }
  return (item) => checks.every((check) => check(item));
}

function listFilter(request: SimHttpRequest, name: string): Predicate<string> {
  const values = batchParam(request, name);
  if (values === null) return () => true;
  const set = new Set(values);
  return (value) => set.has(value);
}

function isReply(value: unknown): value is Reply {
  return typeof value === 'object' && value !== null && 'status' in value;
}

export function historyRoutes(ctx: RouteContext): Route[] {
  const L = ctx.lookups;
  return [
    route('GET', '/orders/', true, (request) => {
      const updated = timeFilters(request, 'updated_at', (o: { updatedAt: string }) => o.updatedAt);
      if (isReply(updated)) return updated;
      const created = timeFilters(request, 'created_at', (o: { createdAt: string }) => o.createdAt);
      if (isReply(created)) return created;
      const inAccount = listFilter(request, 'account_numbers');
      const states = listFilter(request, 'state');
      const instrumentUrl = request.query.get('instrument');
      const instrumentId =
        request.query.get('instrument_id') ?? (instrumentUrl ? idFromUrl(instrumentUrl) : null);
      const items = ctx.state.stockOrders.filter(
        (o) =>
          inAccount(o.accountNumber) &&
          states(o.state) &&
          (instrumentId === null || o.instrumentId === instrumentId) &&
          updated(o) &&
          created(o),
      );
      return listReply(
        request,
        ctx,
        newestFirst(items, (o) => o.createdAt),
        (o) => stockOrderPayload(ctx, o),
      );
    }),
    route('GET', '/orders/:id/', true, (_r, [id]) => {
      const o = L.stockOrder(id as string);
      return o ? ok(stockOrderPayload(ctx, o)) : notFound();
    }),

    route('GET', '/options/orders/', true, (request) => {
      const updated = timeFilters(request, 'updated_at', (o: { updatedAt: string }) => o.updatedAt);
      if (isReply(updated)) return updated;
      const created = timeFilters(request, 'created_at', (o: { createdAt: string }) => o.createdAt);
      if (isReply(created)) return created;
      const inAccount = listFilter(request, 'account_numbers');
      const chains = listFilter(request, 'chain_ids');
      const states = listFilter(request, 'state');
      const items = ctx.state.optionOrders.filter(
        (o) => inAccount(o.accountNumber) && chains(o.chainId) && states(o.state) && updated(o) && created(o),
      );
      return listReply(
        request,
        ctx,
        newestFirst(items, (o) => o.createdAt),
        (o) => optionOrderPayload(ctx, o),
      );
    }),
    route('GET', '/options/orders/:id/', true, (_r, [id]) => {
      const o = L.optionOrder(id as string);
      return o ? ok(optionOrderPayload(ctx, o)) : notFound();
    }),

    route('GET', '/dividends/', true, (request) => {
      const inAccount = listFilter(request, 'account_numbers');
      const instrument = listFilter(request, 'instrument_id');
      const items = ctx.state.dividends.filter(
        (d) => inAccount(d.accountNumber) && instrument(d.instrumentId),
      );
      const sorted = newestFirst(items, (d) => `${d.recordDate}T00:00:00Z`);
      return listReply(request, ctx, sorted, (d) => dividendPayload(ctx, d));
    }),
    route('GET', '/dividends/:id/', true, (_r, [id]) => {
      const d = L.dividend(id as string);
      return d ? ok(dividendPayload(ctx, d)) : notFound();
    }),

    route('GET', '/options/events/', true, (request) => {
      const updated = timeFilters(request, 'updated_at', (e: { updatedAt: string }) => e.updatedAt);
      if (isReply(updated)) return updated;
      const inAccount = listFilter(request, 'account_numbers');
      const chains = listFilter(request, 'chain_ids');
      const states = listFilter(request, 'states');
      const equity = request.query.get('equity_instrument_id');
      const items = ctx.state.optionEvents.filter(
        (e) =>
          inAccount(e.accountNumber) &&
          chains(e.chainId) &&
          states(e.state) &&
          updated(e) &&
          (equity === null || L.chain(e.chainId)?.underlyingInstrumentId === equity),
      );
      return listReply(
        request,
        ctx,
        newestFirst(items, (e) => e.createdAt),
        (e) => optionEventPayload(ctx, e),
      );
    }),
    route('GET', '/options/events/:id/', true, (_r, [id]) => {
      const e = L.optionEvent(id as string);
      return e ? ok(optionEventPayload(ctx, e)) : notFound();
    }),
  ];
}
