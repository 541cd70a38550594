/**
 * The status window's main read: accounts, latest snapshot, stock positions, option legs — of one
 * account, or of every account at once (ALL_ACCOUNTS): snapshots summed, positions listed with
 * their account.
 */
import {
  type AccountSummary,
  ALL_ACCOUNTS,
  type Dashboard,
  type OptionLegView,
  type PortfolioSnapshotView,
  type StockPositionView,
} from '../../../shared/models.js';
import { daysBetween, nyDate } from '../../domain/market-time.js';
import { percentOf } from '../../domain/position-math.js';
import { type Dec, dec, decOrNull, decString } from '../../util/money.js';
import { snapshotRecord } from '../repos/balances.js';
import type { DbRow, Queryable } from '../repos/common.js';
import { as, isoAtOrNull, textOrNull } from '../repos/common.js';
import type { SnapshotRecord } from '../rows.js';

function accountSummary(r: DbRow): AccountSummary {
  return {
    accountKey: String(r.account_number),
    broker: as<AccountSummary['broker']>(r.broker),
    accountType: String(r.account_type),
    updatedAt: isoAtOrNull(r.updated_at),
  };
}

export function snapshotView(s: SnapshotRecord): PortfolioSnapshotView {
  const previous = decOrNull(s.previousCloseEquity);
  const change = previous ? dec(s.equity).minus(previous) : null;
  return {
    accountKey: s.accountNumber,
    takenAt: s.takenAt,
    equity: s.equity,
    marketValue: s.marketValue ?? '0',
    cash: s.cash ?? '0',
    buyingPower: s.buyingPower ?? '0',
    stockValue: s.stockValue ?? '0',
    optionsValue: s.optionsValue ?? '0',
    previousCloseEquity: s.previousCloseEquity,
    dayChange: change ? decString(change) : null,
    dayChangePercent: change && previous ? percentOf(change, previous) : null,
  };
}

function stockView(r: DbRow): StockPositionView {
  return {
    accountKey: String(r.account_number),
    symbol: String(r.symbol),
    name: textOrNull(r.display_name),
    quantity: String(r.quantity),
    averagePrice: String(r.average_price),
    lastPrice: textOrNull(r.last_price),
    marketValue: textOrNull(r.market_value),
    costBasis: String(r.cost_basis),
    unrealizedPl: textOrNull(r.unrealized_pl),
    unrealizedPlPercent: textOrNull(r.unrealized_pl_percent),
  };
}

function optionView(r: DbRow, today: string): OptionLegView {
  const expirationDate = String(r.expiration_date);
  return {
    accountKey: String(r.account_number),
    symbol: String(r.symbol),
    optionType: as<OptionLegView['optionType']>(r.option_type),
    strikePrice: String(r.strike_price),
    expirationDate,
    daysToExpiry: daysBetween(today, expirationDate),
    direction: as<OptionLegView['direction']>(r.direction),
    quantity: String(r.quantity),
    multiplier: String(r.multiplier),
    averagePrice: String(r.average_price),
    markPrice: textOrNull(r.last_price),
    delta: textOrNull(r.delta),
    gamma: textOrNull(r.gamma),
    theta: textOrNull(r.theta),
    vega: textOrNull(r.vega),
    rho: textOrNull(r.rho),
    impliedVolatility: textOrNull(r.implied_volatility),
    marketValue: textOrNull(r.market_value),
    unrealizedPl: textOrNull(r.unrealized_pl),
    unrealizedPlPercent: textOrNull(r.unrealized_pl_percent),
    strategyId: textOrNull(r.strategy_id),
    strategy: textOrNull(r.strategy),
  };
}

/**
 * The latest snapshots of several accounts as one: amounts summed; the previous close only when
 * every account reports one; taken at the oldest of them (the sum is as old as its oldest part).
 */
export function summedSnapshotView(
  accountKey: string,
  parts: readonly SnapshotRecord[],
): PortfolioSnapshotView | null {
  if (parts.length === 0) return null;
  const sum = (pick: (s: SnapshotRecord) => string | null): Dec =>
    parts.reduce((total, s) => total.plus(dec(pick(s) ?? '0')), dec('0'));
  const everyPrevious = parts.every((s) => decOrNull(s.previousCloseEquity) !== null);
  const takenAt = parts.map((s) => s.takenAt).reduce((a, b) => (Date.parse(a) <= Date.parse(b) ? a : b));
  return snapshotView({
    ...(parts[0] as SnapshotRecord),
    accountNumber: accountKey,
    takenAt,
    equity: decString(sum((s) => s.equity)),
    marketValue: decString(sum((s) => s.marketValue)),
    cash: decString(sum((s) => s.cash)),
    buyingPower: decString(sum((s) => s.buyingPower)),
    stockValue: decString(sum((s) => s.stockValue)),
    optionsValue: decString(sum((s) => s.optionsValue)),
    previousCloseEquity: everyPrevious ? decString(sum((s) => s.previousCloseEquity)) : null,
  });
}

/** The dashboard of a store with no synced account yet (or no store at all): nothing to show. */
export function emptyDashboard(accounts: Dashboard['accounts'] = []): Dashboard {
  return {
    accounts,
    scope: 'account',
    account: null,
    snapshot: null,
    stocks: [],
    options: [],
    positionsAsOf: null,
  };
}

/**
 * `now` decides days to expiry (counted in New York calendar days; 0 on the expiration day,
 * negative once past it while the broker still reports the position).
 */
export async function readDashboard(
  db: Queryable,
  options: { accountKey?: string; now: Date },
): Promise<Dashboard> {
  const accounts = ((await db('trading_accounts').orderBy('account_number')) as DbRow[]).map(accountSummary);
  const all = options.accountKey === ALL_ACCOUNTS && accounts.length > 0;
  const account = all
    ? null
    : (accounts.find((a) => a.accountKey === options.accountKey) ?? accounts[0] ?? null);
  if (!all && !account) return emptyDashboard(accounts);
  const keys = account ? [account.accountKey] : accounts.map((a) => a.accountKey);

  const [latest, stocks, legs] = await Promise.all([
    // The newest snapshot of each account: one backward index scan per account.
    Promise.all(
      keys.map((key) =>
        db('portfolio_snapshots').where({ account_number: key }).orderBy('taken_at', 'desc').first(),
      ),
    ),
    db('positions as p')
      .leftJoin('instruments as i', 'i.id', 'p.instrument_id')
      .whereIn('p.account_number', keys)
      .andWhere({ 'p.asset_type': 'stock' })
      .select('p.*', db.raw('coalesce(p.name, i.simple_name, i.name) as display_name'))
      .orderByRaw('p.market_value desc nulls last, p.symbol asc, p.account_number asc, p.position_key asc'),
    db('positions')
      .whereIn('account_number', keys)
      .andWhere({ asset_type: 'option' })
      .orderBy([
        'expiration_date',
        'symbol',
        'strike_price',
        'option_type',
        'direction',
        'account_number',
        'position_key',
      ]),
  ]);

  const today = nyDate(options.now);
  const snapshots = (latest as Array<DbRow | undefined>).flatMap((r) => (r ? [snapshotRecord(r)] : []));
  const snapshot = all
    ? summedSnapshotView(ALL_ACCOUNTS, snapshots)
    : snapshots[0]
      ? snapshotView(snapshots[0])
      : null;
  return {
    accounts,
    scope: all ? 'all' : 'account',
    account,
    snapshot,
    stocks: (stocks as DbRow[]).map(stockView),
    options: (legs as DbRow[]).map((r) => optionView(r, today)),
    // The engine writes positions and the snapshot in one transaction per cycle.
    positionsAsOf: snapshot ? snapshot.takenAt : null,
  };
}
