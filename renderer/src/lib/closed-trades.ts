/**
 * Closed trades in the window: words for the contract and the close reason, sorting, and the CSV
 * export of the rows shown. Pure (no DOM), so it is unit tested.
 */
import type { ClosedTradeView, TradeCloseReason, TradePeriod } from '../../../shared/models.js';
import { formatStrike } from './format.js';
import type { SortAccessors } from './sort.js';

export const PERIOD_LABELS: Record<TradePeriod, string> = {
  today: 'Today',
  month: 'This month',
  year: 'This year',
  all: 'All time',
};

export const CLOSE_REASON_LABELS: Record<TradeCloseReason, string> = {
  sold: 'Sold',
  bought: 'Bought to close',
  expired: 'Expired',
  assigned: 'Assigned',
  exercised: 'Exercised',
};

/** "Mar 20, 2026" from "2026-03-20" (a calendar date, no time zone shift). */
export function dateLabel(date: string): string {
  return new Date(`${date}T00:00:00Z`).toLocaleDateString('en-US', {
    month: 'short',
    day: 'numeric',
    year: 'numeric',
    timeZone: 'UTC',
  });
}

/** The New York day of an instant: "Mar 2", or "Mar 2, 2025" when not in `currentYear`. */
export function marketDayLabel(iso: string, currentYear: string): string {
  const at = new Date(iso);
  const year = at.toLocaleDateString('en-US', { year: 'numeric', timeZone: 'America/New_York' });
  return at.toLocaleDateString('en-US', {
    month: 'short',
    day: 'numeric',
    ...(year === currentYear ? {} : { year: 'numeric' }),
    timeZone: 'America/New_York',
  });
}

/**
 * "Stock" / "Short stock" / "Put 140 Feb 20, 2026" / "Short call 147.50 Apr 3, 2026". The strike
 * names the contract (it is not an amount, so privacy mode leaves it) and carries no dollar sign.
 */
export function contractLabel(t: ClosedTradeView): string {
  const short = t.direction === 'short';
  if (t.assetType === 'stock') return short ? 'Short stock' : 'Stock';
  const kind = t.optionType === 'put' ? 'put' : 'call';
  const name = short ? `Short ${kind}` : kind === 'put' ? 'Put' : 'Call';
  const expiry = t.expirationDate ? ` ${dateLabel(t.expirationDate)}` : '';
  return `${name} ${formatStrike(t.strikePrice).replace('$', '')}${expiry}`;
}

export type ClosedTradeColumn =
  | 'symbol'
  | 'contract'
  | 'quantity'
  | 'opened'
  | 'closed'
  | 'openPrice'
  | 'closePrice'
  | 'pl'
  | 'reason';

export const CLOSED_TRADE_SORT: SortAccessors<ClosedTradeView, ClosedTradeColumn> = {
  symbol: (t) => ({ kind: 'text', value: t.symbol }),
  contract: (t) => ({ kind: 'text', value: contractLabel(t) }),
  quantity: (t) => ({ kind: 'decimal', value: t.quantity }),
  // ISO-8601 UTC instants sort as text in time order.
  opened: (t) => ({ kind: 'text', value: t.openedAt }),
  closed: (t) => ({ kind: 'text', value: t.closedAt }),
  openPrice: (t) => ({ kind: 'decimal', value: t.openPrice }),
  closePrice: (t) => ({ kind: 'decimal', value: t.closePrice }),
  pl: (t) => ({ kind: 'decimal', value: t.realizedPl }),
  reason: (t) => ({ kind: 'text', value: CLOSE_REASON_LABELS[t.closeReason] }),
};

export const CSV_COLUMNS = [
  'Account',
  'Symbol',
  'Asset',
  'Option type',
  'Strike',
  'Expiration',
  'Direction',
  'Quantity',
  'Opened',
  'Closed',
  'Open price',
  'Close price',
  'Realized P&L',
  'Realized P&L %',
  'Closed by',
] as const;

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, quote or line break. Text that a
 * spreadsheet would run as a formula (=, +, -, @ first) is prefixed with an apostrophe; numbers
 * are written as they are, exact.
 */
function field(value: string | null, kind: 'text' | 'number' = 'text'): string {
  let out = value ?? '';
  if (kind === 'text' && /^[=+\-@\t\r]/.test(out)) out = `'${out}`;
  return /[",\r\n]/.test(out) ? `"${out.replace(/"/g, '""')}"` : out;
}

/** The rows as shown (filtered and sorted), amounts exact, times ISO-8601 UTC; CRLF line ends. */
export function closedTradesCsv(rows: readonly ClosedTradeView[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const t of rows) {
    lines.push(
      [
        field(t.accountKey),
        field(t.symbol),
        field(t.assetType),
        field(t.optionType),
        field(t.strikePrice, 'number'),
        field(t.expirationDate),
        field(t.direction),
        field(t.quantity, 'number'),
        field(t.openedAt),
        field(t.closedAt),
        field(t.openPrice, 'number'),
        field(t.closePrice, 'number'),
        field(t.realizedPl, 'number'),
        field(t.realizedPlPercent, 'number'),
        field(CLOSE_REASON_LABELS[t.closeReason]),
      ].join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** "closed-trades-all-accounts-this-year-AAPL-2026-03-02.csv" */
export function csvFileName(options: {
  accountKey: string;
  period: TradePeriod;
  symbol: string | null;
  asOf: string;
}): string {
  const account = options.accountKey === 'all' ? 'all-accounts' : options.accountKey.replace(/\*/g, '');
  const period = PERIOD_LABELS[options.period].toLowerCase().replace(/\s+/g, '-');
  const symbol = options.symbol ? `-${options.symbol.replace(/[^A-Za-z0-9.-]/g, '')}` : '';
  return `closed-trades-${account}-${period}${symbol}-${options.asOf}.csv`;
}
