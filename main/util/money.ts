/**
 * Decimal arithmetic for money, prices, quantities and P&L. Values travel as decimal strings
 * (as the broker sends them) and are computed with decimal.js; never through binary floats.
 */
import { Decimal } from 'decimal.js';

/** A private Decimal constructor: 40 significant digits, round half even (banker's rounding). */
export const Dec = Decimal.clone({
  precision: 40,
  rounding: Decimal.ROUND_HALF_EVEN,
  toExpNeg: -30,
  toExpPos: 40,
});
export type Dec = InstanceType<typeof Dec>;

const DECIMAL_PATTERN = /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;

/** True for a string the broker would send as a number ("182.7800", "-29", "0.010000"). */
export function isDecimalString(value: string): boolean {
  return DECIMAL_PATTERN.test(value.trim());
}

export function dec(value: string | number | Dec): Dec {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new TypeError(`refusing non-integer number ${value} as money`);
    return new Dec(value);
  }
  if (typeof value === 'string' && !isDecimalString(value)) throw new TypeError(`not a decimal: ${value}`);
  return new Dec(value);
}

/** Renders a decimal as a plain string (no exponent), trimmed of trailing zeros. */
export function decString(value: Dec): string {
  return value.toFixed();
}

/** Renders a decimal with a fixed number of places. */
export function decFixed(value: Dec, places: number): string {
  return value.toFixed(places);
}

/** Null-tolerant parse: null, undefined and "" become null. */
export function decOrNull(value: string | null | undefined): Dec | null {
  if (value === null || value === undefined || value.trim() === '') return null;
  return dec(value);
}
