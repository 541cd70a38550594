/**
 * Zod schemas for the payloads the sync reads (docs/broker-api.md, docs/broker-api.md#accounts to docs/broker-api.md#history), parsed tolerantly:
 * - unknown fields are dropped (Robinhood adds keys all the time);
 * - fields a sync can live without are optional and come out as `null` when missing;
 * - money, prices, quantities and Greeks stay decimal strings, validated with isDecimalString;
 *   sizes and counts (ask_size, open_interest, volume, ratio_quantity) become integers and are
 *   accepted as JSON numbers or digit strings;
 * - timestamps and dates stay strings.
 * Output keys keep the API's snake_case names (so the reference stays the documentation). Ids that
 * older payloads only carry inside URLs (instrument_id, option_id, account_number) are filled in
 * from those URLs, so they are always present after parsing.
 */
import { z } from 'zod';
import { isDecimalString } from '../../util/money.js';

// ---- field builders ---------------------------------------------------------------------------

/** A required decimal string, e.g. "182.7800". */
const decimal = () =>
  z
    .string({ error: 'expected a decimal string' })
    .refine(isDecimalString, { error: 'expected a decimal string' });

/** A decimal string, or null when missing, null or "". */
const decimalOrNull = () =>
  z
    .custom<string | null | undefined>(
      (value) =>
        value === undefined ||
        value === null ||
        value === '' ||
        (typeof value === 'string' && isDecimalString(value)),
      { error: 'expected a decimal string or null' },
    )
    .optional()
    .transform((value): string | null => (value === undefined || value === '' ? null : value));

const INTEGER_STRING = /^-?\d+$/;

/** An integer sent as a JSON number or a digit string; null when missing or null. */
const integerOrNull = () =>
  z
    .custom<number | string | null | undefined>(
      (value) =>
        value === undefined ||
        value === null ||
        (typeof value === 'number' && Number.isSafeInteger(value)) ||
        (typeof value === 'string' && INTEGER_STRING.test(value.trim())),
      { error: 'expected an integer or null' },
    )
    .optional()
    .transform((value): number | null => (value === undefined || value === null ? null : Number(value)));

const text = () => z.string({ error: 'expected a string' });

/** A string, or null when missing or null. */
const textOrNull = () =>
  z
    .custom<string | null | undefined>(
      (value) => value === undefined || value === null || typeof value === 'string',
      {
        error: 'expected a string or null',
      },
    )
    .optional()
    .transform((value): string | null => value ?? null);

/** A boolean, or null when missing or null. */
const boolOrNull = () =>
  z
    .custom<boolean | null | undefined>(
      (value) => value === undefined || value === null || typeof value === 'boolean',
      {
        error: 'expected true, false or null',
      },
    )
    .optional()
    .transform((value): boolean | null => value ?? null);

/** A money object `{"amount": "371.22", "currency_code": "USD", …}`, or null. */
const moneyOrNull = () =>
  z
    .object({ amount: decimal(), currency_code: textOrNull() })
    .nullable()
    .optional()
    .transform((value) => value ?? null);

/** The last path segment of a resource URL: the id of ".../instruments/<id>/". */
export function idFromUrl(url: string | null | undefined): string | null {
  if (!url) return null;
  let pathname: string;
  try {
    pathname = new URL(url, 'http://x.invalid').pathname;
  } catch {
    return null;
  }
  const segments = pathname.split('/').filter((segment) => segment !== '');
  return segments.at(-1) ?? null;
}

type Ctx = z.core.$RefinementCtx;

function missing(ctx: Ctx, path: string, message: string): never {
  ctx.issues.push({ code: 'custom', message, path: [path], input: undefined });
  return z.NEVER as never;
}

// ---- accounts and portfolios (docs/broker-api.md#accounts) --------------------------------------------------------------

const balancesSchema = z
  .object({
    cash: decimalOrNull(),
    buying_power: decimalOrNull(),
    portfolio_cash: decimalOrNull(),
    unallocated_margin_cash: decimalOrNull(),
    margin_limit: decimalOrNull(),
    day_trade_buying_power: decimalOrNull(),
    overnight_buying_power: decimalOrNull(),
    cash_held_for_orders: decimalOrNull(),
    cash_held_for_options_collateral: decimalOrNull(),
    cash_available_for_withdrawal: decimalOrNull(),
    uncleared_deposits: decimalOrNull(),
    unsettled_funds: decimalOrNull(),
    unsettled_debit: decimalOrNull(),
    outstanding_interest: decimalOrNull(),
    settled_amount_borrowed: decimalOrNull(),
    pending_deposit: decimalOrNull(),
    sma: decimalOrNull(),
    gold_equity_requirement: decimalOrNull(),
  })
  .nullable()
  .optional()
  .transform((value) => value ?? null);

export const accountSchema = z.object({
  account_number: text().min(1, { error: 'expected an account number' }),
  url: textOrNull(),
  /** "cash" | "margin" | "limited_margin" | … */
  type: text(),
  /** "individual", "ira_roth", … (2026 payloads only). */
  brokerage_account_type: textOrNull(),
  is_default: boolOrNull(),
  state: textOrNull(),
  deactivated: boolOrNull(),
  option_level: textOrNull(),
  created_at: textOrNull(),
  updated_at: textOrNull(),
  cash: decimalOrNull(),
  portfolio_cash: decimalOrNull(),
  buying_power: decimalOrNull(),
  cash_available_for_withdrawal: decimalOrNull(),
  cash_held_for_orders: decimalOrNull(),
  cash_held_for_options_collateral: decimalOrNull(),
  uncleared_deposits: decimalOrNull(),
  unsettled_funds: decimalOrNull(),
  unsettled_debit: decimalOrNull(),
  crypto_buying_power: decimalOrNull(),
  sma: decimalOrNull(),
  margin_balances: balancesSchema,
  cash_balances: balancesSchema,
});
export type Account = z.output<typeof accountSchema>;

export const portfolioSchema = z
  .object({
    url: textOrNull(),
    account: textOrNull(),
    start_date: textOrNull(),
    market_value: decimal(),
    equity: decimal(),
    extended_hours_market_value: decimalOrNull(),
    extended_hours_equity: decimalOrNull(),
    extended_hours_portfolio_equity: decimalOrNull(),
    last_core_market_value: decimalOrNull(),
    last_core_equity: decimalOrNull(),
    last_core_portfolio_equity: decimalOrNull(),
    excess_margin: decimalOrNull(),
    excess_maintenance: decimalOrNull(),
    excess_margin_with_uncleared_deposits: decimalOrNull(),
    excess_maintenance_with_uncleared_deposits: decimalOrNull(),
    equity_previous_close: decimalOrNull(),
    portfolio_equity_previous_close: decimalOrNull(),
    adjusted_equity_previous_close: decimalOrNull(),
    adjusted_portfolio_equity_previous_close: decimalOrNull(),
    withdrawable_amount: decimalOrNull(),
    unwithdrawable_deposits: decimalOrNull(),
    unwithdrawable_grants: decimalOrNull(),
    non_usd_currency_equity: decimalOrNull(),
    is_primary_account: boolOrNull(),
  })
  .transform((portfolio) => ({ ...portfolio, account_number: idFromUrl(portfolio.account) }));
export type Portfolio = z.output<typeof portfolioSchema>;

/**
 * One bar of `GET /portfolios/historicals/{n}/` (docs/broker-api.md#portfolio-history): equity (cash
 * included) at its open and close.
 */
export const equityHistoricalSchema = z.object({
  begins_at: text().min(10),
  open_equity: decimalOrNull(),
  /** Null for some span/interval pairs (then the open is all there is). */
  close_equity: decimalOrNull(),
  adjusted_open_equity: decimalOrNull(),
  adjusted_close_equity: decimalOrNull(),
  open_market_value: decimalOrNull(),
  close_market_value: decimalOrNull(),
  net_return: decimalOrNull(),
  /** "pre" | "reg" | "post" */
  session: textOrNull(),
});
export type EquityHistorical = z.output<typeof equityHistoricalSchema>;

/** The envelope of the portfolio history; its bars are parsed one by one. */
export const portfolioHistoricalsSchema = z.object({
  span: textOrNull(),
  interval: textOrNull(),
  bounds: textOrNull(),
  open_time: textOrNull(),
  equity_historicals: z.array(z.unknown(), { error: 'expected an equity_historicals array' }),
});

// ---- stocks (docs/broker-api.md#stocks) -------------------------------------------------------------------------------

export const stockPositionSchema = z
  .object({
    url: textOrNull(),
    instrument: text(),
    instrument_id: textOrNull(),
    account: textOrNull(),
    account_number: textOrNull(),
    quantity: decimal(),
    average_buy_price: decimal(),
    pending_average_buy_price: decimalOrNull(),
    intraday_average_buy_price: decimalOrNull(),
    intraday_quantity: decimalOrNull(),
    shares_available_for_exercise: decimalOrNull(),
    shares_held_for_buys: decimalOrNull(),
    shares_held_for_sells: decimalOrNull(),
    shares_held_for_options_collateral: decimalOrNull(),
    shares_pending_from_options_events: decimalOrNull(),
    avg_cost_affected: boolOrNull(),
    created_at: textOrNull(),
    updated_at: textOrNull(),
  })
  .transform((position, ctx) => {
    const instrument_id = position.instrument_id ?? idFromUrl(position.instrument);
    if (!instrument_id)
      return missing(ctx, 'instrument_id', 'no instrument id (neither instrument_id nor an instrument URL)');
    return {
      ...position,
      instrument_id,
      account_number: position.account_number ?? idFromUrl(position.account),
    };
  });
export type StockPosition = z.output<typeof stockPositionSchema>;

export const instrumentSchema = z.object({
  id: text().min(1),
  url: textOrNull(),
  symbol: text().min(1, { error: 'expected a symbol' }),
  name: textOrNull(),
  /** May be null: fall back to `name`. */
  simple_name: textOrNull(),
  /** "stock", "etp", "adr", "reit", … */
  type: textOrNull(),
  state: textOrNull(),
  tradeable: boolOrNull(),
  tradability: textOrNull(),
  tradable_chain_id: textOrNull(),
  market: textOrNull(),
  country: textOrNull(),
  list_date: textOrNull(),
  bloomberg_unique: textOrNull(),
  margin_initial_ratio: decimalOrNull(),
  maintenance_ratio: decimalOrNull(),
  day_trade_ratio: decimalOrNull(),
  fractional_tradability: textOrNull(),
});
export type Instrument = z.output<typeof instrumentSchema>;

export const quoteSchema = z
  .object({
    symbol: text().min(1, { error: 'expected a symbol' }),
    instrument: textOrNull(),
    instrument_id: textOrNull(),
    ask_price: decimalOrNull(),
    ask_size: integerOrNull(),
    bid_price: decimalOrNull(),
    bid_size: integerOrNull(),
    last_trade_price: decimalOrNull(),
    /** Null when there was no extended-hours trade. */
    last_extended_hours_trade_price: decimalOrNull(),
    last_non_reg_trade_price: decimalOrNull(),
    previous_close: decimalOrNull(),
    adjusted_previous_close: decimalOrNull(),
    previous_close_date: textOrNull(),
    trading_halted: boolOrNull(),
    has_traded: boolOrNull(),
    last_trade_price_source: textOrNull(),
    updated_at: textOrNull(),
    venue_last_trade_time: textOrNull(),
    venue_last_non_reg_trade_time: textOrNull(),
    state: textOrNull(),
  })
  .transform((quote, ctx) => {
    const instrument_id = quote.instrument_id ?? idFromUrl(quote.instrument);
    if (!instrument_id)
      return missing(ctx, 'instrument_id', 'no instrument id (neither instrument_id nor an instrument URL)');
    return { ...quote, instrument_id };
  });
export type Quote = z.output<typeof quoteSchema>;

// ---- options (docs/broker-api.md#options) ------------------------------------------------------------------------------

const positionSide = () => z.enum(['long', 'short'], { error: 'expected "long" or "short"' });
const optionType = () => z.enum(['call', 'put'], { error: 'expected "call" or "put"' });

export const optionPositionSchema = z
  .object({
    id: text().min(1),
    url: textOrNull(),
    account: textOrNull(),
    account_number: textOrNull(),
    option: text(),
    option_id: textOrNull(),
    chain_id: textOrNull(),
    chain_symbol: textOrNull(),
    type: positionSide(),
    /** Contracts, positive. */
    quantity: decimal(),
    /** Per contract in dollars (premium × 100), negative for shorts. */
    average_price: decimal(),
    intraday_quantity: decimalOrNull(),
    intraday_average_open_price: decimalOrNull(),
    pending_buy_quantity: decimalOrNull(),
    pending_sell_quantity: decimalOrNull(),
    pending_expired_quantity: decimalOrNull(),
    pending_expiration_quantity: decimalOrNull(),
    pending_exercise_quantity: decimalOrNull(),
    pending_assignment_quantity: decimalOrNull(),
    trade_value_multiplier: decimalOrNull(),
    expiration_date: textOrNull(),
    clearing_cost_basis: decimalOrNull(),
    clearing_direction: textOrNull(),
    created_at: textOrNull(),
    updated_at: textOrNull(),
    opened_at: textOrNull(),
  })
  .transform((position, ctx) => {
    const option_id = position.option_id ?? idFromUrl(position.option);
    if (!option_id) return missing(ctx, 'option_id', 'no option id (neither option_id nor an option URL)');
    return { ...position, option_id, account_number: position.account_number ?? idFromUrl(position.account) };
  });
export type OptionPosition = z.output<typeof optionPositionSchema>;

const aggregateLegSchema = z
  .object({
    id: textOrNull(),
    position: textOrNull(),
    position_type: positionSide(),
    option: text(),
    option_id: textOrNull(),
    ratio_quantity: integerOrNull(),
    expiration_date: text(),
    strike_price: decimal(),
    option_type: optionType(),
    settle_on_open: boolOrNull(),
  })
  .transform((leg, ctx) => {
    const option_id = leg.option_id ?? idFromUrl(leg.option);
    if (!option_id) return missing(ctx, 'option_id', 'no option id (neither option_id nor an option URL)');
    return { ...leg, option_id };
  });
export type OptionAggregateLeg = z.output<typeof aggregateLegSchema>;

export const optionAggregatePositionSchema = z
  .object({
    id: text().min(1),
    chain: textOrNull(),
    chain_id: textOrNull(),
    account: textOrNull(),
    account_number: textOrNull(),
    symbol: text(),
    /** "long_call", "short_put", "long_call_spread", … */
    strategy: textOrNull(),
    strategy_code: textOrNull(),
    /** Positive; the sign comes from `direction`. */
    average_open_price: decimal(),
    quantity: decimal(),
    /** "debit" (premium paid) or "credit" (premium received). */
    direction: textOrNull(),
    intraday_average_open_price: decimalOrNull(),
    intraday_quantity: decimalOrNull(),
    intraday_direction: textOrNull(),
    trade_value_multiplier: decimalOrNull(),
    clearing_cost_basis: decimalOrNull(),
    clearing_direction: textOrNull(),
    underlying_type: textOrNull(),
    created_at: textOrNull(),
    updated_at: textOrNull(),
    legs: z.array(aggregateLegSchema, { error: 'expected a list of legs' }),
  })
  .transform((aggregate) => ({
    ...aggregate,
    chain_id: aggregate.chain_id ?? idFromUrl(aggregate.chain),
    account_number: aggregate.account_number ?? idFromUrl(aggregate.account),
  }));
export type OptionAggregatePosition = z.output<typeof optionAggregatePositionSchema>;

export const optionInstrumentSchema = z.object({
  id: text().min(1),
  url: textOrNull(),
  chain_id: textOrNull(),
  chain_symbol: textOrNull(),
  type: optionType(),
  strike_price: decimal(),
  expiration_date: text(),
  /** "active" | "expired" | "inactive" */
  state: textOrNull(),
  tradability: textOrNull(),
  rhs_tradability: textOrNull(),
  issue_date: textOrNull(),
  sellout_datetime: textOrNull(),
  underlying_type: textOrNull(),
  min_ticks: z
    .object({ above_tick: decimalOrNull(), below_tick: decimalOrNull(), cutoff_price: decimalOrNull() })
    .nullable()
    .optional()
    .transform((value) => value ?? null),
  created_at: textOrNull(),
  updated_at: textOrNull(),
});
export type OptionInstrument = z.output<typeof optionInstrumentSchema>;

/** Prices and Greeks are per share; Greeks are null for illiquid contracts. */
export const optionMarketDataSchema = z
  .object({
    instrument: textOrNull(),
    instrument_id: textOrNull(),
    symbol: textOrNull(),
    occ_symbol: textOrNull(),
    state: textOrNull(),
    adjusted_mark_price: decimalOrNull(),
    mark_price: decimalOrNull(),
    ask_price: decimalOrNull(),
    ask_size: integerOrNull(),
    bid_price: decimalOrNull(),
    bid_size: integerOrNull(),
    last_trade_price: decimalOrNull(),
    last_trade_size: integerOrNull(),
    high_price: decimalOrNull(),
    low_price: decimalOrNull(),
    break_even_price: decimalOrNull(),
    previous_close_price: decimalOrNull(),
    previous_close_date: textOrNull(),
    open_interest: integerOrNull(),
    volume: integerOrNull(),
    chance_of_profit_long: decimalOrNull(),
    chance_of_profit_short: decimalOrNull(),
    delta: decimalOrNull(),
    gamma: decimalOrNull(),
    theta: decimalOrNull(),
    vega: decimalOrNull(),
    rho: decimalOrNull(),
    implied_volatility: decimalOrNull(),
    updated_at: textOrNull(),
  })
  .transform((data, ctx) => {
    const instrument_id = data.instrument_id ?? idFromUrl(data.instrument);
    if (!instrument_id)
      return missing(ctx, 'instrument_id', 'no instrument id (neither instrument_id nor an instrument URL)');
    return { ...data, instrument_id };
  });
export type OptionMarketData = z.output<typeof optionMarketDataSchema>;

// ---- orders, events, dividends (docs/broker-api.md#history) ------------------------------------------------------------

const stockExecutionSchema = z.object({
  id: textOrNull(),
  price: decimal(),
  quantity: decimal(),
  rounded_notional: decimalOrNull(),
  settlement_date: textOrNull(),
  timestamp: textOrNull(),
  trade_execution_date: textOrNull(),
  fees: decimalOrNull(),
});
export type StockExecution = z.output<typeof stockExecutionSchema>;

/** A decimal string or a money object; dollar-based orders have used both shapes. */
const amountOrNull = () =>
  z
    .union(
      [
        z.object({ amount: decimal() }).transform((money) => money.amount),
        decimal(),
        z.null(),
        z.literal(''),
      ],
      {
        error: 'expected an amount (decimal string or money object) or null',
      },
    )
    .optional()
    .transform((value): string | null => (value === undefined || value === '' ? null : value));

export const stockOrderSchema = z
  .object({
    id: text().min(1),
    ref_id: textOrNull(),
    url: textOrNull(),
    account: textOrNull(),
    account_number: textOrNull(),
    instrument: text(),
    instrument_id: textOrNull(),
    position: textOrNull(),
    /** A URL while the order can still be cancelled (i.e. it is open). */
    cancel: textOrNull(),
    /** "queued", "confirmed", "partially_filled", "filled", "cancelled", "rejected", "failed", … */
    state: text(),
    derived_state: textOrNull(),
    side: z.enum(['buy', 'sell'], { error: 'expected "buy" or "sell"' }),
    type: textOrNull(),
    trigger: textOrNull(),
    time_in_force: textOrNull(),
    quantity: decimalOrNull(),
    cumulative_quantity: decimalOrNull(),
    /** Null until filled. */
    average_price: decimalOrNull(),
    price: decimalOrNull(),
    stop_price: decimalOrNull(),
    fees: decimalOrNull(),
    dollar_based_amount: amountOrNull(),
    total_notional: moneyOrNull(),
    executed_notional: moneyOrNull(),
    extended_hours: boolOrNull(),
    market_hours: textOrNull(),
    position_effect: textOrNull(),
    reject_reason: textOrNull(),
    drip_dividend_id: textOrNull(),
    created_at: text(),
    updated_at: text(),
    last_transaction_at: textOrNull(),
    executions: z
      .array(stockExecutionSchema, { error: 'expected a list of executions' })
      .nullable()
      .optional()
      .transform((value) => value ?? []),
  })
  .transform((order, ctx) => {
    const instrument_id = order.instrument_id ?? idFromUrl(order.instrument);
    if (!instrument_id)
      return missing(ctx, 'instrument_id', 'no instrument id (neither instrument_id nor an instrument URL)');
    return { ...order, instrument_id, account_number: order.account_number ?? idFromUrl(order.account) };
  });
export type StockOrder = z.output<typeof stockOrderSchema>;

const optionExecutionSchema = z.object({
  id: textOrNull(),
  price: decimal(),
  quantity: decimal(),
  settlement_date: textOrNull(),
  timestamp: textOrNull(),
});
export type OptionExecution = z.output<typeof optionExecutionSchema>;

const optionOrderLegSchema = z
  .object({
    id: textOrNull(),
    option: text(),
    option_id: textOrNull(),
    /** "open" | "close" */
    position_effect: textOrNull(),
    side: z.enum(['buy', 'sell'], { error: 'expected "buy" or "sell"' }),
    ratio_quantity: integerOrNull(),
    /** Missing in older (2020) payloads: fetch the option instrument instead. */
    expiration_date: textOrNull(),
    strike_price: decimalOrNull(),
    option_type: optionType()
      .nullable()
      .optional()
      .transform((value) => value ?? null),
    executions: z
      .array(optionExecutionSchema, { error: 'expected a list of executions' })
      .nullable()
      .optional()
      .transform((value) => value ?? []),
  })
  .transform((leg, ctx) => {
    const option_id = leg.option_id ?? idFromUrl(leg.option);
    if (!option_id) return missing(ctx, 'option_id', 'no option id (neither option_id nor an option URL)');
    return { ...leg, option_id };
  });
export type OptionOrderLeg = z.output<typeof optionOrderLegSchema>;

export const optionOrderSchema = z
  .object({
    id: text().min(1),
    ref_id: textOrNull(),
    account: textOrNull(),
    account_number: textOrNull(),
    chain_id: textOrNull(),
    chain_symbol: textOrNull(),
    state: text(),
    derived_state: textOrNull(),
    type: textOrNull(),
    trigger: textOrNull(),
    time_in_force: textOrNull(),
    /** "debit" (paid) or "credit" (received). */
    direction: textOrNull(),
    /** Per share. */
    price: decimalOrNull(),
    /** Per contract (price × 100). */
    premium: decimalOrNull(),
    processed_premium: decimalOrNull(),
    processed_premium_direction: textOrNull(),
    quantity: decimalOrNull(),
    processed_quantity: decimalOrNull(),
    pending_quantity: decimalOrNull(),
    canceled_quantity: decimalOrNull(),
    net_amount: decimalOrNull(),
    net_amount_direction: textOrNull(),
    regulatory_fees: decimalOrNull(),
    contract_fees: decimalOrNull(),
    average_net_premium_paid: decimalOrNull(),
    trade_value_multiplier: decimalOrNull(),
    opening_strategy: textOrNull(),
    closing_strategy: textOrNull(),
    strategy: textOrNull(),
    cancel_url: textOrNull(),
    created_at: text(),
    updated_at: text(),
    legs: z.array(optionOrderLegSchema, { error: 'expected a list of legs' }),
  })
  .transform((order) => ({ ...order, account_number: order.account_number ?? idFromUrl(order.account) }));
export type OptionOrder = z.output<typeof optionOrderSchema>;

/** Expirations, assignments and exercises (they never appear as orders). */
export const optionEventSchema = z
  .object({
    id: text().min(1),
    account: textOrNull(),
    account_number: textOrNull(),
    /** "expiration", "assignment", "exercise", … */
    type: text(),
    direction: textOrNull(),
    state: textOrNull(),
    quantity: decimalOrNull(),
    event_date: textOrNull(),
    position: textOrNull(),
    option: textOrNull(),
    option_id: textOrNull(),
    chain_id: textOrNull(),
    total_cash_amount: decimalOrNull(),
    underlying_price: decimalOrNull(),
    cash_component: decimalOrNull(),
    equity_components: z
      .array(
        z.object({
          id: textOrNull(),
          instrument: textOrNull(),
          symbol: textOrNull(),
          side: textOrNull(),
          quantity: decimalOrNull(),
          price: decimalOrNull(),
        }),
        { error: 'expected a list of equity components' },
      )
      .nullable()
      .optional()
      .transform((value) => value ?? []),
    created_at: textOrNull(),
    updated_at: textOrNull(),
  })
  .transform((event) => ({
    ...event,
    option_id: event.option_id ?? idFromUrl(event.option),
    account_number: event.account_number ?? idFromUrl(event.account),
  }));
export type OptionEvent = z.output<typeof optionEventSchema>;

export const dividendSchema = z
  .object({
    id: text().min(1),
    url: textOrNull(),
    account: textOrNull(),
    account_number: textOrNull(),
    instrument: text(),
    instrument_id: textOrNull(),
    amount: decimal(),
    rate: decimalOrNull(),
    position: decimalOrNull(),
    withholding: decimalOrNull(),
    nra_withholding: decimalOrNull(),
    record_date: textOrNull(),
    payable_date: textOrNull(),
    paid_at: textOrNull(),
    /**
     * "pending" | "paid" | "reinvested" | "voided"; absent from the recorded 2016–2018 payloads of
     * public clients, where it is null here (a paid_at then says the dividend was paid).
     */
    state: textOrNull(),
    drip_enabled: boolOrNull(),
    cash_dividend_id: textOrNull(),
  })
  .transform((dividend, ctx) => {
    const instrument_id = dividend.instrument_id ?? idFromUrl(dividend.instrument);
    if (!instrument_id)
      return missing(ctx, 'instrument_id', 'no instrument id (neither instrument_id nor an instrument URL)');
    return {
      ...dividend,
      instrument_id,
      account_number: dividend.account_number ?? idFromUrl(dividend.account),
    };
  });
export type Dividend = z.output<typeof dividendSchema>;
