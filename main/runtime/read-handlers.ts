/**
 * The read handlers: the window's snapshot, the dashboard, the chart, closed trades and the sync
 * statistics, from the open store, or empty answers while no store is open.
 */

import type { Handlers } from '../../shared/contract.js';
import type { ClosedTradesView, SyncStats, TradePeriod } from '../../shared/models.js';
import { tallyRuns } from '../../shared/run-tally.js';
import { nyDate } from '../domain/market-time.js';
import { emptyDashboard } from '../store/reads/dashboard.js';
import { credentialsViewOf } from './credential-handlers.js';
import type { RuntimeParts } from './runtime-parts.js';
import { settingsViewOf } from './settings-save.js';
import { appVersion } from './version.js';

type ReadHandlers = Pick<Handlers, 'getState' | 'getDashboard' | 'getChart' | 'getClosedTrades' | 'getStats'>;

export function readHandlers(p: RuntimeParts): ReadHandlers {
  const now = () => p.clock.now();
  const stats = () =>
    p.stores.current?.stats({ rateLimitPerMinute: p.requestsPerMinute }) ?? emptyStats(p.requestsPerMinute);
  const dashboard = (accountKey?: string) =>
    p.stores.current?.dashboard({ ...(accountKey ? { accountKey } : {}), now: now() }) ?? emptyDashboard();
  return {
    getState: async () => ({
      version: appVersion(),
      capabilities: p.capabilities,
      status: p.engine.status(),
      dashboard: await dashboard(),
      stats: await stats(),
      settings: await settingsViewOf(p, p.options.settings.get()),
      credentials: await credentialsViewOf(p),
    }),
    getDashboard: async ({ accountKey }) => dashboard(accountKey),
    getChart: async ({ accountKey, range }) =>
      p.stores.current?.chart({ accountKey, range, now: now() }) ?? {
        accountKey,
        range,
        source: 'snapshots',
        points: [],
      },
    getClosedTrades: async ({ accountKey, period, symbol }) =>
      p.stores.current?.closedTrades({ accountKey, period, symbol: symbol ?? null, now: now() }) ??
      emptyClosedTrades(accountKey, period, symbol ?? null, now()),
    getStats: async () => stats(),
  };
}

function emptyStats(rateLimitPerMinute: number): SyncStats {
  return {
    ...tallyRuns([]),
    successRate: null,
    averageDurationMs: null,
    averageRequests: null,
    maxRequests: null,
    rateLimitPerMinute,
    quarantined: 0,
    recentRuns: [],
  };
}

function emptyClosedTrades(
  accountKey: string,
  period: TradePeriod,
  symbol: string | null,
  now: Date,
): ClosedTradesView {
  const zero = { today: '0', month: '0', year: '0', all: '0' };
  return {
    accountKey,
    asOf: nyDate(now),
    realized: zero,
    dividends: zero,
    period,
    symbol,
    trades: [],
    tradeCount: 0,
    filteredRealized: '0',
    receivedDividends: [],
    symbols: [],
  };
}
