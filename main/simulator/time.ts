/**
 * Time formats of the API (docs/broker-api.md#conventions-data) and calendar helpers for building histories.
 * Internally instants are epoch microseconds (safe integers until year 2255), so the sixth
 * fractional digit the API prints is real, not padding.
 */
import type { IsoDate, IsoTime } from './types.js';

export const MS_PER_DAY = 86_400_000;
export const MICROS_PER_MS = 1000;

/** "2024-02-23T16:57:59.358873Z" */
export function isoMicros(epochMicros: number): IsoTime {
  const ms = Math.floor(epochMicros / MICROS_PER_MS);
  const extra = epochMicros - ms * MICROS_PER_MS;
  const base = new Date(ms).toISOString(); // 2024-02-23T16:57:59.358Z
  return `${base.slice(0, 23)}${String(extra).padStart(3, '0')}Z`;
}

export function isoFromDate(date: Date): IsoTime {
  return isoMicros(date.getTime() * MICROS_PER_MS);
}

/** "2024-02-24T00:59:58Z": the quote payloads' second-precision form. */
export function isoSeconds(epochMs: number): string {
  return `${new Date(epochMs).toISOString().slice(0, 19)}Z`;
}

/** "2024-02-23T20:59:59.912Z": the venue times' millisecond form. */
export function isoMillis(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

const dateNames = new Map<number, IsoDate>();

export function isoDate(epochMs: number): IsoDate {
  const day = Math.floor(epochMs / MS_PER_DAY);
  let name = dateNames.get(day);
  if (name === undefined) {
    name = new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
    if (dateNames.size > 50_000) dateNames.clear();
    dateNames.set(day, name);
  }
  return name;
}

export function dateToMs(date: IsoDate): number {
  return Date.parse(`${date}T00:00:00Z`);
}

export function isWeekend(epochMs: number): boolean {
  const day = new Date(epochMs).getUTCDay();
  return day === 0 || day === 6;
}

export function startOfDayMs(epochMs: number): number {
  return Math.floor(epochMs / MS_PER_DAY) * MS_PER_DAY;
}

const settlementDates = new Map<string, IsoDate>();

/** T+1 settlement of a trade date (memoised: histories settle the same days over and over). */
export function nextBusinessDay(date: IsoDate): IsoDate {
  let next = settlementDates.get(date);
  if (next === undefined) {
    next = addBusinessDays(date, 1);
    if (settlementDates.size > 50_000) settlementDates.clear();
    settlementDates.set(date, next);
  }
  return next;
}

export function addBusinessDays(date: IsoDate, days: number): IsoDate {
  let ms = dateToMs(date);
  let left = days;
  while (left > 0) {
    ms += MS_PER_DAY;
    if (!isWeekend(ms)) left--;
  }
  return isoDate(ms);
}

/** The last weekday strictly before the given instant's day. */
export function previousBusinessDay(epochMs: number): IsoDate {
  let ms = startOfDayMs(epochMs) - MS_PER_DAY;
  while (isWeekend(ms)) ms -= MS_PER_DAY;
  return isoDate(ms);
}

/** The Friday `weeks` weeks after the first Friday strictly after the given instant (weeks >= 0). */
export function fridayAfter(epochMs: number, weeks: number): IsoDate {
  let ms = startOfDayMs(epochMs) + MS_PER_DAY;
  while (new Date(ms).getUTCDay() !== 5) ms += MS_PER_DAY;
  return isoDate(ms + weeks * 7 * MS_PER_DAY);
}

/** The last Friday strictly before the given instant's day, `weeks` weeks further back. */
export function fridayBefore(epochMs: number, weeks: number): IsoDate {
  let ms = startOfDayMs(epochMs) - MS_PER_DAY;
  while (new Date(ms).getUTCDay() !== 5) ms -= MS_PER_DAY;
  return isoDate(ms - weeks * 7 * MS_PER_DAY);
}

/** New York's UTC offset at that instant, as "-05:00" or "-04:00". */
export function newYorkOffset(epochMs: number): string {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', timeZoneName: 'longOffset' })
    .formatToParts(new Date(epochMs))
    .find((part) => part.type === 'timeZoneName');
  const match = /GMT([+-]\d{2}:\d{2})/.exec(parts?.value ?? '');
  return match?.[1] ?? '-05:00';
}

/** "2024-12-21T22:28:29.520780-05:00": the sheriff challenge's local form. */
export function isoNewYork(epochMicros: number): string {
  const ms = Math.floor(epochMicros / MICROS_PER_MS);
  const offset = newYorkOffset(ms);
  const sign = offset.startsWith('-') ? -1 : 1;
  const offsetMs = sign * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6))) * 60_000;
  const local = isoMicros(epochMicros + offsetMs * MICROS_PER_MS);
  return `${local.slice(0, -1)}${offset}`;
}

const FILTER_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * Parses an `updated_at[gte]` value (date, or datetime with optional fraction and zone) to epoch
 * microseconds. A raw "+00:00" arrives as " 00:00" after form decoding; that is repaired here.
 * Returns null for anything else.
 */
export function parseFilterTime(raw: string): number | null {
  const value = raw.trim().replace(/ (\d{2}:?\d{2})$/, '+$1');
  const match = FILTER_TIME.exec(value);
  if (!match) return null;
  const [, y, mo, d, h = '00', mi = '00', s = '00', fraction = '', zone = 'Z'] = match;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  if (Number.isNaN(ms)) return null;
  const check = new Date(ms);
  if (check.getUTCDate() !== Number(d) || check.getUTCMonth() !== Number(mo) - 1) return null;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return null;
  let offsetMinutes = 0;
  if (zone.toUpperCase() !== 'Z') {
    const digits = zone.replace(':', '');
    offsetMinutes =
      (zone.startsWith('-') ? -1 : 1) * (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5)));
  }
  const micros = Number(fraction.padEnd(6, '0').slice(0, 6));
  return (ms - offsetMinutes * 60_000) * MICROS_PER_MS + micros;
}

/** Epoch microseconds of a stored ISO timestamp (any number of fractional digits). */
export function timeToMicros(iso: string): number {
  const micros = parseFilterTime(iso);
  if (micros === null) throw new RangeError(`not an ISO timestamp: ${iso}`);
  return micros;
}
