/** The recorded payloads of test/fixtures/robinhood/; each test names its section of docs/broker-api.md by anchor. */
import { describe, expect, it } from 'vitest';
import { PayloadError } from '../../main/broker/robinhood/errors.js';
import { parseItems, parseOne } from '../../main/broker/robinhood/parse.js';
import {
  accountSchema,
  dividendSchema,
  idFromUrl,
  instrumentSchema,
  optionAggregatePositionSchema,
  optionEventSchema,
  optionInstrumentSchema,
  optionMarketDataSchema,
  optionOrderSchema,
  optionPositionSchema,
  portfolioSchema,
  quoteSchema,
  stockOrderSchema,
  stockPositionSchema,
} from '../../main/broker/robinhood/schemas.js';
import { collectingLogger } from '../../main/util/logger.js';
import { fixture } from './helpers/server.js';

// biome-ignore lint/suspicious/noExplicitAny: recorded payloads are free-form JSON, edited freely in tests
type Json = Record<string, any>;
const first = (name: string): Json => (fixture<Json>(name)['results'] as Json[])[0] as Json;

describe('recorded payloads parse', () => {
  it('account (#accounts)', () => {
    const account = parseOne(accountSchema, first('accounts.json'), 'test');
    expect(account).toMatchObject({
      account_number: '5QR24141',
      type: 'margin',
      brokerage_account_type: 'individual',
      is_default: true,
      cash: '1523.4100',
      portfolio_cash: '1523.4100',
      buying_power: '1523.4100',
      uncleared_deposits: '0.0000',
      cash_balances: null,
    });
    expect(account.margin_balances?.day_trade_buying_power).toBe('6093.6400');
    expect(account.margin_balances?.buying_power).toBeNull();
    // Unknown and sensitive extras are dropped.
    expect(account).not.toHaveProperty('rhs_account_number');
    expect(account).not.toHaveProperty('instant_eligibility');
  });

  it('portfolio (#portfolios), with the account number taken from the account URL', () => {
    const portfolio = parseOne(portfolioSchema, fixture('portfolio.json'), 'test');
    expect(portfolio).toMatchObject({
      account_number: '5QR24141',
      equity: '9936.0700',
      market_value: '8412.5600',
      extended_hours_equity: '9953.6200',
      equity_previous_close: '9871.2200',
    });
    expect(portfolio).not.toHaveProperty('intraday_excess_maintenance');
  });

  it('stock position (#stock-positions)', () => {
    const position = parseOne(stockPositionSchema, first('positions.json'), 'test');
    expect(position).toMatchObject({
      instrument_id: '450dfc6d-5510-4d40-abfb-f633b7d9be3e',
      account_number: '497177477',
      quantity: '1.00000000',
      average_buy_price: '182.7800',
    });
  });

  it('instrument (#instruments) and quote with null extended-hours price (#quotes)', () => {
    const instrument = parseOne(instrumentSchema, fixture('instrument.json'), 'test');
    expect(instrument).toMatchObject({
      symbol: 'AAPL',
      simple_name: 'Apple',
      type: 'stock',
      tradable_chain_id: '7dd906e5-7d4b-4161-a3fe-2c3b62038482',
    });
    const quote = parseOne(quoteSchema, first('marketdata-quotes.json'), 'test');
    expect(quote).toMatchObject({
      symbol: 'AAPL',
      instrument_id: '450dfc6d-5510-4d40-abfb-f633b7d9be3e',
      ask_size: 300,
      bid_size: 200,
      last_trade_price: '182.520000',
      last_extended_hours_trade_price: '182.740000',
    });
  });

  it('option position (#option-positions) and aggregate position with legs (#option-aggregate-positions)', () => {
    const position = parseOne(optionPositionSchema, first('option-positions.json'), 'test');
    expect(position).toMatchObject({
      type: 'short',
      quantity: '1.0000',
      average_price: '-29.0000',
      option_id: '845df489-f082-4141-9e39-e6b7654f5f75',
      chain_symbol: 'F',
    });
    const aggregate = parseOne(
      optionAggregatePositionSchema,
      fixture('option-aggregate-position.json'),
      'test',
    );
    expect(aggregate).toMatchObject({
      symbol: 'F',
      strategy: 'short_call',
      direction: 'credit',
      chain_id: 'b905e24f-f046-458c-af25-244dbe46616c',
    });
    expect(aggregate.legs[0]).toMatchObject({
      option_type: 'call',
      strike_price: '11.5000',
      expiration_date: '2025-09-12',
      position_type: 'short',
      ratio_quantity: 1,
    });
  });

  it('option instrument (#option-instruments) and market data with Greeks (#option-market-data)', () => {
    const instrument = parseOne(optionInstrumentSchema, fixture('option-instrument.json'), 'test');
    expect(instrument).toMatchObject({
      type: 'call',
      strike_price: '275.0000',
      expiration_date: '2026-08-21',
      chain_symbol: 'IWM',
    });
    expect(instrument.min_ticks).toEqual({ above_tick: '0.01', below_tick: '0.01', cutoff_price: '0.00' });
    const data = parseOne(optionMarketDataSchema, first('marketdata-options.json'), 'test');
    expect(data).toMatchObject({
      instrument_id: '983df2b0-0731-4101-8267-98264969296a',
      delta: '0.648348',
      theta: '-0.076805',
      implied_volatility: '0.220016',
      open_interest: 2287,
      volume: 25,
      mark_price: '18.615000',
    });
  });

  it('stock order with executions (#stock-orders)', () => {
    const order = parseOne(stockOrderSchema, first('orders.json'), 'test');
    expect(order).toMatchObject({
      side: 'buy',
      state: 'filled',
      cumulative_quantity: '2.00000000',
      average_price: '181.96500000',
      account_number: '5QR24141',
      dollar_based_amount: null,
    });
    expect(order.executions).toEqual([
      expect.objectContaining({
        price: '181.96500000',
        quantity: '2.00000000',
        settlement_date: '2024-01-16',
        id: 'ceb9a6f6-1729-459b-baa6-e437104f77bb',
      }),
    ]);
    expect(order.total_notional).toEqual({ amount: '371.22', currency_code: 'USD' });
  });

  it('option order with legs and leg executions (#option-orders)', () => {
    const order = parseOne(optionOrderSchema, fixture('option-order.json'), 'test');
    expect(order).toMatchObject({
      chain_symbol: 'AAPL',
      direction: 'debit',
      premium: '145.00000000',
      processed_premium: '290.00',
      opening_strategy: 'long_call',
      closing_strategy: null,
    });
    expect(order.legs[0]).toMatchObject({
      side: 'buy',
      position_effect: 'open',
      option_type: 'call',
      strike_price: '240.0000',
      option_id: 'a3549174-4973-4a15-bb4e-09d7e01d189c',
    });
    expect(order.legs[0]?.executions[0]).toMatchObject({ price: '1.45000000', quantity: '2.00000' });
  });

  it('dividend (#dividends)', () => {
    const dividend = parseOne(dividendSchema, fixture('dividend.json'), 'test');
    expect(dividend).toMatchObject({
      amount: '11.19',
      state: 'pending',
      paid_at: null,
      account_number: '5QR24141',
      instrument_id: '50810c35-d215-4866-9758-0ada4ac79ffa',
    });
  });

  it('option event (#option-events, keys as listed; no recorded payload exists)', () => {
    const event = parseOne(
      optionEventSchema,
      {
        id: '0b1c2d3e-0000-4000-8000-000000000001',
        account: 'https://api.robinhood.com/accounts/5QR24141/',
        type: 'expiration',
        direction: 'credit',
        quantity: '1.0000',
        event_date: '2025-09-12',
        state: 'confirmed',
        position: 'https://api.robinhood.com/options/positions/7dd81e42-0d94-4630-a668-873c38164a1b/',
        option: 'https://api.robinhood.com/options/instruments/845df489-f082-4141-9e39-e6b7654f5f75/',
        total_cash_amount: '0.00',
        underlying_price: '11.2000',
        equity_components: [],
        cash_component: null,
      },
      'test',
    );
    expect(event).toMatchObject({
      type: 'expiration',
      option_id: '845df489-f082-4141-9e39-e6b7654f5f75',
      account_number: '5QR24141',
      cash_component: null,
      equity_components: [],
    });
  });
});

describe('tolerance', () => {
  it('ignores unknown fields and fills missing optional ones with null', () => {
    const position = parseOne(
      stockPositionSchema,
      {
        instrument: 'https://api.robinhood.com/instruments/abc-123/',
        quantity: '4.0000',
        average_buy_price: '10.00',
        brand_new_field: { x: 1 },
      },
      'test',
    );
    expect(position).not.toHaveProperty('brand_new_field');
    expect(position.instrument_id).toBe('abc-123'); // older payloads lack instrument_id
    expect(position.intraday_quantity).toBeNull();
    expect(position.account_number).toBeNull();
  });

  it('accepts null Greeks, digit-string sizes and empty decimals', () => {
    const data = parseOne(
      optionMarketDataSchema,
      {
        instrument_id: 'x-1',
        delta: null,
        gamma: null,
        implied_volatility: null,
        ask_size: '7',
        open_interest: '2287',
        high_price: '',
      },
      'test',
    );
    expect(data).toMatchObject({
      delta: null,
      gamma: null,
      implied_volatility: null,
      ask_size: 7,
      open_interest: 2287,
      high_price: null,
      mark_price: null,
    });
  });

  it('accepts 2020-era option order legs without strike, expiry or type', () => {
    const order = fixture<Json>('option-order.json');
    for (const leg of order['legs'] as Json[]) {
      delete leg['strike_price'];
      delete leg['expiration_date'];
      delete leg['option_type'];
      delete leg['long_strategy_code'];
    }
    delete order['net_amount'];
    delete order['regulatory_fees'];
    const parsed = parseOne(optionOrderSchema, order, 'test');
    expect(parsed.legs[0]).toMatchObject({
      strike_price: null,
      expiration_date: null,
      option_type: null,
      option_id: 'a3549174-4973-4a15-bb4e-09d7e01d189c',
    });
    expect(parsed.net_amount).toBeNull();
  });

  it('rejects money sent as a JSON number, naming the field', () => {
    const bad = { ...first('positions.json'), quantity: 1 };
    const error = (() => {
      try {
        return parseOne(stockPositionSchema, bad, 'GET /positions/');
      } catch (e) {
        return e;
      }
    })() as PayloadError;
    expect(error).toBeInstanceOf(PayloadError);
    expect(error.fieldPath).toBe('quantity');
    expect(error.message).toBe(
      'GET /positions/ returned an unexpected payload at quantity: expected a decimal string',
    );
  });

  it('one bad row in a list is skipped and reported with its path; the others survive', () => {
    const good = first('option-positions.json');
    const badLeg = fixture<Json>('option-aggregate-position.json');
    (badLeg['legs'] as Json[])[0]!['strike_price'] = 'eleven';
    const logger = collectingLogger();
    const aggregates = parseItems(
      optionAggregatePositionSchema,
      [fixture('option-aggregate-position.json'), badLeg, null],
      'GET /options/aggregate_positions/',
      logger,
    );
    expect(aggregates.items).toHaveLength(1);
    expect(aggregates.rejected).toEqual([
      {
        index: 1,
        id: 'd97ac32e-45f6-42e9-bc2b-a4cff8c6c488',
        fieldPath: 'results[1].legs[0].strike_price',
        problem: 'expected a decimal string',
        raw: badLeg,
      },
      { index: 2, id: null, fieldPath: 'results[2]', problem: 'the item is null', raw: null },
    ]);
    expect(logger.records).toEqual([
      expect.objectContaining({ level: 'warn', meta: expect.objectContaining({ skipped: 2, of: 3 }) }),
    ]);
    expect(JSON.stringify(logger.records)).not.toContain('eleven');
    expect(parseItems(optionPositionSchema, [good], 'x', logger).rejected).toEqual([]);
  });

  it('idFromUrl takes the last path segment', () => {
    expect(idFromUrl('https://api.robinhood.com/accounts/5QR24141/')).toBe('5QR24141');
    expect(
      idFromUrl('https://api.robinhood.com/options/instruments/845df489-f082-4141-9e39-e6b7654f5f75/'),
    ).toBe('845df489-f082-4141-9e39-e6b7654f5f75');
    expect(idFromUrl(null)).toBeNull();
  });
});
