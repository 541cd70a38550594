/**
 * The rows the engine writes and the records repositories return.
 *
 * Conventions (see docs/schema.md):
 * - accountNumber is always the masked key ("****4141"); anything else is refused.
 * - Money, prices, quantities, Greeks: decimal strings. Records return them exactly as PostgreSQL
 *   prints the numeric (the scale written first is kept, e.g. "182.7800").
 * - Times: ISO-8601 strings in; records return UTC ISO strings ("2026-11-28T17:38:29.000Z").
 *   Calendar dates: "YYYY-MM-DD". Counts and ids: numbers.
 * - Prices are per share. An option's per-contract value is price × multiplier.
 */
import type {
  DecimalString,
  IsoDate,
  IsoTime,
  RunRecordStatus,
  RunStatus,
  SyncTrigger,
} from '../../shared/models.js';
import type { AssetType, Direction, OptionType, PositionEffect, Side } from '../domain/vocabulary.js';

export type {
  AssetType,
  CloseReason,
  Direction,
  OptionType,
  PositionEffect,
  Side,
} from '../domain/vocabulary.js';
export type Broker = 'robinhood' | 'demo';

/** What a write did; rows whose values did not change are neither written nor counted. */
export interface WriteCounts {
  inserted: number;
  updated: number;
  deleted: number;
}

// ---- accounts ------------------------------------------------------------------------------

export interface AccountInput {
  accountNumber: string;
  broker: Broker;
  /** 'margin' | 'cash' | … as the broker reports it. */
  accountType: string;
  brokerageAccountType?: string | null;
  optionLevel?: string | null;
  isDefault?: boolean | null;
  buyingPower: DecimalString | null;
  cash: DecimalString | null;
  /** Equity: positions + cash. */
  portfolioValue: DecimalString | null;
  /** Securities only. */
  marketValue: DecimalString | null;
  withdrawableAmount: DecimalString | null;
  previousCloseEquity?: DecimalString | null;
}

export interface AccountRecord {
  accountNumber: string;
  broker: Broker;
  accountType: string;
  brokerageAccountType: string | null;
  optionLevel: string | null;
  isDefault: boolean | null;
  buyingPower: DecimalString | null;
  cash: DecimalString | null;
  portfolioValue: DecimalString | null;
  marketValue: DecimalString | null;
  withdrawableAmount: DecimalString | null;
  previousCloseEquity: DecimalString | null;
  firstSeenAt: IsoTime;
  /** Last time a value of this row changed. */
  updatedAt: IsoTime;
}

// ---- positions -----------------------------------------------------------------------------

interface PositionInputBase {
  /** Stock instrument id, or option instrument id. */
  instrumentId: string;
  /** Ticker; the chain symbol for options. */
  symbol: string;
  name?: string | null;
  direction: Direction;
  /** Shares or contracts, positive. */
  quantity: DecimalString;
  /** Per share. Options: the average open premium per share (1.50, not 150), positive. */
  averagePrice: DecimalString;
  /** Per share: last trade for stocks, mark for options; null when unknown. */
  lastPrice: DecimalString | null;
  openedAt?: IsoTime | null;
}

export interface StockPositionInput extends PositionInputBase {
  assetType: 'stock';
}

export interface OptionPositionInput extends PositionInputBase {
  assetType: 'option';
  optionType: OptionType;
  strikePrice: DecimalString;
  expirationDate: IsoDate;
  /** Shares per contract, normally "100". */
  multiplier: DecimalString;
  chainId?: string | null;
  /** e.g. "short_call", "long_call_spread". */
  strategy?: string | null;
  /** Legs of one multi-leg position share it (e.g. the aggregate position id). */
  strategyId?: string | null;
  /** Greeks as the broker reports them for one contract held long (per share); null when not reported. */
  delta?: DecimalString | null;
  gamma?: DecimalString | null;
  theta?: DecimalString | null;
  vega?: DecimalString | null;
  rho?: DecimalString | null;
  impliedVolatility?: DecimalString | null;
}

export type PositionInput = StockPositionInput | OptionPositionInput;

export interface PositionRecord {
  accountNumber: string;
  /** "<asset_type>:<instrument_id>:<direction>", unique per account. */
  positionKey: string;
  assetType: AssetType;
  instrumentId: string;
  symbol: string;
  name: string | null;
  direction: Direction;
  quantity: DecimalString;
  multiplier: DecimalString;
  averagePrice: DecimalString;
  lastPrice: DecimalString | null;
  /** Signed: negative for a short. */
  marketValue: DecimalString | null;
  /** Signed: negative for a short (the premium received). */
  costBasis: DecimalString;
  unrealizedPl: DecimalString | null;
  unrealizedPlPercent: DecimalString | null;
  optionType: OptionType | null;
  strikePrice: DecimalString | null;
  expirationDate: IsoDate | null;
  chainId: string | null;
  strategy: string | null;
  strategyId: string | null;
  delta: DecimalString | null;
  gamma: DecimalString | null;
  theta: DecimalString | null;
  vega: DecimalString | null;
  rho: DecimalString | null;
  impliedVolatility: DecimalString | null;
  openedAt: IsoTime | null;
  firstSeenAt: IsoTime;
  /** When a sync last changed this row (not when it was last confirmed: see sync_state). */
  syncedAt: IsoTime;
}

// ---- orders and fills ----------------------------------------------------------------------

export interface OrderLegInput {
  legId: string;
  optionInstrumentId: string;
  side: Side;
  positionEffect: PositionEffect | null;
  ratioQuantity?: number | null;
  optionType?: OptionType | null;
  strikePrice?: DecimalString | null;
  expirationDate?: IsoDate | null;
}

export interface OrderInput {
  orderId: string;
  accountNumber: string;
  assetType: AssetType;
  /** Ticker, or chain symbol for options. */
  symbol: string | null;
  /** Stock orders: the instrument id. */
  instrumentId?: string | null;
  /** Option orders: the chain id. */
  chainId?: string | null;
  /** Broker state: filled, cancelled, partially_filled, queued, … */
  state: string;
  /** Stock orders; for single-leg option orders the leg's side. */
  side?: Side | null;
  /** Option orders: debit (paid) or credit (received). */
  direction?: 'debit' | 'credit' | null;
  orderType?: string | null;
  timeInForce?: string | null;
  trigger?: string | null;
  /** Ordered quantity (shares or contracts). */
  quantity?: DecimalString | null;
  /** Executed quantity so far (cumulative_quantity / processed_quantity). */
  filledQuantity: DecimalString;
  /** Limit price per share. */
  price?: DecimalString | null;
  stopPrice?: DecimalString | null;
  /** Average fill price per share; null until something filled. */
  averagePrice?: DecimalString | null;
  /** All fees of the order in dollars. */
  fees: DecimalString;
  /** Option orders: premium per contract (price × multiplier). */
  premium?: DecimalString | null;
  /** Option orders: total premium filled, in dollars. */
  processedPremium?: DecimalString | null;
  /** Option orders: net cash of the order, in dollars (unsigned; see direction). */
  netAmount?: DecimalString | null;
  openingStrategy?: string | null;
  closingStrategy?: string | null;
  strategy?: string | null;
  positionEffect?: string | null;
  legs?: OrderLegInput[] | null;
  /** The broker's times. */
  createdAt: IsoTime;
  updatedAt: IsoTime;
  /** The broker's payload; account numbers inside are masked before it is stored. */
  raw?: unknown;
}

export interface OrderRecord {
  orderId: string;
  accountNumber: string;
  assetType: AssetType;
  symbol: string | null;
  instrumentId: string | null;
  chainId: string | null;
  state: string;
  side: Side | null;
  direction: 'debit' | 'credit' | null;
  orderType: string | null;
  timeInForce: string | null;
  trigger: string | null;
  quantity: DecimalString | null;
  filledQuantity: DecimalString;
  price: DecimalString | null;
  stopPrice: DecimalString | null;
  averagePrice: DecimalString | null;
  fees: DecimalString;
  premium: DecimalString | null;
  processedPremium: DecimalString | null;
  netAmount: DecimalString | null;
  openingStrategy: string | null;
  closingStrategy: string | null;
  strategy: string | null;
  positionEffect: string | null;
  legs: OrderLegInput[] | null;
  createdAt: IsoTime;
  updatedAt: IsoTime;
  firstSeenAt: IsoTime;
  syncedAt: IsoTime;
}

/** One fill. Option fills are per leg. */
export interface ExecutionInput {
  orderId: string;
  /** Unique within the order. Synthesise a stable one ("<legId>:<index>") when the broker has none. */
  executionId: string;
  accountNumber: string;
  assetType: AssetType;
  legId?: string | null;
  /** Stock instrument id, or option instrument id. */
  instrumentId: string;
  symbol: string;
  side: Side;
  positionEffect: PositionEffect | null;
  quantity: DecimalString;
  /** Per share. */
  price: DecimalString;
  /** This fill's share of the order's fees, in dollars (see allocateFees in main/domain/fifo.ts). */
  fees: DecimalString;
  /** "1" for stocks, the contract multiplier for options. */
  multiplier: DecimalString;
  optionType?: OptionType | null;
  strikePrice?: DecimalString | null;
  expirationDate?: IsoDate | null;
  executedAt: IsoTime;
  settlementDate?: IsoDate | null;
}

// ---- caches and events ---------------------------------------------------------------------

export interface InstrumentInput {
  id: string;
  symbol: string;
  name?: string | null;
  simpleName?: string | null;
  type?: string | null;
  state?: string | null;
  tradableChainId?: string | null;
  country?: string | null;
  listDate?: IsoDate | null;
}
export type InstrumentRecord = Required<InstrumentInput> & { firstSeenAt: IsoTime; updatedAt: IsoTime };

export interface OptionInstrumentInput {
  id: string;
  chainId?: string | null;
  chainSymbol: string;
  optionType: OptionType;
  strikePrice: DecimalString;
  expirationDate: IsoDate;
  multiplier: DecimalString;
  state?: string | null;
}
export type OptionInstrumentRecord = Required<OptionInstrumentInput> & {
  firstSeenAt: IsoTime;
  updatedAt: IsoTime;
};

export interface DividendInput {
  dividendId: string;
  accountNumber: string;
  instrumentId?: string | null;
  symbol?: string | null;
  /** Dollars. */
  amount: DecimalString;
  /** Dollars per share. */
  rate?: DecimalString | null;
  /** Shares held on the record date. */
  position?: DecimalString | null;
  withholding?: DecimalString | null;
  recordDate?: IsoDate | null;
  payableDate?: IsoDate | null;
  paidAt?: IsoTime | null;
  state: string;
  dripEnabled?: boolean | null;
  raw?: unknown;
}
export type DividendRecord = Omit<Required<DividendInput>, 'raw'> & {
  firstSeenAt: IsoTime;
  updatedAt: IsoTime;
};

export interface OptionEventInput {
  eventId: string;
  accountNumber: string;
  optionInstrumentId: string;
  chainSymbol?: string | null;
  /** 'expiration' | 'assignment' | 'exercise' | … as reported. */
  type: string;
  direction?: string | null;
  state?: string | null;
  /** Contracts. */
  quantity: DecimalString;
  eventDate: IsoDate;
  totalCashAmount?: DecimalString | null;
  underlyingPrice?: DecimalString | null;
  raw?: unknown;
}
export type OptionEventRecord = Omit<Required<OptionEventInput>, 'raw'> & {
  firstSeenAt: IsoTime;
  updatedAt: IsoTime;
};

// ---- balances ------------------------------------------------------------------------------

export interface SnapshotInput {
  accountNumber: string;
  takenAt: IsoTime;
  /** Positions + cash. */
  equity: DecimalString;
  /** Securities only. */
  marketValue: DecimalString | null;
  cash: DecimalString | null;
  buyingPower: DecimalString | null;
  /** Sum of stock positions' market values. */
  stockValue: DecimalString | null;
  /** Sum of option positions' market values (shorts count negative). */
  optionsValue: DecimalString | null;
  /** The broker's equity at the previous close, when reported. */
  previousCloseEquity: DecimalString | null;
  totalPositions?: number | null;
  /** The sync_runs row of the cycle that took it. */
  runId?: number | null;
}

export interface SnapshotRecord {
  id: number;
  accountNumber: string;
  takenAt: IsoTime;
  equity: DecimalString;
  marketValue: DecimalString | null;
  cash: DecimalString | null;
  buyingPower: DecimalString | null;
  stockValue: DecimalString | null;
  optionsValue: DecimalString | null;
  previousCloseEquity: DecimalString | null;
  totalPositions: number | null;
}

export interface DailyBalanceRecord {
  accountNumber: string;
  /** The trading day in America/New_York. */
  date: IsoDate;
  startingBalance: DecimalString | null;
  endingBalance: DecimalString;
  dailyPl: DecimalString | null;
  dailyPlPercent: DecimalString | null;
  buyingPower: DecimalString | null;
  optionsValue: DecimalString | null;
  stockValue: DecimalString | null;
  cashValue: DecimalString | null;
  totalPositions: number | null;
  notes: string | null;
  /** 'app': recorded from the app's own snapshots; 'broker': filled from the broker's portfolio history. */
  source: 'app' | 'broker';
  createdAt: IsoTime;
  updatedAt: IsoTime;
}

/** A closing equity from the broker's history, to fill days before the app existed. */
export interface HistoricalBalanceInput {
  date: IsoDate;
  endingBalance: DecimalString;
}

// ---- runs and stream state -----------------------------------------------------------------

/** A cycle that has just started (its row is 'running' until finished). */
export interface SyncRunStart {
  startedAt: IsoTime;
  trigger: SyncTrigger;
  agentId?: string | null;
  host?: string | null;
}

/** How a started run ended. */
export type SyncRunEnd = Omit<SyncRunInput, 'startedAt' | 'trigger' | 'agentId' | 'host'>;

export interface SyncRunInput {
  startedAt: IsoTime;
  finishedAt: IsoTime;
  status: RunStatus;
  trigger: SyncTrigger;
  streams: string[];
  /** Masked keys of the accounts the cycle touched. */
  accounts?: string[];
  apiRequests: number;
  rowsWritten: number;
  durationMs: number;
  /** A message safe to show (no secrets); cut to 2000 characters. */
  error: string | null;
  agentId?: string | null;
  host?: string | null;
}

export interface SyncRunRecord extends Required<Omit<SyncRunInput, 'error' | 'agentId' | 'host' | 'status'>> {
  id: number;
  status: RunRecordStatus;
  error: string | null;
  agentId: string | null;
  host: string | null;
}

export interface SyncStateRecord {
  accountNumber: string;
  stream: string;
  lastAttemptAt: IsoTime | null;
  lastSuccessAt: IsoTime | null;
  /** The broker's updated_at of the newest row seen: the next `updated_at[gte]`. */
  highWaterMark: IsoTime | null;
  cursor: unknown;
  lastError: string | null;
  updatedAt: IsoTime;
}

/** Fields left out keep their stored value. */
export interface SyncStatePatch {
  accountNumber: string;
  stream: string;
  lastAttemptAt?: IsoTime | null;
  lastSuccessAt?: IsoTime | null;
  highWaterMark?: IsoTime | null;
  cursor?: unknown;
  lastError?: string | null;
}

/** The sync_state stream name of the account-state stream (positions, balances, snapshot). */
export const POSITIONS_STREAM = 'positions';

/** A broker item the client could not read, kept instead of dropped (quarantined_items). */
export interface QuarantineInput {
  accountNumber: string;
  /** The list it came from, e.g. "dividends", "stock-orders". */
  stream: string;
  /** The item's id, or "sha256:<hex>" of its JSON when it had no readable id. */
  brokerId: string;
  /** The item as received; account numbers are masked before it is stored. */
  raw: unknown;
  reason: string;
}

export interface QuarantineRecord {
  accountNumber: string;
  stream: string;
  brokerId: string;
  raw: unknown;
  reason: string;
  firstSeenAt: IsoTime;
  lastSeenAt: IsoTime;
}
