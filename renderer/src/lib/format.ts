/**
 * Display formatting of decimal strings. Intl.NumberFormat formats a numeric *string* exactly
 * (no trip through a binary float), so "12345678901234.675" keeps every digit up to the rounding
 * the label needs. In privacy mode every amount becomes the same mask, so neither the value nor
 * its length shows.
 */
import { isPlainDecimal, signOf } from './decimal.js';

export const MASK = '•••••';
export const MISSING = '—';

export interface FormatOptions {
  /** Masks the value (privacy mode). */
  privacy?: boolean;
  locale?: string;
}

const formatters = new Map<string, Intl.NumberFormat>();
function numberFormat(locale: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.NumberFormat(locale, options);
    formatters.set(key, f);
  }
  return f;
}

/** Intl accepts decimal strings at run time; the lib types only admit `${number}`. */
function format(value: string, locale: string, options: Intl.NumberFormatOptions): string {
  return numberFormat(locale, options).format(value.trim() as `${number}`);
}

function usable(value: string | null | undefined): value is string {
  return value !== null && value !== undefined && isPlainDecimal(value);
}

/** "$48,210.55"; "—" when missing. */
export function formatMoney(value: string | null | undefined, options: FormatOptions = {}): string {
  if (!usable(value)) return MISSING;
  if (options.privacy) return MASK;
  return format(value, options.locale ?? 'en-US', { style: 'currency', currency: 'USD' });
}

/** "+$312.40" / "-$41.18" / "$0.00". */
export function formatSignedMoney(value: string | null | undefined, options: FormatOptions = {}): string {
  if (!usable(value)) return MISSING;
  if (options.privacy) return MASK;
  return format(value, options.locale ?? 'en-US', {
    style: 'currency',
    currency: 'USD',
    signDisplay: 'exceptZero',
  });
}

/** A per-share price: two decimals, up to four for sub-dollar prices ("$0.045"). */
export function formatPrice(value: string | null | undefined, options: FormatOptions = {}): string {
  if (!usable(value)) return MISSING;
  if (options.privacy) return MASK;
  return format(value, options.locale ?? 'en-US', {
    style: 'currency',
    currency: 'USD',
    minimumFractionDigits: 2,
    maximumFractionDigits: 4,
  });
}

/** A strike identifies a contract, so it is never masked: "$195" or "$192.50". */
export function formatStrike(value: string | null | undefined, locale = 'en-US'): string {
  if (!usable(value)) return MISSING;
  const whole = /^[-+]?\d+(\.0*)?$/.test(value.trim());
  return format(value, locale, {
    style: 'currency',
    currency: 'USD',
    minimumFractionDigits: whole ? 0 : 2,
    maximumFractionDigits: 2,
  });
}

/** Shares or contracts: "120", "0.5", "1,250.125" (no trailing zeros). */
export function formatQuantity(value: string | null | undefined, options: FormatOptions = {}): string {
  if (!usable(value)) return MISSING;
  if (options.privacy) return MASK;
  return format(value, options.locale ?? 'en-US', { maximumFractionDigits: 6 });
}

/** A percent given in percent units ("1.25" → "+1.25%"). Percentages stay visible in privacy mode. */
export function formatPercentPoints(value: string | null | undefined, locale = 'en-US'): string {
  if (!usable(value)) return MISSING;
  return `${format(value, locale, { signDisplay: 'exceptZero', minimumFractionDigits: 2, maximumFractionDigits: 2 })}%`;
}

/** Implied volatility given as a fraction ("0.2433" → "24.3%"). */
export function formatIv(value: string | null | undefined, locale = 'en-US'): string {
  if (!usable(value)) return MISSING;
  return format(value, locale, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 });
}

/** A Greek: three to four decimals ("0.4120" → "0.412", "-0.0031" → "-0.0031"). */
export function formatGreek(value: string | null | undefined, locale = 'en-US'): string {
  if (!usable(value)) return MISSING;
  return format(value, locale, { minimumFractionDigits: 3, maximumFractionDigits: 4 });
}

/** "up" / "down" / "flat": for colour and arrow, always paired with the sign in the text. */
export function trendOf(value: string | null | undefined): 'up' | 'down' | 'flat' {
  const sign = signOf(value);
  return sign > 0 ? 'up' : sign < 0 ? 'down' : 'flat';
}

/** "1.8 s", "950 ms", "2 min 5 s". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return MISSING;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return seconds ? `${minutes} min ${seconds} s` : `${minutes} min`;
}

/** "5 min", "1 h", "1 h 30 min", "45 s", "1 d" for an interval in seconds. */
export function formatInterval(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds <= 0) return MISSING;
  if (seconds < 60) return `${seconds} s`;
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = seconds % 60;
  const parts = [
    days && `${days} d`,
    hours && `${hours} h`,
    minutes && `${minutes} min`,
    rest && `${rest} s`,
  ];
  return parts.filter(Boolean).join(' ');
}

/** "98.4%" for a 0..1 rate. */
export function formatRate(rate: number | null | undefined): string {
  if (rate === null || rate === undefined || !Number.isFinite(rate)) return MISSING;
  const pct = rate * 100;
  return `${pct === 100 || pct === 0 ? pct.toFixed(0) : pct.toFixed(1)}%`;
}

/** "long_call_spread" → "Long call spread". */
export function strategyLabel(strategy: string | null | undefined): string {
  if (!strategy) return 'Strategy';
  const words = strategy.replace(/[_-]+/g, ' ').trim().toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** "margin" → "Margin", "ira_roth" → "Roth IRA". */
export function accountTypeLabel(type: string): string {
  const known: Record<string, string> = {
    margin: 'Margin',
    cash: 'Cash',
    ira_roth: 'Roth IRA',
    ira_traditional: 'Traditional IRA',
  };
  return known[type] ?? strategyLabel(type);
}
