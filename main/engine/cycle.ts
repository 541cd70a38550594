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
import type { AuthPrompt, SyncProgress } from '../../shared/models.js';
import type {
  Account,
  OptionAggregatePosition,
  OptionMarketData,
  OptionOrder,
  Quote,
  RejectedItem,
  RequestLog,
  RobinhoodClient,
  RobinhoodSession,
  StockOrder,
} from '../broker/robinhood/index.js';
import {
  AuthRequiredError,
  LoginBackoffError,
  RobinhoodError,
  ThrottledError,
} from '../broker/robinhood/index.js';
import { accountKeysFor } from '../domain/account-keys.js';
import {
  type Broker,
  type FifoInputs,
  type Store,
  StoreInputError,
  StoreOpenError,
  type WriteCounts,
} from '../store/index.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import type { CycleCounts, CycleError, CycleOutcome, CycleRequest, CycleRunner } from './cycle-types.js';
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
  agentId?: string;
}

interface CycleTally {
  rowsWritten: number;
  streams: string[];
  accounts: string[];
  skipped: string[];
  counts: CycleCounts;
  historyDueAt: Date | null;
  errors: CycleError[];
}

/** A failure inside a store call: classified as a database problem. */
class DatabaseFailure extends Error {
  override readonly name = 'DatabaseFailure';
}

export class SyncCycleRunner implements CycleRunner {
  private readonly historyOverlapMs: number;
  private readonly agentId: string;

  constructor(private readonly o: CycleRunnerOptions) {
    this.historyOverlapMs = o.historyOverlapMs ?? 10 * 60_000;
    this.agentId = o.agentId ?? `${hostname()}:${process.pid}`;
  }

  async run(request: CycleRequest): Promise<CycleOutcome> {
    const { clock, logger } = this.o;
    const { requestLog } = this.o.connection();
    const startedAt = clock.now();
    const started = clock.monotonicMs();
    const mark = requestLog.mark();
    const tally: CycleTally = {
      rowsWritten: 0,
      streams: [],
      accounts: [],
      skipped: [],
      counts: { accounts: 0, stockPositions: 0, optionPositions: 0, orders: 0, trades: 0 },
      historyDueAt: null,
      errors: [],
    };
    let fatal: CycleError | null = null;
    // Requests, pages and rate-limit waits inside each step ride on the progress reports.
    const activity = new StepActivityTracker(this.o.connection(), request.progress);
    try {
      await this.runAccounts({ ...request, progress: activity.step }, tally);
    } catch (error) {
      fatal = classifyError(error, this.o.store.location);
    }
    activity.stop();
    const error = fatal ?? tally.errors[0] ?? null;
    const committed = tally.streams.length > 0;
    const allSkipped = tally.counts.accounts > 0 && tally.skipped.length === tally.counts.accounts;
    const status =
      error?.kind === 'aborted' && !committed
        ? 'failed'
        : error
          ? committed
            ? 'partial'
            : 'failed'
          : allSkipped
            ? 'skipped'
            : tally.skipped.length > 0
              ? 'partial'
              : 'success';
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
    if (error?.kind !== 'aborted') await this.recordRun(outcome);
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

    for (const account of accounts) {
      const key = keys.get(account.account_number)!;
      throwIfAborted(signal);
      const locked = await this.inStore(() =>
        this.o.store.withAccountLock(key, () => this.syncAccount(request, account, key, tally, progress)),
      );
      if (locked.status === 'locked') {
        tally.skipped.push(key);
        this.o.logger.info(`${key}: another agent is syncing this account; skipped`);
      }
    }
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
    tally: CycleTally,
    progress: Progress,
  ): Promise<void> {
    const { signal } = request;
    progress.step(`Positions ${key}`);
    await this.syncAccountState(account, key, tally, signal, progress);

    const due = await this.historyDue(key, request);
    if (due.run) {
      progress.step(`Trade history ${key}`);
      try {
        await this.syncHistory(account, key, tally, signal);
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
    const state = await this.inStore(() =>
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
    tally: CycleTally,
    signal: AbortSignal,
    progress: Progress,
  ): Promise<void> {
    const { store, logger } = this.o;
    const { client } = this.o.connection();
    const n = account.account_number;
    const portfolio = await client.getPortfolio(n, { signal });
    const stockList = await client.listStockPositions(n, { signal });
    const optionList = await client.listOptionPositions(n, { signal });
    // A position we cannot read must not be dropped: writing the rest would delete a real holding.
    requireComplete(logger, `${key} stock positions`, stockList.rejected);
    requireComplete(logger, `${key} option positions`, optionList.rejected);
    const optionPositions = optionList.items;
    // Strategy grouping (and strike/type/expiry for free) comes from the aggregate positions.
    let aggregates: OptionAggregatePosition[] = [];
    if (optionPositions.length > 0) {
      const listed = await client.listOptionAggregatePositions(n, { signal });
      reportRejected(logger, `${key} option strategies`, listed.rejected);
      aggregates = listed.items;
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
    const options = optionPositionInputs(optionPositions, contracts, marketData, aggregates);
    if (stocks.unresolved.length + options.unresolved.length > 0) {
      // Writing positions without them would delete real holdings from the table: fail the stream.
      throw new IncompleteData(
        `${key}: the broker did not describe ${stocks.unresolved.length + options.unresolved.length} held instrument(s)`,
      );
    }
    const positions = [...stocks.inputs, ...options.inputs];
    const now = this.o.clock.now();
    const snapshot = snapshotInput(key, now, account, portfolio, positions);

    progress.step(`Writing ${key}`);
    throwIfAborted(signal);
    const written = await this.inStore(() =>
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
    const cached = await this.inStore(() => store.instruments.getMany(store.knex, ids));
    for (const [id, record] of cached)
      result.set(id, { symbol: record.symbol, name: record.simpleName ?? record.name });
    const missing = ids.filter((id) => !cached.has(id));
    if (missing.length === 0) return result;
    const batch = await client.getInstruments(missing, { signal });
    reportMissing(logger, 'instruments', batch.missing, batch.rejected);
    const fetched = [...batch.byId.values()];
    for (const i of fetched) result.set(i.id, { symbol: i.symbol, name: i.simple_name ?? i.name });
    if (fetched.length > 0) {
      tally.rowsWritten += await this.inStore(() =>
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
    const cached = await this.inStore(() => store.optionInstruments.getMany(store.knex, ids));
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
      tally.rowsWritten += await this.inStore(() =>
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
    tally: CycleTally,
    signal: AbortSignal,
  ): Promise<void> {
    const { store, logger } = this.o;
    const { client } = this.o.connection();
    const n = account.account_number;
    const [stockSince, optionSince] = await this.inStore(() =>
      Promise.all([
        store.orders.latestUpdatedAt(store.knex, key, 'stock'),
        store.orders.latestUpdatedAt(store.knex, key, 'option'),
      ]),
    );
    const since = (iso: string | null) =>
      iso ? { updatedSince: new Date(new Date(iso).getTime() - this.historyOverlapMs) } : {};
    const stockOrders = await client.listStockOrders({ accountNumber: n, ...since(stockSince), signal });
    const optionOrders = await client.listOptionOrders({ accountNumber: n, ...since(optionSince), signal });
    const dividends = await client.listDividends({ accountNumber: n, signal });
    const events = await client.listOptionEvents({ accountNumber: n, signal });
    // An order skipped here could fall behind the history cursor for good, and a missing event
    // would change the FIFO result: the whole stream waits for a complete read.
    requireComplete(logger, `${key} stock orders`, stockOrders.rejected);
    requireComplete(logger, `${key} option orders`, optionOrders.rejected);
    requireComplete(logger, `${key} dividends`, dividends.rejected);
    requireComplete(logger, `${key} option events`, events.rejected);

    const symbols = await this.instrumentsFor(
      unique([
        ...stockOrders.items.map((o) => o.instrument_id),
        ...dividends.items.map((d) => d.instrument_id),
      ]),
      tally,
      signal,
    );
    const contracts = await this.contractsFor(
      unique([
        ...optionOrders.items.flatMap((o) => o.legs.filter(needsContract).map((l) => l.option_id)),
        ...events.items.flatMap((e) => (e.option_id ? [e.option_id] : [])),
      ]),
      [],
      tally,
      signal,
    );
    const symbolOf = (id: string) => symbols.get(id)?.symbol ?? null;
    const contractLookup = (id: string) => contracts.get(id) ?? null;
    const stock = stockOrderRows(key, dropDuplicates(stockOrders.items), symbolOf);
    const option = optionOrderRows(key, dropDuplicates(optionOrders.items), contractLookup);

    throwIfAborted(signal);
    const now = this.o.clock.now();
    const { rows, trades } = await this.inStore(() =>
      store.transaction(async (trx) => {
        const counts: WriteCounts[] = [
          await store.orders.upsert(
            trx,
            [...stock.orders, ...option.orders],
            [...stock.executions, ...option.executions],
            now,
          ),
          await store.dividends.upsert(trx, dividendRows(key, dividends.items, symbolOf), now),
          await store.optionEvents.upsert(trx, optionEventRows(key, events.items, contractLookup), now),
        ];
        // The FIFO result changes only with the fills and events (just upserted), the day and the
        // open option positions: with all of them as at the last rebuild, the stored trades stand.
        const inputs = await store.fifoInputs(trx, key, now);
        const state = await store.syncState.get(trx, key, HISTORY_STREAM);
        let trades: number;
        if (sumCounts(counts) === 0 && isDeepStrictEqual(fifoInputsIn(state?.cursor), inputs)) {
          trades = await store.trades.count(trx, key);
        } else {
          const rebuilt = await store.rebuildTradeHistory(trx, key, now);
          counts.push(rebuilt.counts);
          trades = rebuilt.trades;
        }
        // The watermark moves only with this commit; the order high-water mark is the newest stored order.
        counts.push(await syncStateCounts(store, trx, key, now, { fifo: inputs }));
        const rowsWritten = sumCounts(counts);
        await store.notify(trx, {
          event: 'data_changed',
          accounts: [key],
          streams: [HISTORY_STREAM],
          rowsWritten,
          at: now.toISOString(),
          agentId: this.agentId,
        });
        return { rows: rowsWritten, trades };
      }),
    );
    tally.rowsWritten += rows;
    tally.streams.push(`${HISTORY_STREAM}:${key}`);
    tally.counts.orders += stockOrders.items.length + optionOrders.items.length;
    tally.counts.trades += trades;
  }

  // ---- bookkeeping --------------------------------------------------------------------------

  private async recordRun(outcome: CycleOutcome): Promise<void> {
    try {
      await this.o.store.runs.record(this.o.store.knex, {
        startedAt: outcome.startedAt.toISOString(),
        finishedAt: outcome.finishedAt.toISOString(),
        status: outcome.status,
        trigger: outcome.trigger,
        streams: outcome.streams,
        accounts: [...outcome.accounts, ...outcome.skippedAccounts],
        apiRequests: outcome.apiRequests,
        rowsWritten: outcome.rowsWritten,
        durationMs: outcome.durationMs,
        error: outcome.error?.message ?? null,
        agentId: this.agentId,
        host: hostname(),
      });
    } catch (error) {
      this.o.logger.warn('could not record the sync run', {
        reason: classifyError(new DatabaseFailure(messageOf(error)), this.o.store.location).message,
      });
    }
  }

  private async inStore<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      if (error instanceof RobinhoodError || error instanceof AuthWaiting || error instanceof IncompleteData)
        throw error;
      if (error instanceof StoreInputError) throw error;
      throw new DatabaseFailure(messageOf(error), { cause: error });
    }
  }
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

class CycleAborted extends Error {
  override readonly name = 'CycleAborted';
  constructor() {
    super('The sync was stopped before it finished; nothing of the open stream was written.');
  }
}

class AuthWaiting extends Error {
  override readonly name = 'AuthWaiting';
  constructor(readonly prompt: AuthPrompt) {
    super(prompt.message);
  }
}

class IncompleteData extends Error {
  override readonly name = 'IncompleteData';
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

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Turns anything a cycle can throw into a kind the engine schedules by, with a safe message. */
export function classifyError(error: unknown, storeLocation: string): CycleError {
  if (error instanceof AuthWaiting)
    return { kind: 'auth', message: error.prompt.message, prompt: error.prompt };
  if (error instanceof CycleAborted) return { kind: 'aborted', message: error.message };
  if (error instanceof IncompleteData) return { kind: 'broker', message: error.message };
  if (error instanceof ThrottledError)
    return { kind: 'throttled', message: error.message, retryAt: error.retryAt };
  if (error instanceof AuthRequiredError)
    return { kind: 'auth', message: error.prompt.message, prompt: error.prompt };
  if (error instanceof LoginBackoffError) {
    return {
      kind: 'auth',
      message: error.message,
      retryAt: error.retryAt,
      prompt: { kind: 'credentials', message: error.message },
    };
  }
  if (error instanceof RobinhoodError) {
    switch (error.kind) {
      case 'network':
        return { kind: 'network', message: `The broker could not be reached (${error.message}).` };
      case 'invalid-credentials':
        return {
          kind: 'auth',
          message: error.message,
          prompt: { kind: 'credentials', message: error.message },
        };
      case 'verification-denied':
        return {
          kind: 'auth',
          message: error.message,
          prompt: { kind: 'credentials', message: error.message },
        };
      case 'aborted':
        return { kind: 'aborted', message: 'The sync was stopped before it finished.' };
      default:
        return { kind: 'broker', message: error.message };
    }
  }
  if (
    error instanceof DatabaseFailure ||
    error instanceof StoreOpenError ||
    error instanceof StoreInputError
  ) {
    const reason = databaseReason(error.message.split('\n')[0] ?? '').slice(0, 300);
    return {
      kind: 'database',
      message: `The database failed (${storeLocation}): ${reason}`,
    };
  }
  return { kind: 'internal', message: 'The sync failed unexpectedly; see the log for details.' };
}

/** knex prefixes the statement (with its values) to the error; keep the database's own reason. */
function databaseReason(message: string): string {
  return message.includes(' - ') ? message.slice(message.lastIndexOf(' - ') + 3) : message;
}
