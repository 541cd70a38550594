/**
 * Decimal strings in the renderer: exact comparison and sums without binary floats. Values are
 * only turned into numbers to draw the chart.
 */
import { Decimal } from 'decimal.js';

const Dec = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_EVEN, toExpNeg: -30, toExpPos: 40 });

const DECIMAL = /^([-+]?)(\d*)(?:\.(\d*))?$/;

/** True for "182.7800", "-29", ".5"; false for "", "1e5", "abc". */
export function isPlainDecimal(value: string): boolean {
  const m = DECIMAL.exec(value.trim());
  return m !== null && `${m[2] ?? ''}${m[3] ?? ''}`.length > 0;
}

/** Exact comparison of two decimal strings (-1, 0, 1); "1.50" equals "1.5". */
export function compareDecimals(a: string, b: string): number {
  return Math.sign(new Dec(a).comparedTo(new Dec(b)));
}

/** Exact sum of decimal strings, as a plain string. */
export function sumDecimals(values: readonly string[]): string {
  return values.reduce((sum, v) => sum.add(new Dec(v)), new Dec(0)).toFixed();
}

/** Exact product, as a plain string. */
export function mulDecimals(...values: readonly (string | number)[]): string {
  return values.reduce<InstanceType<typeof Dec>>((p, v) => p.mul(new Dec(v)), new Dec(1)).toFixed();
}

export function signOf(value: string | null | undefined): -1 | 0 | 1 {
  if (value === null || value === undefined || !isPlainDecimal(value)) return 0;
  return Math.sign(new Dec(value).toNumber()) as -1 | 0 | 1;
}

/** For the chart only. */
export function toChartNumber(value: string): number {
  return new Dec(value).toNumber();
}
