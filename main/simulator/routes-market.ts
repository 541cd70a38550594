/**
 * Instruments, quotes, fundamentals, option instruments, chains and option market data
 * (docs/broker-api.md#instruments, docs/broker-api.md#quotes, docs/broker-api.md#option-instruments, docs/broker-api.md#option-market-data): the batch forms (`ids`, `symbols`, `instruments` URLs) and the
 * one-at-a-time forms the per-position pattern of popular open-source clients uses.
 */
import { Dec } from '../util/money.js';
import { idFromUrl } from './ids.js';
import { batchParam, batchReply, batchTooBig, listReply } from './paging.js';
import {
  fundamentalsPayload,
  instrumentPayload,
  optionChainPayload,
  optionInstrumentPayload,
  optionMarketDataPayload,
  quotePayload,
} from './payloads.js';
import {
  detail,
  notFound,
  ok,
  type Reply,
  type Route,
  type RouteContext,
  route,
  type SimHttpRequest,
} from './routing.js';
import type { SimInstrument, SimQuote } from './types.js';

/** The first batch parameter present among `names`, checked against the batch limit. */
function batch(
  request: SimHttpRequest,
  ctx: RouteContext,
  names: readonly string[],
): { name: string; values: string[] } | Reply | null {
  for (const name of names) {
    const values = batchParam(request, name);
    if (values === null) continue;
    return batchTooBig(ctx, name, values) ?? { name, values };
  }
  return null;
}

function isBatch(value: unknown): value is { name: string; values: string[] } {
  return typeof value === 'object' && value !== null && 'values' in value;
}

export function marketRoutes(ctx: RouteContext): Route[] {
  const L = ctx.lookups;
  const instrumentById = (id: string) => L.instrument(id);
  const instrumentByUrl = (url: string) => {
    const id = idFromUrl(url);
    return id ? L.instrument(id) : undefined;
  };
  const quoteOf = (i: SimInstrument | undefined): SimQuote | undefined => (i ? L.quote(i.id) : undefined);
  const renderQuote = (q: SimQuote) => quotePayload(ctx, q);
  const renderFundamentals = (i: SimInstrument) => {
    const f = L.fundamentals(i.id);
    return f ? fundamentalsPayload(ctx, f, i.symbol) : null;
  };

  const quotes = (request: SimHttpRequest, names: string[]): Reply => {
    const b = batch(request, ctx, names);
    if (b === null) return detail(400, 'Provide symbols, ids or instruments.');
    if (!isBatch(b)) return b;
    const find =
      b.name === 'symbols'
        ? (v: string) => quoteOf(L.instrumentBySymbol(v))
        : b.name === 'ids'
          ? (v: string) => quoteOf(instrumentById(v))
          : (v: string) => quoteOf(instrumentByUrl(v));
    return batchReply(b.values, find, renderQuote, 'results');
  };

  return [
    // ---- instruments
    route('GET', '/instruments/', true, (request) => {
      const b = batch(request, ctx, ['ids']);
      if (b !== null)
        return isBatch(b)
          ? batchReply(b.values, instrumentById, (i) => instrumentPayload(ctx, i), 'paginated')
          : b;
      const symbol = request.query.get('symbol');
      const query = request.query.get('query')?.toLowerCase();
      let items = ctx.state.instruments;
      if (symbol !== null) items = items.filter((i) => i.symbol === symbol.toUpperCase());
      else if (query)
        items = items.filter(
          (i) => i.symbol.toLowerCase().includes(query) || i.name.toLowerCase().includes(query),
        );
      return listReply(request, ctx, items, (i) => instrumentPayload(ctx, i));
    }),
    route('GET', '/instruments/:id/', true, (_r, [id]) => {
      const i = instrumentById(id as string);
      return i ? ok(instrumentPayload(ctx, i)) : notFound();
    }),
    route('GET', '/instruments/:id/splits/', true, () => ok({ next: null, previous: null, results: [] })),
    route('GET', '/markets/:mic/', true, (_r, [mic]) =>
      ok({
        mic,
        acronym: mic,
        name: mic,
        city: 'New York',
        country: 'US',
        timezone: 'US/Eastern',
        website: null,
        url: `${ctx.base}/markets/${mic}/`,
      }),
    ),

    // ---- quotes
    route('GET', '/quotes/', true, (request) => quotes(request, ['symbols', 'instruments', 'ids'])),
    route('GET', '/quotes/:symbol/', true, (_r, [symbol]) => {
      const q = quoteOf(L.instrumentBySymbol(symbol as string));
      return q ? ok(renderQuote(q)) : notFound();
    }),
    route('GET', '/marketdata/quotes/', true, (request) =>
      quotes(request, ['ids', 'instruments', 'symbols']),
    ),
    route('GET', '/marketdata/quotes/:id/', true, (_r, [id]) => {
      const q = quoteOf(instrumentById(id as string) ?? L.instrumentBySymbol(id as string));
      return q ? ok(renderQuote(q)) : notFound();
    }),

    // ---- fundamentals
    route('GET', '/fundamentals/', true, (request) => {
      const b = batch(request, ctx, ['symbols', 'ids', 'instruments']);
      if (b === null) return detail(400, 'Provide symbols, ids or instruments.');
      if (!isBatch(b)) return b;
      const find =
        b.name === 'symbols'
          ? (v: string) => L.instrumentBySymbol(v)
          : b.name === 'ids'
            ? instrumentById
            : instrumentByUrl;
      return batchReply(b.values, find, renderFundamentals, 'results');
    }),
    route('GET', '/fundamentals/:symbol/', true, (_r, [symbol]) => {
      const i = L.instrumentBySymbol(symbol as string) ?? instrumentById(symbol as string);
      const body = i ? renderFundamentals(i) : null;
      return body ? ok(body) : notFound();
    }),
    route('GET', '/marketdata/fundamentals/:id/', true, (_r, [id]) => {
      const i = instrumentById(id as string);
      const body = i ? renderFundamentals(i) : null;
      return body ? ok(body) : notFound();
    }),

    // ---- option instruments and chains
    route('GET', '/options/instruments/', true, (request) => {
      const b = batch(request, ctx, ['ids']);
      if (b !== null)
        return isBatch(b)
          ? batchReply(
              b.values,
              (id) => L.option(id),
              (o) => optionInstrumentPayload(ctx, o),
              'paginated',
            )
          : b;
      const q = request.query;
      const chainIds = batchParam(request, 'chain_id');
      const dates = batchParam(request, 'expiration_dates');
      const strike = q.get('strike_price');
      const type = q.get('type');
      const states = batchParam(request, 'state');
      const items = ctx.state.optionInstruments.filter(
        (o) =>
          (!chainIds || chainIds.includes(o.chainId)) &&
          (!dates || dates.includes(o.expirationDate)) &&
          (strike === null || safeEq(o.strikePrice, strike)) &&
          (type === null || o.type === type) &&
          (!states || states.includes(o.state)),
      );
      return listReply(request, ctx, items, (o) => optionInstrumentPayload(ctx, o));
    }),
    route('GET', '/options/instruments/:id/', true, (_r, [id]) => {
      const o = L.option(id as string);
      return o ? ok(optionInstrumentPayload(ctx, o)) : notFound();
    }),
    route('GET', '/options/chains/', true, (request) => {
      const b = batch(request, ctx, ['ids', 'equity_instrument_ids']);
      if (b === null)
        return listReply(request, ctx, ctx.state.optionChains, (c) => optionChainPayload(ctx, c));
      if (!isBatch(b)) return b;
      const items =
        b.name === 'ids'
          ? ctx.state.optionChains.filter((c) => b.values.includes(c.id))
          : ctx.state.optionChains.filter((c) => b.values.includes(c.underlyingInstrumentId));
      return listReply(request, ctx, items, (c) => optionChainPayload(ctx, c));
    }),
    route('GET', '/options/chains/:id/', true, (_r, [id]) => {
      const c = L.chain(id as string);
      return c ? ok(optionChainPayload(ctx, c)) : notFound();
    }),

    // ---- option market data
    route('GET', '/marketdata/options/', true, (request) => {
      const b = batch(request, ctx, ['ids', 'instruments']);
      if (b === null) return detail(400, 'Provide ids or instruments.');
      if (!isBatch(b)) return b;
      if (b.name === 'instruments' && b.values.some((v) => !/^https?:\/\//i.test(v)))
        return { status: 400, body: { instruments: ['Enter a valid URL.'] } };
      const toId = b.name === 'ids' ? (v: string) => v : (v: string) => idFromUrl(v) ?? '';
      return batchReply(
        b.values,
        (v) => L.optionMarketData(toId(v)),
        (m) => optionMarketDataPayload(ctx, m),
        'results',
      );
    }),
    route('GET', '/marketdata/options/:id/', true, (_r, [id]) => {
      const m = L.optionMarketData(id as string);
      return m ? ok(optionMarketDataPayload(ctx, m)) : notFound();
    }),
  ];
}

function safeEq(a: string, b: string): boolean {
  try {
    return new Dec(a).eq(new Dec(b));
  } catch {
    return false;
  }
}
