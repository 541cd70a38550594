/**
 * The store's public surface: everything the engine, the runtime and the CLI may import.
 * See docs/schema.md for the tables.
 */

export { isAccountKey, maskAccountReferences } from '../domain/account-references.js';
export type {
  ClosedTrade,
  FifoExecution,
  FifoInput,
  FifoOptionEvent,
  FifoResult,
  OpenLot,
  OptionEventType,
  UnmatchedClose,
} from '../domain/fifo.js';
export { allocateFees, FEE_PLACES, matchLots } from '../domain/fifo.js';
export {
  addDays,
  daysBetween,
  isWeekend,
  MARKET_TIME_ZONE,
  nyDate,
  nyMarketClose,
  tradingDayOf,
} from '../domain/market-time.js';
export { derivePositionValues, perSharePremium } from '../domain/position-math.js';
export type { AccountLease, AccountLockResult } from './account-lock.js';
export { AccountLockError, ADVISORY_LOCK_NAMESPACE, advisoryLockKey } from './account-lock.js';
export type { StoreConfig, StoreOptions } from './config.js';
export { describeLocation, redactMessage, redactUrl, StoreInputError, StoreOpenError } from './config.js';
export type { EmbeddedConnectionInfo, EmbeddedPasswordVault } from './embedded/index.js';
export { embeddedConnectionInfo, filePasswordVault } from './embedded/index.js';
export type { ExportDataset, ExportFormat, ExportOptions } from './export.js';
export { EXPORT_DATASETS, EXPORT_FORMATS } from './export.js';
export type { ChangeNotification } from './notify.js';
export { NOTIFY_CHANNEL } from './notify.js';
export { MAX_CHART_POINTS } from './reads/chart.js';
export type { TradeRecord } from './repos/trades.js';
export type * from './rows.js';
export { POSITIONS_STREAM } from './rows.js';
export { RUN_LOCK_NAMESPACE } from './run-lock.js';
export type { FifoInputs, FifoSource, StartedRun, Store, TradeHistoryRebuild } from './store.js';
export { openStore } from './store.js';
export { testPostgresConnection } from './test-connection.js';
