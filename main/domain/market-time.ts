/**
 * Calendar arithmetic in the market's time zone (America/New_York). Trading days, days to expiry
 * and the close of an option's expiration day are defined there, not in the machine's zone.
 */
import type { IsoDate } from '../../shared/models.js';

export const MARKET_TIME_ZONE = 'America/New_York';

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

const partsFormatter = new Intl.DateTimeFormat('en-US', {
  timeZone: MARKET_TIME_ZONE,
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

interface ZonedParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function zonedParts(at: Date): ZonedParts {
  const out: Record<string, number> = {};
  for (const part of partsFormatter.formatToParts(at)) {
    if (part.type !== 'literal') out[part.type] = Number(part.value);
  }
  return {
    year: out.year ?? 0,
    month: out.month ?? 0,
    day: out.day ?? 0,
    hour: out.hour ?? 0,
    minute: out.minute ?? 0,
    second: out.second ?? 0,
  };
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

export function isIsoDate(value: string): boolean {
  const m = DATE_PATTERN.exec(value);
  if (!m) return false;
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return new Date(t).toISOString().slice(0, 10) === value;
}

function dateToUtcMs(date: IsoDate): number {
  const m = DATE_PATTERN.exec(date);
  const month = Number(m?.[2]);
  const day = Number(m?.[3]);
  const t = Date.UTC(Number(m?.[1]), month - 1, day);
  // Date.UTC rolls 02-30 over into March: a changed day of month means the date does not exist.
  if (!m || month < 1 || month > 12 || new Date(t).getUTCDate() !== day) {
    throw new TypeError(`not a calendar date (YYYY-MM-DD): ${date}`);
  }
  return t;
}

// New York's offset from UTC is a whole number of hours, so the date is the same for a whole UTC hour.
const dateByHour = new Map<number, IsoDate>();

/** The calendar date in New York at the given instant. */
export function nyDate(at: Date): IsoDate {
  const hour = Math.floor(at.getTime() / 3_600_000);
  const cached = dateByHour.get(hour);
  if (cached !== undefined) return cached;
  const p = zonedParts(at);
  const date = `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}`;
  if (dateByHour.size >= 50_000) dateByHour.clear();
  dateByHour.set(hour, date);
  return date;
}

export function addDays(date: IsoDate, days: number): IsoDate {
  return new Date(dateToUtcMs(date) + days * DAY_MS).toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: IsoDate, to: IsoDate): number {
  return Math.round((dateToUtcMs(to) - dateToUtcMs(from)) / DAY_MS);
}

/** 0 = Sunday … 6 = Saturday. */
export function weekdayOf(date: IsoDate): number {
  return new Date(dateToUtcMs(date)).getUTCDay();
}

export function isWeekend(date: IsoDate): boolean {
  const d = weekdayOf(date);
  return d === 0 || d === 6;
}

/**
 * The trading day an instant belongs to: its New York date, with Saturday and Sunday folded into
 * the Friday before (the balances of a weekend are Friday's). Exchange holidays are not known here
 * and count as trading days.
 */
export function tradingDayOf(at: Date): IsoDate {
  const date = nyDate(at);
  const weekday = weekdayOf(date);
  if (weekday === 6) return addDays(date, -1);
  if (weekday === 0) return addDays(date, -2);
  return date;
}

/** The UTC instant of a wall-clock time in New York on a date (DST-correct). */
export function nyWallTimeToUtc(date: IsoDate, hour: number, minute = 0): Date {
  const wall = dateToUtcMs(date) + (hour * 60 + minute) * 60_000;
  let guess = wall + 5 * 3_600_000;
  // Two passes settle on the right offset, also for the days the clocks change.
  for (let i = 0; i < 2; i++) {
    const p = zonedParts(new Date(guess));
    const seen = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
    guess += wall - seen;
  }
  return new Date(guess);
}

/** 16:00 New York time on a date: when the regular session closes and options expire. */
export function nyMarketClose(date: IsoDate): Date {
  return nyWallTimeToUtc(date, 16, 0);
}
