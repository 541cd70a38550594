/**
 * `GET /portfolios/historicals/{n}/?span=&interval=&bounds=` (docs/broker-api.md#portfolio-history): a plausible equity
 * history. Each day's return is drawn from a seed of the account and the date, and the walk back
 * starts from the account's equity at the previous close (positions at their previous-close prices
 * plus cash), which price moves do not change: a past day reads the same through every span and
 * every request. Today, on a weekday, runs from that close to the equity now. Spans and intervals
 * are checked as robin_stocks checks them.
 */
import { Dec } from '../util/money.js';
import { marketValue, type PayloadContext } from './payloads.js';
import { Rng } from './random.js';
import { detail, notFound, ok, type Route, type RouteContext, route } from './routing.js';
import { dateToMs, isoDate, isWeekend } from './time.js';
import type { SimAccount } from './types.js';

const SPANS = ['day', 'week', 'month', '3month', 'year', '5year', 'all'] as const;
const INTERVALS = ['5minute', '10minute', 'hour', 'day', 'week'] as const;
const BOUNDS = ['regular', 'extended', 'trading'] as const;
type Span = (typeof SPANS)[number];
type Interval = (typeof INTERVALS)[number];

const DAY_MS = 86_400_000;
const SPAN_DAYS: Record<Exclude<Span, 'all'>, number> = {
  day: 1,
  week: 7,
  month: 31,
  '3month': 92,
  year: 365,
  '5year': 5 * 365,
};
const INTRADAY_MS: Partial<Record<Interval, number>> = {
  '5minute': 5 * 60_000,
  '10minute': 10 * 60_000,
  hour: 60 * 60_000,
};
/** 14:30–21:00 UTC: the regular session in New York standard time (close enough for a simulator). */
const SESSION_OPEN_MS = 14.5 * 3_600_000;
const SESSION_CLOSE_MS = 21 * 3_600_000;

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** The day's return as a factor, e.g. 1.0042: the same for an account and a date on every request. */
function dailyFactor(accountNumber: string, date: string): Dec {
  const rng = new Rng(fnv1a(`${accountNumber}:${date}`));
  return new Dec(1).add(rng.decimalBetween('-0.0150', '0.0160', 4));
}

interface Bar {
  beginsAtMs: number;
  open: Dec;
  close: Dec;
}

/** Weekday closes from `fromMs` to today: today from the previous close to now, older days walking back. */
function dailyCloses(
  accountNumber: string,
  equity: { now: Dec; previousClose: Dec },
  fromMs: number,
  nowMs: number,
): Bar[] {
  const today = Math.floor(nowMs / DAY_MS) * DAY_MS;
  const days: number[] = [];
  for (let day = today - DAY_MS; day >= fromMs; day -= DAY_MS) if (!isWeekend(day)) days.push(day);
  const bars: Bar[] = [];
  if (!isWeekend(today) && today >= fromMs)
    bars.push({ beginsAtMs: today, open: equity.previousClose, close: equity.now });
  let close = equity.previousClose;
  for (const day of days) {
    const factor = dailyFactor(accountNumber, isoDate(day));
    const open = close.div(factor);
    bars.push({ beginsAtMs: day, open, close });
    close = open;
  }
  return bars.reverse();
}

function weekly(bars: readonly Bar[]): Bar[] {
  const weeks = new Map<number, Bar>();
  for (const bar of bars) {
    const monday = bar.beginsAtMs - ((new Date(bar.beginsAtMs).getUTCDay() + 6) % 7) * DAY_MS;
    const seen = weeks.get(monday);
    weeks.set(
      monday,
      seen ? { ...seen, close: bar.close } : { beginsAtMs: monday, open: bar.open, close: bar.close },
    );
  }
  return [...weeks.values()];
}

/** Bars inside each day's session, moving in a straight line from the day's open to its close. */
function intraday(days: readonly Bar[], stepMs: number, nowMs: number): Bar[] {
  const bars: Bar[] = [];
  for (const day of days) {
    const steps = Math.floor((SESSION_CLOSE_MS - SESSION_OPEN_MS) / stepMs);
    const move = day.close.sub(day.open).div(steps);
    for (let i = 0; i < steps; i++) {
      const beginsAtMs = day.beginsAtMs + SESSION_OPEN_MS + i * stepMs;
      if (beginsAtMs > nowMs) break;
      const open = day.open.add(move.mul(i));
      bars.push({ beginsAtMs, open, close: open.add(move) });
    }
  }
  return bars;
}

function pick<T extends string>(values: readonly T[], raw: string | null): T | null {
  return raw !== null && (values as readonly string[]).includes(raw) ? (raw as T) : null;
}

export function portfolioHistoryPayload(
  c: PayloadContext,
  a: SimAccount,
  query: { span: Span; interval: Interval; bounds: string },
  now: Date,
): Record<string, unknown> {
  const nowMs = now.getTime();
  const cash = new Dec(a.cash);
  const value = marketValue(c, a.accountNumber, false);
  const equityNow = value.now.add(cash);
  const equity = { now: equityNow, previousClose: value.previous.add(cash) };
  const startMs = dateToMs(a.startDate);
  const fromMs =
    query.span === 'all'
      ? startMs
      : Math.max(startMs, Math.floor((nowMs - SPAN_DAYS[query.span] * DAY_MS) / DAY_MS) * DAY_MS);
  const days = dailyCloses(a.accountNumber, equity, fromMs, nowMs);
  const stepMs = INTRADAY_MS[query.interval];
  const bars = query.interval === 'week' ? weekly(days) : stepMs ? intraday(days, stepMs, nowMs) : days;
  const f = (d: Dec) => d.toFixed(4);
  const first = bars[0];
  const previousClose = first ? first.open : equityNow;
  return {
    span: query.span,
    bounds: query.bounds,
    interval: query.interval,
    adjusted_previous_close_equity: f(previousClose),
    previous_close_equity: f(previousClose),
    adjusted_open_equity: f(first ? first.open : equityNow),
    open_equity: f(first ? first.open : equityNow),
    open_time: first ? new Date(first.beginsAtMs).toISOString().replace('.000Z', 'Z') : null,
    total_return: previousClose.isZero() ? '0.0000' : f(equityNow.sub(previousClose).div(previousClose)),
    use_new_hp: true,
    equity_historicals: bars.map((bar) => ({
      begins_at: new Date(bar.beginsAtMs).toISOString().replace('.000Z', 'Z'),
      open_equity: f(bar.open),
      close_equity: f(bar.close),
      adjusted_open_equity: f(bar.open),
      adjusted_close_equity: f(bar.close),
      open_market_value: f(Dec.max(bar.open.sub(cash), new Dec(0))),
      close_market_value: f(Dec.max(bar.close.sub(cash), new Dec(0))),
      net_return: bar.open.isZero() ? '0.0000' : f(bar.close.sub(bar.open).div(bar.open)),
      session: 'reg',
    })),
  };
}

export function portfolioHistoryRoutes(ctx: RouteContext): Route[] {
  return [
    route(
      'GET',
      '/portfolios/historicals/:n/',
      true,
      (request, [n]) => {
        const account = ctx.lookups.account(n as string);
        if (!account) return notFound();
        const span = pick(SPANS, request.query.get('span') ?? 'week');
        const interval = pick(INTERVALS, request.query.get('interval'));
        const bounds = pick(BOUNDS, request.query.get('bounds') ?? 'regular');
        if (!span || !interval || !bounds)
          return detail(400, 'span, interval and bounds must be among the values the API accepts.');
        if (bounds !== 'regular' && span !== 'day')
          return detail(400, 'extended and trading bounds are only available with span=day.');
        return ok(portfolioHistoryPayload(ctx, account, { span, interval, bounds }, ctx.now()));
      },
      { optionalSlash: true },
    ),
  ];
}
