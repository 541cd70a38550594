/**
 * The data endpoints through the production client: pagination across pages, batching limits and
 * nulls, history filtered by updated_at, moving prices, and positions that equal the FIFO result of
 * the history the simulator serves.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Dec } from '../../main/util/money.js';
import { closeAll, connect } from './helpers.js';

afterEach(closeAll);

const FIRST = (sim: { state: { accounts: { accountNumber: string }[] } }) =>
  sim.state.accounts[0]!.accountNumber;

describe('pagination', () => {
  it('follows absolute next URLs that keep the filters, and the cursor also works re-sent with the params', async () => {
    const { sim, rh } = await connect({ sim: { pageSize: 7 } });
    const account = FIRST(sim);
    const orders = await rh.client.listStockOrders({ accountNumber: account });
    const expected = sim.state.stockOrders.filter((o) => o.accountNumber === account);
    expect(orders.items).toHaveLength(expected.length);
    expect(new Set(orders.items.map((o) => o.id)).size).toBe(expected.length);
    const pages = sim.requests.filter((r) => r.path === '/orders/');
    expect(pages).toHaveLength(Math.ceil(expected.length / 7));
    for (const page of pages) expect(page.query['account_numbers']).toBe(account);
    // Newest first.
    const created = orders.items.map((o) => o.created_at);
    expect([...created].sort().reverse()).toEqual(created);

    // mstrum style: the cursor alone with the original params; plus page_size.
    const first = await rh.http.getJson('/orders/', { account_numbers: account, page_size: 5 });
    const next = new URL((first as { next: string }).next);
    expect(next.origin).toBe(sim.url);
    expect(next.searchParams.get('page_size')).toBe('5');
    const cursor = next.searchParams.get('cursor')!;
    const second = (await rh.http.getJson('/orders/', {
      account_numbers: account,
      page_size: 5,
      cursor,
    })) as {
      results: { id: string }[];
      previous: string;
    };
    expect(second.results.map((o) => o.id)).toEqual(orders.items.slice(5, 10).map((o) => o.id));
    expect(second.previous).toContain(sim.url);
  });

  it('lists carry next and previous keys even on one page', async () => {
    const { rh } = await connect();
    const body = (await rh.http.getJson('/accounts/')) as Record<string, unknown>;
    expect(body).toMatchObject({ next: null, previous: null });
    expect(Array.isArray(body['results'])).toBe(true);
  });
});

describe('batching', () => {
  it('answers in request order with null for unknown ids; the client reports them missing', async () => {
    const { sim, rh } = await connect();
    const known = sim.state.instruments.slice(0, 3).map((i) => i.id);
    const unknown = '00000000-0000-4000-8000-000000000001';
    const quotes = await rh.client.getQuotes([known[0]!, unknown, known[1]!, known[2]!]);
    expect([...quotes.byId.keys()].sort()).toEqual([...known].sort());
    expect(quotes.missing).toEqual([unknown]);
    const raw = (await rh.http.getJson('/marketdata/quotes/', {
      ids: `${known[0]},${unknown},${known[1]}`,
    })) as {
      results: ({ instrument_id: string } | null)[];
    };
    expect(raw.results.map((r) => r?.instrument_id ?? null)).toEqual([known[0], null, known[1]]);
  });

  it('refuses batches over the limit with "too many", and the client splits them', async () => {
    const { sim, rh } = await connect({ sim: { batchLimit: 4 }, client: { batchSize: 10 } });
    const ids = sim.state.instruments.slice(0, 10).map((i) => i.id);
    const instruments = await rh.client.getInstruments(ids);
    expect(instruments.byId.size).toBe(10);
    const calls = sim.requests.filter((r) => r.path === '/instruments/');
    expect(calls[0]?.status).toBe(400);
    expect(calls.filter((c) => c.status === 200).every((c) => c.query['ids']!.split(',').length <= 4)).toBe(
      true,
    );
  });

  it('refuses over-long URLs with 414', async () => {
    const { sim, rh } = await connect({ sim: { maxUrlLength: 300 }, client: { batchSize: 20 } });
    const ids = sim.state.instruments.slice(0, 16).map((i) => i.id);
    expect(ids.length).toBeGreaterThan(10);
    const quotes = await rh.client.getQuotes(ids);
    expect(quotes.byId.size).toBe(ids.length);
    expect(sim.requests.some((r) => r.status === 414)).toBe(true);
  });

  it('option market data and instruments by ids, and the bare-id mistake on instruments= is a 400', async () => {
    const { sim, rh } = await connect();
    const active = sim.state.optionInstruments
      .filter((o) => o.state === 'active')
      .slice(0, 5)
      .map((o) => o.id);
    const expired = sim.state.optionInstruments.find((o) => o.state === 'expired')!.id;
    const data = await rh.client.getOptionMarketData([...active, expired]);
    expect([...data.byId.keys()].sort()).toEqual([...active].sort());
    expect(data.missing).toEqual([expired]);
    const instruments = await rh.client.getOptionInstruments([...active, expired]);
    expect(instruments.byId.size).toBe(6);
    const bare = await fetch(`${sim.url}/marketdata/options/?instruments=${active[0]}`, {
      headers: { Authorization: `Bearer ${await rh.session.accessToken()}` },
    });
    expect(bare.status).toBe(400);
  });
});

describe('history', () => {
  it('updated_at[gte] returns exactly the records updated since then', async () => {
    const { sim, rh } = await connect();
    const account = FIRST(sim);
    const all = sim.state.stockOrders
      .filter((o) => o.accountNumber === account)
      .map((o) => o.updatedAt)
      .sort();
    const since = all[Math.floor(all.length / 2)]!;
    const orders = await rh.client.listStockOrders({ accountNumber: account, updatedSince: since });
    const expected = sim.state.stockOrders.filter((o) => o.accountNumber === account && o.updatedAt >= since);
    expect(orders.items.map((o) => o.id).sort()).toEqual(expected.map((o) => o.id).sort());
    expect(orders.items.length).toBeLessThan(all.length);
    expect(sim.requests.at(-1)?.query['updated_at[gte]']).toBe(new Date(since).toISOString());

    const optionSince = '2026-02-01T00:00:00Z';
    const options = await rh.client.listOptionOrders({ accountNumber: account, updatedSince: optionSince });
    expect(options.items.map((o) => o.id).sort()).toEqual(
      sim.state.optionOrders
        .filter((o) => o.updatedAt >= optionSince)
        .map((o) => o.id)
        .sort(),
    );
  });

  it('a test can add and fill orders between cycles; the position follows', async () => {
    const { sim, rh } = await connect();
    const account = FIRST(sim);
    const since = new Date();
    const position = sim.state.stockPositions.find(
      (p) => p.accountNumber === account && new Dec(p.quantity).gt(0),
    )!;
    const symbol = sim.state.instruments.find((i) => i.id === position.instrumentId)!.symbol;
    const quantityBefore = position.quantity;
    const open = sim.addStockOrder({
      accountNumber: account,
      symbol,
      side: 'buy',
      quantity: '3',
      price: '10.00',
      state: 'confirmed',
    });
    const newer = await rh.client.listStockOrders({ accountNumber: account, updatedSince: since });
    expect(newer.items.map((o) => [o.id, o.state, o.cancel !== null])).toEqual([
      [open.id, 'confirmed', true],
    ]);
    sim.fillOrder(open.id);
    const positions = await rh.client.listStockPositions(account);
    const after = positions.items.find((p) => p.instrument_id === position.instrumentId)!;
    expect(new Dec(after.quantity).sub(3).eq(quantityBefore)).toBe(true);
    const filled = await rh.client.listStockOrders({ accountNumber: account, updatedSince: since });
    expect(filled.items.map((o) => [o.state, o.cumulative_quantity, o.average_price, o.cancel])).toEqual([
      ['filled', '3.00000000', '10.00000000', null],
    ]);
  });

  it('dividends and option events are listed per account', async () => {
    const { sim, rh } = await connect();
    const account = FIRST(sim);
    const dividends = await rh.client.listDividends({ accountNumber: account });
    expect(dividends.items).toHaveLength(
      sim.state.dividends.filter((d) => d.accountNumber === account).length,
    );
    const events = await rh.client.listOptionEvents({ accountNumber: account });
    expect(events.items).toHaveLength(3);
    expect(events.rejected).toEqual([]);
  });
});

describe('prices', () => {
  it('movePrices changes quotes and option marks deterministically, and the portfolio follows', async () => {
    const { sim, rh } = await connect();
    const account = FIRST(sim);
    const ids = sim.state.instruments.map((i) => i.id);
    const quotesBefore = await rh.client.getQuotes(ids);
    const portfolioBefore = await rh.client.getPortfolio(account);
    const marksBefore = sim.state.optionMarketData.map((m) => m.markPrice);
    const changed = sim.movePrices({ fraction: 1, maxPercent: 5, seed: 3 });
    expect(changed).toBeGreaterThanOrEqual(ids.length);
    const quotesAfter = await rh.client.getQuotes(ids);
    for (const id of ids)
      expect(quotesAfter.byId.get(id)!.last_trade_price).not.toBe(
        quotesBefore.byId.get(id)!.last_trade_price,
      );
    for (const id of ids) {
      const ratio = new Dec(quotesAfter.byId.get(id)!.last_trade_price!).div(
        quotesBefore.byId.get(id)!.last_trade_price!,
      );
      expect(ratio.sub(1).abs().lte('0.0501')).toBe(true);
    }
    expect(sim.state.optionMarketData.map((m) => m.markPrice)).not.toEqual(marksBefore);
    const portfolioAfter = await rh.client.getPortfolio(account);
    expect(portfolioAfter.market_value).not.toBe(portfolioBefore.market_value);

    // Same seed on the same prices → the same move.
    const twin = await connect();
    twin.sim.movePrices({ fraction: 1, maxPercent: 5, seed: 3 });
    expect(twin.sim.state.quotes.map((q) => q.lastTradePrice)).toEqual(
      sim.state.quotes.map((q) => q.lastTradePrice),
    );
    expect(sim.movePrices({ fraction: 0 })).toBe(0);
  });
});

describe('builder invariants seen through the API', () => {
  it('every stock position equals the FIFO of its fills and assignments', async () => {
    const { sim, rh } = await connect();
    for (const account of sim.state.accounts.map((a) => a.accountNumber)) {
      const orders = (await rh.client.listStockOrders({ accountNumber: account })).items;
      const events = (await rh.client.listOptionEvents({ accountNumber: account })).items;
      const positions = (await rh.http.getAllPages('/positions/', { account_number: account })) as {
        instrument_id: string;
        quantity: string;
        average_buy_price: string;
      }[];
      const flows = new Map<string, { at: string; q: Dec; price: Dec }[]>();
      const add = (id: string, at: string, q: Dec, price: Dec) =>
        flows.set(id, [...(flows.get(id) ?? []), { at, q, price }]);
      for (const o of orders)
        for (const e of o.executions)
          add(
            o.instrument_id,
            e.timestamp!,
            o.side === 'buy' ? new Dec(e.quantity) : new Dec(e.quantity).neg(),
            new Dec(e.price),
          );
      for (const ev of events)
        for (const c of ev.equity_components)
          add(
            c.instrument!.split('/').at(-2)!,
            ev.created_at!,
            c.side === 'buy' ? new Dec(c.quantity!) : new Dec(c.quantity!).neg(),
            new Dec(c.price!),
          );
      expect(positions.length).toBe(flows.size);
      for (const p of positions) {
        const lots: { q: Dec; price: Dec }[] = [];
        for (const f of (flows.get(p.instrument_id) ?? []).sort((a, b) => (a.at < b.at ? -1 : 1))) {
          if (f.q.gt(0)) lots.push({ q: f.q, price: f.price });
          let left = f.q.neg();
          while (left.gt(0)) {
            const lot = lots[0]!;
            const used = Dec.min(lot.q, left);
            lot.q = lot.q.sub(used);
            left = left.sub(used);
            if (lot.q.isZero()) lots.shift();
          }
        }
        const quantity = lots.reduce((s, l) => s.add(l.q), new Dec(0));
        expect(quantity.eq(p.quantity), p.instrument_id).toBe(true);
        if (quantity.gt(0)) {
          const average = lots.reduce((s, l) => s.add(l.q.mul(l.price)), new Dec(0)).div(quantity);
          expect(average.toDecimalPlaces(4).eq(p.average_buy_price)).toBe(true);
        }
      }
    }
  });

  it("option positions equal their legs' fills minus expirations/assignments; aggregates keep the opening direction", async () => {
    const { sim, rh } = await connect();
    const account = FIRST(sim);
    const orders = (await rh.client.listOptionOrders({ accountNumber: account })).items;
    const events = (await rh.client.listOptionEvents({ accountNumber: account })).items;
    const positions = (await rh.http.getAllPages('/options/positions/', { account_numbers: account })) as {
      option_id: string;
      type: string;
      quantity: string;
    }[];
    const held = new Map<string, Dec>();
    const bump = (key: string, q: Dec) => held.set(key, (held.get(key) ?? new Dec(0)).add(q));
    for (const o of orders)
      for (const leg of o.legs) {
        const side = (leg.side === 'buy') === (leg.position_effect === 'open') ? 'long' : 'short';
        for (const e of leg.executions)
          bump(
            `${leg.option_id}|${side}`,
            leg.position_effect === 'open' ? new Dec(e.quantity) : new Dec(e.quantity).neg(),
          );
      }
    for (const ev of events) {
      const position = positions.find((p) =>
        ev.position?.includes(`/${(p as unknown as { id: string }).id}/`),
      );
      bump(`${ev.option_id}|${position!.type}`, new Dec(ev.quantity!).neg());
    }
    expect(positions.length).toBe(held.size);
    for (const p of positions) expect(held.get(`${p.option_id}|${p.type}`)!.eq(p.quantity)).toBe(true);
    const open = await rh.client.listOptionPositions(account);
    expect(open.items).toHaveLength(8);

    const aggregates = (await rh.client.listOptionAggregatePositions(account)).items;
    expect(aggregates.length).toBeGreaterThan(0);
    const all = (await rh.http.getAllPages('/options/aggregate_positions/', {
      account_numbers: account,
    })) as {
      quantity: string;
      direction: string;
      strategy: string;
      average_open_price: string;
    }[];
    const closed = all.filter((a) => new Dec(a.quantity).isZero());
    expect(closed.length).toBeGreaterThan(0);
    for (const a of all) {
      expect(new Dec(a.average_open_price).gt(0)).toBe(true);
      // long_* strategies opened with a debit, short_* with a credit, whether still open or closed.
      expect(a.direction).toBe(a.strategy.startsWith('long') ? 'debit' : 'credit');
    }
  });
});

describe('the per-position pattern of popular open-source clients', () => {
  it('serves the one-at-a-time endpoints robin_stocks build_holdings and option helpers call', async () => {
    const { sim, rh } = await connect();
    const account = FIRST(sim);
    const positions = (await rh.http.getAllPages('/positions/', { nonzero: 'true' })) as {
      instrument: string;
    }[];
    expect(await rh.http.getJson('/portfolios/')).toMatchObject({ next: null });
    expect(await rh.http.getJson(`/accounts/${account}`)).toMatchObject({ account_number: account });
    expect(await rh.http.getJson(`/portfolios/${account}`)).toMatchObject({
      url: `${sim.url}/portfolios/${account}/`,
    });
    for (const p of positions.slice(0, 3)) {
      const instrument = (await rh.http.getJson(p.instrument)) as {
        symbol: string;
        url: string;
        quote: string;
      };
      expect(instrument.url).toBe(p.instrument);
      const bySymbol = (await rh.http.getJson('/instruments/', { symbol: instrument.symbol })) as {
        results: { url: string }[];
      };
      expect(bySymbol.results.map((r) => r.url)).toEqual([p.instrument]);
      expect(await rh.http.getJson(instrument.quote)).toMatchObject({ symbol: instrument.symbol });
      expect(await rh.http.getJson('/quotes/', { symbols: instrument.symbol })).toMatchObject({
        results: [{ symbol: instrument.symbol }],
      });
      expect(await rh.http.getJson(`/fundamentals/${instrument.symbol}/`)).toMatchObject({
        instrument: p.instrument,
      });
      expect(
        await rh.http.getJson('/fundamentals/', { symbols: `${instrument.symbol},ZZZZZZ` }),
      ).toMatchObject({
        results: [{ symbol: instrument.symbol }, null],
      });
    }
    const options = (await rh.http.getAllPages('/options/positions/', { nonzero: 'True' })) as {
      option: string;
    }[];
    for (const o of options.slice(0, 3)) {
      const instrument = (await rh.http.getJson(o.option)) as {
        id: string;
        url: string;
        chain_id: string;
        expiration_date: string;
        strike_price: string;
        type: string;
      };
      const data = (await rh.http.getJson('/marketdata/options/', { instruments: instrument.url })) as {
        results: { instrument_id: string }[];
      };
      expect(data.results).toHaveLength(1);
      expect(data.results[0]?.instrument_id).toBe(instrument.id);
      const search = (await rh.http.getJson('/options/instruments/', {
        chain_id: instrument.chain_id,
        expiration_dates: instrument.expiration_date,
        strike_price: instrument.strike_price,
        type: instrument.type,
      })) as { results: { id: string }[] };
      expect(search.results.map((r) => r.id)).toEqual([instrument.id]);
      expect(await rh.http.getJson(`/marketdata/options/${instrument.id}/`)).toMatchObject({
        instrument_id: instrument.id,
      });
    }
    expect(sim.requests.every((r) => r.status === 200 || r.path === '/oauth2/token/')).toBe(true);
  });
});

describe('the demo scenario', () => {
  it('is served whole: two accounts, positions with quotes, option legs with market data', async () => {
    const { demoScenario } = await import('../simulator-tools/index.js');
    const { sim, rh } = await connect({
      sim: { scenario: demoScenario(new Date('2026-03-02T15:00:00Z')) },
      client: { credentials: async () => ({ username: 'demo@example.com', password: 'demo-password' }) },
    });
    const accounts = await rh.client.listAccounts();
    expect(accounts.items.map((a) => [a.type, a.brokerage_account_type])).toEqual([
      ['margin', 'individual'],
      ['cash', 'ira_roth'],
    ]);
    const positions = await rh.client.listStockPositions('6MS30417');
    const quotes = await rh.client.getQuotes(positions.items.map((p) => p.instrument_id));
    expect(quotes.missing).toEqual([]);
    expect(positions.items.length).toBeGreaterThan(3);
    const legs = await rh.client.listOptionAggregatePositions('6MS30417');
    const optionIds = legs.items.flatMap((a) => a.legs.map((l) => l.option_id));
    expect((await rh.client.getOptionMarketData(optionIds)).missing).toEqual([]);
    expect(legs.items.find((a) => a.strategy === 'long_call_spread')?.legs).toHaveLength(2);
    expect(sim.requests.every((r) => r.status === 200)).toBe(true);
  });
});
