/** A ChartSeries as uPlot wants it, and the change over the range (computed exactly). */
import { Decimal } from 'decimal.js';
import type { ChartSeries } from '../../../shared/models.js';
import { toChartNumber } from './decimal.js';
import { formatPercentPoints } from './format.js';

export function chartData(series: ChartSeries | null): { xs: number[]; ys: number[] } {
  const xs: number[] = [];
  const ys: number[] = [];
  for (const p of series?.points ?? []) {
    const t = Date.parse(p.t);
    if (Number.isNaN(t)) continue;
    xs.push(t / 1000);
    ys.push(toChartNumber(p.equity));
  }
  return { xs, ys };
}

export interface ChartChange {
  first: string;
  last: string;
  /** last − first, exact. */
  amount: string;
  /** Percent points, two decimals; null when the range starts at zero. */
  percent: string | null;
  percentText: string;
}

export function chartChange(series: ChartSeries | null): ChartChange | null {
  const points = series?.points ?? [];
  const first = points[0]?.equity;
  const last = points[points.length - 1]?.equity;
  if (first === undefined || last === undefined || points.length < 2) return null;
  const amount = new Decimal(last).sub(first);
  const percent = new Decimal(first).isZero() ? null : amount.div(first).mul(100).toFixed(2);
  return { first, last, amount: amount.toFixed(), percent, percentText: formatPercentPoints(percent) };
}
