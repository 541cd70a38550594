/**
 * The Robinhood calls the sync needs, each returning typed data (docs/broker-api.md, docs/broker-api.md#accounts to docs/broker-api.md#history; batching per docs/broker-api.md#request-counts).
 * No caching here: the engine keeps instruments in the store.
 *
 * Lists follow every page. Batch lookups send at most `batchSize` (100) ids per request, so P
 * positions cost ⌈P/100⌉ requests; a chunk the server finds too long (414, or 400 "too long / too
 * many") is split in half and retried, down to single ids.
 */
import type { z } from 'zod';
import type { Logger } from '../../util/logger.js';
import { silentLogger } from '../../util/logger.js';
import { HttpStatusError } from './errors.js';
import type { HttpClient, QueryValue } from './http.js';
import {
  type BatchResult,
  type ListResult,
  parseItems,
  parseOne,
  type RejectedItem,
  reportRejected,
} from './parse.js';
import { safePath } from './safe-path.js';
import {
  type Account,
  accountSchema,
  type Dividend,
  dividendSchema,
  type EquityHistorical,
  equityHistoricalSchema,
  type Instrument,
  instrumentSchema,
  type OptionAggregatePosition,
  type OptionEvent,
  type OptionInstrument,
  type OptionMarketData,
  type OptionOrder,
  type OptionPosition,
  optionAggregatePositionSchema,
  optionEventSchema,
  optionInstrumentSchema,
  optionMarketDataSchema,
  optionOrderSchema,
  optionPositionSchema,
  type Portfolio,
  portfolioHistoricalsSchema,
  portfolioSchema,
  type Quote,
  quoteSchema,
  type StockOrder,
  type StockPosition,
  stockOrderSchema,
  stockPositionSchema,
} from './schemas.js';

export interface ClientOptions {
  logger?: Logger;
  /** Ids per batch request, default 100 (1–200); a batch the server finds too long is split. */
  batchSize?: number;
}

export interface CallOptions {
  signal?: AbortSignal;
}

export interface HistoryQuery extends CallOptions {
  accountNumber: string;
  /** Only records updated at or after this time (`updated_at[gte]`). */
  updatedSince?: Date | string;
}

export interface AccountQuery extends CallOptions {
  accountNumber: string;
}

/** Portfolio-history spans and the intervals the broker accepts with them (docs/broker-api.md#portfolio-history). */
export const HISTORY_SPANS = {
  day: ['5minute', '10minute', 'hour'],
  week: ['10minute', 'hour', 'day'],
  month: ['hour', 'day'],
  '3month': ['day', 'week'],
  year: ['day', 'week'],
  '5year': ['day', 'week'],
  all: ['day', 'week'],
} as const;
export type HistorySpan = keyof typeof HISTORY_SPANS;
export type HistoryInterval = (typeof HISTORY_SPANS)[HistorySpan][number];

export interface PortfolioHistoryQuery extends CallOptions {
  span: HistorySpan;
  interval: HistoryInterval;
  /** `regular` (default); `extended` and `trading` only with span `day`. */
  bounds?: 'regular' | 'extended' | 'trading';
}

export interface PortfolioHistory {
  span: string | null;
  interval: string | null;
  bars: EquityHistorical[];
  rejected: RejectedItem[];
}

/** Ids per batch request. 100 UUIDs make a query of about 3.7 kB; a longer one is split on 414. */
const DEFAULT_BATCH_SIZE = 100;

/** The trade-history listings, read page by page for a resumable first import. */
export type HistoryList = 'stockOrders' | 'optionOrders' | 'dividends' | 'optionEvents';

export interface HistoryItems {
  stockOrders: StockOrder;
  optionOrders: OptionOrder;
  dividends: Dividend;
  optionEvents: OptionEvent;
}

/** One parsed page of a listing; `last` and `nextCursor` as in the HTTP layer's ListPage. */
export interface HistoryPage<T> extends ListResult<T> {
  last: boolean;
  nextCursor: string | null;
}

export interface HistoryPageQuery extends AccountQuery {
  /** Start at the page this cursor names (from an earlier page's `nextCursor`). */
  cursor?: string | null;
}

const ACCOUNT_NUMBER = /^[A-Za-z0-9]{1,32}$/;
const RESOURCE_ID = /^[A-Za-z0-9-]{1,64}$/;
const TOO_BIG_TEXT = /too (long|many|large)|exceed|maximum|max(imum)? (number|length)|limit/i;

export class RobinhoodClient {
  readonly #http: HttpClient;
  readonly #logger: Logger;
  readonly #batchSize: number;

  constructor(http: HttpClient, options: ClientOptions = {}) {
    const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 200) {
      throw new RangeError('batchSize must be an integer from 1 to 200');
    }
    this.#http = http;
    this.#logger = options.logger ?? silentLogger;
    this.#batchSize = batchSize;
  }

  /** Every account of the login (individual, IRA, managed), all pages. */
  async listAccounts(options: CallOptions = {}): Promise<ListResult<Account>> {
    const result = await this.#list(
      accountSchema,
      '/accounts/',
      { default_to_all_accounts: 'true', include_managed: 'true', include_multiple_individual: 'true' },
      options,
    );
    for (const account of result.items) this.#http.redactor.registerAccountNumber(account.account_number);
    return result;
  }

  async getPortfolio(accountNumber: string, options: CallOptions = {}): Promise<Portfolio> {
    const account = this.#account(accountNumber);
    const path = `/portfolios/${account}/`;
    const body = await this.#http.getJson(path, undefined, options.signal);
    return parseOne(portfolioSchema, body, `GET ${safePath(path)}`);
  }

  /** Every portfolio of the login in one list (paginated); each names its account by URL. */
  async listPortfolios(options: CallOptions = {}): Promise<ListResult<Portfolio>> {
    return this.#list(portfolioSchema, '/portfolios/', {}, options);
  }

  /**
   * The account's equity over time (`GET /portfolios/historicals/{n}/`, docs/broker-api.md#portfolio-history). A malformed envelope
   * fails the call; a bar that cannot be read is skipped and reported in `rejected`.
   */
  async getPortfolioHistory(accountNumber: string, query: PortfolioHistoryQuery): Promise<PortfolioHistory> {
    const account = this.#account(accountNumber);
    const intervals: readonly string[] = HISTORY_SPANS[query.span] ?? [];
    if (!intervals.includes(query.interval))
      throw new TypeError(`interval ${query.interval} does not go with span ${query.span}`);
    const bounds = query.bounds ?? 'regular';
    if (bounds !== 'regular' && query.span !== 'day')
      throw new TypeError('extended and trading bounds need span day');
    const path = `/portfolios/historicals/${account}/`;
    const endpoint = `GET ${safePath(path)}`;
    const body = await this.#http.getJson(
      path,
      { span: query.span, interval: query.interval, bounds },
      query.signal,
    );
    const envelope = parseOne(portfolioHistoricalsSchema, body, endpoint);
    const bars = parseItems(equityHistoricalSchema, envelope.equity_historicals, endpoint, this.#logger);
    return { span: envelope.span, interval: envelope.interval, bars: bars.items, rejected: bars.rejected };
  }

  async listStockPositions(
    accountNumber: string,
    options: CallOptions = {},
  ): Promise<ListResult<StockPosition>> {
    const account = this.#account(accountNumber);
    return this.#list(
      stockPositionSchema,
      '/positions/',
      { nonzero: 'true', account_number: account },
      options,
    );
  }

  async getInstruments(ids: readonly string[], options: CallOptions = {}): Promise<BatchResult<Instrument>> {
    return this.#batch(instrumentSchema, '/instruments/', ids, (item) => item.id, options);
  }

  async getQuotes(instrumentIds: readonly string[], options: CallOptions = {}): Promise<BatchResult<Quote>> {
    return this.#batch(
      quoteSchema,
      '/marketdata/quotes/',
      instrumentIds,
      (item) => item.instrument_id,
      options,
    );
  }

  async listOptionPositions(
    accountNumber: string,
    options: CallOptions = {},
  ): Promise<ListResult<OptionPosition>> {
    const account = this.#account(accountNumber);
    return this.#list(
      optionPositionSchema,
      '/options/positions/',
      { nonzero: 'True', account_numbers: account },
      options,
    );
  }

  async listOptionAggregatePositions(
    accountNumber: string,
    options: CallOptions = {},
  ): Promise<ListResult<OptionAggregatePosition>> {
    const account = this.#account(accountNumber);
    return this.#list(
      optionAggregatePositionSchema,
      '/options/aggregate_positions/',
      { nonzero: 'True', account_numbers: account },
      options,
    );
  }

  async getOptionInstruments(
    ids: readonly string[],
    options: CallOptions = {},
  ): Promise<BatchResult<OptionInstrument>> {
    return this.#batch(optionInstrumentSchema, '/options/instruments/', ids, (item) => item.id, options);
  }

  async getOptionMarketData(
    ids: readonly string[],
    options: CallOptions = {},
  ): Promise<BatchResult<OptionMarketData>> {
    return this.#batch(
      optionMarketDataSchema,
      '/marketdata/options/',
      ids,
      (item) => item.instrument_id,
      options,
    );
  }

  async listStockOrders(query: HistoryQuery): Promise<ListResult<StockOrder>> {
    return this.#list(stockOrderSchema, '/orders/', this.#historyQuery(query), query);
  }

  async listOptionOrders(query: HistoryQuery): Promise<ListResult<OptionOrder>> {
    return this.#list(optionOrderSchema, '/options/orders/', this.#historyQuery(query), query);
  }

  async listDividends(query: AccountQuery): Promise<ListResult<Dividend>> {
    const account = this.#account(query.accountNumber);
    return this.#list(dividendSchema, '/dividends/', { account_numbers: account }, query);
  }

  async listOptionEvents(query: AccountQuery): Promise<ListResult<OptionEvent>> {
    const account = this.#account(query.accountNumber);
    return this.#list(optionEventSchema, '/options/events/', { account_numbers: account }, query);
  }

  /** One history listing (all of it: no `updated_at` filter), a page at a time. */
  historyPages<L extends HistoryList>(
    list: L,
    query: HistoryPageQuery,
  ): AsyncGenerator<HistoryPage<HistoryItems[L]>> {
    const account = { account_numbers: this.#account(query.accountNumber) };
    const listings = {
      stockOrders: () => this.#pages(stockOrderSchema, '/orders/', account, query),
      optionOrders: () => this.#pages(optionOrderSchema, '/options/orders/', account, query),
      dividends: () => this.#pages(dividendSchema, '/dividends/', account, query),
      optionEvents: () => this.#pages(optionEventSchema, '/options/events/', account, query),
    };
    return listings[list]() as AsyncGenerator<HistoryPage<HistoryItems[L]>>;
  }

  // ---- helpers ----------------------------------------------------------------------------------

  async *#pages<S extends z.ZodType>(
    schema: S,
    path: string,
    query: Record<string, QueryValue>,
    options: HistoryPageQuery,
  ): AsyncGenerator<HistoryPage<z.output<S>>> {
    const pageOptions = {
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.cursor ? { cursor: options.cursor } : {}),
    };
    for await (const page of this.#http.pages(path, query, pageOptions)) {
      const parsed = parseItems(schema, page.items, `GET ${path}`, this.#logger);
      yield { ...parsed, last: page.last, nextCursor: page.nextCursor };
    }
  }

  async #list<S extends z.ZodType>(
    schema: S,
    path: string,
    query: Record<string, QueryValue>,
    options: CallOptions,
  ): Promise<ListResult<z.output<S>>> {
    const raw = await this.#http.getAllPages(path, query, options.signal ? { signal: options.signal } : {});
    return parseItems(schema, raw, `GET ${path}`, this.#logger);
  }

  async #batch<S extends z.ZodType>(
    schema: S,
    path: string,
    requested: readonly string[],
    idOf: (item: z.output<S>) => string,
    options: CallOptions,
  ): Promise<BatchResult<z.output<S>>> {
    const ids = [...new Set(requested)];
    for (const id of ids) {
      if (!RESOURCE_ID.test(id))
        throw new TypeError(`${path}: ids must be letters, digits and dashes (got one that is not)`);
    }
    const byId = new Map<string, z.output<S>>();
    const rejected: RejectedItem[] = [];
    const endpoint = `GET ${path}`;
    let offset = 0;
    for (let start = 0; start < ids.length; start += this.#batchSize) {
      const chunk = ids.slice(start, start + this.#batchSize);
      const raw = await this.#fetchChunk(path, chunk, options, 0);
      // Nulls become `missing`; rejections are reported once for the whole batch below.
      const parsed = parseItems(schema, raw, endpoint, this.#logger, { indexOffset: offset, skipNull: true });
      offset += raw.length;
      for (const item of parsed.items) byId.set(idOf(item), item);
      rejected.push(...parsed.rejected);
    }
    const rejectedIds = new Set(rejected.map((r) => r.id));
    const missing = ids.filter((id) => !byId.has(id) && !rejectedIds.has(id));
    reportRejected(rejected, ids.length, endpoint, this.#logger);
    if (missing.length > 0) {
      this.#logger.warn('The broker returned nothing for some requested ids', {
        endpoint,
        missing: missing.length,
        of: ids.length,
        ids: missing.slice(0, 10),
      });
    }
    return { byId, missing, rejected };
  }

  /** One chunk of ids; split in half when the server says the request is too big. */
  async #fetchChunk(path: string, ids: string[], options: CallOptions, depth: number): Promise<unknown[]> {
    try {
      return await this.#http.getAllPages(
        path,
        { ids: ids.join(',') },
        options.signal ? { signal: options.signal } : {},
      );
    } catch (error) {
      const tooBig =
        error instanceof HttpStatusError &&
        (error.status === 414 || (error.status === 400 && TOO_BIG_TEXT.test(error.detail ?? '')));
      if (!tooBig || ids.length <= 1 || depth >= 8) throw error;
      const half = Math.ceil(ids.length / 2);
      this.#logger.warn('Batch request too big for the broker; splitting it', {
        path,
        ids: ids.length,
        status: error.status,
      });
      const first = await this.#fetchChunk(path, ids.slice(0, half), options, depth + 1);
      const second = await this.#fetchChunk(path, ids.slice(half), options, depth + 1);
      return [...first, ...second];
    }
  }

  #historyQuery(query: HistoryQuery): Record<string, QueryValue> {
    const account = this.#account(query.accountNumber);
    const params: Record<string, QueryValue> = { account_numbers: account };
    if (query.updatedSince !== undefined) {
      const since = query.updatedSince instanceof Date ? query.updatedSince : new Date(query.updatedSince);
      if (Number.isNaN(since.getTime())) throw new TypeError('updatedSince must be a valid date');
      params['updated_at[gte]'] = since.toISOString();
    }
    return params;
  }

  #account(accountNumber: string): string {
    if (typeof accountNumber !== 'string' || !ACCOUNT_NUMBER.test(accountNumber)) {
      throw new TypeError('accountNumber must be 1–32 letters and digits');
    }
    this.#http.redactor.registerAccountNumber(accountNumber);
    return accountNumber;
  }
}
