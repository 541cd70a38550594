/**
 * The broker's portfolio history (`GET /portfolios/historicals/{n}/`, docs/broker-api.md#portfolio-history) → the days
 * before the app existed, or missed while it was not running, in daily_portfolio_balances
 * (source 'broker'). A day the app recorded itself is never overwritten, and a day already
 * stored is not added twice.
 *
 * Read when the account has no stored day before today (its first sync) or a weekday is missing
 * between the last stored day and today (a gap), at most once per New York day per account: a
 * market holiday leaves a "gap" the broker cannot fill, and must not cost a request every cycle.
 */
import type { EquityHistorical, HistorySpan, RobinhoodClient } from '../broker/robinhood/index.js';
import { RobinhoodError } from '../broker/robinhood/index.js';
import {
  type AccountLease,
  addDays,
  daysBetween,
  type HistoricalBalanceInput,
  isWeekend,
  type Store,
  tradingDayOf,
  type WriteCounts,
} from '../store/index.js';
import { errorMeta } from '../util/errors.js';
import type { Logger } from '../util/logger.js';

export const PORTFOLIO_HISTORY_STREAM = 'portfolio-history';

/** A gap this long or shorter is filled from the one-year span; a longer one (or none) from `all`. */
const YEAR_SPAN_DAYS = 360;

/** Answers that say this read failed, not the broker connection: not retried before tomorrow. */
const UNUSABLE_ANSWER: ReadonlySet<string> = new Set(['http', 'payload']);

interface PortfolioHistoryCursor {
  /** The trading day of the last read (successful or not). */
  readOn: string;
  span: HistorySpan;
}

/**
 * Closing equity per day from daily bars: the regular session only, days before `today` only (the
 * app records today from its own snapshot), the open when the broker sent no close.
 */
export function historicalBalances(
  bars: readonly EquityHistorical[],
  today: string,
): HistoricalBalanceInput[] {
  const byDate = new Map<string, string>();
  for (const bar of bars) {
    if (bar.session !== null && bar.session !== 'reg') continue;
    const date = bar.begins_at.slice(0, 10);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || date >= today || isWeekend(date)) continue;
    const ending =
      bar.close_equity ?? bar.adjusted_close_equity ?? bar.open_equity ?? bar.adjusted_open_equity;
    if (ending === null) continue;
    byDate.set(date, ending);
  }
  return [...byDate].map(([date, endingBalance]) => ({ date, endingBalance }));
}

/** True when a weekday lies strictly between the two dates. */
function weekdayBetween(from: string, to: string): boolean {
  for (let d = addDays(from, 1); d < to; d = addDays(d, 1)) if (!isWeekend(d)) return true;
  return false;
}

function cursorOf(value: unknown): Partial<PortfolioHistoryCursor> {
  return typeof value === 'object' && value !== null ? (value as Partial<PortfolioHistoryCursor>) : {};
}

/** Which span to read now, or null when the stored days need nothing from the broker. */
export async function portfolioHistoryDue(store: Store, key: string, now: Date): Promise<HistorySpan | null> {
  const today = tradingDayOf(now);
  const state = await store.syncState.get(store.knex, key, PORTFOLIO_HISTORY_STREAM);
  if (cursorOf(state?.cursor).readOn === today) return null;
  const latest = await store.dailyBalances.latestBefore(store.knex, key, today);
  if (latest === null) return 'all';
  if (!weekdayBetween(latest, today)) return null;
  return daysBetween(latest, today) <= YEAR_SPAN_DAYS ? 'year' : 'all';
}

export interface PortfolioHistoryDeps {
  store: Store;
  logger: Logger;
  /** Runs a store call, naming the operation when it fails (the cycle's store boundary). */
  inStore: <T>(operation: string, fn: () => Promise<T>) => Promise<T>;
}

/**
 * Reads the history when due and stores the missing days. Returns the rows written. A broker
 * answer it cannot use (an error status, a malformed body) is logged and not retried before the
 * next day; network, sign-in and abort errors propagate like any other request's.
 */
export async function syncPortfolioHistory(
  deps: PortfolioHistoryDeps,
  client: RobinhoodClient,
  accountNumber: string,
  key: string,
  lease: AccountLease,
  now: Date,
  signal: AbortSignal,
): Promise<number> {
  const { store, logger, inStore } = deps;
  const span = await inStore(`read the portfolio-history state of ${key}`, () =>
    portfolioHistoryDue(store, key, now),
  );
  if (span === null) return 0;
  const today = tradingDayOf(now);
  const cursor: PortfolioHistoryCursor = { readOn: today, span };
  let days: HistoricalBalanceInput[];
  try {
    const history = await client.getPortfolioHistory(accountNumber, { span, interval: 'day', signal });
    if (history.rejected.length > 0)
      logger.warn(`${key} portfolio history: skipped ${history.rejected.length} bar(s) it could not read`);
    days = historicalBalances(history.bars, today);
  } catch (error) {
    if (!(error instanceof RobinhoodError) || !UNUSABLE_ANSWER.has(error.kind)) throw error;
    logger.warn(`${key} portfolio history could not be read; trying again tomorrow`, errorMeta(error));
    await inStore(`record the failed portfolio-history read of ${key}`, () =>
      store.transaction(async (trx) => {
        await lease.confirm(trx);
        return store.syncState.save(
          trx,
          {
            accountNumber: key,
            stream: PORTFOLIO_HISTORY_STREAM,
            lastAttemptAt: now.toISOString(),
            lastError: error.message,
            cursor,
          },
          now,
        );
      }),
    );
    return 0;
  }
  return inStore(`write the portfolio history of ${key}`, () =>
    store.transaction(async (trx) => {
      // The account lock must still be held when this commits (see account-lock.ts).
      await lease.confirm(trx);
      const written: WriteCounts = await store.dailyBalances.backfill(trx, key, days, now);
      const changed = await store.syncState.save(
        trx,
        {
          accountNumber: key,
          stream: PORTFOLIO_HISTORY_STREAM,
          lastAttemptAt: now.toISOString(),
          lastSuccessAt: now.toISOString(),
          lastError: null,
          cursor,
        },
        now,
      );
      if (written.inserted > 0)
        logger.info(`${key}: ${written.inserted} day(s) of portfolio history from the broker`);
      return written.inserted + written.updated + changed;
    }),
  );
}
