/**
 * The client's portfolio calls added for issue 13: `GET /portfolios/` as one list for every
 * account, and `GET /portfolios/historicals/{n}/` (docs/broker-api.md#portfolio-history) with its span/interval pairs, bars
 * whose close is null, a bar it cannot read (skipped and reported) and a malformed envelope (fails).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RobinhoodClient } from '../../main/broker/robinhood/client.js';
import { PayloadError } from '../../main/broker/robinhood/errors.js';
import { historicalBalances } from '../../main/engine/portfolio-history.js';
import { makeHttp, staticAuth } from './helpers/harness.js';
import { fixtureAt, type Handler, startServer, type TestServer } from './helpers/server.js';

// biome-ignore lint/suspicious/noExplicitAny: payloads are free-form JSON in tests
type Json = Record<string, any>;
const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function setup(handler: Handler) {
  const server = await startServer(handler);
  servers.push(server);
  const { http, logger } = makeHttp(server.url, { auth: staticAuth() });
  return { server, client: new RobinhoodClient(http, { logger }), logger };
}

const bar = (day: string, open: string, close: string | null, session = 'reg'): Json => ({
  begins_at: `${day}T00:00:00Z`,
  open_equity: open,
  close_equity: close,
  adjusted_open_equity: open,
  adjusted_close_equity: close,
  open_market_value: '5000.0000',
  close_market_value: close === null ? null : '5100.0000',
  net_return: '0.0000',
  session,
});

const history = (bars: Json[]): Json => ({
  span: 'year',
  bounds: 'regular',
  interval: 'day',
  previous_close_equity: '8000.0000',
  open_equity: '8000.0000',
  open_time: '2025-03-03T14:30:00Z',
  total_return: '0.0100',
  use_new_hp: true,
  equity_historicals: bars,
});

describe('portfolio history', () => {
  it('asks for the span, interval and regular bounds, and reads each bar', async () => {
    const { server, client } = await setup(() => ({
      json: history([
        bar('2025-03-03', '8000.0000', '8050.2500'),
        bar('2025-03-04', '8050.2500', null),
        { ...bar('2025-03-05', '8060.0000', '8070.0000'), close_equity: 12.5 },
      ]),
    }));
    const result = await client.getPortfolioHistory('5QR24141', { span: 'year', interval: 'day' });
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]!.path).toBe('/portfolios/historicals/5QR24141/');
    expect(Object.fromEntries(server.requests[0]!.query)).toEqual({
      span: 'year',
      interval: 'day',
      bounds: 'regular',
    });
    expect(result.bars.map((b) => [b.begins_at, b.close_equity])).toEqual([
      ['2025-03-03T00:00:00Z', '8050.2500'],
      ['2025-03-04T00:00:00Z', null],
    ]);
    expect(result.rejected).toMatchObject([{ index: 2, fieldPath: 'results[2].close_equity' }]);
  });

  it('refuses pairs the broker rejects before sending anything; a malformed body fails the call', async () => {
    const { server, client } = await setup(() => ({ json: { span: 'year', equity_historicals: 'none' } }));
    await expect(
      client.getPortfolioHistory('5QR24141', { span: 'all', interval: '5minute' as never }),
    ).rejects.toThrow(TypeError);
    await expect(
      client.getPortfolioHistory('5QR24141', { span: 'year', interval: 'day', bounds: 'extended' }),
    ).rejects.toThrow(TypeError);
    expect(server.requests).toHaveLength(0);
    await expect(
      client.getPortfolioHistory('5QR24141', { span: 'year', interval: 'day' }),
    ).rejects.toBeInstanceOf(PayloadError);
  });

  it('turns daily bars into closing balances: the open when the close is null, regular session, before today', () => {
    const bars = [
      bar('2025-03-06', '8000.0000', '8050.2500'),
      bar('2025-03-07', '8050.2500', null),
      bar('2025-03-07', '8050.2500', '9999.0000', 'post'),
      bar('2025-03-08', '8050.0000', '8050.0000'), // a Saturday
      bar('2025-03-10', '8100.0000', '8120.0000'), // today: the app records it
    ];
    const parsed = bars.map((b) => ({ ...b, adjusted_open_equity: b.open_equity }));
    expect(historicalBalances(parsed as never, '2025-03-10')).toEqual([
      { date: '2025-03-06', endingBalance: '8050.2500' },
      { date: '2025-03-07', endingBalance: '8050.2500' },
    ]);
  });
});

describe('portfolios', () => {
  it('lists the portfolio of every account in one request, each with its account number', async () => {
    const { server, client } = await setup(() => {
      const one = fixtureAt<Json>('portfolio.json', server.url);
      const other = {
        ...one,
        url: `${server.url}/portfolios/9XY00017/`,
        account: `${server.url}/accounts/9XY00017/`,
        equity: '12.0000',
      };
      return { json: { next: null, previous: null, results: [one, other] } };
    });
    const listed = await client.listPortfolios();
    expect(server.requests.map((r) => r.path)).toEqual(['/portfolios/']);
    expect(listed.items.map((p) => p.account_number)).toEqual(['5QR24141', '9XY00017']);
    expect(listed.items[1]!.equity).toBe('12.0000');
  });
});
