import { afterEach, describe, expect, it } from 'vitest';
import { RobinhoodClient } from '../../main/broker/robinhood/client.js';
import { HttpStatusError, PayloadError } from '../../main/broker/robinhood/errors.js';
import { makeHttp, staticAuth } from './helpers/harness.js';
import {
  fixtureAt,
  type Handler,
  type RecordedRequest,
  startServer,
  type TestServer,
} from './helpers/server.js';

// biome-ignore lint/suspicious/noExplicitAny: recorded payloads are free-form JSON, edited freely in tests
type Json = Record<string, any>;
const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** uuid-shaped ids: 00000000-0000-4000-8000-000000000001 … */
const idOf = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const ids = (count: number) => Array.from({ length: count }, (_, i) => idOf(i + 1));

async function setup(handler: Handler, options: { batchSize?: number } = {}) {
  const server = await startServer(handler);
  servers.push(server);
  const { http, logger } = makeHttp(server.url, { auth: staticAuth() });
  const client = new RobinhoodClient(http, { logger, ...options });
  return { server, client, http, logger };
}

/** A batch endpoint answering each requested id with `make(id)`, or null for ids in `unknown`. */
function batch(make: (id: string, base: string) => Json, unknown = new Set<string>(), base = () => '') {
  return (r: RecordedRequest) => {
    const requested = (r.query.get('ids') ?? '').split(',').filter(Boolean);
    return {
      json: {
        next: null,
        previous: null,
        results: requested.map((id) => (unknown.has(id) ? null : make(id, base()))),
      },
    };
  };
}

const instrumentFor = (id: string, base: string): Json => ({
  ...fixtureAt<Json>('instrument.json', base),
  id,
  url: `${base}/instruments/${id}/`,
  symbol: `S${id.slice(-4)}`,
});
const quoteFor = (id: string, base: string): Json => ({
  ...(fixtureAt<Json>('marketdata-quotes.json', base)['results'][0] as Json),
  instrument_id: id,
  instrument: `${base}/instruments/${id}/`,
});

describe('list endpoints', () => {
  it('listAccounts asks for every account and follows pages', async () => {
    let base = '';
    const { server, client } = await setup((r) => {
      const page = fixtureAt<Json>('accounts.json', base);
      if (!r.query.get('cursor')) {
        page['next'] = `${base}/accounts/?cursor=cD0x&default_to_all_accounts=true`;
        return { json: page };
      }
      page['results'][0]['account_number'] = '7IRA0001';
      page['results'][0]['type'] = 'cash';
      return { json: page };
    });
    base = server.url;
    const result = await client.listAccounts();
    expect(server.requests[0]?.url).toBe(
      '/accounts/?default_to_all_accounts=true&include_managed=true&include_multiple_individual=true',
    );
    expect(server.requests).toHaveLength(2);
    expect(result.items.map((a) => a.account_number)).toEqual(['5QR24141', '7IRA0001']);
    expect(result.rejected).toEqual([]);
  });

  it('getPortfolio reads /portfolios/{n}/', async () => {
    let base = '';
    const { server, client } = await setup(() => ({ json: fixtureAt('portfolio.json', base) }));
    base = server.url;
    const portfolio = await client.getPortfolio('5QR24141');
    expect(server.requests[0]?.path).toBe('/portfolios/5QR24141/');
    expect(portfolio.equity).toBe('9936.0700');
  });

  it('position, option and history listings send the documented filters', async () => {
    let base = '';
    const { server, client } = await setup((r) => {
      const files: Record<string, string> = {
        '/positions/': 'positions.json',
        '/options/positions/': 'option-positions.json',
        '/orders/': 'orders.json',
      };
      const file = files[r.path];
      if (file) {
        const body = fixtureAt<Json>(file, base);
        body['next'] = null;
        return { json: body };
      }
      if (r.path === '/options/aggregate_positions/')
        return { json: { next: null, results: [fixtureAt('option-aggregate-position.json', base)] } };
      if (r.path === '/options/orders/')
        return { json: { next: null, results: [fixtureAt('option-order.json', base)] } };
      if (r.path === '/dividends/')
        return { json: { next: null, results: [fixtureAt('dividend.json', base)] } };
      if (r.path === '/options/events/') return { json: { next: null, results: [] } };
      return { status: 404, json: { detail: 'Not found.' } };
    });
    base = server.url;
    expect((await client.listStockPositions('5QR24141')).items[0]?.quantity).toBe('1.00000000');
    expect((await client.listOptionPositions('5QR24141')).items[0]?.type).toBe('short');
    expect((await client.listOptionAggregatePositions('5QR24141')).items[0]?.legs).toHaveLength(1);
    const since = new Date('2024-01-01T00:00:00Z');
    expect(
      (await client.listStockOrders({ accountNumber: '5QR24141', updatedSince: since })).items[0]?.state,
    ).toBe('filled');
    expect(
      (await client.listOptionOrders({ accountNumber: '5QR24141', updatedSince: '2025-03-01T00:00:00Z' }))
        .items,
    ).toHaveLength(1);
    expect((await client.listStockOrders({ accountNumber: '5QR24141' })).items).toHaveLength(1);
    expect((await client.listDividends({ accountNumber: '5QR24141' })).items[0]?.amount).toBe('11.19');
    expect((await client.listOptionEvents({ accountNumber: '5QR24141' })).items).toEqual([]);
    expect(server.requests.map((r) => r.url)).toEqual([
      '/positions/?nonzero=true&account_number=5QR24141',
      '/options/positions/?nonzero=True&account_numbers=5QR24141',
      '/options/aggregate_positions/?nonzero=True&account_numbers=5QR24141',
      '/orders/?account_numbers=5QR24141&updated_at%5Bgte%5D=2024-01-01T00%3A00%3A00.000Z',
      '/options/orders/?account_numbers=5QR24141&updated_at%5Bgte%5D=2025-03-01T00%3A00%3A00.000Z',
      '/orders/?account_numbers=5QR24141',
      '/dividends/?account_numbers=5QR24141',
      '/options/events/?account_numbers=5QR24141',
    ]);
  });

  it('follows the absolute next link of /orders/ with its cursor and filters', async () => {
    let base = '';
    const { server, client } = await setup((r) => {
      const body = fixtureAt<Json>('orders.json', base);
      if (r.query.get('cursor')) {
        body['next'] = null;
        body['results'][0]['id'] = 'second-page-order';
      }
      return { json: body };
    });
    base = server.url;
    const orders = await client.listStockOrders({
      accountNumber: '5QR24141',
      updatedSince: new Date('2024-01-01T00:00:00Z'),
    });
    expect(orders.items.map((o) => o.id)).toEqual([
      '845e0a73-a84f-4212-b3f1-c58e45d4ca5a',
      'second-page-order',
    ]);
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1]?.query.get('cursor')).toBe(
      'cD0yMDI0LTAxLTE0KzAwJTNBMzIlM0EyNy45NDgzMTclMkIwMCUzQTAw',
    );
    expect(server.requests[1]?.query.get('updated_at[gte]')).toBe('2024-01-01T00:00:00Z');
  });

  it('skips and reports a bad row, but a malformed envelope fails the call', async () => {
    let base = '';
    const { server, client, logger } = await setup((r) => {
      if (r.path === '/options/positions/') return { json: { next: null, results: 'oops' } };
      const body = fixtureAt<Json>('positions.json', base);
      const bad = {
        ...body['results'][0],
        instrument_id: '11111111-2222-4333-8444-555555555555',
        quantity: null,
      };
      body['results'].push(bad);
      return { json: body };
    });
    base = server.url;
    const positions = await client.listStockPositions('497177477');
    expect(positions.items).toHaveLength(1);
    expect(positions.rejected).toEqual([
      {
        index: 1,
        id: '11111111-2222-4333-8444-555555555555',
        fieldPath: 'results[1].quantity',
        problem: 'expected a decimal string',
        // The item as it came, for the quarantine.
        raw: expect.objectContaining({
          instrument_id: '11111111-2222-4333-8444-555555555555',
          quantity: null,
        }),
      },
    ]);
    expect(logger.records.filter((r) => r.level === 'warn')).toHaveLength(1);
    await expect(client.listOptionPositions('497177477')).rejects.toBeInstanceOf(PayloadError);
  });

  it('refuses a malformed account number without sending anything', async () => {
    const { server, client } = await setup(() => ({ json: {} }));
    await expect(client.listStockPositions('../oauth2/')).rejects.toBeInstanceOf(TypeError);
    await expect(client.getPortfolio('5QR24141&x=1')).rejects.toBeInstanceOf(TypeError);
    expect(server.requests).toHaveLength(0);
  });
});

describe('batch endpoints', () => {
  it('ids go 100 to a request by default: 250 quotes take 3 requests', async () => {
    let base = '';
    const { server, client } = await setup(batch(quoteFor, new Set(), () => base));
    base = server.url;
    const result = await client.getQuotes(ids(250));
    expect(server.requests.map((r) => r.query.get('ids')?.split(',').length)).toEqual([100, 100, 50]);
    expect(result.byId.size).toBe(250);
  });

  it('instruments for 120 ids take exactly 3 requests of at most 50 ids (batchSize 50)', async () => {
    let base = '';
    const { server, client } = await setup(
      batch(instrumentFor, new Set(), () => base),
      { batchSize: 50 },
    );
    base = server.url;
    const result = await client.getInstruments([...ids(120), idOf(7)]); // a duplicate is sent once
    expect(server.requests).toHaveLength(3);
    expect(server.requests.map((r) => r.query.get('ids')?.split(',').length)).toEqual([50, 50, 20]);
    expect(server.requests.every((r) => r.path === '/instruments/')).toBe(true);
    expect(result.byId.size).toBe(120);
    expect(result.byId.get(idOf(42))?.symbol).toBe('S0042');
    expect(result.missing).toEqual([]);
  });

  it('every batch endpoint uses its path and ?ids=', async () => {
    let base = '';
    const { server, client } = await setup(
      (r) => {
        const make: Record<string, (id: string) => Json> = {
          '/marketdata/quotes/': (id) => quoteFor(id, base),
          '/options/instruments/': (id) => ({ ...fixtureAt<Json>('option-instrument.json', base), id }),
          '/marketdata/options/': (id) => ({
            ...(fixtureAt<Json>('marketdata-options.json', base)['results'][0] as Json),
            instrument_id: id,
          }),
        };
        const fn = make[r.path];
        return fn ? batch(fn)(r) : { status: 404 };
      },
      { batchSize: 50 },
    );
    base = server.url;
    expect((await client.getQuotes(ids(2))).byId.get(idOf(2))?.last_trade_price).toBe('182.520000');
    expect((await client.getOptionInstruments(ids(51))).byId.get(idOf(51))?.strike_price).toBe('275.0000');
    expect((await client.getOptionMarketData(ids(3))).byId.get(idOf(1))?.delta).toBe('0.648348');
    expect(server.requests.map((r) => r.path)).toEqual([
      '/marketdata/quotes/',
      '/options/instruments/',
      '/options/instruments/',
      '/marketdata/options/',
    ]);
    expect(server.requests[0]?.query.get('ids')).toBe(`${idOf(1)},${idOf(2)}`);
  });

  it('null entries are reported as missing and logged', async () => {
    let base = '';
    const unknown = new Set([idOf(2), idOf(5)]);
    const { server, client, logger } = await setup(batch(quoteFor, unknown, () => base));
    base = server.url;
    const result = await client.getQuotes(ids(6));
    expect([...result.byId.keys()]).toEqual([idOf(1), idOf(3), idOf(4), idOf(6)]);
    expect(result.missing).toEqual([idOf(2), idOf(5)]);
    expect(result.rejected).toEqual([]);
    const warning = logger.records.find((r) => r.level === 'warn');
    expect(warning?.meta).toMatchObject({ endpoint: 'GET /marketdata/quotes/', missing: 2, of: 6 });
  });

  it('a 414 splits the chunk in half until it fits (exact request count)', async () => {
    let base = '';
    const answer = batch(instrumentFor, new Set(), () => base);
    const { server, client } = await setup((r) => {
      const count = (r.query.get('ids') ?? '').split(',').length;
      return count > 20 ? { status: 414, body: 'Request-URI Too Long' } : answer(r);
    });
    base = server.url;
    const result = await client.getInstruments(ids(50));
    // 50 → 414; 25 → 414 → 13 + 12; 25 → 414 → 13 + 12
    expect(server.requests.map((r) => (r.query.get('ids') ?? '').split(',').length)).toEqual([
      50, 25, 13, 12, 25, 13, 12,
    ]);
    expect(result.byId.size).toBe(50);
  });

  it('a 400 "too many ids" splits too; any other 400 fails without splitting', async () => {
    let base = '';
    const answer = batch(instrumentFor, new Set(), () => base);
    const { server, client } = await setup((r) => {
      const count = (r.query.get('ids') ?? '').split(',').length;
      if (r.path === '/options/instruments/') return { status: 400, json: { detail: 'Invalid option id.' } };
      return count > 30
        ? { status: 400, json: { detail: 'Too many ids requested (maximum 30).' } }
        : answer(r);
    });
    base = server.url;
    expect((await client.getInstruments(ids(40))).byId.size).toBe(40);
    expect(server.requests).toHaveLength(3);
    await expect(client.getOptionInstruments(ids(40))).rejects.toBeInstanceOf(HttpStatusError);
    expect(server.requests).toHaveLength(4);
  });

  it('P positions cost O(P/50) requests: 120 positions → 1 + 3 + 3', async () => {
    let base = '';
    const { server, client, http } = await setup(
      (r) => {
        if (r.path === '/positions/') {
          const template = fixtureAt<Json>('positions.json', base)['results'][0] as Json;
          return {
            json: {
              next: null,
              results: ids(120).map((id) => ({
                ...template,
                instrument_id: id,
                instrument: `${base}/instruments/${id}/`,
              })),
            },
          };
        }
        if (r.path === '/instruments/') return batch(instrumentFor, new Set(), () => base)(r);
        return batch(quoteFor, new Set(), () => base)(r);
      },
      { batchSize: 50 },
    );
    base = server.url;
    const mark = http.requestLog.mark();
    const positions = await client.listStockPositions('497177477');
    const instrumentIds = positions.items.map((p) => p.instrument_id);
    const instruments = await client.getInstruments(instrumentIds);
    const quotes = await client.getQuotes(instrumentIds);
    expect(instruments.byId.size).toBe(120);
    expect(quotes.byId.size).toBe(120);
    expect(http.requestLog.countSince(mark)).toBe(7);
  });

  it('refuses ids that would break the query string', async () => {
    const { server, client } = await setup(() => ({ json: { results: [] } }));
    await expect(client.getQuotes(['ok-id', 'bad,id'])).rejects.toBeInstanceOf(TypeError);
    expect(server.requests).toHaveLength(0);
  });
});
