/**
 * openStore(): the one entry point. Starts the embedded PostgreSQL server of a data folder
 * (embedded/) or connects to a PostgreSQL server by URL, migrates it, and returns the Store the
 * engine, the runtime and the CLI share. Both are the same code over knex + pg.
 */
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import type { Knex } from 'knex';
import type { ChartRange, ChartSeries, ClosedTradesView, Dashboard, SyncStats } from '../../shared/models.js';
import { postgresUrlProblem } from '../../shared/settings.js';
import { type FifoExecution, type FifoOptionEvent, type FifoResult, matchLots } from '../domain/fifo.js';
import { nyDate } from '../domain/market-time.js';
import { errorMessage } from '../util/errors.js';
import { type Logger, silentLogger } from '../util/logger.js';
import {
  type AccountLease,
  type AccountLockResult,
  withAdvisoryLock,
  withMigrationLock,
} from './account-lock.js';
import {
  describeLocation,
  redactMessage,
  redactUrl,
  type StoreConfig,
  StoreOpenError,
  type StoreOptions,
} from './config.js';
import { openPostgresDatabase, pgConnectionConfig } from './database.js';
import { filePasswordVault } from './embedded/password.js';
import { type EmbeddedServer, EmbeddedServerError, startEmbeddedServer } from './embedded/server.js';
import { type ExportDataset, type ExportFormat, type ExportOptions, exportData } from './export.js';
import { migrateToLatest } from './migrate.js';
import { type ChangeNotification, sendNotification } from './notify.js';
import { readChart } from './reads/chart.js';
import { type ClosedTradesQuery, readClosedTrades } from './reads/closed-trades.js';
import { readDashboard } from './reads/dashboard.js';
import { type PositionCounts, readPositionCounts } from './reads/position-counts.js';
import { readStats } from './reads/stats.js';
import { accountsRepo } from './repos/accounts.js';
import { dailyBalancesRepo, snapshotsRepo } from './repos/balances.js';
import type { Queryable } from './repos/common.js';
import { dividendsRepo, optionEventsRepo } from './repos/events.js';
import { instrumentsRepo, optionInstrumentsRepo } from './repos/instruments.js';
import { ordersRepo } from './repos/orders.js';
import { positionsRepo } from './repos/positions.js';
import { quarantineRepo } from './repos/quarantine.js';
import { runsRepo, syncStateRepo } from './repos/runs.js';
import { tradesRepo } from './repos/trades.js';
import type { SyncRunEnd, SyncRunStart, WriteCounts } from './rows.js';
import { type HeldRun, startLockedRun, sweepInterruptedRuns } from './run-lock.js';
import { isUnreachable } from './unreachable.js';
import { accountKey, parseOne } from './validate.js';

export interface FifoSource {
  executions: FifoExecution[];
  events: FifoOptionEvent[];
  /** Option instrument ids the account holds now (positions table). */
  knownOpenInstrumentKeys: string[];
}

/**
 * What a FIFO result depends on besides the stored fills and events: the algorithm's version, the
 * New York day (options expire with it) and the option contracts the broker still reports open.
 * Equal inputs and unchanged fills and events give an equal result, so the rebuild can be skipped.
 */
export interface FifoInputs {
  version: number;
  today: string;
  /** sha256 of the sorted open option instrument ids. */
  openOptions: string;
}

/** Raise when matchLots changes what it produces, so every account's trades are rebuilt once. */
export const FIFO_VERSION = 1;

export interface TradeHistoryRebuild {
  counts: WriteCounts;
  trades: number;
  openLots: number;
  unmatched: FifoResult['unmatched'];
}

export interface Store {
  readonly kind: StoreConfig['kind'];
  /** Where the data lives, without any password: for logs and windows. */
  readonly location: string;
  /** The knex instance, for reads the repositories do not cover. Never pass it where a transaction is expected. */
  readonly knex: Knex;

  /** Runs fn in one transaction: committed when fn resolves, rolled back when it throws. */
  transaction<T>(fn: (trx: Knex.Transaction) => Promise<T>): Promise<T>;
  /**
   * Runs fn while holding the account's advisory lock, or resolves to { status: 'locked' }
   * without running it when another agent holds it.
   */
  withAccountLock<T>(
    accountKey: string,
    fn: (lease: AccountLease) => Promise<T>,
  ): Promise<AccountLockResult<T>>;
  /** NOTIFY magnus_sync with the JSON payload, delivered on commit. */
  notify(trx: Knex.Transaction, payload: ChangeNotification): Promise<void>;
  /**
   * Records a cycle as it starts (a 'running' sync_runs row that stays marked alive until finished)
   * after marking the runs of dead processes 'interrupted'. Every cycle that may write starts here.
   */
  startRun(start: SyncRunStart): Promise<StartedRun>;

  readonly accounts: typeof accountsRepo;
  readonly positions: typeof positionsRepo;
  readonly orders: typeof ordersRepo;
  readonly trades: typeof tradesRepo;
  readonly snapshots: typeof snapshotsRepo;
  readonly dailyBalances: typeof dailyBalancesRepo;
  readonly runs: typeof runsRepo;
  readonly syncState: typeof syncStateRepo;
  readonly instruments: typeof instrumentsRepo;
  readonly optionInstruments: typeof optionInstrumentsRepo;
  readonly dividends: typeof dividendsRepo;
  readonly optionEvents: typeof optionEventsRepo;
  /** Broker items the client could not read, kept instead of dropped. */
  readonly quarantine: typeof quarantineRepo;

  /** Everything the FIFO needs for one account, read from the stored fills, events and positions. */
  fifoSource(db: Queryable, accountKey: string): Promise<FifoSource>;
  /**
   * Recomputes the account's trade_history from its stored fills and option events (FIFO) and
   * writes it delta-wise in `trx`. `now` decides which options count as expired.
   */
  rebuildTradeHistory(trx: Knex.Transaction, accountKey: string, now: Date): Promise<TradeHistoryRebuild>;
  /** The inputs of a rebuild at `now` other than the stored fills and events (see FifoInputs). */
  fifoInputs(db: Queryable, accountKey: string, now: Date): Promise<FifoInputs>;

  dashboard(options: { accountKey?: string; now: Date }): Promise<Dashboard>;
  chart(options: { accountKey: string; range: ChartRange; now: Date }): Promise<ChartSeries>;
  /** Realized P&L and dividends per period, and the closed trades of one period and symbol. */
  closedTrades(query: ClosedTradesQuery): Promise<ClosedTradesView>;
  stats(options: { rateLimitPerMinute: number; recentLimit?: number; since?: Date }): Promise<SyncStats>;
  /** Stock and option positions held now, per account. */
  positionCounts(): Promise<PositionCounts[]>;
  /** Text chunks of a CSV or JSON export, read page by page. */
  exportData(dataset: ExportDataset, format: ExportFormat, options?: ExportOptions): AsyncGenerator<string>;

  /** Closes connections (and stops the embedded server this store started). Safe to call twice. */
  close(): Promise<void>;
}

export interface StartedRun {
  id: number;
  /** Completes the row; false when another agent had already marked it interrupted. */
  finish(end: SyncRunEnd): Promise<boolean>;
}

interface Backend {
  kind: StoreConfig['kind'];
  /** Inserts a running run and keeps it marked alive (run-lock.ts). */
  startLockedRun(start: SyncRunStart): Promise<HeldRun>;
  location: string;
  knex: Knex;
  withAccountLock<T>(
    accountKey: string,
    fn: (lease: AccountLease) => Promise<T>,
  ): Promise<AccountLockResult<T>>;
  notify(trx: Knex.Transaction, payload: ChangeNotification): Promise<void>;
  close(): Promise<void>;
}

function makeStore(backend: Backend): Store {
  const { knex } = backend;
  const fifoSource = async (db: Queryable, key: string): Promise<FifoSource> => {
    parseOne(accountKey, key, 'accountKey');
    return {
      executions: await ordersRepo.fifoExecutions(db, key),
      events: await optionEventsRepo.fifoEvents(db, key),
      knownOpenInstrumentKeys: await positionsRepo.openOptionInstrumentIds(db, key),
    };
  };
  let closed: Promise<void> | null = null;
  const startRun = async (start: SyncRunStart): Promise<StartedRun> => {
    await sweepInterruptedRuns(knex, new Date(start.startedAt));
    const held = await backend.startLockedRun(start);
    return {
      id: held.id,
      async finish(end) {
        try {
          return await runsRepo.finish(knex, held.id, end);
        } finally {
          await held.release();
        }
      },
    };
  };
  return {
    kind: backend.kind,
    location: backend.location,
    knex,
    transaction: (fn) => knex.transaction(fn),
    withAccountLock: (key, fn) => {
      parseOne(accountKey, key, 'accountKey');
      return backend.withAccountLock(key, fn);
    },
    notify: (trx, payload) => backend.notify(trx, payload),
    startRun,
    accounts: accountsRepo,
    positions: positionsRepo,
    orders: ordersRepo,
    trades: tradesRepo,
    snapshots: snapshotsRepo,
    dailyBalances: dailyBalancesRepo,
    runs: runsRepo,
    syncState: syncStateRepo,
    instruments: instrumentsRepo,
    optionInstruments: optionInstrumentsRepo,
    dividends: dividendsRepo,
    optionEvents: optionEventsRepo,
    quarantine: quarantineRepo,
    fifoSource,
    async rebuildTradeHistory(trx, key, now) {
      const source = await fifoSource(trx, key);
      const result = matchLots({ ...source, today: nyDate(now) });
      const counts = await tradesRepo.replaceForAccount(trx, key, result.trades, now);
      return {
        counts,
        trades: result.trades.length,
        openLots: result.openLots.length,
        unmatched: result.unmatched,
      };
    },
    async fifoInputs(db, key, now) {
      parseOne(accountKey, key, 'accountKey');
      const open = (await positionsRepo.openOptionInstrumentIds(db, key)).sort();
      return {
        version: FIFO_VERSION,
        today: nyDate(now),
        openOptions: createHash('sha256').update(open.join('\n')).digest('hex'),
      };
    },
    dashboard: (options) => readDashboard(knex, options),
    chart: (options) => readChart(knex, options),
    closedTrades: (query) => readClosedTrades(knex, query),
    stats: (options) => readStats(knex, options),
    positionCounts: () => readPositionCounts(knex),
    exportData: (dataset, format, options) => exportData(knex, dataset, format, options),
    close() {
      closed ??= backend.close();
      return closed;
    },
  };
}

async function openEmbedded(
  config: Extract<StoreConfig, { kind: 'embedded' }>,
  options: StoreOptions,
  logger: Logger,
): Promise<Store> {
  if (config.dataDir.trim() === '') throw new StoreOpenError('The data folder must not be empty.', 'config');
  const root = resolve(config.dataDir);
  let server: EmbeddedServer;
  try {
    server = await startEmbeddedServer({
      dataDir: root,
      vault: config.passwordVault ?? filePasswordVault(root),
      logger,
      readOnly: options.readOnly ?? false,
    });
  } catch (error) {
    if (error instanceof EmbeddedServerError) {
      const reason = error.problem === 'start' ? 'connect' : error.problem;
      throw new StoreOpenError(error.message, reason);
    }
    throw error;
  }
  try {
    return await openServer(server.url, options, logger, {
      kind: 'embedded',
      location: describeLocation({ kind: 'embedded', dataDir: root }),
      afterClose: () => server.stop(),
    });
  } catch (error) {
    await server.stop().catch(() => undefined);
    throw error;
  }
}

async function openPostgres(url: string, options: StoreOptions, logger: Logger): Promise<Store> {
  const problem = postgresUrlProblem(url);
  if (problem) throw new StoreOpenError(problem, 'config');
  return openServer(url, options, logger, { kind: 'postgres', location: redactUrl(url) });
}

/** Connects, migrates (under the migration lock) and builds the Store over one server. */
async function openServer(
  url: string,
  options: StoreOptions,
  logger: Logger,
  how: { kind: StoreConfig['kind']; location: string; afterClose?: () => Promise<void> },
): Promise<Store> {
  const { location } = how;
  const pgOptions = {
    statementTimeoutMs: options.statementTimeoutMs,
    maxConnections: options.maxConnections,
  };
  const knex = openPostgresDatabase(url, pgOptions, logger);
  try {
    await knex.raw('select 1');
  } catch (error) {
    await knex.destroy().catch(() => undefined);
    throw new StoreOpenError(
      `Could not connect to the ${how.kind === 'embedded' ? location : `PostgreSQL server at ${location}`}: ${redactMessage(errorMessage(error), url)}`,
      isUnreachable(error) ? 'unreachable' : 'connect',
    );
  }
  const migrationConnection = pgConnectionConfig(url, { applicationName: 'magnus-sync-migrate' });
  try {
    await withMigrationLock(migrationConnection, url, () => migrateToLatest(knex, logger), logger);
  } catch (error) {
    await knex.destroy().catch(() => undefined);
    throw new StoreOpenError(
      `Could not prepare the ${how.kind === 'embedded' ? location : `PostgreSQL database at ${location}`}: ${redactMessage(errorMessage(error), url)}`,
      isUnreachable(error) ? 'unreachable' : 'migrate',
    );
  }
  const agent = (options.agentId ?? hostname()).slice(0, 40);
  const lockConnection = pgConnectionConfig(url, {
    ...pgOptions,
    applicationName: `magnus-sync-lock:${agent}`,
  });
  logger.info(how.kind === 'embedded' ? 'Opened the embedded database' : 'Opened the PostgreSQL database', {
    location,
  });
  return makeStore({
    kind: how.kind,
    location,
    knex,
    withAccountLock: (key, fn) => withAdvisoryLock(lockConnection, url, key, fn, logger),
    startLockedRun: (start) =>
      startLockedRun(
        pgConnectionConfig(url, { ...pgOptions, applicationName: `magnus-sync-run:${agent}` }),
        url,
        start,
        logger,
      ),
    notify: (trx, payload) => sendNotification(trx, payload),
    close: async () => {
      try {
        await knex.destroy();
      } finally {
        await how.afterClose?.();
      }
    },
  });
}

/**
 * Opens the store and brings its schema up to date. Throws StoreOpenError with a message safe to
 * show (never a password) when the folder is locked, the server is unreachable, or migrating fails.
 */
export async function openStore(config: StoreConfig, options: StoreOptions = {}): Promise<Store> {
  const logger = options.logger ?? silentLogger;
  if (config.kind === 'embedded') return openEmbedded(config, options, logger);
  if (config.kind === 'postgres') return openPostgres(config.url, options, logger);
  throw new StoreOpenError('Unknown database kind.', 'config');
}
