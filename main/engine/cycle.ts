/**
 * One sync cycle: sign in, list the accounts, and for each account (under its agent lock)
 *   1. the account-state stream: portfolio, stock positions, option positions with market data and
 *      Greeks → trading_accounts, positions, portfolio_snapshots, daily_portfolio_balances, in ONE
 *      transaction;
 *   2. the trade-history stream when due: orders changed since the stored high-water mark (minus an
 *      overlap), dividends and option events → orders, fills, trade_history (FIFO) and the
 *      history watermark, in ONE transaction.
 * Everything is fetched before a transaction opens, so a broker failure never leaves half a stream
 * written, and the history cursor (the newest stored order) cannot move past uncommitted data.
 * Instrument metadata is cached in the store: a steady-state cycle asks the broker only for what
 * changes (positions, quotes, marks).
 */
import { hostname } from 'node:os';
import { isDeepStrictEqual } from 'node:util';
import type { Knex } from 'knex';
import type { SyncProgress } from '../../shared/models.js';
import type {
  Account,
  OptionAggregatePosition,
  OptionMarketData,
  OptionOrder,
  Portfolio,
  Quote,
  RejectedItem,
  RequestLog,
  RobinhoodClient,
  RobinhoodSession,
  StockOrder,
} from '../broker/robinhood/index.js';
import { accountKeysFor } from '../domain/account-keys.js';
import {
  type AccountLease,
  AccountLockError,
  type Broker,
  type FifoInputs,
  type StartedRun,
  type Store,
  StoreInputError,
  type WriteCounts,
} from '../store/index.js';
import type { Clock } from '../util/clock.js';
import { errorMeta } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { AuthWaiting, CycleAborted, classifyError, DatabaseFailure, IncompleteData } from './cycle-errors.js';
import type { CycleCounts, CycleError, CycleOutcome, CycleRequest, CycleRunner } from './cycle-types.js';
import {
  emptyBatch,
  HISTORY_LISTS,
  type HistoryBatch,
  type ImportPosition,
  importPositionIn,
  LIST_NAMES,
  positionAfter,
} from './history-import.js';
import {
  DIVIDENDS_STREAM,
  type HistoryListsDue,
  historyListsDue,
  OPTION_EVENTS_STREAM,
  saveListReads,
} from './history-lists.js';
import {
  accountInput,
  dividendRows,
  type InstrumentLookup,
  instrumentInput,
  type OptionContract,
  optionEventRows,
  optionInstrumentInput,
  optionInstrumentsFromAggregates,
  optionOrderRows,
  optionPositionInputs,
  snapshotInput,
  stockOrderRows,
  stockPositionInputs,
} from './mapping.js';
import { storedStrategies, strategiesFromAggregates } from './option-strategies.js';
import {
  ORDER_STREAMS,
  type OrderFloor,
  type OrderKind,
  orderFloor,
  readFrom,
  saveOrderFloor,
} from './order-reread.js';
import { syncPortfolioHistory } from './portfolio-history.js';
import { type ListRead, recordQuarantine } from './quarantine.js';
import { type ActivitySource, StepActivityTracker } from './step-activity.js';

export const HISTORY_STREAM = 'history';
export const ACCOUNT_STREAM = 'positions';

/** One login's client, session and request log; replaced when the credentials change. */
export interface BrokerConnection extends ActivitySource {
  client: RobinhoodClient;
  session: RobinhoodSession;
  requestLog: RequestLog;
}

export interface CycleRunnerOptions {
  store: Store;
  connection: () => BrokerConnection;
  broker: Broker;
  clock: Clock;
  logger: Logger;
  /** Read at every cycle, so a settings change applies at once. */
  tradeHistoryIntervalSeconds: () => number;
  /** Learns each account's full number → masked key, so logs redact it. */
  onAccountKey?: (fullNumber: string, key: string) => void;
  /** Re-read orders updated this long before the newest one stored (de-duplicated by id). */
  historyOverlapMs?: number;
  /** A first history import commits every this many broker pages (default 5). */
  historyChunkPages?: number;
  agentId?: string;
}

interface CycleTally {
  /** The sync_runs row of this cycle (snapshots name it). */
  runId: number | null;
  rowsWritten: number;
  streams: string[];
  accounts: string[];
  skipped: string[];
  counts: CycleCounts;
  historyDueAt: Date | null;
  errors: CycleError[];
}

export class SyncCycleRunner implements CycleRunner {
  private readonly historyOverlapMs: number;
  private readonly historyChunkPages: number;
  private readonly agentId: string;

  constructor(private readonly o: CycleRunnerOptions) {
    this.historyOverlapMs = o.historyOverlapMs ?? 10 * 60_000;
    this.historyChunkPages = o.historyChunkPages ?? 5;
    this.agentId = o.agentId ?? `${hostname()}:${process.pid}`;
  }

  async run(request: CycleRequest): Promise<CycleOutcome> {
    const { clock, logger } = this.o;
    const { requestLog } = this.o.connection();
    const startedAt = clock.now();
    const started = clock.monotonicMs();
    const mark = requestLog.mark();
    const tally: CycleTally = {
      runId: null,
      rowsWritten: 0,
      streams: [],
      accounts: [],
      skipped: [],
      counts: { accounts: 0, stockPositions: 0, optionPositions: 0, orders: 0, trades: 0 },
      historyDueAt: null,
      errors: [],
    };
    let fatal: CycleError | null = null;
    let run: StartedRun | null = null;
    // Requests, pages and rate-limit waits inside each step ride on the progress reports.
    const activity = new StepActivityTracker(this.o.connection(), request.progress);
    try {
      // The run is recorded before any broker request: an unreachable database costs none.
      run = await this.inStore('record the start of the run', () =>
        this.o.store.startRun({
          startedAt: startedAt.toISOString(),
          trigger: request.trigger,
          agentId: this.agentId,
          host: hostname(),
        }),
      );
      tally.runId = run.id;
      await this.runAccounts({ ...request, progress: activity.step }, tally);
    } catch (error) {
      fatal = classifyError(error, this.o.store.location);
      if (fatal.kind === 'internal') logger.error('sync cycle failed unexpectedly', errorMeta(error));
    }
    activity.stop();
    const error = fatal ?? tally.errors[0] ?? null;
    const status = statusOf(error, tally);
    const finishedAt = clock.now();
    const outcome: CycleOutcome = {
      status,
      trigger: request.trigger,
      startedAt,
      finishedAt,
      durationMs: Math.round(clock.monotonicMs() - started),
      apiRequests: requestLog.countSince(mark),
      rowsWritten: tally.rowsWritten,
      streams: tally.streams,
      accounts: tally.accounts,
      skippedAccounts: tally.skipped,
      counts: tally.counts,
      historyDueAt: tally.historyDueAt,
      error,
    };
    if (run) await this.finishRun(run, outcome);
    const summary = {
      status,
      trigger: request.trigger,
      apiRequests: outcome.apiRequests,
      rowsWritten: outcome.rowsWritten,
      durationMs: outcome.durationMs,
      accounts: tally.accounts,
      skipped: tally.skipped,
    };
    if (error) logger.warn(`sync cycle ${status}: ${error.message}`, { ...summary, kind: error.kind });
    else logger.info(`sync cycle ${status}`, summary);
    return outcome;
  }

  private async runAccounts(request: CycleRequest, tally: CycleTally): Promise<void> {
    const { client } = this.o.connection();
    const { signal } = request;
    const progress = new Progress(request.progress);
    progress.step('Signing in');
    await this.signIn(signal);

    progress.step('Listing accounts');
    const listed = await client.listAccounts({ signal });
    reportRejected(this.o.logger, 'accounts', listed.rejected);
    const accounts = listed.items.filter((a) => a.deactivated !== true);
    const keys = accountKeysFor(accounts.map((a) => a.account_number));
    for (const [full, key] of keys) this.o.onAccountKey?.(full, key);
    tally.counts.accounts = accounts.length;
    progress.planAccounts(accounts.length);
    const portfolios = accounts.length > 0 ? await this.listPortfolios(signal) : new Map<string, Portfolio>();

    for (const account of accounts) {
      const key = keys.get(account.account_number)!;
      throwIfAborted(signal);
      // The lock names its own failures (AccountLockError); what the sync throws passes unchanged.
      const locked = await this.o.store.withAccountLock(key, (lease) =>
        this.syncAccount(
          request,
          account,
          key,
          portfolios.get(account.account_number) ?? null,
          lease,
          tally,
          progress,
        ),
      );
      if (locked.status === 'locked') {
        tally.skipped.push(key);
        this.o.logger.info(`${key}: another agent is syncing this account; skipped`);
      }
    }
  }

  /** Every account's portfolio in one list request (an account missing from it is read alone). */
  private async listPortfolios(signal: AbortSignal): Promise<Map<string, Portfolio>> {
    const { client } = this.o.connection();
    const listed = await client.listPortfolios({ signal });
    reportRejected(this.o.logger, 'portfolios', listed.rejected);
    const byAccount = new Map<string, Portfolio>();
    for (const portfolio of listed.items)
      if (portfolio.account_number) byAccount.set(portfolio.account_number, portfolio);
    return byAccount;
  }

  private async signIn(signal: AbortSignal): Promise<void> {
    const { session } = this.o.connection();
    const waiting = session.pendingPrompt;
    // A verification is waiting for the user: a new password login would only start another one.
    if (waiting) throw new AuthWaiting(waiting);
    const state = await session.login({ signal });
    if (state.status === 'needs-code') {
      throw new AuthWaiting({ kind: 'code', challengeType: state.challengeType, message: state.message });
    }
    if (state.status === 'needs-approval')
      throw new AuthWaiting({ kind: 'approval', message: state.message });
  }

  private async syncAccount(
    request: CycleRequest,
    account: Account,
    key: string,
    listedPortfolio: Portfolio | null,
    lease: AccountLease,
    tally: CycleTally,
    progress: Progress,
  ): Promise<void> {
    const { signal } = request;
    progress.step(`Positions ${key}`);
    // A database lost since the last account is noticed here, before any broker request for this one.
    await this.inStore(`check the database and the account lock of ${key}`, () =>
      lease.confirm(this.o.store.knex),
    );
    await this.syncAccountState(account, key, listedPortfolio, lease, tally, signal, progress);
    tally.rowsWritten += await syncPortfolioHistory(
      { store: this.o.store, logger: this.o.logger, inStore: (operation, fn) => this.inStore(operation, fn) },
      this.o.connection().client,
      account.account_number,
      key,
      lease,
      this.o.clock.now(),
      signal,
    );

    const due = await this.historyDue(key, request);
    if (due.run) {
      progress.step(`Trade history ${key}`);
      try {
        await this.syncHistory(account, key, lease, tally, signal);
      } catch (error) {
        // The account state committed; report the history failure and go on with other accounts.
        const classified = classifyError(error, this.o.store.location);
        if (classified.kind === 'aborted' || classified.kind === 'auth' || classified.kind === 'network')
          throw error;
        tally.errors.push({ ...classified, message: `${key} trade history: ${classified.message}` });
      }
    }
    const next = due.run
      ? new Date(this.o.clock.now().getTime() + this.o.tradeHistoryIntervalSeconds() * 1000)
      : due.at;
    if (next && (!tally.historyDueAt || next < tally.historyDueAt)) tally.historyDueAt = next;
  }

  private async historyDue(key: string, request: CycleRequest): Promise<{ run: boolean; at: Date | null }> {
    if (request.historyMode === 'force') return { run: true, at: null };
    const state = await this.inStore(`read the trade-history state of ${key}`, () =>
      this.o.store.syncState.get(this.o.store.knex, key, HISTORY_STREAM),
    );
    const last = state?.lastSuccessAt ? new Date(state.lastSuccessAt) : null;
    const at = last
      ? new Date(last.getTime() + this.o.tradeHistoryIntervalSeconds() * 1000)
      : this.o.clock.now();
    if (request.historyMode === 'skip') return { run: false, at };
    return { run: at.getTime() <= this.o.clock.now().getTime(), at };
  }

  // ---- account state ------------------------------------------------------------------------

  private async syncAccountState(
    account: Account,
    key: string,
    listedPortfolio: Portfolio | null,
    lease: AccountLease,
    tally: CycleTally,
    signal: AbortSignal,
    progress: Progress,
  ): Promise<void> {
    const { store, logger } = this.o;
    const { client } = this.o.connection();
    const n = account.account_number;
    const portfolio = listedPortfolio ?? (await client.getPortfolio(n, { signal }));
    const stockList = await client.listStockPositions(n, { signal });
    const optionList = await client.listOptionPositions(n, { signal });
    // A position we cannot read must not be dropped: writing the rest would delete a real holding.
    requireComplete(logger, `${key} stock positions`, stockList.rejected);
    requireComplete(logger, `${key} option positions`, optionList.rejected);
    const optionPositions = optionList.items;
    // Strategy grouping (and strike/type/expiry for free) comes from the aggregate positions, read
    // only when the open legs differ from the stored ones (see option-strategies.ts).
    let aggregates: OptionAggregatePosition[] = [];
    let strategies =
      optionPositions.length === 0
        ? new Map()
        : storedStrategies(
            optionPositions,
            await this.inStore(`read the stored option positions of ${key}`, () =>
              store.positions.list(store.knex, key, 'option'),
            ),
          );
    if (strategies === null) {
      const listed = await client.listOptionAggregatePositions(n, { signal });
      reportRejected(logger, `${key} option strategies`, listed.rejected);
      aggregates = listed.items;
      strategies = strategiesFromAggregates(aggregates);
    }

    progress.step(`Market data ${key}`);
    const stockIds = unique(stockList.items.map((p) => p.instrument_id));
    const instruments = await this.instrumentsFor(stockIds, tally, signal);
    const quotes = new Map<string, Quote>();
    if (stockIds.length > 0) {
      const batch = await client.getQuotes(stockIds, { signal });
      reportMissing(logger, `${key} quotes`, batch.missing, batch.rejected);
      for (const [id, quote] of batch.byId) quotes.set(id, quote);
    }
    const optionIds = unique(optionPositions.map((p) => p.option_id));
    const contracts = await this.contractsFor(optionIds, aggregates, tally, signal);
    const marketData = new Map<string, OptionMarketData>();
    if (optionIds.length > 0) {
      const batch = await client.getOptionMarketData(optionIds, { signal });
      reportMissing(logger, `${key} option market data`, batch.missing, batch.rejected);
      for (const [id, data] of batch.byId) marketData.set(id, data);
    }

    const stocks = stockPositionInputs(stockList.items, instruments, quotes);
    const options = optionPositionInputs(optionPositions, contracts, marketData, strategies);
    if (stocks.unresolved.length + options.unresolved.length > 0) {
      // Writing positions without them would delete real holdings from the table: fail the stream.
      throw new IncompleteData(
        `${key}: the broker did not describe ${stocks.unresolved.length + options.unresolved.length} held instrument(s)`,
      );
    }
    const positions = [...stocks.inputs, ...options.inputs];
    const now = this.o.clock.now();
    const snapshot = { ...snapshotInput(key, now, account, portfolio, positions), runId: tally.runId };

    progress.step(`Writing ${key}`);
    throwIfAborted(signal);
    const written = await this.inStore(`write the positions of ${key}`, () =>
      store.transaction(async (trx) => {
        const counts = [
          await store.accounts.upsert(trx, [accountInput(key, this.o.broker, account, portfolio)], now),
          await store.positions.replaceForAccount(trx, key, positions, now),
          await store.snapshots.insert(trx, snapshot),
          await store.dailyBalances.recordFromSnapshot(trx, snapshot, now),
        ];
        const rows = sumCounts(counts);
        await store.notify(trx, {
          event: 'data_changed',
          accounts: [key],
          streams: [ACCOUNT_STREAM],
          rowsWritten: rows,
          at: now.toISOString(),
          agentId: this.agentId,
        });
        await lease.confirm(trx);
        return rows;
      }),
    );
    tally.rowsWritten += written;
    tally.streams.push(`${ACCOUNT_STREAM}:${key}`);
    if (!tally.accounts.includes(key)) tally.accounts.push(key);
    tally.counts.stockPositions += stocks.inputs.length;
    tally.counts.optionPositions += options.inputs.length;
  }

  /** Symbol and name of stock instruments: from the store's cache, else one batched request. */
  private async instrumentsFor(
    ids: readonly string[],
    tally: CycleTally,
    signal: AbortSignal,
  ): Promise<Map<string, InstrumentLookup>> {
    const { store, logger } = this.o;
    const { client } = this.o.connection();
    const result = new Map<string, InstrumentLookup>();
    if (ids.length === 0) return result;
    const cached = await this.inStore('read the cached instruments', () =>
      store.instruments.getMany(store.knex, ids),
    );
    for (const [id, record] of cached)
      result.set(id, { symbol: record.symbol, name: record.simpleName ?? record.name });
    const missing = ids.filter((id) => !cached.has(id));
    if (missing.length === 0) return result;
    const batch = await client.getInstruments(missing, { signal });
    reportMissing(logger, 'instruments', batch.missing, batch.rejected);
    const fetched = [...batch.byId.values()];
    for (const i of fetched) result.set(i.id, { symbol: i.symbol, name: i.simple_name ?? i.name });
    if (fetched.length > 0) {
      tally.rowsWritten += await this.inStore('write the instruments', () =>
        store.transaction(async (trx) =>
          sumCounts([await store.instruments.upsert(trx, fetched.map(instrumentInput), this.o.clock.now())]),
        ),
      );
    }
    return result;
  }

  /** Strike, type, expiry and multiplier of option instruments: cache, aggregates, else the broker. */
  private async contractsFor(
    ids: readonly string[],
    aggregates: readonly OptionAggregatePosition[],
    tally: CycleTally,
    signal: AbortSignal,
  ): Promise<Map<string, OptionContract>> {
    const { store, logger } = this.o;
    const { client } = this.o.connection();
    const result = new Map<string, OptionContract>();
    if (ids.length === 0) return result;
    const cached = await this.inStore('read the cached option instruments', () =>
      store.optionInstruments.getMany(store.knex, ids),
    );
    for (const [id, r] of cached) result.set(id, contractOf(r));
    const learned = optionInstrumentsFromAggregates(aggregates).filter((i) => !cached.has(i.id));
    for (const i of learned) result.set(i.id, contractOf({ ...i, chainId: i.chainId ?? null }));
    const missing = ids.filter((id) => !result.has(id));
    if (missing.length > 0) {
      const batch = await client.getOptionInstruments(missing, { signal });
      reportMissing(logger, 'option instruments', batch.missing, batch.rejected);
      for (const i of batch.byId.values()) {
        const input = optionInstrumentInput(i);
        learned.push(input);
        result.set(i.id, contractOf({ ...input, chainId: input.chainId ?? null }));
      }
    }
    if (learned.length > 0) {
      tally.rowsWritten += await this.inStore('write the option instruments', () =>
        store.transaction(async (trx) =>
          sumCounts([await store.optionInstruments.upsert(trx, uniqueById(learned), this.o.clock.now())]),
        ),
      );
    }
    return result;
  }

  // ---- trade history ------------------------------------------------------------------------

  private async syncHistory(
    account: Account,
    key: string,
    lease: AccountLease,
    tally: CycleTally,
    signal: AbortSignal,
  ): Promise<void> {
    const { store, logger } = this.o;
    const { client } = this.o.connection();
    const n = account.account_number;
    const state = await this.inStore(`read the trade-history state of ${key}`, () =>
      store.syncState.get(store.knex, key, HISTORY_STREAM),
    );
    // Until a history sync has completed once, it is the first import, committed in chunks.
    if (!state?.lastSuccessAt) {
      await this.importHistory(account, key, lease, tally, signal, importPositionIn(state?.cursor));
      return;
    }
    const [stockSince, optionSince] = await this.inStore(`read the newest stored orders of ${key}`, () =>
      Promise.all([
        store.orders.latestUpdatedAt(store.knex, key, 'stock'),
        store.orders.latestUpdatedAt(store.knex, key, 'option'),
      ]),
    );
    // While orders of a list sit in quarantine, its reads start early enough to see them again.
    const [stockFloor, optionFloor] = await this.inStore(`read the order floors of ${key}`, () =>
      Promise.all([orderFloor(store, key, 'stock'), orderFloor(store, key, 'option')]),
    );
    const stockStart = readFrom(stockSince, stockFloor);
    const optionStart = readFrom(optionSince, optionFloor);
    const since = (iso: string | null) =>
      iso ? { updatedSince: new Date(new Date(iso).getTime() - this.historyOverlapMs) } : {};
    const stockOrders = await client.listStockOrders({ accountNumber: n, ...since(stockStart), signal });
    const optionOrders = await client.listOptionOrders({ accountNumber: n, ...since(optionStart), signal });
    // Dividends and option events cannot be asked for "changed since": read in full when due.
    const { openOptions } = await this.inStore(`read the FIFO inputs of ${key}`, () =>
      store.fifoInputs(store.knex, key, this.o.clock.now()),
    );
    const due = await this.inStore(`read when the dividends and option events of ${key} were read`, () =>
      historyListsDue(
        store,
        key,
        this.o.clock.now(),
        openOptions,
        newerThan(optionOrders.items, optionSince),
      ),
    );
    const noItems = { items: [], rejected: [] };
    const dividends = due.dividends ? await client.listDividends({ accountNumber: n, signal }) : noItems;
    const events = due.optionEvents ? await client.listOptionEvents({ accountNumber: n, signal }) : noItems;
    const batch: HistoryBatch = {
      stockOrders: stockOrders.items,
      optionOrders: optionOrders.items,
      dividends: dividends.items,
      optionEvents: events.items,
    };
    const rejected: HistoryRejected = {
      stockOrders: stockOrders.rejected,
      optionOrders: optionOrders.rejected,
      dividends: dividends.rejected,
      optionEvents: events.rejected,
    };
    // An item that cannot be read is kept in quarantine, not dropped, and does not hold up the rest
    // of its list: the stream and its cursor go on (a malformed page still fails the call).
    reportRejected(logger, `${key} trade history (kept in quarantine)`, Object.values(rejected).flat());
    await this.writeHistory(key, lease, tally, signal, batch, 'complete', {
      reads: listReads(batch, rejected),
      floors: {
        stock: { floor: stockFloor, rejected: stockOrders.rejected, start: stockStart },
        option: { floor: optionFloor, rejected: optionOrders.rejected, start: optionStart },
      },
      listsRead: due,
    });
  }

  /**
   * The first import of an account's history: each listing read page by page, and every
   * `historyChunkPages` pages the rows read so far committed together with the position of the
   * next page (sync_state's cursor), so a restart goes on from the last commit. trade_history is
   * not touched until the last page: the FIFO rebuild runs once, in the commit that completes the
   * import.
   */
  private async importHistory(
    account: Account,
    key: string,
    lease: AccountLease,
    tally: CycleTally,
    signal: AbortSignal,
    resume: ImportPosition | null,
  ): Promise<void> {
    const { logger } = this.o;
    const { client } = this.o.connection();
    const n = account.account_number;
    const startedAt = resume?.startedAt ?? this.o.clock.now().toISOString();
    if (resume) logger.info(`resuming the trade-history import of ${key}`, { list: resume.list });
    let batch = emptyBatch();
    let rejected = noRejected();
    // Orders that could not be read: after the import, the order reads start early enough to see them again.
    const unreadOrders = noRejected();
    let pages = 0;
    const first = resume ? HISTORY_LISTS.indexOf(resume.list) : 0;
    for (let i = first; i < HISTORY_LISTS.length; i++) {
      const list = HISTORY_LISTS[i]!;
      const cursor = resume && i === first ? resume.cursor : null;
      for await (const page of client.historyPages(list, { accountNumber: n, cursor, signal })) {
        // An item that cannot be read goes to quarantine with its chunk; the import goes on.
        reportRejected(logger, `${key} ${LIST_NAMES[list]} (kept in quarantine)`, page.rejected);
        (batch[list] as unknown[]).push(...page.items);
        rejected[list].push(...page.rejected);
        unreadOrders[list].push(...page.rejected);
        pages += 1;
        const after = positionAfter(startedAt, i, page);
        if (pages >= this.historyChunkPages && after) {
          await this.writeHistory(key, lease, tally, signal, batch, after, {
            reads: listReads(batch, rejected),
          });
          batch = emptyBatch();
          rejected = noRejected();
          pages = 0;
        }
      }
    }
    if (resume) {
      // Orders placed or changed while the import was stopped may sit on pages read before:
      // read again what changed since the import began.
      const updatedSince = new Date(new Date(startedAt).getTime() - this.historyOverlapMs);
      const stock = await client.listStockOrders({ accountNumber: n, updatedSince, signal });
      const option = await client.listOptionOrders({ accountNumber: n, updatedSince, signal });
      reportRejected(logger, `${key} orders changed during the import (kept in quarantine)`, [
        ...stock.rejected,
        ...option.rejected,
      ]);
      batch.stockOrders.push(...stock.items);
      batch.optionOrders.push(...option.items);
      rejected.stockOrders.push(...stock.rejected);
      rejected.optionOrders.push(...option.rejected);
      unreadOrders.stockOrders.push(...stock.rejected);
      unreadOrders.optionOrders.push(...option.rejected);
    }
    const noFloor = { active: false, from: null };
    await this.writeHistory(key, lease, tally, signal, batch, 'complete', {
      reads: listReads(batch, rejected),
      floors: {
        stock: { floor: noFloor, rejected: unreadOrders.stockOrders, start: null },
        option: { floor: noFloor, rejected: unreadOrders.optionOrders, start: null },
      },
      // The import read both lists in full.
      listsRead: { dividends: true, optionEvents: true },
    });
  }

  /**
   * Writes history items in one transaction. 'complete': the history is whole, so trade_history is
   * rebuilt (unless its inputs are unchanged) and the stream's watermark advances. An import
   * position: a chunk of a first import; only the cursor moves, trade_history is left alone.
   */
  private async writeHistory(
    key: string,
    lease: AccountLease,
    tally: CycleTally,
    signal: AbortSignal,
    batch: HistoryBatch,
    end: 'complete' | ImportPosition,
    bookkeeping: HistoryBookkeeping,
  ): Promise<void> {
    const { store } = this.o;
    const symbols = await this.instrumentsFor(
      unique([
        ...batch.stockOrders.map((o) => o.instrument_id),
        ...batch.dividends.map((d) => d.instrument_id),
      ]),
      tally,
      signal,
    );
    const contracts = await this.contractsFor(
      unique([
        ...batch.optionOrders.flatMap((o) => o.legs.filter(needsContract).map((l) => l.option_id)),
        ...batch.optionEvents.flatMap((e) => (e.option_id ? [e.option_id] : [])),
      ]),
      [],
      tally,
      signal,
    );
    const symbolOf = (id: string) => symbols.get(id)?.symbol ?? null;
    const contractLookup = (id: string) => contracts.get(id) ?? null;
    const stock = stockOrderRows(key, dropDuplicates(batch.stockOrders), symbolOf);
    const option = optionOrderRows(key, dropDuplicates(batch.optionOrders), contractLookup);

    throwIfAborted(signal);
    const now = this.o.clock.now();
    const { rows, trades } = await this.inStore(`write the trade history of ${key}`, () =>
      store.transaction(async (trx) => {
        const counts: WriteCounts[] = [
          await store.orders.upsert(
            trx,
            [...stock.orders, ...option.orders],
            [...stock.executions, ...option.executions],
            now,
          ),
          await store.dividends.upsert(trx, dividendRows(key, batch.dividends, symbolOf), now),
          await store.optionEvents.upsert(trx, optionEventRows(key, batch.optionEvents, contractLookup), now),
          await recordQuarantine(store, trx, key, bookkeeping.reads, now),
          ...(bookkeeping.floors
            ? [
                await saveFloor(store, trx, key, 'stock', bookkeeping.floors.stock, now),
                await saveFloor(store, trx, key, 'option', bookkeeping.floors.option, now),
              ]
            : []),
        ];
        let trades: number | null = null;
        if (end === 'complete') {
          // The FIFO result changes only with the fills and events (just upserted), the day and the
          // open option positions: with all of them as at the last rebuild, the stored trades stand.
          const inputs = await store.fifoInputs(trx, key, now);
          const state = await store.syncState.get(trx, key, HISTORY_STREAM);
          if (sumCounts(counts) === 0 && isDeepStrictEqual(fifoInputsIn(state?.cursor), inputs)) {
            trades = await store.trades.count(trx, key);
          } else {
            const rebuilt = await store.rebuildTradeHistory(trx, key, now);
            counts.push(rebuilt.counts);
            trades = rebuilt.trades;
          }
          // The watermark moves only with this commit; the order high-water mark is the newest stored order.
          counts.push(await syncStateCounts(store, trx, key, now, { fifo: inputs }));
          if (bookkeeping.listsRead)
            await saveListReads(store, trx, key, bookkeeping.listsRead, now, inputs.openOptions);
        } else {
          counts.push(await importStateCounts(store, trx, key, now, end));
        }
        const rowsWritten = sumCounts(counts);
        await store.notify(trx, {
          event: 'data_changed',
          accounts: [key],
          streams: [HISTORY_STREAM],
          rowsWritten,
          at: now.toISOString(),
          agentId: this.agentId,
        });
        await lease.confirm(trx);
        return { rows: rowsWritten, trades };
      }),
    );
    tally.rowsWritten += rows;
    tally.counts.orders += batch.stockOrders.length + batch.optionOrders.length;
    if (trades !== null) {
      tally.streams.push(`${HISTORY_STREAM}:${key}`);
      tally.counts.trades += trades;
    }
  }

  // ---- bookkeeping --------------------------------------------------------------------------

  private async finishRun(run: StartedRun, outcome: CycleOutcome): Promise<void> {
    try {
      const finished = await run.finish({
        finishedAt: outcome.finishedAt.toISOString(),
        status: outcome.status,
        streams: outcome.streams,
        accounts: [...outcome.accounts, ...outcome.skippedAccounts],
        apiRequests: outcome.apiRequests,
        rowsWritten: outcome.rowsWritten,
        durationMs: outcome.durationMs,
        error: outcome.error?.message ?? null,
      });
      if (!finished) this.o.logger.warn('this run had already been marked interrupted by another agent');
    } catch (error) {
      // The row stays 'running' without its lock: the next run marks it interrupted.
      const failure = new DatabaseFailure('record the end of the run', error);
      this.o.logger.warn(
        'could not record the end of the sync run',
        errorMeta(classifyError(failure, this.o.store.location)),
      );
    }
  }

  /** Runs one store call; a failure becomes a DatabaseFailure naming `operation`. */
  private async inStore<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      // Already classified by the store: bad input, or the account lock lost.
      if (error instanceof StoreInputError || error instanceof AccountLockError) throw error;
      throw new DatabaseFailure(operation, error);
    }
  }
}

/** How a cycle ended, from its first error and what it committed or skipped. */
function statusOf(error: CycleError | null, tally: CycleTally): CycleOutcome['status'] {
  if (error?.kind === 'aborted') return 'interrupted';
  const committed = tally.streams.length > 0;
  if (error) return committed ? 'partial' : 'failed';
  if (tally.counts.accounts > 0 && tally.skipped.length === tally.counts.accounts) return 'skipped';
  return tally.skipped.length > 0 ? 'partial' : 'success';
}

/** The history stream's cursor: what the stored trade_history was computed from. */
interface HistoryCursor {
  fifo: FifoInputs;
}

function fifoInputsIn(cursor: unknown): unknown {
  return typeof cursor === 'object' && cursor !== null ? (cursor as Partial<HistoryCursor>).fifo : undefined;
}

async function syncStateCounts(
  store: Store,
  trx: Parameters<Store['notify']>[0],
  key: string,
  now: Date,
  cursor: HistoryCursor,
): Promise<WriteCounts> {
  const changed = await store.syncState.save(
    trx,
    {
      accountNumber: key,
      stream: HISTORY_STREAM,
      lastSuccessAt: now.toISOString(),
      lastAttemptAt: now.toISOString(),
      lastError: null,
      cursor,
    },
    now,
  );
  return { inserted: 0, updated: changed, deleted: 0 };
}

/** Saves an unfinished import's position; lastSuccessAt stays unset until the import completes. */
async function importStateCounts(
  store: Store,
  trx: Parameters<Store['notify']>[0],
  key: string,
  now: Date,
  position: ImportPosition,
): Promise<WriteCounts> {
  const changed = await store.syncState.save(
    trx,
    {
      accountNumber: key,
      stream: HISTORY_STREAM,
      lastAttemptAt: now.toISOString(),
      cursor: { import: position },
    },
    now,
  );
  return { inserted: 0, updated: changed, deleted: 0 };
}

function contractOf(r: {
  chainId: string | null;
  chainSymbol: string;
  optionType: 'call' | 'put';
  strikePrice: string;
  expirationDate: string;
  multiplier: string;
}): OptionContract {
  return {
    chainId: r.chainId,
    chainSymbol: r.chainSymbol,
    optionType: r.optionType,
    strikePrice: r.strikePrice,
    expirationDate: r.expirationDate,
    multiplier: r.multiplier,
  };
}

function needsContract(leg: OptionOrder['legs'][number]): boolean {
  return !leg.strike_price || !leg.expiration_date || !leg.option_type;
}

/** Whether an order was updated after the newest one stored (the overlap re-reads a few of those). */
function newerThan(orders: readonly OptionOrder[], storedLatest: string | null): boolean {
  if (storedLatest === null) return orders.length > 0;
  const latest = Date.parse(storedLatest);
  return orders.some((o) => Date.parse(o.updated_at) > latest);
}

/** Overlapping pages can repeat an order; keep the newest copy. */
function dropDuplicates<T extends StockOrder | OptionOrder>(orders: readonly T[]): T[] {
  const byId = new Map<string, T>();
  for (const order of orders) {
    const seen = byId.get(order.id);
    if (!seen || seen.updated_at <= order.updated_at) byId.set(order.id, order);
  }
  return [...byId.values()];
}

function uniqueById<T extends { id: string }>(items: readonly T[]): T[] {
  return [...new Map(items.map((i) => [i.id, i])).values()];
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

function sumCounts(counts: readonly WriteCounts[]): number {
  return counts.reduce((sum, c) => sum + c.inserted + c.updated + c.deleted, 0);
}

function reportRejected(logger: Logger, what: string, rejected: readonly RejectedItem[]): void {
  if (rejected.length === 0) return;
  logger.warn(`${what}: skipped ${rejected.length} item(s) the broker sent in an unexpected shape`, {
    items: rejected.slice(0, 5).map((r) => ({ index: r.index, field: r.fieldPath, problem: r.problem })),
  });
}

/** Fails the stream (nothing of it is written) when the broker sent items we cannot read. */
function requireComplete(logger: Logger, what: string, rejected: readonly RejectedItem[]): void {
  if (rejected.length === 0) return;
  reportRejected(logger, what, rejected);
  throw new IncompleteData(
    `${what}: the broker sent ${rejected.length} item(s) in an unexpected shape; this part of the sync was not written`,
  );
}

function reportMissing(
  logger: Logger,
  what: string,
  missing: readonly string[],
  rejected: readonly RejectedItem[],
): void {
  if (missing.length > 0)
    logger.warn(`${what}: the broker returned nothing for ${missing.length} id(s)`, {
      ids: missing.slice(0, 10),
    });
  reportRejected(logger, what, rejected);
}

function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new CycleAborted();
}

class Progress {
  private completed = 0;
  private total = 2;
  constructor(private readonly report: (p: SyncProgress) => void) {}
  planAccounts(accounts: number): void {
    this.total = this.completed + accounts * 4;
  }
  step(step: string): void {
    this.report({ step, completed: this.completed, total: Math.max(this.total, this.completed + 1) });
    this.completed += 1;
  }
}

/** Items a history read could not parse, per list. */
type HistoryRejected = { [L in keyof HistoryBatch]: RejectedItem[] };

function noRejected(): HistoryRejected {
  return { stockOrders: [], optionOrders: [], dividends: [], optionEvents: [] };
}

const QUARANTINE_STREAMS: Record<keyof HistoryBatch, string> = {
  stockOrders: ORDER_STREAMS.stock,
  optionOrders: ORDER_STREAMS.option,
  dividends: DIVIDENDS_STREAM,
  optionEvents: OPTION_EVENTS_STREAM,
};

/** What each list read gave, for the quarantine: the ids it read and the items it could not. */
function listReads(batch: HistoryBatch, rejected: HistoryRejected): ListRead[] {
  return (Object.keys(QUARANTINE_STREAMS) as Array<keyof HistoryBatch>).map((list) => ({
    stream: QUARANTINE_STREAMS[list],
    readIds: batch[list].map((item) => item.id),
    rejected: rejected[list],
  }));
}

/** Where an order list's next read starts while some of its orders could not be read. */
interface FloorUpdate {
  floor: OrderFloor;
  rejected: readonly RejectedItem[];
  start: string | null;
}

/** What a history write records beside the rows, in the same transaction. */
interface HistoryBookkeeping {
  /** Quarantine: keeps what could not be read, releases what now could. */
  reads: ListRead[];
  floors?: { stock: FloorUpdate; option: FloorUpdate };
  /** The lists read in full this time (remembered so they are not read again today). */
  listsRead?: HistoryListsDue;
}

function saveFloor(
  store: Store,
  trx: Knex.Transaction,
  key: string,
  kind: OrderKind,
  update: FloorUpdate,
  now: Date,
): Promise<WriteCounts> {
  return saveOrderFloor(store, trx, key, kind, update.floor, update.rejected, update.start, now);
}
