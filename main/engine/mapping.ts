/**
 * Pure mapping from Robinhood payloads (main/broker/robinhood/schemas.ts) to the rows the store
 * writes (main/store/rows.ts). No I/O: every function here is decided by its arguments.
 *
 * Conventions the store documents and these functions honour:
 * - accounts are named by their masked key only;
 * - prices are per share: an option position's `average_price` (per contract, signed) becomes the
 *   positive per-share premium, with the multiplier kept separately;
 * - Greeks are stored as the broker reports them (per share, for a long contract).
 */
import type {
  Account,
  Dividend,
  Instrument,
  OptionAggregatePosition,
  OptionEvent,
  OptionInstrument,
  OptionMarketData,
  OptionOrder,
  OptionPosition,
  Portfolio,
  Quote,
  StockOrder,
  StockPosition,
} from '../broker/robinhood/index.js';
import {
  type AccountInput,
  allocateFees,
  type Broker,
  type DividendInput,
  derivePositionValues,
  type ExecutionInput,
  type InstrumentInput,
  type OptionEventInput,
  type OptionInstrumentInput,
  type OptionPositionInput,
  type OrderInput,
  type PositionInput,
  perSharePremium,
  type SnapshotInput,
  type StockPositionInput,
} from '../store/index.js';
import { Dec, dec, decString } from '../util/money.js';

const DEFAULT_MULTIPLIER = '100';

// ---- account state -------------------------------------------------------------------------

export function instrumentInput(instrument: Instrument): InstrumentInput {
  return {
    id: instrument.id,
    symbol: instrument.symbol,
    name: instrument.name,
    simpleName: instrument.simple_name,
    type: instrument.type,
    state: instrument.state,
    tradableChainId: instrument.tradable_chain_id,
    country: instrument.country,
    listDate: instrument.list_date,
  };
}

export function optionInstrumentInput(
  instrument: OptionInstrument,
  multiplier?: string | null,
): OptionInstrumentInput {
  return {
    id: instrument.id,
    chainId: instrument.chain_id,
    chainSymbol: instrument.chain_symbol ?? '?',
    optionType: instrument.type,
    strikePrice: instrument.strike_price,
    expirationDate: instrument.expiration_date,
    multiplier: multiplier ?? DEFAULT_MULTIPLIER,
    state: instrument.state,
  };
}

/** Option instruments described by aggregate positions: no request needed to learn them. */
export function optionInstrumentsFromAggregates(
  aggregates: readonly OptionAggregatePosition[],
): OptionInstrumentInput[] {
  return aggregates.flatMap((aggregate) =>
    aggregate.legs.map((leg) => ({
      id: leg.option_id,
      chainId: aggregate.chain_id,
      chainSymbol: aggregate.symbol,
      optionType: leg.option_type,
      strikePrice: leg.strike_price,
      expirationDate: leg.expiration_date,
      multiplier: aggregate.trade_value_multiplier ?? DEFAULT_MULTIPLIER,
      state: null,
    })),
  );
}

export interface InstrumentLookup {
  symbol: string;
  name: string | null;
}

export function stockPositionInputs(
  positions: readonly StockPosition[],
  instruments: ReadonlyMap<string, InstrumentLookup>,
  quotes: ReadonlyMap<string, Quote>,
): { inputs: StockPositionInput[]; unresolved: string[] } {
  const inputs: StockPositionInput[] = [];
  const unresolved: string[] = [];
  for (const position of positions) {
    const quantity = dec(position.quantity);
    if (quantity.isZero()) continue;
    const instrument = instruments.get(position.instrument_id);
    if (!instrument) {
      unresolved.push(position.instrument_id);
      continue;
    }
    inputs.push({
      assetType: 'stock',
      instrumentId: position.instrument_id,
      symbol: instrument.symbol,
      name: instrument.name,
      direction: quantity.isNegative() ? 'short' : 'long',
      quantity: decString(quantity.abs()),
      averagePrice: decString(dec(position.average_buy_price).abs()),
      lastPrice: quotes.get(position.instrument_id)?.last_trade_price ?? null,
      openedAt: position.created_at,
    });
  }
  return { inputs, unresolved };
}

export interface OptionContract {
  chainId: string | null;
  chainSymbol: string;
  optionType: 'call' | 'put';
  strikePrice: string;
  expirationDate: string;
  multiplier: string;
}

export function optionPositionInputs(
  positions: readonly OptionPosition[],
  contracts: ReadonlyMap<string, OptionContract>,
  marketData: ReadonlyMap<string, OptionMarketData>,
  strategyOf: ReadonlyMap<string, { id: string; strategy: string | null }>,
): { inputs: OptionPositionInput[]; unresolved: string[] } {
  const inputs: OptionPositionInput[] = [];
  const unresolved: string[] = [];
  for (const position of positions) {
    const quantity = dec(position.quantity);
    if (quantity.isZero()) continue;
    const contract = contracts.get(position.option_id);
    if (!contract) {
      unresolved.push(position.option_id);
      continue;
    }
    const multiplier = position.trade_value_multiplier ?? contract.multiplier;
    const data = marketData.get(position.option_id);
    const strategy = strategyOf.get(`${position.option_id}:${position.type}`);
    inputs.push({
      assetType: 'option',
      instrumentId: position.option_id,
      symbol: position.chain_symbol ?? contract.chainSymbol,
      direction: position.type,
      quantity: decString(quantity.abs()),
      averagePrice: perSharePremium(position.average_price, multiplier),
      lastPrice: data?.mark_price ?? null,
      openedAt: position.opened_at ?? position.created_at,
      optionType: contract.optionType,
      strikePrice: contract.strikePrice,
      expirationDate: contract.expirationDate,
      multiplier,
      chainId: position.chain_id ?? contract.chainId,
      strategy: strategy?.strategy ?? null,
      strategyId: strategy?.id ?? null,
      delta: data?.delta ?? null,
      gamma: data?.gamma ?? null,
      theta: data?.theta ?? null,
      vega: data?.vega ?? null,
      rho: data?.rho ?? null,
      impliedVolatility: data?.implied_volatility ?? null,
    });
  }
  return { inputs, unresolved };
}

export function accountInput(
  key: string,
  broker: Broker,
  account: Account,
  portfolio: Portfolio,
): AccountInput {
  return {
    accountNumber: key,
    broker,
    accountType: account.type,
    brokerageAccountType: account.brokerage_account_type,
    optionLevel: account.option_level,
    isDefault: account.is_default,
    buyingPower: account.buying_power,
    cash: cashShown(account),
    portfolioValue: portfolio.equity,
    marketValue: portfolio.market_value,
    withdrawableAmount: portfolio.withdrawable_amount ?? account.cash_available_for_withdrawal,
    previousCloseEquity: previousCloseEquity(portfolio),
  };
}

/**
 * The cash the broker's own app shows: `portfolio_cash` (in a margin account it can differ from
 * `cash`, and it is the one that matches buying power and withdrawable cash); `cash` only when an
 * old payload lacks it. Sources in docs/schema.md ("Cash").
 */
export function cashShown(account: Pick<Account, 'cash' | 'portfolio_cash'>): string | null {
  return account.portfolio_cash ?? account.cash;
}

/** Adjusted for deposits and withdrawals when the broker says so, so day change is market change. */
function previousCloseEquity(portfolio: Portfolio): string | null {
  return portfolio.adjusted_equity_previous_close ?? portfolio.equity_previous_close;
}

export function snapshotInput(
  key: string,
  takenAt: Date,
  account: Account,
  portfolio: Portfolio,
  positions: readonly PositionInput[],
): SnapshotInput {
  let stockValue = new Dec(0);
  let optionsValue = new Dec(0);
  for (const position of positions) {
    const multiplier = position.assetType === 'option' ? position.multiplier : '1';
    const { marketValue } = derivePositionValues({
      quantity: position.quantity,
      averagePrice: position.averagePrice,
      lastPrice: position.lastPrice,
      multiplier,
      direction: position.direction,
    });
    if (marketValue === null) continue;
    if (position.assetType === 'stock') stockValue = stockValue.plus(marketValue);
    else optionsValue = optionsValue.plus(marketValue);
  }
  return {
    accountNumber: key,
    takenAt: takenAt.toISOString(),
    equity: portfolio.equity,
    marketValue: portfolio.market_value,
    cash: cashShown(account),
    buyingPower: account.buying_power,
    stockValue: decString(stockValue),
    optionsValue: decString(optionsValue),
    previousCloseEquity: previousCloseEquity(portfolio),
    totalPositions: positions.length,
  };
}

// ---- trade history -------------------------------------------------------------------------

/** Fees of a stock order in dollars; regulatory fees are reported separately on newer payloads. */
function stockOrderFees(order: StockOrder): string {
  return decString(dec(order.fees ?? '0'));
}

export function stockOrderRows(
  key: string,
  orders: readonly StockOrder[],
  symbolOf: (instrumentId: string) => string | null,
): { orders: OrderInput[]; executions: ExecutionInput[] } {
  const orderRows: OrderInput[] = [];
  const executions: ExecutionInput[] = [];
  for (const order of orders) {
    const symbol = symbolOf(order.instrument_id);
    const fees = stockOrderFees(order);
    orderRows.push({
      orderId: order.id,
      accountNumber: key,
      assetType: 'stock',
      symbol,
      instrumentId: order.instrument_id,
      state: order.state,
      side: order.side,
      orderType: order.type,
      timeInForce: order.time_in_force,
      trigger: order.trigger,
      quantity: order.quantity,
      filledQuantity: order.cumulative_quantity ?? sumQuantities(order.executions.map((e) => e.quantity)),
      price: order.price,
      stopPrice: order.stop_price,
      averagePrice: order.average_price,
      fees,
      positionEffect: order.position_effect,
      createdAt: order.created_at,
      updatedAt: order.updated_at,
      raw: order,
    });
    const fills = order.executions.filter((e) => dec(e.quantity).greaterThan(0));
    const shares = allocateFees(
      fees,
      fills.map((e) => e.quantity),
    );
    fills.forEach((execution, index) => {
      executions.push({
        orderId: order.id,
        executionId: execution.id ?? `${order.id}:${index}`,
        accountNumber: key,
        assetType: 'stock',
        instrumentId: order.instrument_id,
        symbol: symbol ?? '?',
        side: order.side,
        positionEffect: null,
        quantity: execution.quantity,
        price: execution.price,
        fees: shares[index] ?? '0',
        multiplier: '1',
        executedAt: execution.timestamp ?? order.last_transaction_at ?? order.updated_at,
        settlementDate: execution.settlement_date,
      });
    });
  }
  return { orders: orderRows, executions };
}

export function optionOrderRows(
  key: string,
  orders: readonly OptionOrder[],
  contractOf: (optionId: string) => OptionContract | null,
): { orders: OrderInput[]; executions: ExecutionInput[] } {
  const orderRows: OrderInput[] = [];
  const executions: ExecutionInput[] = [];
  for (const order of orders) {
    const fees = decString(dec(order.regulatory_fees ?? '0').plus(order.contract_fees ?? '0'));
    const single = order.legs.length === 1 ? order.legs[0] : undefined;
    const firstContract = order.legs[0] ? contractOf(order.legs[0].option_id) : null;
    orderRows.push({
      orderId: order.id,
      accountNumber: key,
      assetType: 'option',
      symbol: order.chain_symbol ?? firstContract?.chainSymbol ?? null,
      chainId: order.chain_id,
      state: order.state,
      side: single?.side ?? null,
      direction: order.direction === 'debit' || order.direction === 'credit' ? order.direction : null,
      orderType: order.type,
      timeInForce: order.time_in_force,
      trigger: order.trigger,
      quantity: order.quantity,
      filledQuantity: order.processed_quantity ?? filledStrategies(order),
      price: order.price,
      stopPrice: null,
      averagePrice: single ? averageFillPrice(single.executions) : null,
      fees,
      premium: order.premium,
      processedPremium: order.processed_premium,
      netAmount: order.net_amount,
      openingStrategy: order.opening_strategy,
      closingStrategy: order.closing_strategy,
      strategy: order.strategy,
      positionEffect: single?.position_effect ?? null,
      legs: order.legs.map((leg) => {
        const contract = contractOf(leg.option_id);
        return {
          legId: leg.id ?? `${order.id}:${leg.option_id}`,
          optionInstrumentId: leg.option_id,
          side: leg.side,
          positionEffect: effectOf(leg.position_effect),
          ratioQuantity: leg.ratio_quantity,
          optionType: leg.option_type ?? contract?.optionType ?? null,
          strikePrice: leg.strike_price ?? contract?.strikePrice ?? null,
          expirationDate: leg.expiration_date ?? contract?.expirationDate ?? null,
        };
      }),
      createdAt: order.created_at,
      updatedAt: order.updated_at,
      raw: order,
    });

    // Fees are shared over every fill of every leg, by contracts.
    const fills = order.legs.flatMap((leg) =>
      leg.executions
        .filter((e) => dec(e.quantity).greaterThan(0))
        .map((execution, index) => ({ leg, execution, index })),
    );
    const shares = allocateFees(
      fees,
      fills.map((f) => f.execution.quantity),
    );
    fills.forEach(({ leg, execution, index }, i) => {
      const contract = contractOf(leg.option_id);
      const legId = leg.id ?? `${order.id}:${leg.option_id}`;
      executions.push({
        orderId: order.id,
        executionId: execution.id ?? `${legId}:${index}`,
        accountNumber: key,
        assetType: 'option',
        legId,
        instrumentId: leg.option_id,
        symbol: order.chain_symbol ?? contract?.chainSymbol ?? '?',
        side: leg.side,
        positionEffect: effectOf(leg.position_effect),
        quantity: execution.quantity,
        price: execution.price,
        fees: shares[i] ?? '0',
        multiplier: order.trade_value_multiplier ?? contract?.multiplier ?? DEFAULT_MULTIPLIER,
        optionType: leg.option_type ?? contract?.optionType ?? null,
        strikePrice: leg.strike_price ?? contract?.strikePrice ?? null,
        expirationDate: leg.expiration_date ?? contract?.expirationDate ?? null,
        executedAt: execution.timestamp ?? order.updated_at,
        settlementDate: execution.settlement_date,
      });
    });
  }
  return { orders: orderRows, executions };
}

function effectOf(value: string | null): 'open' | 'close' | null {
  return value === 'open' || value === 'close' ? value : null;
}

/** Strategies filled: the first leg's contracts over its ratio. */
function filledStrategies(order: OptionOrder): string {
  const leg = order.legs[0];
  if (!leg) return '0';
  return decString(
    dec(sumQuantities(leg.executions.map((e) => e.quantity))).dividedBy(leg.ratio_quantity ?? 1),
  );
}

/** Quantity-weighted average price of fills, per share; null when nothing filled. */
function averageFillPrice(fills: readonly { price: string; quantity: string }[]): string | null {
  let quantity = new Dec(0);
  let notional = new Dec(0);
  for (const fill of fills) {
    quantity = quantity.plus(fill.quantity);
    notional = notional.plus(dec(fill.price).times(fill.quantity));
  }
  return quantity.isZero() ? null : decString(notional.dividedBy(quantity).toDecimalPlaces(8));
}

function sumQuantities(values: readonly string[]): string {
  return decString(values.reduce((sum, v) => sum.plus(v), new Dec(0)));
}

/**
 * The dividend's state as reported; old payloads (recorded 2016–2018) have none: a dividend with a
 * payment time was paid, any other is still pending.
 */
export function dividendState(d: Pick<Dividend, 'state' | 'paid_at'>): string {
  return d.state ?? (d.paid_at ? 'paid' : 'pending');
}

export function dividendRows(
  key: string,
  dividends: readonly Dividend[],
  symbolOf: (instrumentId: string) => string | null,
): DividendInput[] {
  return dividends.map((d) => ({
    dividendId: d.id,
    accountNumber: key,
    instrumentId: d.instrument_id,
    symbol: symbolOf(d.instrument_id),
    amount: d.amount,
    rate: d.rate,
    position: d.position,
    withholding: d.withholding,
    recordDate: d.record_date,
    payableDate: d.payable_date,
    paidAt: d.paid_at,
    state: dividendState(d),
    dripEnabled: d.drip_enabled,
    raw: d,
  }));
}

export function optionEventRows(
  key: string,
  events: readonly OptionEvent[],
  contractOf: (optionId: string) => OptionContract | null,
): OptionEventInput[] {
  const rows: OptionEventInput[] = [];
  for (const event of events) {
    if (!event.option_id || !event.quantity || !event.event_date) continue;
    rows.push({
      eventId: event.id,
      accountNumber: key,
      optionInstrumentId: event.option_id,
      chainSymbol: contractOf(event.option_id)?.chainSymbol ?? null,
      type: event.type,
      direction: event.direction,
      state: event.state,
      quantity: event.quantity,
      eventDate: event.event_date,
      totalCashAmount: event.total_cash_amount,
      underlyingPrice: event.underlying_price,
      raw: event,
    });
  }
  return rows;
}
