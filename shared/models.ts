/**
 * Domain types shown in the UI (status window, settings window, headless web page, tray).
 *
 * Shared by the main process (plain Node) and the renderer (browser): no Node or DOM imports here.
 * Money, prices, quantities and Greeks are decimal strings ("182.7800"), never binary floats;
 * the renderer only turns them into numbers to draw a chart or format a label.
 *
 * Account numbers never leave the engine in full: every account is identified by its
 * `accountKey`, the masked form stored in the database (e.g. "****4141").
 */

/** A decimal number carried as a string, e.g. "-29.0000". */
export type DecimalString = string;
/** An ISO-8601 timestamp in UTC, e.g. "2026-11-28T17:38:29.000Z". */
export type IsoTime = string;
/** A calendar date, "YYYY-MM-DD". */
export type IsoDate = string;

/** `starting`: the desktop app is up but its sync engine has not answered yet (no engine reports it). */
export const SYNC_STATES = [
  'starting',
  'idle',
  'syncing',
  'paused',
  'error',
  'needs-auth',
  'offline',
] as const;
export type SyncState = (typeof SYNC_STATES)[number];

export const SYNC_TRIGGERS = ['schedule', 'manual', 'startup', 'resume', 'cli'] as const;
export type SyncTrigger = (typeof SYNC_TRIGGERS)[number];

/** How a cycle ended; 'interrupted' = stopped (shutdown) or its process died before it finished. */
export const RUN_STATUSES = ['success', 'failed', 'partial', 'skipped', 'interrupted'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
/** A sync_runs row: a finished cycle, or one still 'running'. */
export type RunRecordStatus = RunStatus | 'running';

/** What the user must do before syncing can go on. */
export type AuthPrompt =
  | { kind: 'credentials'; message: string }
  | { kind: 'code'; challengeType: 'sms' | 'email' | 'app' | 'mfa'; message: string }
  | { kind: 'approval'; message: string };

export interface SyncProgress {
  /** Human-readable step, e.g. "Fetching option market data". */
  step: string;
  completed: number;
  total: number;
  /** What has moved inside the current step; absent until something has. */
  activity?: StepActivity;
}

/**
 * What moves inside one step of a cycle (a long trade-history import, say), pushed with the status
 * events as it happens.
 */
export interface StepActivity {
  /** HTTP requests sent in this step, retries included. */
  requests: number;
  /** Pages of paginated listings read in this step. */
  pages: number;
  /**
   * The oldest day the trade-history listings have reached (orders come newest first), New York
   * date; null outside the history step or before its first page.
   */
  reachedDate: IsoDate | null;
  /** Time spent waiting on the client's rate limit in this step, milliseconds. */
  rateLimitWaitMs: number;
}

/** The live state of the engine; pushed on every change. */
export interface SyncStatus {
  state: SyncState;
  /** True when syncing the built-in simulator (demo data). */
  demo: boolean;
  progress: SyncProgress | null;
  /** When this engine started. */
  startedAt: IsoTime;
  lastSuccessAt: IsoTime | null;
  lastAttemptAt: IsoTime | null;
  lastError: { message: string; at: IsoTime } | null;
  /** Next scheduled cycle (null while paused, syncing or waiting for the user). */
  nextRunAt: IsoTime | null;
  /** When the trade history is next due (it runs inside a cycle). */
  nextHistoryRunAt: IsoTime | null;
  /** Set while the broker has throttled us (429 with a long Retry-After). */
  throttledUntil: IsoTime | null;
  cycleCount: number;
  errorCount: number;
  consecutiveFailures: number;
  /** HTTP requests made by the last finished cycle, login included. */
  lastCycleRequests: number | null;
  /** The client's request budget (token bucket), requests per minute. */
  rateLimitPerMinute: number;
  syncIntervalSeconds: number;
  tradeHistoryIntervalSeconds: number;
  authPrompt: AuthPrompt | null;
}

export interface AccountSummary {
  /** Masked account number, the `account_number` column of the store, e.g. "****4141". */
  accountKey: string;
  broker: 'robinhood' | 'demo';
  /** 'margin' | 'cash' | 'ira_roth' | ... as reported by the broker. */
  accountType: string;
  updatedAt: IsoTime | null;
}

export interface PortfolioSnapshotView {
  accountKey: string;
  takenAt: IsoTime;
  equity: DecimalString;
  marketValue: DecimalString;
  cash: DecimalString;
  buyingPower: DecimalString;
  stockValue: DecimalString;
  optionsValue: DecimalString;
  /** Equity at the previous close, when the broker reports it. */
  previousCloseEquity: DecimalString | null;
  dayChange: DecimalString | null;
  /** Percent, e.g. "1.25" for +1.25 %. */
  dayChangePercent: DecimalString | null;
}

export interface StockPositionView {
  /** The account holding it (positions of every account carry theirs in the All accounts view). */
  accountKey: string;
  symbol: string;
  name: string | null;
  quantity: DecimalString;
  averagePrice: DecimalString;
  lastPrice: DecimalString | null;
  marketValue: DecimalString | null;
  costBasis: DecimalString;
  unrealizedPl: DecimalString | null;
  unrealizedPlPercent: DecimalString | null;
}

export interface OptionLegView {
  accountKey: string;
  /** Chain symbol, e.g. "AAPL". */
  symbol: string;
  optionType: 'call' | 'put';
  strikePrice: DecimalString;
  expirationDate: IsoDate;
  daysToExpiry: number;
  direction: 'long' | 'short';
  /** Contracts, positive. */
  quantity: DecimalString;
  multiplier: DecimalString;
  /** Per-share average open premium. */
  averagePrice: DecimalString;
  /** Per-share mark. */
  markPrice: DecimalString | null;
  delta: DecimalString | null;
  gamma: DecimalString | null;
  theta: DecimalString | null;
  vega: DecimalString | null;
  rho: DecimalString | null;
  impliedVolatility: DecimalString | null;
  marketValue: DecimalString | null;
  unrealizedPl: DecimalString | null;
  unrealizedPlPercent: DecimalString | null;
  /** Legs of one multi-leg strategy share a strategyId. */
  strategyId: string | null;
  /** e.g. "short_call", "long_call_spread". */
  strategy: string | null;
}

/** The account picker's value for every account at once. */
export const ALL_ACCOUNTS = 'all';
export type AccountSelection = string;

export interface Dashboard {
  accounts: AccountSummary[];
  /** 'account': one account (`account`); 'all': every account summed (`account` is null). */
  scope: 'account' | 'all';
  /** The account shown (the requested one, else the first); null in the All accounts view. */
  account: AccountSummary | null;
  /** In the All accounts view: the accounts' latest snapshots summed (accountKey "all"). */
  snapshot: PortfolioSnapshotView | null;
  stocks: StockPositionView[];
  options: OptionLegView[];
  /** When the positions were last confirmed by a successful sync. */
  positionsAsOf: IsoTime | null;
}

export const CHART_RANGES = ['1D', '1W', '1M', '1Y', 'ALL'] as const;
export type ChartRange = (typeof CHART_RANGES)[number];

export interface ChartPoint {
  t: IsoTime;
  equity: DecimalString;
}

export interface ChartSeries {
  /** An account key, or "all" for every account summed. */
  accountKey: string;
  range: ChartRange;
  /** Intraday ranges read portfolio_snapshots; longer ones daily_portfolio_balances. */
  source: 'snapshots' | 'daily';
  points: ChartPoint[];
}

export interface SyncRunView {
  id: number;
  startedAt: IsoTime;
  /** While the run is 'running': its start. */
  finishedAt: IsoTime;
  status: RunRecordStatus;
  trigger: SyncTrigger;
  streams: string[];
  apiRequests: number;
  rowsWritten: number;
  durationMs: number;
  error: string | null;
}

/** Counts as tallyRuns (shared/run-tally.ts) makes them. */
export interface SyncStats {
  cycles: number;
  successes: number;
  failures: number;
  partials: number;
  /** Stopped, or ended with their process, before they finished. */
  interrupted: number;
  /** 0..1, or null before the first cycle. */
  successRate: number | null;
  averageDurationMs: number | null;
  averageRequests: number | null;
  maxRequests: number | null;
  /** The request budget of one cycle at the configured rate limit (requests per minute). */
  rateLimitPerMinute: number;
  /** Broker items kept in quarantine because they could not be read (every account). */
  quarantined: number;
  recentRuns: SyncRunView[];
}

/** Which credentials are stored; never the values. */
export interface CredentialsView {
  keychainAvailable: boolean;
  /** Why the keychain cannot be used, in words a user understands. */
  keychainProblem: string | null;
  usernameStored: boolean;
  passwordStored: boolean;
  totpSecretStored: boolean;
  /** True when credentials come from ROBINHOOD_* environment variables. */
  fromEnvironment: boolean;
}

export type LoginOutcome =
  | { result: 'ok'; message: string }
  | { result: 'needs-code'; challengeType: 'sms' | 'email' | 'app' | 'mfa'; message: string }
  | { result: 'needs-approval'; message: string };

export interface Capabilities {
  /** Running inside the Electron shell (false in a browser against --serve). */
  desktop: boolean;
  canOpenLogFolder: boolean;
  canLaunchAtLogin: boolean;
  canEditCredentials: boolean;
}

// ---- closed trades and realized P&L ---------------------------------------------------------

export const TRADE_PERIODS = ['today', 'month', 'year', 'all'] as const;
/** Today, this month, this year (calendar, New York time), or all time. */
export type TradePeriod = (typeof TRADE_PERIODS)[number];

/**
 * Why a trade closed: `sold` (a long position sold), `bought` (a short position bought back),
 * `expired`, `assigned` (a short option), `exercised` (a long option).
 */
export type TradeCloseReason = 'sold' | 'bought' | 'expired' | 'assigned' | 'exercised';

/** One sum per period, decimal strings in dollars. */
export interface PeriodSums {
  today: DecimalString;
  month: DecimalString;
  year: DecimalString;
  all: DecimalString;
}

export interface ClosedTradeView {
  tradeKey: string;
  accountKey: string;
  assetType: 'stock' | 'option';
  symbol: string;
  /** Options only. */
  optionType: 'call' | 'put' | null;
  strikePrice: DecimalString | null;
  expirationDate: IsoDate | null;
  direction: 'long' | 'short';
  /** Shares, or contracts. */
  quantity: DecimalString;
  openedAt: IsoTime;
  closedAt: IsoTime;
  /** Per share. */
  openPrice: DecimalString;
  closePrice: DecimalString;
  /** After fees. */
  realizedPl: DecimalString;
  realizedPlPercent: DecimalString | null;
  closeReason: TradeCloseReason;
}

export interface DividendView {
  dividendId: string;
  accountKey: string;
  symbol: string | null;
  /** The New York day it was paid (paid_at, else the payable date). */
  paidOn: IsoDate;
  /** Received: the amount less any withholding. */
  amount: DecimalString;
  state: 'paid' | 'reinvested';
}

export interface ClosedTradesView {
  /** An account key, or "all". */
  accountKey: string;
  /** Today in New York: the periods are counted from it. */
  asOf: IsoDate;
  /** Realized P&L of the closed trades (every symbol) per period. */
  realized: PeriodSums;
  /** Dividends received (paid or reinvested, every symbol) per period. */
  dividends: PeriodSums;
  /** The filter the lists below answer. */
  period: TradePeriod;
  symbol: string | null;
  /** Newest close first; at most `limit` rows. */
  trades: ClosedTradeView[];
  /** Closed trades matching the filter, all of them (trades may hold fewer). */
  tradeCount: number;
  /** Sum of realized P&L over every trade matching the filter. */
  filteredRealized: DecimalString;
  receivedDividends: DividendView[];
  /** Every symbol with a closed trade or a received dividend, for the filter. */
  symbols: string[];
}
