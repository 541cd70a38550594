/**
 * Scenario records → the JSON the real API sends (docs/broker-api.md, docs/broker-api.md#accounts to docs/broker-api.md#history): decimal strings, ISO times,
 * and resource URLs built from the running server's base URL so clients that follow them come back
 * to the simulator. Derived values (portfolio equity, order fill totals) are computed here on each
 * request, so they follow whatever the scenario state holds at that moment.
 */
import { Dec } from '../util/money.js';
import type { Lookups } from './lookups.js';
import { isoMillis, timeToMicros } from './time.js';
import type {
  ScenarioState,
  SimAccount,
  SimDividend,
  SimFundamentals,
  SimInstrument,
  SimOptionAggregate,
  SimOptionChain,
  SimOptionEvent,
  SimOptionInstrument,
  SimOptionMarketData,
  SimOptionOrder,
  SimOptionPosition,
  SimQuote,
  SimStockOrder,
  SimStockPosition,
} from './types.js';

export type Json = Record<string, unknown>;

export interface PayloadContext {
  /** "http://127.0.0.1:PORT", no trailing slash. */
  base: string;
  state: ScenarioState;
  lookups: Lookups;
}

const ZERO = new Dec(0);
const USD_ID = '1072fc76-1862-41ab-82c2-485837590762';
const money = (amount: Dec) => ({ amount: amount.toFixed(2), currency_code: 'USD', currency_id: USD_ID });

export const urls = {
  account: (c: PayloadContext, n: string) => `${c.base}/accounts/${n}/`,
  portfolio: (c: PayloadContext, n: string) => `${c.base}/portfolios/${n}/`,
  instrument: (c: PayloadContext, id: string) => `${c.base}/instruments/${id}/`,
  position: (c: PayloadContext, n: string, id: string) => `${c.base}/positions/${n}/${id}/`,
  option: (c: PayloadContext, id: string) => `${c.base}/options/instruments/${id}/`,
  optionPosition: (c: PayloadContext, id: string) => `${c.base}/options/positions/${id}/`,
  chain: (c: PayloadContext, id: string) => `${c.base}/options/chains/${id}/`,
};

// ---- accounts and portfolios -----------------------------------------------------------------

export function accountPayload(c: PayloadContext, a: SimAccount): Json {
  const cash = new Dec(a.cash);
  const margin = a.type === 'margin';
  const held = new Dec(a.cashHeldForOrders).add(a.cashHeldForOptionsCollateral);
  const buyingPower = Dec.max(cash.sub(held), ZERO).toFixed(4);
  const balances: Json = {
    uncleared_deposits: a.unclearedDeposits,
    cash: a.cash,
    cash_held_for_dividends: '0',
    cash_held_for_restrictions: '0',
    cash_held_for_nummus_restrictions: '0.0000',
    cash_held_for_orders: a.cashHeldForOrders,
    cash_available_for_withdrawal: a.cashAvailableForWithdrawal,
    unsettled_funds: a.unsettledFunds,
    unsettled_debit: '0.0000',
    outstanding_interest: '0.0000',
    unallocated_margin_cash: margin ? a.cash : undefined,
    margin_limit: margin ? '0.0000' : undefined,
    crypto_buying_power: buyingPower,
    day_trade_buying_power: margin ? cash.mul(4).toFixed(4) : undefined,
    sma: '0',
    day_trades_protection: true,
    start_of_day_overnight_buying_power: buyingPower,
    overnight_buying_power: buyingPower,
    overnight_buying_power_held_for_orders: '0.0000',
    day_trade_buying_power_held_for_orders: '0.0000',
    overnight_ratio: margin ? '0.50' : '1.00',
    day_trade_ratio: '0.25',
    marked_pattern_day_trader_date: null,
    created_at: a.createdAt,
    updated_at: a.updatedAt,
    start_of_day_dtbp: margin ? cash.mul(4).toFixed(4) : '0.0000',
    portfolio_cash: a.cash,
    cash_held_for_options_collateral: a.cashHeldForOptionsCollateral,
    gold_equity_requirement: '0.0000',
    uncleared_nummus_deposits: '0.0000',
    cash_pending_from_options_events: '0.0000',
    settled_amount_borrowed: '0.0000',
    pending_deposit: '0.0000',
    funding_hold_balance: '0.0000',
    pending_debit_card_debits: '0.0000',
    net_moving_cash: '0.0000',
    margin_withdrawal_limit: null,
    instant_used: '0.0000',
    instant_allocated: '0',
    eligible_deposit_as_instant: '1000.0000',
  };
  for (const key of Object.keys(balances)) if (balances[key] === undefined) delete balances[key];
  return {
    url: urls.account(c, a.accountNumber),
    portfolio_cash: a.cash,
    can_downgrade_to_cash: `${urls.account(c, a.accountNumber)}can_downgrade_to_cash/`,
    user: `${c.base}/user/`,
    account_number: a.accountNumber,
    type: a.type,
    brokerage_account_type: a.brokerageAccountType,
    is_default: a.isDefault,
    created_at: a.createdAt,
    updated_at: a.updatedAt,
    deactivated: false,
    deposit_halted: false,
    withdrawal_halted: false,
    only_position_closing_trades: false,
    buying_power: buyingPower,
    cash_available_for_withdrawal: a.cashAvailableForWithdrawal,
    cash: a.cash,
    cash_held_for_orders: a.cashHeldForOrders,
    uncleared_deposits: a.unclearedDeposits,
    sma: '0',
    sma_held_for_orders: '0',
    unsettled_funds: a.unsettledFunds,
    unsettled_debit: '0.0000',
    crypto_buying_power: buyingPower,
    max_ach_early_access_amount: '1000.00',
    cash_balances: margin ? null : balances,
    margin_balances: margin ? balances : null,
    sweep_enabled: false,
    instant_eligibility: {
      reason: '',
      reinstatement_date: null,
      reversal: null,
      state: 'ok',
      updated_at: null,
      additional_deposit_needed: '0.0000',
      compliance_user_major_oak_email: null,
      created_at: a.createdAt,
      created_by: null,
    },
    option_level: a.optionLevel,
    is_pinnacle_account: true,
    rhs_account_number: a.rhsAccountNumber,
    state: 'active',
    active_subscription_id: null,
    locked: false,
    permanently_deactivated: false,
    received_ach_debit_locked: false,
    drip_enabled: false,
    eligible_for_fractionals: true,
    eligible_for_drip: false,
    eligible_for_cash_management: margin,
    cash_management_enabled: false,
    option_trading_on_expiration_enabled: false,
    cash_held_for_options_collateral: a.cashHeldForOptionsCollateral,
    fractional_position_closing_only: false,
    user_id: a.userId,
    rhs_stock_loan_consent_status: 'needs_response',
  };
}

/** Value of the account's securities: stocks at the last (or extended-hours) price, options at the mark. */
export function marketValue(
  c: PayloadContext,
  accountNumber: string,
  extended: boolean,
): { now: Dec; previous: Dec } {
  let now = ZERO;
  let previous = ZERO;
  for (const p of c.state.stockPositions) {
    if (p.accountNumber !== accountNumber) continue;
    const quantity = new Dec(p.quantity);
    if (quantity.isZero()) continue;
    const quote = c.lookups.quote(p.instrumentId);
    if (!quote) continue;
    const price =
      extended && quote.lastExtendedHoursTradePrice
        ? quote.lastExtendedHoursTradePrice
        : quote.lastTradePrice;
    now = now.add(quantity.mul(price));
    previous = previous.add(quantity.mul(quote.previousClose));
  }
  for (const p of c.state.optionPositions) {
    if (p.accountNumber !== accountNumber) continue;
    const quantity = new Dec(p.quantity);
    if (quantity.isZero()) continue;
    const data = c.lookups.optionMarketData(p.optionId);
    const option = c.lookups.option(p.optionId);
    if (!data || !option) continue;
    const multiplier = new Dec(c.lookups.chain(option.chainId)?.tradeValueMultiplier ?? '100');
    const sign = p.type === 'short' ? -1 : 1;
    now = now.add(quantity.mul(data.adjustedMarkPrice).mul(multiplier).mul(sign));
    previous = previous.add(quantity.mul(data.previousClosePrice).mul(multiplier).mul(sign));
  }
  return { now, previous };
}

export function portfolioPayload(c: PayloadContext, a: SimAccount): Json {
  const cash = new Dec(a.cash);
  const regular = marketValue(c, a.accountNumber, false);
  const extended = marketValue(c, a.accountNumber, true);
  const equity = regular.now.add(cash);
  const extendedEquity = extended.now.add(cash);
  const previousEquity = regular.previous.add(cash);
  const margin = a.type === 'margin';
  const f = (d: Dec) => d.toFixed(4);
  return {
    url: urls.portfolio(c, a.accountNumber),
    account: urls.account(c, a.accountNumber),
    start_date: a.startDate,
    market_value: f(regular.now),
    equity: f(equity),
    extended_hours_market_value: f(extended.now),
    extended_hours_equity: f(extendedEquity),
    extended_hours_portfolio_equity: f(extendedEquity),
    last_core_market_value: f(regular.now),
    last_core_equity: f(equity),
    last_core_portfolio_equity: f(equity),
    excess_margin: margin ? a.cash : null,
    excess_maintenance: margin ? a.cash : null,
    excess_margin_with_uncleared_deposits: margin ? a.cash : null,
    excess_maintenance_with_uncleared_deposits: margin ? a.cash : null,
    intraday_excess_maintenance: null,
    equity_previous_close: f(previousEquity),
    portfolio_equity_previous_close: f(previousEquity),
    adjusted_equity_previous_close: f(previousEquity),
    adjusted_portfolio_equity_previous_close: f(previousEquity),
    withdrawable_amount: a.cashAvailableForWithdrawal,
    unwithdrawable_deposits: '0.0000',
    unwithdrawable_grants: '0.0000',
    is_primary_account: a.isDefault,
    non_usd_currency_equity: '0.0000',
  };
}

// ---- stocks ----------------------------------------------------------------------------------

export function stockPositionPayload(c: PayloadContext, p: SimStockPosition): Json {
  const zero = '0.00000000';
  return {
    url: urls.position(c, p.accountNumber, p.instrumentId),
    instrument: urls.instrument(c, p.instrumentId),
    instrument_id: p.instrumentId,
    account: urls.account(c, p.accountNumber),
    account_number: p.accountNumber,
    average_buy_price: p.averageBuyPrice,
    pending_average_buy_price: p.averageBuyPrice,
    quantity: p.quantity,
    intraday_average_buy_price: '0.0000',
    intraday_quantity: zero,
    shares_available_for_exercise: p.quantity,
    shares_held_for_buys: p.sharesHeldForBuys,
    shares_held_for_sells: p.sharesHeldForSells,
    shares_held_for_stock_grants: zero,
    shares_held_for_options_collateral: zero,
    shares_held_for_options_events: zero,
    shares_pending_from_options_events: zero,
    shares_available_for_closing_short_position: zero,
    ipo_allocated_quantity: zero,
    ipo_dsp_allocated_quantity: zero,
    avg_cost_affected: false,
    avg_cost_affected_reason: [],
    is_primary_account: c.lookups.account(p.accountNumber)?.isDefault ?? true,
    updated_at: p.updatedAt,
    created_at: p.createdAt,
  };
}

export function instrumentPayload(c: PayloadContext, i: SimInstrument): Json {
  const tradable = i.tradeable ? 'tradable' : 'untradable';
  return {
    id: i.id,
    url: urls.instrument(c, i.id),
    quote: `${c.base}/quotes/${i.symbol}/`,
    fundamentals: `${c.base}/fundamentals/${i.symbol}/`,
    splits: `${urls.instrument(c, i.id)}splits/`,
    state: i.state,
    market: `${c.base}/markets/${i.market}/`,
    simple_name: i.simpleName,
    name: i.name,
    tradeable: i.tradeable,
    tradability: tradable,
    symbol: i.symbol,
    bloomberg_unique: i.bloombergUnique,
    margin_initial_ratio: '0.5000',
    maintenance_ratio: '0.2500',
    country: 'US',
    day_trade_ratio: '0.2500',
    list_date: i.listDate,
    min_tick_size: null,
    type: i.type,
    tradable_chain_id: i.chainId,
    rhs_tradability: tradable,
    affiliate_tradability: tradable,
    fractional_tradability: tradable,
    short_selling_tradability: tradable,
    default_collar_fraction: '0.05',
    ipo_access_status: null,
    is_spac: false,
    is_test: false,
    extended_hours_fractional_tradability: true,
    all_day_tradability: tradable,
    otc_market_tier: '',
  };
}

export function quotePayload(c: PayloadContext, q: SimQuote): Json {
  const updatedMs = Date.parse(q.updatedAt);
  return {
    ask_price: q.askPrice,
    ask_size: q.askSize,
    venue_ask_time: isoMillis(updatedMs - 88),
    bid_price: q.bidPrice,
    bid_size: q.bidSize,
    venue_bid_time: isoMillis(updatedMs - 95),
    last_trade_price: q.lastTradePrice,
    venue_last_trade_time: isoMillis(updatedMs - 2),
    last_extended_hours_trade_price: q.lastExtendedHoursTradePrice,
    last_non_reg_trade_price: q.lastExtendedHoursTradePrice,
    venue_last_non_reg_trade_time: q.lastExtendedHoursTradePrice ? isoMillis(updatedMs) : null,
    previous_close: q.previousClose,
    adjusted_previous_close: q.adjustedPreviousClose,
    previous_close_date: q.previousCloseDate,
    symbol: q.symbol,
    trading_halted: q.tradingHalted,
    has_traded: q.hasTraded,
    last_trade_price_source: 'consolidated',
    last_non_reg_trade_price_source: q.lastExtendedHoursTradePrice ? 'consolidated' : null,
    updated_at: q.updatedAt,
    instrument: urls.instrument(c, q.instrumentId),
    instrument_id: q.instrumentId,
    state: 'active',
  };
}

export function fundamentalsPayload(c: PayloadContext, f: SimFundamentals, symbol: string): Json {
  return {
    open: f.open,
    high: f.high,
    low: f.low,
    volume: f.volume,
    market_date: null,
    average_volume_2_weeks: f.averageVolume2Weeks,
    average_volume: f.averageVolume,
    high_52_weeks: f.high52Weeks,
    low_52_weeks: f.low52Weeks,
    dividend_yield: f.dividendYield,
    float: f.float,
    market_cap: f.marketCap,
    pb_ratio: f.pbRatio,
    pe_ratio: f.peRatio,
    shares_outstanding: f.sharesOutstanding,
    description: f.description,
    instrument: urls.instrument(c, f.instrumentId),
    ceo: f.ceo,
    headquarters_city: f.headquartersCity,
    headquarters_state: f.headquartersState,
    sector: f.sector,
    industry: f.industry,
    num_employees: f.numEmployees,
    year_founded: f.yearFounded,
    symbol,
  };
}

// ---- options ---------------------------------------------------------------------------------

export function optionInstrumentPayload(c: PayloadContext, o: SimOptionInstrument): Json {
  const tradability = o.state === 'active' ? 'tradable' : 'untradable';
  return {
    chain_id: o.chainId,
    chain_symbol: o.chainSymbol,
    created_at: o.createdAt,
    expiration_date: o.expirationDate,
    id: o.id,
    issue_date: o.issueDate,
    min_ticks: { above_tick: '0.05', below_tick: '0.01', cutoff_price: '3.00' },
    rhs_tradability: tradability,
    state: o.state,
    strike_price: o.strikePrice,
    tradability,
    type: o.type,
    updated_at: o.updatedAt,
    url: urls.option(c, o.id),
    sellout_datetime: `${o.expirationDate}T19:45:00+00:00`,
    long_strategy_code: `${o.id}_L1`,
    short_strategy_code: `${o.id}_S1`,
    underlying_type: 'equity',
  };
}

export function optionChainPayload(c: PayloadContext, chain: SimOptionChain): Json {
  const expirations = [
    ...new Set(
      c.state.optionInstruments
        .filter((o) => o.chainId === chain.id && o.state === 'active')
        .map((o) => o.expirationDate),
    ),
  ].sort();
  return {
    id: chain.id,
    symbol: chain.symbol,
    can_open_position: true,
    cash_component: null,
    expiration_dates: expirations,
    trade_value_multiplier: chain.tradeValueMultiplier,
    underlying_instruments: [
      {
        id: chain.underlyingInstrumentId,
        instrument: urls.instrument(c, chain.underlyingInstrumentId),
        quantity: 100,
      },
    ],
    min_ticks: { above_tick: '0.05', below_tick: '0.01', cutoff_price: '3.00' },
  };
}

function occSymbol(o: SimOptionInstrument): string {
  const date = o.expirationDate.replaceAll('-', '').slice(2);
  const strike = new Dec(o.strikePrice).mul(1000).toFixed(0).padStart(8, '0');
  return `${o.chainSymbol.padEnd(6, ' ')}${date}${o.type === 'call' ? 'C' : 'P'}${strike}`;
}

export function optionMarketDataPayload(c: PayloadContext, m: SimOptionMarketData): Json {
  const o = c.lookups.option(m.optionId);
  const mark = new Dec(m.markPrice);
  const spread = new Dec(m.askPrice).sub(m.bidPrice);
  const strike = o ? new Dec(o.strikePrice) : ZERO;
  const breakEven = o?.type === 'put' ? strike.sub(m.adjustedMarkPrice) : strike.add(m.adjustedMarkPrice);
  const p6 = (d: Dec) => d.toFixed(6);
  return {
    adjusted_mark_price: m.adjustedMarkPrice,
    adjusted_mark_price_round_down: p6(mark.toDecimalPlaces(2, Dec.ROUND_DOWN)),
    ask_price: m.askPrice,
    ask_size: m.askSize,
    bid_price: m.bidPrice,
    bid_size: m.bidSize,
    break_even_price: p6(breakEven),
    high_price: m.highPrice,
    low_price: m.lowPrice,
    instrument: urls.option(c, m.optionId),
    instrument_id: m.optionId,
    last_trade_price: m.lastTradePrice,
    last_trade_size: m.lastTradeSize,
    mark_price: m.markPrice,
    open_interest: m.openInterest,
    previous_close_date: m.previousCloseDate,
    previous_close_price: m.previousClosePrice,
    updated_at: m.updatedAt,
    volume: m.volume,
    symbol: o?.chainSymbol ?? null,
    occ_symbol: o ? occSymbol(o) : null,
    state: o?.state ?? 'active',
    chance_of_profit_long: m.chanceOfProfitLong,
    chance_of_profit_short: m.chanceOfProfitShort,
    delta: m.delta,
    gamma: m.gamma,
    implied_volatility: m.impliedVolatility,
    rho: m.rho,
    theta: m.theta,
    vega: m.vega,
    pricing_model: 'Bjerksund-Stensland 1993',
    high_fill_rate_buy_price: p6(mark.add(spread.mul('0.35'))),
    high_fill_rate_sell_price: p6(mark.sub(spread.mul('0.35'))),
    low_fill_rate_buy_price: p6(mark.sub(spread.mul('0.15'))),
    low_fill_rate_sell_price: p6(mark.add(spread.mul('0.15'))),
  };
}

export function optionPositionPayload(c: PayloadContext, p: SimOptionPosition): Json {
  const o = c.lookups.option(p.optionId);
  const chain = o ? c.lookups.chain(o.chainId) : undefined;
  const cost = new Dec(p.averagePrice).abs().mul(p.quantity).toFixed(4);
  const direction = p.type === 'short' ? 'credit' : 'debit';
  return {
    account: urls.account(c, p.accountNumber),
    account_number: p.accountNumber,
    average_price: p.averagePrice,
    chain_id: o?.chainId ?? null,
    chain_symbol: o?.chainSymbol ?? null,
    id: p.id,
    option: urls.option(c, p.optionId),
    option_id: p.optionId,
    type: p.type,
    pending_buy_quantity: '0.0000',
    pending_expired_quantity: '0.0000',
    pending_expiration_quantity: '0.0000',
    pending_exercise_quantity: '0.0000',
    pending_assignment_quantity: '0.0000',
    pending_sell_quantity: '0.0000',
    quantity: p.quantity,
    intraday_quantity: '0.0000',
    intraday_average_open_price: '0.0000',
    created_at: p.createdAt,
    expiration_date: o?.expirationDate ?? null,
    trade_value_multiplier: chain?.tradeValueMultiplier ?? '100.0000',
    updated_at: p.updatedAt,
    url: urls.optionPosition(c, p.id),
    clearing_running_quantity: p.quantity,
    clearing_cost_basis: cost,
    clearing_direction: direction,
    clearing_intraday_running_quantity: '0.0000',
    clearing_intraday_cost_basis: '0.0000',
    clearing_intraday_direction: direction,
    opened_at: p.openedAt,
  };
}

export function optionAggregatePayload(c: PayloadContext, a: SimOptionAggregate): Json {
  const chain = c.lookups.chain(a.chainId);
  const legs = a.legs.map((leg) => {
    const o = c.lookups.option(leg.optionId);
    return {
      id: leg.id,
      ratio_quantity: leg.ratioQuantity,
      position: urls.optionPosition(c, leg.positionId),
      position_type: leg.positionType,
      option: urls.option(c, leg.optionId),
      option_id: leg.optionId,
      expiration_date: o?.expirationDate ?? null,
      strike_price: o?.strikePrice ?? null,
      option_type: o?.type ?? null,
      settle_on_open: false,
    };
  });
  const strategyCode = a.legs
    .map((leg) => `${leg.optionId}_${leg.positionType === 'long' ? 'L' : 'S'}${leg.ratioQuantity}`)
    .join('_');
  const cost = new Dec(a.averageOpenPrice).mul(a.quantity).toFixed(4);
  return {
    id: a.id,
    chain: urls.chain(c, a.chainId),
    account: urls.account(c, a.accountNumber),
    account_number: a.accountNumber,
    symbol: a.symbol,
    strategy: a.strategy,
    average_open_price: a.averageOpenPrice,
    legs,
    quantity: a.quantity,
    intraday_average_open_price: '0.0000',
    intraday_quantity: '0',
    direction: a.direction,
    intraday_direction: a.direction,
    trade_value_multiplier: chain?.tradeValueMultiplier ?? '100.0000',
    created_at: a.createdAt,
    updated_at: a.updatedAt,
    strategy_code: strategyCode,
    clearing_running_quantity: a.quantity,
    clearing_cost_basis: cost,
    clearing_intraday_running_quantity: '0',
    clearing_intraday_cost_basis: '0.0000',
    clearing_direction: a.direction,
    clearing_intraday_direction: a.direction,
    underlying_type: 'equity',
  };
}

// ---- history ---------------------------------------------------------------------------------

const OPEN_STOCK_STATES = new Set(['queued', 'confirmed', 'partially_filled']);
const OPEN_OPTION_STATES = new Set(['queued', 'confirmed', 'partially_filled']);

export function stockOrderPayload(c: PayloadContext, o: SimStockOrder): Json {
  let filled = ZERO;
  let notional = ZERO;
  for (const e of o.executions) {
    filled = filled.add(e.quantity);
    notional = notional.add(new Dec(e.quantity).mul(e.price));
  }
  const average = filled.gt(0) ? notional.div(filled).toFixed(8) : null;
  const open = OPEN_STOCK_STATES.has(o.state);
  const url = `${c.base}/orders/${o.id}/`;
  const total = o.price ? new Dec(o.price).mul(o.quantity) : notional;
  const lastExecution = o.executions.at(-1)?.timestamp ?? null;
  return {
    id: o.id,
    ref_id: o.refId,
    url,
    account: urls.account(c, o.accountNumber),
    user_uuid: c.lookups.account(o.accountNumber)?.userId ?? null,
    position: urls.position(c, o.accountNumber, o.instrumentId),
    cancel: open ? `${url}cancel/` : null,
    instrument: urls.instrument(c, o.instrumentId),
    instrument_id: o.instrumentId,
    cumulative_quantity: filled.toFixed(8),
    average_price: average,
    fees: o.fees,
    sec_fees: '0.00',
    taf_fees: '0.00',
    cat_fees: '0.00',
    sales_taxes: [],
    state: o.state,
    derived_state: o.state,
    pending_cancel_open_agent: null,
    type: o.type,
    side: o.side,
    time_in_force: o.timeInForce,
    trigger: o.trigger,
    price: o.price,
    stop_price: o.stopPrice,
    quantity: o.quantity,
    reject_reason: o.rejectReason,
    created_at: o.createdAt,
    updated_at: o.updatedAt,
    last_transaction_at: lastExecution ?? o.updatedAt,
    executions: o.executions.map((e) => ({
      price: e.price,
      quantity: e.quantity,
      rounded_notional: new Dec(e.price).mul(e.quantity).toFixed(2),
      settlement_date: e.settlementDate,
      timestamp: e.timestamp,
      id: e.id,
      ipo_access_execution_rank: null,
      trade_execution_date: e.timestamp.slice(0, 10),
      fees: '0',
      sec_fee: null,
      taf_fee: null,
      cat_fee: null,
      sales_taxes: [],
    })),
    extended_hours: o.extendedHours,
    market_hours: o.extendedHours ? 'extended_hours' : 'regular_hours',
    override_dtbp_checks: false,
    override_day_trade_checks: false,
    response_category: null,
    stop_triggered_at: null,
    last_trail_price: null,
    last_trail_price_updated_at: null,
    last_trail_price_source: null,
    dollar_based_amount: o.dollarBasedAmount === null ? null : money(new Dec(o.dollarBasedAmount)),
    drip_dividend_id: o.dripDividendId,
    total_notional: money(total),
    executed_notional: money(notional),
    investment_schedule_id: null,
    is_ipo_access_order: false,
    is_visible_to_user: true,
    is_primary_account: c.lookups.account(o.accountNumber)?.isDefault ?? true,
    order_form_version: 6,
    preset_percent_limit: null,
    order_form_type: o.dollarBasedAmount ? 'dollar_based_market_buys' : `share_based_${o.type}_${o.side}s`,
    last_update_version: o.executions.length + 1,
    placed_agent: o.dripDividendId ? 'system' : 'user',
    is_editable: false,
    replaces: null,
    user_cancel_request_state: o.state === 'cancelled' ? 'cancel_requested' : 'no_cancel_requested',
    tax_lot_selection_type: null,
    position_effect: o.positionEffect,
  };
}

export function optionOrderPayload(c: PayloadContext, o: SimOptionOrder): Json {
  const chain = c.lookups.chain(o.chainId);
  const multiplier = new Dec(chain?.tradeValueMultiplier ?? '100');
  const quantity = new Dec(o.quantity);
  // Units of the strategy filled: the first leg's executions over its ratio.
  const first = o.legs[0];
  const firstFilled = first ? first.executions.reduce((sum, e) => sum.add(e.quantity), ZERO) : ZERO;
  const processed = first ? firstFilled.div(first.ratioQuantity) : ZERO;
  let processedPremium = ZERO;
  for (const leg of o.legs) {
    for (const e of leg.executions) {
      const value = new Dec(e.price).mul(e.quantity).mul(multiplier);
      processedPremium = leg.side === 'buy' ? processedPremium.add(value) : processedPremium.sub(value);
    }
  }
  const processedDirection = processedPremium.gte(0) ? 'debit' : 'credit';
  processedPremium = processedPremium.abs();
  const fees = new Dec(o.regulatoryFees);
  const net = processedDirection === 'debit' ? processedPremium.add(fees) : processedPremium.sub(fees);
  const open = OPEN_OPTION_STATES.has(o.state);
  const cancelled = o.state === 'cancelled' || o.state === 'rejected' ? quantity.sub(processed) : ZERO;
  const pending = open ? quantity.sub(processed) : ZERO;
  const premium = new Dec(o.price).mul(multiplier);
  const estimated = premium.mul(quantity);
  return {
    account_number: o.accountNumber,
    cancel_url: open ? `${c.base}/options/orders/${o.id}/cancel/` : null,
    canceled_quantity: cancelled.toFixed(5),
    created_at: o.createdAt,
    direction: o.direction,
    id: o.id,
    legs: o.legs.map((leg) => {
      const option = c.lookups.option(leg.optionId);
      return {
        executions: leg.executions.map((e) => ({
          id: e.id,
          price: e.price,
          quantity: e.quantity,
          settlement_date: e.settlementDate,
          timestamp: e.timestamp,
        })),
        id: leg.id,
        option: urls.option(c, leg.optionId),
        position_effect: leg.positionEffect,
        ratio_quantity: leg.ratioQuantity,
        side: leg.side,
        expiration_date: option?.expirationDate ?? null,
        strike_price: option?.strikePrice ?? null,
        option_type: option?.type ?? null,
        long_strategy_code: `${leg.optionId}_L1`,
        short_strategy_code: `${leg.optionId}_S1`,
      };
    }),
    pending_quantity: pending.toFixed(5),
    premium: premium.toFixed(8),
    processed_premium: processedPremium.toFixed(2),
    processed_premium_direction: processedDirection,
    market_hours: 'regular_hours',
    net_amount: net.toFixed(2),
    net_amount_direction: processedDirection,
    price: o.price,
    processed_quantity: processed.toFixed(5),
    quantity: o.quantity,
    ref_id: o.refId,
    regulatory_fees: o.regulatoryFees,
    contract_fees: '0',
    gold_savings: '0',
    state: o.state,
    derived_state: o.state,
    time_in_force: o.timeInForce,
    trigger: o.trigger,
    type: o.type,
    updated_at: o.updatedAt,
    chain_id: o.chainId,
    chain_symbol: o.chainSymbol,
    trade_value_multiplier: chain?.tradeValueMultiplier ?? '100.0000',
    response_category: null,
    opening_strategy: o.openingStrategy,
    closing_strategy: o.closingStrategy,
    strategy: o.openingStrategy ?? o.closingStrategy,
    stop_price: null,
    form_source: 'option_chain',
    client_bid_at_submission: null,
    client_ask_at_submission: null,
    client_time_at_submission: null,
    average_net_premium_paid: processed.gt(0) ? processedPremium.div(processed).toFixed(8) : null,
    estimated_total_net_amount: estimated.add(fees).toFixed(2),
    estimated_total_net_amount_direction: o.direction,
    is_replaceable: false,
    sales_taxes: [],
    placed_agent: 'user',
  };
}

export function dividendPayload(c: PayloadContext, d: SimDividend): Json {
  return {
    id: d.id,
    url: `${c.base}/dividends/${d.id}/`,
    account: urls.account(c, d.accountNumber),
    instrument: urls.instrument(c, d.instrumentId),
    amount: d.amount,
    rate: d.rate,
    position: d.position,
    withholding: d.withholding,
    record_date: d.recordDate,
    payable_date: d.payableDate,
    paid_at: d.paidAt,
    state: d.state,
    cash_dividend_id: d.cashDividendId,
    drip_enabled: d.dripEnabled,
    nra_withholding: '0',
  };
}

export function optionEventPayload(c: PayloadContext, e: SimOptionEvent): Json {
  const option = c.lookups.option(e.optionId);
  return {
    account: urls.account(c, e.accountNumber),
    account_number: e.accountNumber,
    cash_component: null,
    chain_id: e.chainId,
    created_at: e.createdAt,
    direction: e.direction,
    equity_components: e.equityComponents.map((component) => ({
      id: component.id,
      instrument: urls.instrument(c, component.instrumentId),
      price: component.price,
      quantity: component.quantity,
      side: component.side,
      symbol: component.symbol,
    })),
    event_date: e.eventDate,
    id: e.id,
    option: urls.option(c, e.optionId),
    position: urls.optionPosition(c, e.positionId),
    quantity: e.quantity,
    source_ref_id: null,
    state: e.state,
    total_cash_amount: e.totalCashAmount,
    type: e.type,
    underlying_price: e.underlyingPrice,
    updated_at: e.updatedAt,
    strike_price: option?.strikePrice ?? null,
    expiration_date: option?.expirationDate ?? null,
    option_type: option?.type ?? null,
  };
}

/** Newest first by the given timestamp (the real lists' order). */
export function newestFirst<T>(items: readonly T[], time: (item: T) => string): T[] {
  return items
    .map((item) => ({ item, at: timeToMicros(time(item)) }))
    .sort((a, b) => b.at - a.at)
    .map((entry) => entry.item);
}
