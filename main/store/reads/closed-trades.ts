/**
 * Closed trades and realized P&L for the status window: realized P&L and dividends received today,
 * this month, this year and all time (calendar periods in New York time), and the closed trades and
 * dividends of one period and symbol. Sums are computed by the database in `numeric`.
 */
import {
  ALL_ACCOUNTS,
  type ClosedTradesView,
  type ClosedTradeView,
  type DividendView,
  type PeriodSums,
  type TradeCloseReason,
  type TradePeriod,
} from '../../../shared/models.js';
import { MARKET_TIME_ZONE, nyDate, nyWallTimeToUtc } from '../../domain/market-time.js';
import { dec, decString } from '../../util/money.js';
import type { DbRow, Queryable } from '../repos/common.js';
import { as, asOrNull, isoAt, textOrNull } from '../repos/common.js';

/** At most this many closed trades travel to a window at once (newest first). */
export const MAX_CLOSED_TRADES = 2000;

export interface ClosedTradesQuery {
  /** An account key, or ALL_ACCOUNTS. */
  accountKey: string;
  period: TradePeriod;
  symbol: string | null;
  now: Date;
  limit?: number;
}

/** The first instant of each period, New York calendar. */
export function periodStarts(now: Date): Record<Exclude<TradePeriod, 'all'>, Date> & { today: Date } {
  const today = nyDate(now);
  return {
    today: nyWallTimeToUtc(today, 0),
    month: nyWallTimeToUtc(`${today.slice(0, 8)}01`, 0),
    year: nyWallTimeToUtc(`${today.slice(0, 4)}-01-01`, 0),
  };
}

function plain(value: unknown): string {
  return decString(dec(String(value ?? '0')));
}

function sums(row: DbRow | undefined): PeriodSums {
  return {
    today: plain(row?.today),
    month: plain(row?.month),
    year: plain(row?.year),
    all: plain(row?.all_time),
  };
}

function closeReason(r: DbRow): TradeCloseReason {
  const reason = String(r.close_reason);
  if (reason === 'closed') return r.direction === 'short' ? 'bought' : 'sold';
  return as<TradeCloseReason>(reason);
}

function tradeView(r: DbRow): ClosedTradeView {
  return {
    tradeKey: String(r.trade_key),
    accountKey: String(r.account_number),
    assetType: as<ClosedTradeView['assetType']>(r.asset_type),
    symbol: String(r.symbol),
    optionType: asOrNull<'call' | 'put'>(r.option_type),
    strikePrice: textOrNull(r.strike_price) === null ? null : plain(r.strike_price),
    expirationDate: textOrNull(r.expiration_date),
    direction: as<ClosedTradeView['direction']>(r.direction),
    quantity: plain(r.quantity),
    openedAt: isoAt(r.open_date),
    closedAt: isoAt(r.close_date),
    openPrice: plain(r.open_price),
    closePrice: plain(r.close_price),
    realizedPl: plain(r.realized_pl),
    realizedPlPercent: textOrNull(r.realized_pl_percent) === null ? null : plain(r.realized_pl_percent),
    closeReason: closeReason(r),
  };
}

export async function readClosedTrades(db: Queryable, query: ClosedTradesQuery): Promise<ClosedTradesView> {
  const all = query.accountKey === ALL_ACCOUNTS;
  const starts = periodStarts(query.now);
  const bounds = {
    today: starts.today.toISOString(),
    month: starts.month.toISOString(),
    year: starts.year.toISOString(),
  };
  const days = { today: nyDate(query.now), month: nyDate(starts.month), year: nyDate(starts.year) };
  const since = query.period === 'all' ? null : starts[query.period];
  const limit = query.limit ?? MAX_CLOSED_TRADES;
  const forAccount = <Q extends { where(column: string, value: string): Q }>(q: Q, column: string): Q =>
    all ? q : q.where(column, query.accountKey);

  // When a dividend was received: paid_at's New York day, else its payable date.
  const paidOn = `coalesce((paid_at at time zone '${MARKET_TIME_ZONE}')::date, payable_date)`;
  const received = `(amount - coalesce(withholding, 0))`;
  const receivedDividends = () =>
    forAccount(db('dividends').whereIn('state', ['paid', 'reinvested']), 'account_number').whereRaw(
      `${paidOn} is not null`,
    );

  const filteredTrades = () => {
    const q = forAccount(db('trade_history'), 'account_number');
    if (since) q.where('close_date', '>=', since.toISOString());
    if (query.symbol) q.where('symbol', query.symbol);
    return q;
  };
  const filteredDividends = () => {
    const q = receivedDividends();
    if (since) q.whereRaw(`${paidOn} >= ?::date`, [nyDate(since)]);
    if (query.symbol) q.where('symbol', query.symbol);
    return q;
  };

  const [realizedRow, dividendRow, totals, trades, dividends, symbols] = await Promise.all([
    forAccount(db('trade_history'), 'account_number')
      .select(
        db.raw('sum(realized_pl) filter (where close_date >= ?) as today', [bounds.today]),
        db.raw('sum(realized_pl) filter (where close_date >= ?) as month', [bounds.month]),
        db.raw('sum(realized_pl) filter (where close_date >= ?) as year', [bounds.year]),
        db.raw('sum(realized_pl) as all_time'),
      )
      .first(),
    receivedDividends()
      .select(
        db.raw(`sum(${received}) filter (where ${paidOn} >= ?::date) as today`, [days.today]),
        db.raw(`sum(${received}) filter (where ${paidOn} >= ?::date) as month`, [days.month]),
        db.raw(`sum(${received}) filter (where ${paidOn} >= ?::date) as year`, [days.year]),
        db.raw(`sum(${received}) as all_time`),
      )
      .first(),
    filteredTrades().select(db.raw('count(*) as n'), db.raw('sum(realized_pl) as pl')).first(),
    filteredTrades()
      .orderBy([
        { column: 'close_date', order: 'desc' },
        { column: 'trade_key', order: 'asc' },
      ])
      .limit(limit),
    filteredDividends()
      .select('dividend_id', 'account_number', 'symbol', 'state', db.raw(`${paidOn} as paid_on`))
      .select(db.raw(`${received} as received`))
      .orderByRaw(`${paidOn} desc, dividend_id asc`)
      .limit(limit),
    db.raw(
      `select symbol from trade_history ${all ? '' : 'where account_number = ?'}
       union
       select symbol from dividends where symbol is not null and state in ('paid', 'reinvested')
       ${all ? '' : 'and account_number = ?'}
       order by symbol`,
      all ? [] : [query.accountKey, query.accountKey],
    ),
  ]);

  return {
    accountKey: query.accountKey,
    asOf: nyDate(query.now),
    realized: sums(realizedRow as DbRow | undefined),
    dividends: sums(dividendRow as DbRow | undefined),
    period: query.period,
    symbol: query.symbol,
    trades: (trades as DbRow[]).map(tradeView),
    tradeCount: Number((totals as DbRow | undefined)?.n ?? 0),
    filteredRealized: plain((totals as DbRow | undefined)?.pl),
    receivedDividends: (dividends as DbRow[]).map(
      (r): DividendView => ({
        dividendId: String(r.dividend_id),
        accountKey: String(r.account_number),
        symbol: textOrNull(r.symbol),
        paidOn: String(r.paid_on),
        amount: plain(r.received),
        state: as<DividendView['state']>(r.state),
      }),
    ),
    symbols: ((symbols as { rows: DbRow[] }).rows ?? []).map((r) => String(r.symbol)),
  };
}
