/**
 * A small, realistic portfolio for the in-test runtime: two accounts, stocks with gains and losses,
 * a call spread, an iron condor, a short put and a lone long call, all with Greeks. Every derived
 * value (market value, P&L, totals) is computed with decimal.js from the inputs, so the numbers a
 * page shows can be checked against what the runtime returned.
 */

import { emptyDashboard, summedSnapshotView } from '../../main/store/reads/dashboard.js';
import { type Dec, dec, decFixed } from '../../main/util/money.js';
import {
  type AccountSummary,
  ALL_ACCOUNTS,
  type ChartPoint,
  type ChartRange,
  type Dashboard,
  type OptionLegView,
  type PortfolioSnapshotView,
  type StockPositionView,
} from '../../shared/models.js';

export interface StockInput {
  symbol: string;
  name: string;
  quantity: string;
  averagePrice: string;
  lastPrice: string;
}

export interface OptionInput {
  symbol: string;
  optionType: 'call' | 'put';
  strikePrice: string;
  daysToExpiry: number;
  direction: 'long' | 'short';
  quantity: string;
  averagePrice: string;
  markPrice: string;
  delta: string;
  gamma: string;
  theta: string;
  vega: string;
  rho: string;
  impliedVolatility: string;
  strategyId: string | null;
  strategy: string | null;
}

export interface AccountInput {
  summary: Omit<AccountSummary, 'updatedAt'>;
  cash: string;
  /** Equity at the previous close is today's equity minus this. */
  dayChange: string;
  stocks: StockInput[];
  options: OptionInput[];
}

export const PRIMARY_ACCOUNT = '****4141';
export const SECOND_ACCOUNT = '****7720';

export function samplePortfolio(): AccountInput[] {
  return [
    {
      summary: { accountKey: PRIMARY_ACCOUNT, broker: 'robinhood', accountType: 'margin' },
      cash: '12480.3300',
      dayChange: '312.4000',
      stocks: [
        { symbol: 'AAPL', name: 'Apple', quantity: '120', averagePrice: '168.2450', lastPrice: '189.9800' },
        {
          symbol: 'MSFT',
          name: 'Microsoft',
          quantity: '45',
          averagePrice: '312.1000',
          lastPrice: '415.3200',
        },
        { symbol: 'NVDA', name: 'NVIDIA', quantity: '80', averagePrice: '48.7700', lastPrice: '121.4400' },
        { symbol: 'TSLA', name: 'Tesla', quantity: '30', averagePrice: '251.3000', lastPrice: '218.9000' },
        {
          symbol: 'SPY',
          name: 'SPDR S&P 500 ETF',
          quantity: '25',
          averagePrice: '447.8500',
          lastPrice: '521.1200',
        },
        {
          symbol: 'AMD',
          name: 'Advanced Micro Devices',
          quantity: '60',
          averagePrice: '162.4000',
          lastPrice: '141.0500',
        },
        { symbol: 'KO', name: 'Coca-Cola', quantity: '100', averagePrice: '58.1200', lastPrice: '61.7000' },
      ],
      options: [
        leg(
          'AAPL',
          'call',
          '195.0000',
          26,
          'long',
          '1',
          '4.1500',
          '3.6200',
          '0.4120',
          '0.0310',
          '-0.0870',
          '0.2140',
          '0.0610',
          '0.2433',
          'strat-aapl-spread',
          'long_call_spread',
        ),
        leg(
          'AAPL',
          'call',
          '205.0000',
          26,
          'short',
          '1',
          '1.3200',
          '1.0400',
          '0.1780',
          '0.0190',
          '-0.0520',
          '0.1510',
          '0.0280',
          '0.2318',
          'strat-aapl-spread',
          'long_call_spread',
        ),
        leg(
          'SPY',
          'put',
          '490.0000',
          40,
          'long',
          '2',
          '2.0500',
          '1.7100',
          '-0.0810',
          '0.0030',
          '-0.0610',
          '0.3120',
          '-0.0540',
          '0.1812',
          'strat-spy-condor',
          'iron_condor',
        ),
        leg(
          'SPY',
          'put',
          '500.0000',
          40,
          'short',
          '2',
          '3.4000',
          '2.8600',
          '-0.1370',
          '0.0050',
          '-0.0920',
          '0.4410',
          '-0.0890',
          '0.1695',
          'strat-spy-condor',
          'iron_condor',
        ),
        leg(
          'SPY',
          'call',
          '545.0000',
          40,
          'short',
          '2',
          '3.1000',
          '3.5500',
          '0.2210',
          '0.0070',
          '-0.1040',
          '0.5120',
          '0.1330',
          '0.1388',
          'strat-spy-condor',
          'iron_condor',
        ),
        leg(
          'SPY',
          'call',
          '555.0000',
          40,
          'long',
          '2',
          '1.4500',
          '1.6800',
          '0.1180',
          '0.0050',
          '-0.0660',
          '0.3870',
          '0.0720',
          '0.1341',
          'strat-spy-condor',
          'iron_condor',
        ),
        leg(
          'TSLA',
          'put',
          '200.0000',
          12,
          'short',
          '2',
          '5.2000',
          '3.8500',
          '-0.2810',
          '0.0080',
          '-0.2730',
          '0.1620',
          '-0.0230',
          '0.5512',
          'strat-tsla-put',
          'short_put',
        ),
        leg(
          'NVDA',
          'call',
          '130.0000',
          54,
          'long',
          '3',
          '6.1000',
          '7.4500',
          '0.4670',
          '0.0120',
          '-0.0980',
          '0.2060',
          '0.0810',
          '0.4821',
          null,
          null,
        ),
      ],
    },
    {
      summary: { accountKey: SECOND_ACCOUNT, broker: 'robinhood', accountType: 'ira_roth' },
      cash: '2210.0000',
      dayChange: '-41.1800',
      stocks: [
        {
          symbol: 'VTI',
          name: 'Vanguard Total Stock Market ETF',
          quantity: '64',
          averagePrice: '221.5000',
          lastPrice: '268.0400',
        },
        {
          symbol: 'SCHD',
          name: 'Schwab US Dividend Equity ETF',
          quantity: '150',
          averagePrice: '74.2000',
          lastPrice: '79.3100',
        },
      ],
      options: [],
    },
  ];
}

function leg(
  symbol: string,
  optionType: 'call' | 'put',
  strikePrice: string,
  daysToExpiry: number,
  direction: 'long' | 'short',
  quantity: string,
  averagePrice: string,
  markPrice: string,
  delta: string,
  gamma: string,
  theta: string,
  vega: string,
  rho: string,
  impliedVolatility: string,
  strategyId: string | null,
  strategy: string | null,
): OptionInput {
  return {
    symbol,
    optionType,
    strikePrice,
    daysToExpiry,
    direction,
    quantity,
    averagePrice,
    markPrice,
    delta,
    gamma,
    theta,
    vega,
    rho,
    impliedVolatility,
    strategyId,
    strategy,
  };
}

const money = (d: Dec) => decFixed(d, 4);

export function stockView(s: StockInput, accountKey: string): StockPositionView {
  const marketValue = dec(s.quantity).mul(s.lastPrice);
  const costBasis = dec(s.quantity).mul(s.averagePrice);
  const pl = marketValue.sub(costBasis);
  return {
    accountKey,
    symbol: s.symbol,
    name: s.name,
    quantity: s.quantity,
    averagePrice: s.averagePrice,
    lastPrice: s.lastPrice,
    marketValue: money(marketValue),
    costBasis: money(costBasis),
    unrealizedPl: money(pl),
    unrealizedPlPercent: decFixed(pl.div(costBasis).mul(100), 2),
  };
}

export function addDays(day: Date, days: number): string {
  const d = new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate() + days));
  return d.toISOString().slice(0, 10);
}

export function optionView(o: OptionInput, today: Date, accountKey = ''): OptionLegView {
  const multiplier = '100';
  const sign = o.direction === 'long' ? 1 : -1;
  const shares = dec(o.quantity).mul(multiplier);
  const marketValue = shares.mul(o.markPrice).mul(sign);
  const cost = shares.mul(o.averagePrice).mul(sign);
  const pl = marketValue.sub(cost);
  return {
    accountKey,
    symbol: o.symbol,
    optionType: o.optionType,
    strikePrice: o.strikePrice,
    expirationDate: addDays(today, o.daysToExpiry),
    daysToExpiry: o.daysToExpiry,
    direction: o.direction,
    quantity: o.quantity,
    multiplier,
    averagePrice: o.averagePrice,
    markPrice: o.markPrice,
    delta: o.delta,
    gamma: o.gamma,
    theta: o.theta,
    vega: o.vega,
    rho: o.rho,
    impliedVolatility: o.impliedVolatility,
    marketValue: money(marketValue),
    unrealizedPl: money(pl),
    unrealizedPlPercent: decFixed(pl.div(cost.abs()).mul(100), 2),
    strategyId: o.strategyId,
    strategy: o.strategy,
  };
}

export function snapshotView(account: AccountInput, takenAt: Date): PortfolioSnapshotView {
  const today = takenAt;
  const stockValue = account.stocks.reduce((sum, s) => sum.add(dec(s.quantity).mul(s.lastPrice)), dec(0));
  const optionsValue = account.options.reduce(
    (sum, o) => sum.add(dec(optionView(o, today).marketValue ?? '0')),
    dec(0),
  );
  const equity = stockValue.add(optionsValue).add(account.cash);
  const previousClose = equity.sub(account.dayChange);
  return {
    accountKey: account.summary.accountKey,
    takenAt: takenAt.toISOString(),
    equity: money(equity),
    marketValue: money(stockValue.add(optionsValue)),
    cash: account.cash,
    buyingPower: money(dec(account.cash).mul(2)),
    stockValue: money(stockValue),
    optionsValue: money(optionsValue),
    previousCloseEquity: money(previousClose),
    dayChange: account.dayChange,
    dayChangePercent: decFixed(dec(account.dayChange).div(previousClose).mul(100), 2),
  };
}

export function dashboardOf(accounts: AccountInput[], accountKey: string | undefined, at: Date): Dashboard {
  const summaries = accounts.map((a) => ({ ...a.summary, updatedAt: at.toISOString() }));
  const stocksOf = (a: AccountInput) => a.stocks.map((s) => stockView(s, a.summary.accountKey));
  const optionsOf = (a: AccountInput) => a.options.map((o) => optionView(o, at, a.summary.accountKey));
  if (accountKey === ALL_ACCOUNTS && accounts.length > 0) {
    const snapshots = accounts.map((a) => ({
      ...snapshotView(a, at),
      id: 0,
      accountNumber: a.summary.accountKey,
      totalPositions: null,
    }));
    return {
      accounts: summaries,
      scope: 'all',
      account: null,
      snapshot: summedSnapshotView(ALL_ACCOUNTS, snapshots),
      stocks: accounts.flatMap(stocksOf),
      options: accounts.flatMap(optionsOf),
      positionsAsOf: at.toISOString(),
    };
  }
  const chosen = accounts.find((a) => a.summary.accountKey === accountKey) ?? accounts[0];
  if (!chosen) return emptyDashboard();
  return {
    accounts: summaries,
    scope: 'account',
    account: summaries.find((s) => s.accountKey === chosen.summary.accountKey) ?? null,
    snapshot: snapshotView(chosen, at),
    stocks: stocksOf(chosen),
    options: optionsOf(chosen),
    positionsAsOf: at.toISOString(),
  };
}

/** Moves every last price and mark by a small factor, as a sync cycle would. */
export function tickPrices(accounts: AccountInput[], factor: string): void {
  for (const account of accounts) {
    for (const s of account.stocks) s.lastPrice = decFixed(dec(s.lastPrice).mul(factor), 4);
    for (const o of account.options) o.markPrice = decFixed(dec(o.markPrice).mul(factor), 4);
  }
}

const RANGE_POINTS: Record<ChartRange, { count: number; stepMs: number }> = {
  '1D': { count: 79, stepMs: 5 * 60_000 },
  '1W': { count: 5 * 14, stepMs: 30 * 60_000 },
  '1M': { count: 22, stepMs: 86_400_000 },
  '1Y': { count: 252, stepMs: 86_400_000 },
  ALL: { count: 600, stepMs: 86_400_000 },
};

/** A deterministic walk that ends at today's equity; whole cents, no binary floats in the values. */
export function chartPoints(range: ChartRange, endEquity: string, end: Date): ChartPoint[] {
  const { count, stepMs } = RANGE_POINTS[range];
  let cents = dec(endEquity).mul(100).toDecimalPlaces(0);
  const points: ChartPoint[] = [];
  let seed = 17 + count;
  for (let i = 0; i < count; i++) {
    points.push({
      t: new Date(end.getTime() - i * stepMs).toISOString(),
      equity: decFixed(cents.div(100), 2),
    });
    seed = (seed * 1103515245 + 12345) % 2147483648;
    const drift = range === '1D' || range === '1W' ? 9 : 55;
    // Going back in time the value mostly falls, so the line rises towards today.
    const dollars = Math.round((seed % (drift * 2 + 1)) - drift * 0.6);
    cents = cents.sub(dollars * 100 + (seed % 100));
  }
  return points.reverse();
}
