/**
 * The simulator's data model and options. A Scenario is plain JSON-serialisable data: every money,
 * price, quantity and Greek is a decimal string already formatted the way the API sends it, every
 * timestamp an ISO string. URLs are not stored: payloads.ts builds them from the running server's
 * base URL, so one scenario can be served from any host and port.
 */

import type { RequestHook } from './request-hook.js';

/** "2024-02-23T16:57:59.358873Z": UTC with microseconds. */
export type IsoTime = string;
/** "2024-02-23" */
export type IsoDate = string;
/** "182.7800" */
export type DecimalString = string;

export type AuthFlow =
  | 'direct'
  | 'mfa'
  | 'legacy-challenge'
  | 'workflow-app'
  | 'workflow-sms'
  | 'workflow-email'
  | 'workflow-prompt';

export interface SimUser {
  username: string;
  password: string;
  /** Base32 TOTP secret; needed by the 'mfa' and 'workflow-app' flows. */
  totpSecret?: string;
  flow: AuthFlow;
}

export type AccountType = 'margin' | 'cash';
export type BrokerageAccountType = 'individual' | 'ira_roth' | 'ira_traditional';

export interface SimAccount {
  accountNumber: string;
  userId: string;
  type: AccountType;
  brokerageAccountType: BrokerageAccountType;
  isDefault: boolean;
  optionLevel: string;
  createdAt: IsoTime;
  updatedAt: IsoTime;
  /** First day of the portfolio. */
  startDate: IsoDate;
  cash: DecimalString;
  cashHeldForOrders: DecimalString;
  cashHeldForOptionsCollateral: DecimalString;
  unclearedDeposits: DecimalString;
  unsettledFunds: DecimalString;
  cashAvailableForWithdrawal: DecimalString;
  rhsAccountNumber: number;
}

export interface SimInstrument {
  id: string;
  symbol: string;
  name: string;
  simpleName: string | null;
  type: 'stock' | 'etp' | 'adr' | 'reit';
  /** MIC of the listing market: XNAS, XNYS, ARCX, BATS. */
  market: string;
  listDate: IsoDate;
  /** The option chain of this underlying (every simulated instrument has one). */
  chainId: string | null;
  state: 'active' | 'inactive';
  tradeable: boolean;
  bloombergUnique: string;
}

export interface SimQuote {
  instrumentId: string;
  symbol: string;
  lastTradePrice: DecimalString;
  /** Null when there was no extended-hours trade. */
  lastExtendedHoursTradePrice: DecimalString | null;
  previousClose: DecimalString;
  adjustedPreviousClose: DecimalString;
  previousCloseDate: IsoDate;
  bidPrice: DecimalString;
  bidSize: number;
  askPrice: DecimalString;
  askSize: number;
  tradingHalted: boolean;
  hasTraded: boolean;
  updatedAt: IsoTime;
}

export interface SimFundamentals {
  instrumentId: string;
  open: DecimalString;
  high: DecimalString;
  low: DecimalString;
  volume: DecimalString;
  averageVolume: DecimalString;
  averageVolume2Weeks: DecimalString;
  high52Weeks: DecimalString;
  low52Weeks: DecimalString;
  dividendYield: DecimalString | null;
  marketCap: DecimalString;
  peRatio: DecimalString | null;
  pbRatio: DecimalString | null;
  sharesOutstanding: DecimalString;
  float: DecimalString;
  description: string;
  ceo: string;
  headquartersCity: string;
  headquartersState: string;
  sector: string;
  industry: string;
  numEmployees: number;
  yearFounded: number;
}

export interface SimOptionChain {
  id: string;
  symbol: string;
  underlyingInstrumentId: string;
  tradeValueMultiplier: DecimalString;
}

export interface SimOptionInstrument {
  id: string;
  chainId: string;
  chainSymbol: string;
  type: 'call' | 'put';
  strikePrice: DecimalString;
  expirationDate: IsoDate;
  issueDate: IsoDate;
  state: 'active' | 'expired';
  createdAt: IsoTime;
  updatedAt: IsoTime;
}

/** Per-share prices and Greeks; only active contracts have market data. */
export interface SimOptionMarketData {
  optionId: string;
  markPrice: DecimalString;
  adjustedMarkPrice: DecimalString;
  bidPrice: DecimalString;
  bidSize: number;
  askPrice: DecimalString;
  askSize: number;
  lastTradePrice: DecimalString | null;
  lastTradeSize: number | null;
  highPrice: DecimalString | null;
  lowPrice: DecimalString | null;
  previousClosePrice: DecimalString;
  previousCloseDate: IsoDate;
  openInterest: number;
  volume: number;
  impliedVolatility: DecimalString | null;
  delta: DecimalString | null;
  gamma: DecimalString | null;
  theta: DecimalString | null;
  vega: DecimalString | null;
  rho: DecimalString | null;
  chanceOfProfitLong: DecimalString | null;
  chanceOfProfitShort: DecimalString | null;
  /** The recorded payloads carry nanoseconds here ("…20:14:59.963682028Z"). */
  updatedAt: string;
}

export interface SimStockPosition {
  accountNumber: string;
  instrumentId: string;
  /** 8 dp; "0.00000000" for positions held once and closed. */
  quantity: DecimalString;
  averageBuyPrice: DecimalString;
  sharesHeldForBuys: DecimalString;
  sharesHeldForSells: DecimalString;
  createdAt: IsoTime;
  updatedAt: IsoTime;
}

export interface SimOptionPosition {
  id: string;
  accountNumber: string;
  optionId: string;
  type: 'long' | 'short';
  /** Contracts, 4 dp, never negative. */
  quantity: DecimalString;
  /** Per contract (premium × 100), negative for shorts. */
  averagePrice: DecimalString;
  createdAt: IsoTime;
  updatedAt: IsoTime;
  openedAt: IsoTime;
}

export interface SimOptionAggregateLeg {
  id: string;
  positionId: string;
  optionId: string;
  positionType: 'long' | 'short';
  ratioQuantity: number;
}

export interface SimOptionAggregate {
  id: string;
  accountNumber: string;
  chainId: string;
  symbol: string;
  strategy: string;
  direction: 'debit' | 'credit';
  quantity: DecimalString;
  /** Per contract, positive; the sign is in `direction`. */
  averageOpenPrice: DecimalString;
  legs: SimOptionAggregateLeg[];
  createdAt: IsoTime;
  updatedAt: IsoTime;
}

export interface SimExecution {
  id: string;
  price: DecimalString;
  quantity: DecimalString;
  timestamp: IsoTime;
  settlementDate: IsoDate;
}

export type StockOrderState =
  | 'queued'
  | 'confirmed'
  | 'partially_filled'
  | 'filled'
  | 'cancelled'
  | 'rejected'
  | 'failed';

export interface SimStockOrder {
  id: string;
  refId: string;
  accountNumber: string;
  instrumentId: string;
  side: 'buy' | 'sell';
  type: 'market' | 'limit';
  timeInForce: 'gfd' | 'gtc';
  trigger: 'immediate' | 'stop';
  /** The limit, or the protective collar of a market order. */
  price: DecimalString | null;
  stopPrice: DecimalString | null;
  quantity: DecimalString;
  state: StockOrderState;
  fees: DecimalString;
  createdAt: IsoTime;
  updatedAt: IsoTime;
  executions: SimExecution[];
  /** Set on the buy order of a reinvested dividend. */
  dripDividendId: string | null;
  dollarBasedAmount: DecimalString | null;
  extendedHours: boolean;
  positionEffect: 'open' | 'close' | null;
  rejectReason: string | null;
}

export interface SimOptionOrderLeg {
  id: string;
  optionId: string;
  side: 'buy' | 'sell';
  positionEffect: 'open' | 'close';
  ratioQuantity: number;
  executions: SimExecution[];
}

export type OptionOrderState =
  | 'queued'
  | 'confirmed'
  | 'partially_filled'
  | 'filled'
  | 'cancelled'
  | 'rejected';

export interface SimOptionOrder {
  id: string;
  refId: string;
  accountNumber: string;
  chainId: string;
  chainSymbol: string;
  type: 'limit' | 'market';
  /** Net price per share of one unit of the strategy. */
  price: DecimalString;
  quantity: DecimalString;
  state: OptionOrderState;
  direction: 'debit' | 'credit';
  timeInForce: 'gfd' | 'gtc';
  trigger: 'immediate';
  openingStrategy: string | null;
  closingStrategy: string | null;
  regulatoryFees: DecimalString;
  createdAt: IsoTime;
  updatedAt: IsoTime;
  legs: SimOptionOrderLeg[];
}

export interface SimDividend {
  id: string;
  accountNumber: string;
  instrumentId: string;
  amount: DecimalString;
  rate: DecimalString;
  /** Shares held on the record date. */
  position: DecimalString;
  withholding: DecimalString;
  recordDate: IsoDate;
  payableDate: IsoDate;
  paidAt: IsoTime | null;
  state: 'pending' | 'paid' | 'reinvested' | 'voided';
  dripEnabled: boolean;
  cashDividendId: string;
}

export interface SimEquityComponent {
  id: string;
  instrumentId: string;
  symbol: string;
  side: 'buy' | 'sell';
  quantity: DecimalString;
  price: DecimalString;
}

export interface SimOptionEvent {
  id: string;
  accountNumber: string;
  optionId: string;
  positionId: string;
  chainId: string;
  type: 'expiration' | 'assignment' | 'exercise';
  direction: 'debit' | 'credit';
  quantity: DecimalString;
  eventDate: IsoDate;
  state: 'confirmed' | 'pending';
  totalCashAmount: DecimalString;
  underlyingPrice: DecimalString;
  equityComponents: SimEquityComponent[];
  createdAt: IsoTime;
  updatedAt: IsoTime;
}

export interface Scenario {
  version: 1;
  seed: number;
  /** The moment the history was built for ("now" of the scenario). */
  now: IsoTime;
  users: SimUser[];
  accounts: SimAccount[];
  instruments: SimInstrument[];
  quotes: SimQuote[];
  fundamentals: SimFundamentals[];
  optionChains: SimOptionChain[];
  optionInstruments: SimOptionInstrument[];
  optionMarketData: SimOptionMarketData[];
  stockPositions: SimStockPosition[];
  optionPositions: SimOptionPosition[];
  optionAggregates: SimOptionAggregate[];
  stockOrders: SimStockOrder[];
  optionOrders: SimOptionOrder[];
  dividends: SimDividend[];
  optionEvents: SimOptionEvent[];
}

/**
 * The live data a running simulator serves: a private copy of the scenario. Tests may change it in
 * place (a quote, an order's state) or push/remove items; lookups re-index when an array's identity
 * or length changes. (Changing an item's id or created_at in place without changing the length is the
 * one edit that is not seen: replace the array instead.)
 */
export type ScenarioState = Scenario;

export interface ScenarioAccountOptions {
  type?: AccountType;
  brokerageAccountType?: BrokerageAccountType;
  /** Open stock positions. */
  stocks?: number;
  /** Open option legs (positions with a nonzero quantity), including the legs of multi-leg strategies. */
  optionLegs?: number;
  /** Open two-leg verticals; each uses two of `optionLegs`. */
  multiLegStrategies?: number;
  /** Stock orders, excluding the buy orders of reinvested dividends. */
  stockOrders?: number;
  optionOrders?: number;
  dividends?: number;
  /** Expirations and assignments of options held to expiry. */
  optionEvents?: number;
}

export interface ScenarioOptions {
  seed?: number;
  now?: Date;
  users?: SimUser[];
  accounts: ScenarioAccountOptions[];
}

export interface SimRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** 0 while in flight, or when the connection was reset or never answered. */
  status: number;
  at: Date;
  durationMs: number;
  authenticated: boolean;
}

export interface SimulatorOptions {
  scenario: Scenario;
  host?: string;
  port?: number;
  latencyMs?: number;
  pageSize?: number;
  batchLimit?: number;
  maxUrlLength?: number;
  accessTokenTtlSeconds?: number;
  rateLimit?: { perMinute: number } | null;
  clock?: { now(): Date };
  pushApprovalAfterPolls?: number;
  /** Changes how requests are answered (test/simulator-tools: fault injection); none in the demo. */
  hook?: RequestHook;
}

/** A stock order added between cycles by a test (see mutations.ts). */
export interface NewStockOrder {
  /** Default: the first account. */
  accountNumber?: string;
  symbol: string;
  side: 'buy' | 'sell';
  quantity: string;
  /** Fill (or limit) price; default the current last trade price. */
  price?: string;
  /** 'filled' (one execution, the default) or an open 'confirmed' order. */
  state?: 'filled' | 'confirmed';
  /** Placement time; default the simulator clock's now. */
  at?: Date;
}

export interface Simulator {
  /** Base URL replacing https://api.robinhood.com, e.g. http://127.0.0.1:PORT (no trailing slash). */
  readonly url: string;
  close(): Promise<void>;
  readonly requests: readonly SimRequest[];
  clearRequests(): void;
  readonly state: ScenarioState;
  movePrices(options?: { fraction?: number; maxPercent?: number; seed?: number }): number;
  expireAccessTokens(): void;
  revokeRefreshTokens(): void;
  approvePendingPrompts(): void;
  denyPendingPrompts(): void;
  issuedCodes(): string[];
  /** Adds a stock order (filled unless state 'confirmed') and re-derives that position by FIFO. */
  addStockOrder(spec: NewStockOrder): SimStockOrder;
  /** Fills the rest of an open stock order and re-derives that position by FIFO. */
  fillOrder(orderId: string, options?: { price?: string; at?: Date }): SimStockOrder;
}
