/**
 * Low-level scenario construction. Callers (scenario.ts for random scenarios, demo.ts for the demo)
 * add accounts, instruments, orders, option events and dividends; `build()` then derives every
 * position from the history, so positions and history cannot disagree:
 *
 * - a stock position's quantity is the FIFO result of its filled executions (orders in any state,
 *   including cancelled orders with partial fills, and reinvested-dividend buys) plus the shares
 *   delivered or taken by option assignments/exercises (equity components of option events);
 * - an option position's quantity is the FIFO result of its legs' executions (open adds, close
 *   removes) minus the contracts its expiration/assignment/exercise events removed;
 * - average prices are the cost of the lots FIFO leaves open;
 * - a history that would sell more than is held makes build() throw.
 */
import { Dec } from '../util/money.js';
import { CATALOG, type CatalogEntry, syntheticCompany } from './catalog.js';
import { priceOption, roundPremium } from './pricing.js';
import type { Rng } from './random.js';
import {
  dateToMs,
  isoDate,
  isoMicros,
  isoSeconds,
  isWeekend,
  MICROS_PER_MS,
  MS_PER_DAY,
  nextBusinessDay,
  previousBusinessDay,
  startOfDayMs,
} from './time.js';
import type {
  AccountType,
  BrokerageAccountType,
  IsoDate,
  Scenario,
  SimAccount,
  SimDividend,
  SimEquityComponent,
  SimExecution,
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
  SimUser,
  StockOrderState,
} from './types.js';

/** What happens to an order after it is placed. */
export type OrderOutcome =
  | 'filled'
  | 'partially-filled' // still open, part executed
  | 'partial-cancelled' // part executed, rest cancelled
  | 'cancelled'
  | 'queued' // open, nothing executed
  | 'rejected';

export interface StockOrderSpec {
  account: SimAccount;
  instrument: SimInstrument;
  side: 'buy' | 'sell';
  quantity: Dec | string;
  /** Placement time, epoch ms. */
  at: number;
  outcome: OrderOutcome;
  /** Market price at that time; executions happen around it. */
  price: Dec | string;
  type?: 'market' | 'limit';
  /** How many executions fill the order (filled outcome), default 1. */
  executions?: number;
  /** For the partial outcomes; default half of the quantity (at least 1). */
  filledQuantity?: Dec | string;
  dripDividendId?: string;
  dollarBasedAmount?: Dec | string;
}

export interface OptionLegSpec {
  option: SimOptionInstrument;
  side: 'buy' | 'sell';
  effect: 'open' | 'close';
  ratio?: number;
  /** Per-share price of this leg. */
  price: Dec | string;
}

export interface OptionOrderSpec {
  account: SimAccount;
  legs: OptionLegSpec[];
  quantity: number;
  at: number;
  outcome: OrderOutcome;
  /** "long_call", "short_put", "long_call_spread", … */
  strategy: string;
  executions?: number;
  filledQuantity?: number;
  type?: 'limit' | 'market';
}

export interface OptionEventSpec {
  account: SimAccount;
  option: SimOptionInstrument;
  side: 'long' | 'short';
  type: 'expiration' | 'assignment' | 'exercise';
  quantity: number;
  underlyingPrice: Dec | string;
}

export interface DividendSpec {
  account: SimAccount;
  instrument: SimInstrument;
  recordDate: IsoDate;
  payableDate: IsoDate;
  rate: Dec | string;
  /** Reinvest (when paid): adds a fractional buy order on the payable date. */
  drip?: boolean;
  /** Price of the reinvestment buy; default the current quote. */
  dripPrice?: Dec | string;
}

interface LedgerEntry {
  at: number; // epoch micros
  seq: number;
  quantity: Dec; // + acquires, − disposes
  price: Dec; // per share (stocks) or per share of premium (options)
}

interface Ledger {
  entries: LedgerEntry[];
  sorted: boolean;
}

interface Fill {
  at: number;
  quantity: Dec;
  price: Dec;
  record: SimExecution;
}

interface StrategyGroup {
  id: string;
  account: SimAccount;
  chain: SimOptionChain;
  strategy: string;
  legs: Array<{ optionId: string; side: 'long' | 'short'; ratio: number }>;
  /** Net premium per share of one unit at the opening fill: + paid, − received. */
  openingNet: Dec;
  openedAt: number;
}

const ZERO = new Dec(0);
const HUNDRED = new Dec(100);

const OPEN_STOCK_STATES: ReadonlySet<StockOrderState> = new Set(['queued', 'confirmed', 'partially_filled']);

export class ScenarioBuilder {
  readonly nowMs: number;
  private readonly scenario: Scenario;
  private seq = 0;
  private readonly stockLedgers = new Map<string, Ledger>();
  private readonly optionLedgers = new Map<string, Ledger>();
  private readonly optionPositionIds = new Map<string, string>();
  private readonly heldForOrders = new Map<string, { buys: Dec; sells: Dec }>();
  private readonly groups: StrategyGroup[] = [];
  private readonly instrumentsById = new Map<string, SimInstrument>();
  private readonly instrumentsBySymbol = new Map<string, SimInstrument>();
  private readonly quotesById = new Map<string, SimQuote>();
  private readonly chainsById = new Map<string, SimOptionChain>();
  private readonly optionsByKey = new Map<string, SimOptionInstrument>();
  private readonly optionsById = new Map<string, SimOptionInstrument>();
  private readonly volatility = new Map<string, Dec>();
  private readonly accountNumbers = new Set<string>();

  constructor(
    readonly rng: Rng,
    now: Date,
    seed: number,
  ) {
    this.nowMs = now.getTime();
    this.scenario = {
      version: 1,
      seed,
      now: isoMicros(this.nowMs * MICROS_PER_MS),
      users: [],
      accounts: [],
      instruments: [],
      quotes: [],
      fundamentals: [],
      optionChains: [],
      optionInstruments: [],
      optionMarketData: [],
      stockPositions: [],
      optionPositions: [],
      optionAggregates: [],
      stockOrders: [],
      optionOrders: [],
      dividends: [],
      optionEvents: [],
    };
  }

  // ---- time ------------------------------------------------------------------------------------

  /** A timestamp with random microseconds: epoch ms → epoch micros. */
  micros(ms: number): number {
    return ms * MICROS_PER_MS + this.rng.int(0, 999);
  }

  /** A regular-session moment (14:30–20:59 UTC) on the weekday on or before the given day. */
  marketTime(dayMs: number): number {
    let day = startOfDayMs(dayMs);
    while (isWeekend(day)) day -= MS_PER_DAY;
    return day + (14 * 60 + 30) * 60_000 + this.rng.int(0, 6 * 60 * 60_000 + 29 * 60_000);
  }

  /** A random regular-session moment between two instants (inclusive of their days). */
  marketTimeBetween(fromMs: number, toMs: number): number {
    const from = startOfDayMs(fromMs);
    const to = startOfDayMs(toMs);
    const days = Math.max(0, Math.round((to - from) / MS_PER_DAY));
    for (let attempt = 0; attempt < 8; attempt++) {
      const day = from + this.rng.int(0, days) * MS_PER_DAY;
      if (!isWeekend(day)) return this.marketTime(day);
    }
    return this.marketTime(to);
  }

  // ---- reference data --------------------------------------------------------------------------

  addUser(user: SimUser): void {
    if (this.scenario.users.some((u) => u.username === user.username))
      throw new RangeError(`duplicate user ${user.username}`);
    this.scenario.users.push({ ...user });
  }

  addAccount(spec: {
    accountNumber?: string;
    type: AccountType;
    brokerageAccountType: BrokerageAccountType;
    cash: Dec | string;
    openedDaysAgo?: number;
    userId?: string;
  }): SimAccount {
    const isDefault = this.scenario.accounts.length === 0;
    const accountNumber = spec.accountNumber ?? this.newAccountNumber();
    if (this.accountNumbers.has(accountNumber))
      throw new RangeError(`duplicate account number ${accountNumber}`);
    this.accountNumbers.add(accountNumber);
    const opened = this.nowMs - (spec.openedDaysAgo ?? 900) * MS_PER_DAY;
    const cash = new Dec(spec.cash.toString());
    const account: SimAccount = {
      accountNumber,
      userId: spec.userId ?? this.scenario.accounts[0]?.userId ?? this.rng.uuid(),
      type: spec.type,
      brokerageAccountType: spec.brokerageAccountType,
      isDefault,
      optionLevel: spec.type === 'margin' ? 'option_level_3' : 'option_level_2',
      createdAt: isoMicros(this.micros(opened)),
      updatedAt: isoMicros(this.micros(this.nowMs - this.rng.int(1, 72) * 3_600_000)),
      startDate: isoDate(opened),
      cash: cash.toFixed(4),
      cashHeldForOrders: '0.0000',
      cashHeldForOptionsCollateral: '0.0000',
      unclearedDeposits: '0.0000',
      unsettledFunds: '0.0000',
      cashAvailableForWithdrawal: cash.toFixed(4),
      rhsAccountNumber: this.rng.int(100_000_000, 999_999_999),
    };
    this.scenario.accounts.push(account);
    return account;
  }

  private newAccountNumber(): string {
    const letters = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
    for (;;) {
      const n = `${this.rng.int(1, 9)}${this.rng.pick([...letters])}${this.rng.pick([...letters])}${this.rng.digits(5)}`;
      if (!this.accountNumbers.has(n)) return n;
    }
  }

  instrumentBySymbol(symbol: string): SimInstrument | undefined {
    return this.instrumentsBySymbol.get(symbol);
  }

  /** Adds a listing with its quote, fundamentals and option chain. */
  addInstrument(entry: CatalogEntry): SimInstrument {
    if (this.instrumentsBySymbol.has(entry.symbol)) throw new RangeError(`duplicate symbol ${entry.symbol}`);
    const rng = this.rng;
    const id = rng.uuid();
    const chainId = rng.uuid();
    const instrument: SimInstrument = {
      id,
      symbol: entry.symbol,
      name: entry.name,
      simpleName: entry.simpleName,
      type: entry.type,
      market: entry.market,
      listDate: `${Math.max(entry.founded, 1980)}-0${rng.int(1, 9)}-1${rng.int(0, 9)}`,
      chainId,
      state: 'active',
      tradeable: true,
      bloombergUnique: `EQ00${rng.digits(8)}1000`,
    };
    this.scenario.instruments.push(instrument);
    this.instrumentsById.set(id, instrument);
    this.instrumentsBySymbol.set(entry.symbol, instrument);

    const last = new Dec(entry.price);
    const change = rng.decimalBetween('-0.025', '0.025', 4);
    const previousClose = last.div(change.add(1)).toDecimalPlaces(2);
    const tick = new Dec('0.01');
    const spreadTicks = rng.int(1, last.gt(200) ? 12 : 4);
    const bid = last.sub(tick.mul(rng.int(0, spreadTicks))).toDecimalPlaces(2);
    const ask = bid.add(tick.mul(spreadTicks));
    const extended = rng.chance(0.7)
      ? last.mul(rng.decimalBetween('0.994', '1.006', 4).toString()).toDecimalPlaces(2)
      : null;
    const quote: SimQuote = {
      instrumentId: id,
      symbol: entry.symbol,
      lastTradePrice: last.toFixed(6),
      lastExtendedHoursTradePrice: extended ? extended.toFixed(6) : null,
      previousClose: previousClose.toFixed(6),
      adjustedPreviousClose: previousClose.toFixed(6),
      previousCloseDate: previousBusinessDay(this.nowMs),
      bidPrice: bid.toFixed(6),
      bidSize: rng.int(1, 40) * 100,
      askPrice: ask.toFixed(6),
      askSize: rng.int(1, 40) * 100,
      tradingHalted: false,
      hasTraded: true,
      updatedAt: isoSeconds(this.nowMs - rng.int(1, 600) * 1000),
    };
    this.scenario.quotes.push(quote);
    this.quotesById.set(id, quote);

    const shares = new Dec(rng.int(50, 16_000)).mul(1_000_000);
    const volume = new Dec(rng.int(200_000, 90_000_000));
    const high = last.mul(rng.decimalBetween('1.000', '1.020', 3).toString()).toDecimalPlaces(2);
    const low = last.mul(rng.decimalBetween('0.980', '1.000', 3).toString()).toDecimalPlaces(2);
    const fundamentals: SimFundamentals = {
      instrumentId: id,
      open: previousClose.mul(rng.decimalBetween('0.99', '1.01', 3).toString()).toFixed(6),
      high: high.toFixed(6),
      low: low.toFixed(6),
      volume: volume.toFixed(6),
      averageVolume: volume
        .mul(rng.decimalBetween('0.8', '1.2', 2).toString())
        .toDecimalPlaces(0)
        .toFixed(6),
      averageVolume2Weeks: volume
        .mul(rng.decimalBetween('0.8', '1.2', 2).toString())
        .toDecimalPlaces(0)
        .toFixed(6),
      high52Weeks: last.mul(rng.decimalBetween('1.05', '1.45', 2).toString()).toFixed(6),
      low52Weeks: last.mul(rng.decimalBetween('0.55', '0.95', 2).toString()).toFixed(6),
      dividendYield: entry.dividend
        ? new Dec(entry.dividend).mul(entry.dividendsPerYear).div(last).mul(100).toFixed(6)
        : null,
      marketCap: shares.mul(last).toDecimalPlaces(0).toFixed(6),
      peRatio: entry.type === 'etp' ? null : rng.decimalBetween('8', '70', 6).toFixed(6),
      pbRatio: entry.type === 'etp' ? null : rng.decimalBetween('1', '40', 6).toFixed(6),
      sharesOutstanding: shares.toFixed(6),
      float: shares.mul('0.97').toDecimalPlaces(0).toFixed(6),
      description: `${entry.simpleName ?? entry.name} (${entry.symbol}) — simulated listing for Magnus Sync's demo and tests.`,
      ceo: '',
      headquartersCity: entry.city,
      headquartersState: entry.state,
      sector: entry.sector,
      industry: entry.industry,
      numEmployees: rng.int(200, 400_000),
      yearFounded: entry.founded,
    };
    this.scenario.fundamentals.push(fundamentals);

    const chain: SimOptionChain = {
      id: chainId,
      symbol: entry.symbol,
      underlyingInstrumentId: id,
      tradeValueMultiplier: '100.0000',
    };
    this.scenario.optionChains.push(chain);
    this.chainsById.set(chainId, chain);
    this.volatility.set(chainId, rng.decimalBetween('0.18', '0.65', 2));
    return instrument;
  }

  /** A made-up listing ("VELS", "Velstone Holdings, Inc.") with a plausible price. */
  addSyntheticInstrument(): SimInstrument {
    const rng = this.rng;
    let symbol = '';
    do {
      const length = rng.int(3, 4);
      symbol = '';
      for (let i = 0; i < length; i++) symbol += String.fromCharCode(65 + rng.int(0, 25));
    } while (this.instrumentsBySymbol.has(symbol) || CATALOG.some((entry) => entry.symbol === symbol));
    const company = syntheticCompany((items) => rng.pick(items));
    const price = rng.chance(0.15) ? rng.decimalBetween('2', '15', 2) : rng.decimalBetween('15', '480', 2);
    return this.addInstrument({
      symbol,
      name: `${company.simpleName} ${company.form} Common Stock`,
      simpleName: company.simpleName,
      type: 'stock',
      market: rng.chance(0.5) ? 'XNAS' : 'XNYS',
      price: price.toFixed(2),
      sector: company.sector,
      industry: company.industry,
      city: 'Springfield',
      state: 'IL',
      founded: rng.int(1950, 2019),
      dividend: rng.chance(0.4)
        ? price.mul(rng.decimalBetween('0.002', '0.012', 4).toString()).toFixed(4)
        : null,
      dividendsPerYear: 4,
    });
  }

  currentPrice(instrument: SimInstrument): Dec {
    const quote = this.quotesById.get(instrument.id);
    if (!quote) throw new RangeError(`no quote for ${instrument.symbol}`);
    return new Dec(quote.lastTradePrice);
  }

  chainOf(instrument: SimInstrument): SimOptionChain {
    const chain = instrument.chainId ? this.chainsById.get(instrument.chainId) : undefined;
    if (!chain) throw new RangeError(`${instrument.symbol} has no option chain`);
    return chain;
  }

  /** The strike grid step at that price. */
  strikeStep(price: Dec): Dec {
    if (price.lt(25)) return new Dec('0.5');
    if (price.lt(100)) return new Dec(1);
    if (price.lt(250)) return new Dec('2.5');
    return new Dec(5);
  }

  roundStrike(value: Dec, step: Dec): Dec {
    return Dec.max(value.div(step).round().mul(step), step);
  }

  /** The option contract (created once per chain/expiry/strike/type). */
  optionInstrument(
    instrument: SimInstrument,
    expirationDate: IsoDate,
    strike: Dec | string,
    type: 'call' | 'put',
  ): SimOptionInstrument {
    const chain = this.chainOf(instrument);
    const strikePrice = new Dec(strike.toString()).toFixed(4);
    const key = `${chain.id}|${expirationDate}|${strikePrice}|${type}`;
    const existing = this.optionsByKey.get(key);
    if (existing) return existing;
    const expiryMs = dateToMs(expirationDate);
    const issueMs = Math.min(expiryMs - 120 * MS_PER_DAY, this.nowMs - 5 * MS_PER_DAY);
    const createdAt = isoMicros(
      this.micros(startOfDayMs(issueMs) + 3 * 3_600_000 + this.rng.int(0, 3_600_000)),
    );
    const option: SimOptionInstrument = {
      id: this.rng.uuid(),
      chainId: chain.id,
      chainSymbol: chain.symbol,
      type,
      strikePrice,
      expirationDate,
      issueDate: isoDate(issueMs),
      state: expirationDate < isoDate(this.nowMs) ? 'expired' : 'active',
      createdAt,
      updatedAt: createdAt,
    };
    this.scenario.optionInstruments.push(option);
    this.optionsByKey.set(key, option);
    this.optionsById.set(option.id, option);
    return option;
  }

  /** Model price of a contract on a given day for a given underlying price. */
  modelPremium(option: SimOptionInstrument, underlying: Dec, atMs: number): Dec {
    const days = (dateToMs(option.expirationDate) + 20 * 3_600_000 - atMs) / MS_PER_DAY;
    const vol = this.volatilityOf(option, underlying);
    return roundPremium(
      priceOption({ type: option.type, underlying, strike: option.strikePrice, days, volatility: vol }).price,
    );
  }

  private volatilityOf(option: SimOptionInstrument, underlying: Dec): Dec {
    const base = this.volatility.get(option.chainId) ?? new Dec('0.3');
    const moneyness = new Dec(option.strikePrice).div(underlying).sub(1).abs();
    return base.mul(moneyness.mul('0.8').add(1)).toDecimalPlaces(4);
  }

  // ---- history ---------------------------------------------------------------------------------

  private ledger(map: Map<string, Ledger>, key: string): Ledger {
    let ledger = map.get(key);
    if (!ledger) {
      ledger = { entries: [], sorted: true };
      map.set(key, ledger);
    }
    return ledger;
  }

  private post(map: Map<string, Ledger>, key: string, at: number, quantity: Dec, price: Dec): void {
    const ledger = this.ledger(map, key);
    const last = ledger.entries.at(-1);
    if (last && (last.at > at || (last.at === at && last.seq > this.seq))) ledger.sorted = false;
    ledger.entries.push({ at, seq: ++this.seq, quantity, price });
  }

  private sortedEntries(ledger: Ledger): LedgerEntry[] {
    if (!ledger.sorted) {
      ledger.entries.sort((a, b) => a.at - b.at || a.seq - b.seq);
      ledger.sorted = true;
    }
    return ledger.entries;
  }

  /** Shares held at the end of the given instant (epoch ms). */
  holdingsAt(account: SimAccount, instrument: SimInstrument, atMs: number): Dec {
    const ledger = this.stockLedgers.get(`${account.accountNumber}|${instrument.id}`);
    if (!ledger) return ZERO;
    const limit = atMs * MICROS_PER_MS + 999;
    let total = ZERO;
    for (const entry of this.sortedEntries(ledger)) {
      if (entry.at > limit) break;
      total = total.add(entry.quantity);
    }
    return total;
  }

  /** Splits a quantity into n positive parts (whole numbers when it is whole). */
  private split(quantity: Dec, parts: number): Dec[] {
    if (parts <= 1 || !quantity.isInteger() || quantity.lt(parts)) return [quantity];
    const cuts = new Set<number>();
    const total = quantity.toNumber();
    while (cuts.size < parts - 1) cuts.add(this.rng.int(1, total - 1));
    const points = [0, ...[...cuts].sort((a, b) => a - b), total];
    const out: Dec[] = [];
    for (let i = 1; i < points.length; i++)
      out.push(new Dec((points[i] as number) - (points[i - 1] as number)));
    return out;
  }

  /** Fills at increasing times after startMicros; returns the payload records and their values. */
  private executions(parts: Dec[], startMicros: number, price: () => Dec, quantityPlaces: number): Fill[] {
    let at = startMicros;
    return parts.map((quantity) => {
      at += this.rng.int(150_000, 2_500_000);
      const fillPrice = price();
      return {
        at,
        quantity,
        price: fillPrice,
        record: {
          id: this.rng.uuid(),
          price: fillPrice.toFixed(8),
          quantity: quantity.toFixed(quantityPlaces),
          timestamp: isoMicros(at),
          settlementDate: nextBusinessDay(isoDate(Math.floor(at / MICROS_PER_MS))),
        },
      };
    });
  }

  private filledPart(
    spec: { outcome: OrderOutcome; filledQuantity?: Dec | string | number },
    quantity: Dec,
  ): Dec {
    switch (spec.outcome) {
      case 'filled':
        return quantity;
      case 'partially-filled':
      case 'partial-cancelled': {
        if (spec.filledQuantity !== undefined) return new Dec(spec.filledQuantity.toString());
        return quantity.isInteger() && quantity.gte(2) ? quantity.div(2).floor() : ZERO;
      }
      default:
        return ZERO;
    }
  }

  stockOrder(spec: StockOrderSpec): SimStockOrder {
    return this.stockOrderWithFill(spec).order;
  }

  /** Places a stock order and says how many shares it filled. */
  stockOrderWithFill(spec: StockOrderSpec): { order: SimStockOrder; filled: Dec } {
    const rng = this.rng;
    const quantity = new Dec(spec.quantity.toString());
    if (!quantity.gt(0)) throw new RangeError('order quantity must be positive');
    const market = new Dec(spec.price.toString());
    const type =
      spec.type ?? (spec.outcome === 'queued' || spec.outcome.startsWith('partial') ? 'limit' : 'market');
    const limit = market.toDecimalPlaces(2);
    const orderPrice =
      type === 'limit'
        ? limit
        : market.mul(spec.side === 'buy' ? '1.05' : '0.95').toDecimalPlaces(2, Dec.ROUND_HALF_UP);
    const filled = this.filledPart(spec, quantity);
    if (filled.gt(quantity) || filled.lt(0))
      throw new RangeError('filled quantity must be within the order quantity');
    const created = this.micros(spec.at);
    const parts = filled.gt(0)
      ? this.split(filled, spec.outcome === 'filled' ? (spec.executions ?? 1) : 1)
      : [];
    const fills = this.executions(
      parts,
      created,
      () => (type === 'limit' ? limit : market.add(new Dec(rng.int(-40, 40)).div(10_000))),
      8,
    );
    const lastMicros = fills.at(-1)?.at ?? created;
    const state: StockOrderState = (
      {
        filled: 'filled',
        'partially-filled': 'partially_filled',
        'partial-cancelled': 'cancelled',
        cancelled: 'cancelled',
        queued: 'confirmed',
        rejected: 'rejected',
      } as const
    )[spec.outcome];
    const endOfLife =
      state === 'cancelled'
        ? lastMicros + rng.int(60, 6 * 3600) * 1_000_000
        : lastMicros + rng.int(80_000, 900_000);
    const updated = Math.min(endOfLife, this.nowMs * MICROS_PER_MS - rng.int(1, 60_000_000));
    const order: SimStockOrder = {
      id: rng.uuid(),
      refId: rng.uuid(),
      accountNumber: spec.account.accountNumber,
      instrumentId: spec.instrument.id,
      side: spec.side,
      type,
      timeInForce:
        state === 'confirmed' || state === 'partially_filled' || (type === 'limit' && rng.chance(0.5))
          ? 'gtc'
          : 'gfd',
      trigger: 'immediate',
      price: orderPrice.toFixed(8),
      stopPrice: null,
      quantity: quantity.toFixed(8),
      state,
      fees: '0.00',
      createdAt: isoMicros(created),
      updatedAt: isoMicros(Math.max(updated, lastMicros, created)),
      executions: fills.map((fill) => fill.record),
      dripDividendId: spec.dripDividendId ?? null,
      dollarBasedAmount:
        spec.dollarBasedAmount === undefined ? null : new Dec(spec.dollarBasedAmount.toString()).toFixed(2),
      extendedHours: false,
      positionEffect: null,
      rejectReason: state === 'rejected' ? 'insufficient_buying_power' : null,
    };
    this.scenario.stockOrders.push(order);
    const key = `${spec.account.accountNumber}|${spec.instrument.id}`;
    for (const fill of fills)
      this.post(
        this.stockLedgers,
        key,
        fill.at,
        spec.side === 'buy' ? fill.quantity : fill.quantity.neg(),
        fill.price,
      );
    if (OPEN_STOCK_STATES.has(state)) {
      const held = this.heldForOrders.get(key) ?? { buys: ZERO, sells: ZERO };
      const remaining = quantity.sub(filled);
      if (spec.side === 'buy') held.buys = held.buys.add(remaining);
      else held.sells = held.sells.add(remaining);
      this.heldForOrders.set(key, held);
    }
    return { order, filled };
  }

  optionOrder(spec: OptionOrderSpec): SimOptionOrder {
    const rng = this.rng;
    if (!Number.isInteger(spec.quantity) || spec.quantity <= 0)
      throw new RangeError('contracts must be a positive integer');
    const first = spec.legs[0];
    if (!first) throw new RangeError('an option order needs at least one leg');
    const chain = this.chainsById.get(first.option.chainId);
    if (!chain) throw new RangeError('unknown option chain');
    let net = ZERO;
    for (const leg of spec.legs) {
      const legPrice = new Dec(leg.price.toString()).mul(leg.ratio ?? 1);
      net = leg.side === 'buy' ? net.add(legPrice) : net.sub(legPrice);
    }
    const direction = net.gte(0) ? 'debit' : 'credit';
    const quantity = new Dec(spec.quantity);
    const filled = this.filledPart(spec, quantity);
    const created = this.micros(spec.at);
    const parts = filled.gt(0)
      ? this.split(filled, spec.outcome === 'filled' ? (spec.executions ?? 1) : 1)
      : [];
    let lastMicros = created;
    const opening = spec.legs.every((leg) => leg.effect === 'open');
    const legs = spec.legs.map((leg) => {
      const ratio = leg.ratio ?? 1;
      const price = new Dec(leg.price.toString());
      const fills = this.executions(
        parts.map((part) => part.mul(ratio)),
        created,
        () => price,
        5,
      );
      const side = (leg.side === 'buy') === (leg.effect === 'open') ? 'long' : 'short';
      for (const fill of fills) {
        lastMicros = Math.max(lastMicros, fill.at);
        const key = this.optionKey(spec.account, leg.option.id, side);
        this.post(
          this.optionLedgers,
          key,
          fill.at,
          leg.effect === 'open' ? fill.quantity : fill.quantity.neg(),
          price,
        );
      }
      const executions = fills.map((fill) => fill.record);
      return {
        id: rng.uuid(),
        optionId: leg.option.id,
        side: leg.side,
        positionEffect: leg.effect,
        ratioQuantity: ratio,
        executions,
      };
    });
    const state = (
      {
        filled: 'filled',
        'partially-filled': 'partially_filled',
        'partial-cancelled': 'cancelled',
        cancelled: 'cancelled',
        queued: 'confirmed',
        rejected: 'rejected',
      } as const
    )[spec.outcome];
    const endOfLife =
      state === 'cancelled'
        ? lastMicros + rng.int(60, 4 * 3600) * 1_000_000
        : lastMicros + rng.int(80_000, 900_000);
    const updated = Math.min(endOfLife, this.nowMs * MICROS_PER_MS - rng.int(1, 60_000_000));
    const order: SimOptionOrder = {
      id: rng.uuid(),
      refId: rng.uuid(),
      accountNumber: spec.account.accountNumber,
      chainId: chain.id,
      chainSymbol: chain.symbol,
      type: spec.type ?? 'limit',
      price: net.abs().toFixed(8),
      quantity: quantity.toFixed(5),
      state,
      direction,
      timeInForce: rng.chance(0.6) ? 'gfd' : 'gtc',
      trigger: 'immediate',
      openingStrategy: opening ? spec.strategy : null,
      closingStrategy: opening ? null : spec.strategy,
      regulatoryFees: filled.mul(spec.legs.length).mul('0.03').toFixed(2),
      createdAt: isoMicros(created),
      updatedAt: isoMicros(Math.max(updated, lastMicros, created)),
      legs,
    };
    this.scenario.optionOrders.push(order);
    if (opening && filled.gt(0)) {
      this.groups.push({
        id: rng.uuid(),
        account: spec.account,
        chain,
        strategy: spec.strategy,
        legs: spec.legs.map((leg) => ({
          optionId: leg.option.id,
          side: leg.side === 'buy' ? 'long' : 'short',
          ratio: leg.ratio ?? 1,
        })),
        openingNet: net,
        openedAt: created,
      });
    }
    return order;
  }

  private optionKey(account: SimAccount, optionId: string, side: 'long' | 'short'): string {
    const key = `${account.accountNumber}|${optionId}|${side}`;
    if (!this.optionPositionIds.has(key)) this.optionPositionIds.set(key, this.rng.uuid());
    return key;
  }

  /** Contracts of an option position open at the given instant (epoch ms). */
  optionHoldingsAt(
    account: SimAccount,
    option: SimOptionInstrument,
    side: 'long' | 'short',
    atMs: number,
  ): Dec {
    const ledger = this.optionLedgers.get(`${account.accountNumber}|${option.id}|${side}`);
    if (!ledger) return ZERO;
    let total = ZERO;
    for (const entry of this.sortedEntries(ledger)) {
      if (entry.at > atMs * MICROS_PER_MS + 999) break;
      total = total.add(entry.quantity);
    }
    return total;
  }

  /** An expiration, assignment or exercise on the contract's expiration date. */
  optionEvent(spec: OptionEventSpec): SimOptionEvent {
    const rng = this.rng;
    const { option, account } = spec;
    const chain = this.chainsById.get(option.chainId);
    const underlying = chain ? this.instrumentsById.get(chain.underlyingInstrumentId) : undefined;
    if (!chain || !underlying) throw new RangeError('option event on an unknown chain');
    const expiryMs = dateToMs(option.expirationDate);
    if (expiryMs > this.nowMs) throw new RangeError('an option event needs a contract that has expired');
    const created = this.micros(expiryMs + 21 * 3_600_000 + rng.int(0, 3_000_000));
    const key = this.optionKey(account, option.id, spec.side);
    const quantity = new Dec(spec.quantity);
    this.post(this.optionLedgers, key, created, quantity.neg(), ZERO);

    const strike = new Dec(option.strikePrice);
    const shares = quantity.mul(100);
    const components: SimEquityComponent[] = [];
    let direction: 'debit' | 'credit' = spec.side === 'long' ? 'debit' : 'credit';
    let cash = ZERO;
    if (spec.type !== 'expiration') {
      // Long exercise: call buys, put sells. Short assignment: call sells, put buys.
      const buys = (spec.side === 'long') === (option.type === 'call');
      components.push({
        id: rng.uuid(),
        instrumentId: underlying.id,
        symbol: underlying.symbol,
        side: buys ? 'buy' : 'sell',
        quantity: shares.toFixed(8),
        price: strike.toFixed(4),
      });
      this.post(
        this.stockLedgers,
        `${account.accountNumber}|${underlying.id}`,
        created,
        buys ? shares : shares.neg(),
        strike,
      );
      cash = shares.mul(strike);
      direction = buys ? 'debit' : 'credit';
    }
    const event: SimOptionEvent = {
      id: rng.uuid(),
      accountNumber: account.accountNumber,
      optionId: option.id,
      positionId: this.optionPositionIds.get(key) as string,
      chainId: chain.id,
      type: spec.type,
      direction,
      quantity: quantity.toFixed(4),
      eventDate: option.expirationDate,
      state: 'confirmed',
      totalCashAmount: cash.toFixed(2),
      underlyingPrice: new Dec(spec.underlyingPrice.toString()).toFixed(4),
      equityComponents: components,
      createdAt: isoMicros(created),
      updatedAt: isoMicros(Math.min(created + rng.int(1, 3) * 86_400_000_000, this.nowMs * MICROS_PER_MS)),
    };
    this.scenario.optionEvents.push(event);
    return event;
  }

  /** A dividend on the shares held at the end of the record date. Throws when none were held. */
  dividend(spec: DividendSpec): SimDividend {
    const rng = this.rng;
    const position = this.holdingsAt(
      spec.account,
      spec.instrument,
      dateToMs(spec.recordDate) + MS_PER_DAY - 1,
    );
    if (!position.gt(0))
      throw new RangeError(`no ${spec.instrument.symbol} shares held on ${spec.recordDate} for a dividend`);
    const rate = new Dec(spec.rate.toString());
    const amount = position.mul(rate).toDecimalPlaces(2, Dec.ROUND_DOWN);
    const payableMs = dateToMs(spec.payableDate);
    const paid = payableMs + 13 * 3_600_000 <= this.nowMs;
    const reinvest = paid && spec.drip === true;
    const id = rng.uuid();
    const paidMicros = this.micros(payableMs + 13 * 3_600_000 + rng.int(0, 3_600_000));
    const dividend: SimDividend = {
      id,
      accountNumber: spec.account.accountNumber,
      instrumentId: spec.instrument.id,
      amount: amount.toFixed(2),
      rate: rate.toFixed(10),
      position: position.toFixed(4),
      withholding: '0.00',
      recordDate: spec.recordDate,
      payableDate: spec.payableDate,
      paidAt: paid ? isoMicros(paidMicros) : null,
      state: paid ? (reinvest ? 'reinvested' : 'paid') : 'pending',
      dripEnabled: spec.drip === true,
      cashDividendId: rng.uuid(),
    };
    this.scenario.dividends.push(dividend);
    if (reinvest && amount.gt(0)) {
      const price = new Dec((spec.dripPrice ?? this.currentPrice(spec.instrument)).toString());
      const shares = amount.div(price).toDecimalPlaces(6, Dec.ROUND_DOWN);
      if (shares.gt(0))
        this.stockOrder({
          account: spec.account,
          instrument: spec.instrument,
          side: 'buy',
          quantity: shares,
          at: this.marketTime(payableMs),
          outcome: 'filled',
          price,
          type: 'market',
          dripDividendId: id,
          dollarBasedAmount: amount,
        });
    }
    return dividend;
  }

  // ---- derived state ---------------------------------------------------------------------------

  build(): Scenario {
    const s = this.scenario;
    s.stockPositions = this.buildStockPositions();
    s.optionPositions = this.buildOptionPositions();
    s.optionAggregates = this.buildAggregates(s.optionPositions);
    s.optionMarketData = s.optionInstruments
      .filter((o) => o.state === 'active')
      .map((o) => this.marketData(o));
    return s;
  }

  private buildStockPositions(): SimStockPosition[] {
    const out: SimStockPosition[] = [];
    for (const [key, ledger] of this.stockLedgers) {
      const [accountNumber, instrumentId] = key.split('|') as [string, string];
      const symbol = this.instrumentsById.get(instrumentId)?.symbol ?? instrumentId;
      const result = fifo(this.sortedEntries(ledger), `${symbol} in ${maskAccount(accountNumber)}`);
      const held = this.heldForOrders.get(key);
      const entries = this.sortedEntries(ledger);
      out.push({
        accountNumber,
        instrumentId,
        quantity: result.quantity.toFixed(8),
        averageBuyPrice: result.averagePrice.toFixed(4),
        sharesHeldForBuys: (held?.buys ?? ZERO).toFixed(8),
        sharesHeldForSells: Dec.min(held?.sells ?? ZERO, result.quantity).toFixed(8),
        createdAt: isoMicros((entries[0] as LedgerEntry).at),
        updatedAt: isoMicros((entries.at(-1) as LedgerEntry).at),
      });
    }
    return out;
  }

  private buildOptionPositions(): SimOptionPosition[] {
    const out: SimOptionPosition[] = [];
    for (const [key, ledger] of this.optionLedgers) {
      const [accountNumber, optionId, side] = key.split('|') as [string, string, 'long' | 'short'];
      const entries = this.sortedEntries(ledger);
      const result = fifo(entries, `option ${optionId} (${side}) in ${maskAccount(accountNumber)}`);
      const perContract = result.averagePrice.mul(HUNDRED);
      const created = isoMicros((entries[0] as LedgerEntry).at);
      out.push({
        id: this.optionPositionIds.get(key) as string,
        accountNumber,
        optionId,
        type: side,
        quantity: result.quantity.toFixed(4),
        averagePrice: (side === 'short' ? perContract.neg() : perContract).toFixed(4),
        createdAt: created,
        updatedAt: isoMicros((entries.at(-1) as LedgerEntry).at),
        openedAt: created,
      });
    }
    return out;
  }

  private buildAggregates(positions: SimOptionPosition[]): SimOptionAggregate[] {
    const byKey = new Map(positions.map((p) => [`${p.accountNumber}|${p.optionId}|${p.type}`, p]));
    return this.groups.map((group) => {
      let quantity: Dec | null = null;
      let updated = group.openedAt;
      const legs = group.legs.map((leg) => {
        const position = byKey.get(`${group.account.accountNumber}|${leg.optionId}|${leg.side}`);
        if (!position) throw new Error('strategy leg without a position');
        const legQuantity = new Dec(position.quantity).div(leg.ratio).floor();
        quantity = quantity === null ? legQuantity : Dec.min(quantity, legQuantity);
        updated = Math.max(updated, microsOf(position.updatedAt));
        return {
          id: this.rng.uuid(),
          positionId: position.id,
          optionId: leg.optionId,
          positionType: leg.side,
          ratioQuantity: leg.ratio,
        };
      });
      return {
        id: group.id,
        accountNumber: group.account.accountNumber,
        chainId: group.chain.id,
        symbol: group.chain.symbol,
        strategy: group.strategy,
        direction: group.openingNet.gte(0) ? 'debit' : 'credit',
        quantity: (quantity ?? ZERO).toFixed(4),
        averageOpenPrice: group.openingNet.abs().mul(HUNDRED).toFixed(4),
        legs,
        createdAt: isoMicros(group.openedAt),
        updatedAt: isoMicros(updated),
      } satisfies SimOptionAggregate;
    });
  }

  private marketData(option: SimOptionInstrument): SimOptionMarketData {
    const rng = this.rng;
    const chain = this.chainsById.get(option.chainId) as SimOptionChain;
    const underlying = this.instrumentsById.get(chain.underlyingInstrumentId) as SimInstrument;
    const price = this.currentPrice(underlying);
    return optionMarketDataFor(option, price, this.volatilityOf(option, price), this.nowMs, rng);
  }
}

/** Market data for one contract from the model, with a realistic bid/ask around the mark. */
export function optionMarketDataFor(
  option: SimOptionInstrument,
  underlying: Dec,
  volatility: Dec,
  nowMs: number,
  rng: Rng,
): SimOptionMarketData {
  const days = (dateToMs(option.expirationDate) + 20 * 3_600_000 - nowMs) / MS_PER_DAY;
  const model = priceOption({ type: option.type, underlying, strike: option.strikePrice, days, volatility });
  const fair = roundPremium(model.price);
  const spread = Dec.max(fair.mul('0.03').toDecimalPlaces(2), new Dec('0.01'));
  const bid = Dec.max(fair.sub(spread.div(2)).toDecimalPlaces(2, Dec.ROUND_DOWN), ZERO);
  const ask = bid.add(spread);
  const mark = bid.add(ask).div(2);
  const liquid = !fair.lt('0.05');
  const previousClose = roundPremium(mark.mul(rng.decimalBetween('0.92', '1.08', 3).toString()));
  const chanceLong = model.chanceOfProfitLong.toDecimalPlaces(6);
  const ns = String(rng.int(0, 999_999_999)).padStart(9, '0');
  return {
    optionId: option.id,
    markPrice: mark.toFixed(6),
    adjustedMarkPrice: mark.toDecimalPlaces(2, Dec.ROUND_HALF_UP).toFixed(6),
    bidPrice: bid.toFixed(6),
    bidSize: rng.int(1, 150),
    askPrice: ask.toFixed(6),
    askSize: rng.int(1, 150),
    lastTradePrice: liquid
      ? mark
          .add(spread.mul(rng.int(-4, 4)).div(10))
          .toDecimalPlaces(2)
          .toFixed(6)
      : null,
    lastTradeSize: liquid ? rng.int(1, 20) : null,
    highPrice: liquid ? Dec.max(mark, previousClose).mul('1.04').toDecimalPlaces(2).toFixed(6) : null,
    lowPrice: liquid ? Dec.min(mark, previousClose).mul('0.96').toDecimalPlaces(2).toFixed(6) : null,
    previousClosePrice: previousClose.toFixed(6),
    previousCloseDate: previousBusinessDay(nowMs),
    openInterest: rng.int(0, 25_000),
    volume: liquid ? rng.int(0, 8_000) : 0,
    impliedVolatility: liquid ? volatility.toFixed(6) : null,
    delta: liquid ? model.delta.toFixed(6) : null,
    gamma: liquid ? model.gamma.toFixed(6) : null,
    theta: liquid ? model.theta.toFixed(6) : null,
    vega: liquid ? model.vega.toFixed(6) : null,
    rho: liquid ? model.rho.toFixed(6) : null,
    chanceOfProfitLong: liquid ? chanceLong.toFixed(6) : null,
    chanceOfProfitShort: liquid ? new Dec(1).sub(chanceLong).toFixed(6) : null,
    updatedAt: `${new Date(nowMs - rng.int(1, 300) * 1000).toISOString().slice(0, 19)}.${ns}Z`,
  };
}

function microsOf(iso: string): number {
  const ms = Date.parse(iso);
  const fraction = /\.(\d+)Z$/.exec(iso)?.[1] ?? '';
  return Math.floor(ms / 1000) * 1_000_000 + Number(fraction.padEnd(6, '0').slice(0, 6));
}

function maskAccount(accountNumber: string): string {
  return `****${accountNumber.slice(-4)}`;
}

/** FIFO over a ledger: what stays open and what it cost. Throws when a disposal exceeds holdings. */
export function fifo(entries: readonly LedgerEntry[], what: string): { quantity: Dec; averagePrice: Dec } {
  const lots: Array<{ quantity: Dec; price: Dec }> = [];
  let head = 0;
  for (const entry of entries) {
    if (entry.quantity.gt(0)) {
      lots.push({ quantity: entry.quantity, price: entry.price });
      continue;
    }
    let left = entry.quantity.neg();
    while (left.gt(0)) {
      const lot = lots[head];
      if (!lot)
        throw new Error(`history of ${what} disposes of more than it holds at ${isoMicros(entry.at)}`);
      if (lot.quantity.lte(left)) {
        left = left.sub(lot.quantity);
        head++;
      } else {
        lot.quantity = lot.quantity.sub(left);
        left = ZERO;
      }
    }
  }
  let quantity = ZERO;
  let cost = ZERO;
  for (let i = head; i < lots.length; i++) {
    const lot = lots[i] as { quantity: Dec; price: Dec };
    quantity = quantity.add(lot.quantity);
    cost = cost.add(lot.quantity.mul(lot.price));
  }
  return { quantity, averagePrice: quantity.gt(0) ? cost.div(quantity) : ZERO };
}
