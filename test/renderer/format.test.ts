import { describe, expect, test } from 'vitest';
import { chartChange, chartData } from '../../renderer/src/lib/chart-data.js';
import { compareDecimals, isPlainDecimal, mulDecimals, sumDecimals } from '../../renderer/src/lib/decimal.js';
import {
  accountTypeLabel,
  formatDuration,
  formatGreek,
  formatInterval,
  formatIv,
  formatMoney,
  formatPercentPoints,
  formatPrice,
  formatQuantity,
  formatRate,
  formatSignedMoney,
  formatStrike,
  MASK,
  MISSING,
  strategyLabel,
  trendOf,
} from '../../renderer/src/lib/format.js';

describe('money', () => {
  test('formats decimal strings exactly, without a trip through a float', () => {
    expect(formatMoney('48210.5500')).toBe('$48,210.55');
    // 0.1 + 0.2 style traps and digits beyond a double's precision.
    expect(formatMoney('12345678901234567.675')).toBe('$12,345,678,901,234,567.68');
    expect(formatMoney('0.005')).toBe('$0.01');
    expect(formatMoney('-1281.0000')).toBe('-$1,281.00');
    expect(formatMoney('1e3')).toBe(MISSING);
  });

  test('signed changes always carry their sign; zero carries none', () => {
    expect(formatSignedMoney('312.4')).toBe('+$312.40');
    expect(formatSignedMoney('-41.18')).toBe('-$41.18');
    expect(formatSignedMoney('0.0000')).toBe('$0.00');
    expect(formatSignedMoney('-0.001')).toBe('$0.00');
  });

  test('prices keep sub-cent digits up to four places', () => {
    expect(formatPrice('189.9800')).toBe('$189.98');
    expect(formatPrice('0.0450')).toBe('$0.045');
    expect(formatPrice('168.2450')).toBe('$168.245');
    expect(formatPrice('3.12345')).toBe('$3.1235');
  });

  test('strikes drop zero cents and are never masked', () => {
    expect(formatStrike('195.0000')).toBe('$195');
    expect(formatStrike('192.5000')).toBe('$192.50');
  });

  test('quantities drop trailing zeros', () => {
    expect(formatQuantity('120')).toBe('120');
    expect(formatQuantity('0.50000000')).toBe('0.5');
    expect(formatQuantity('1250.125')).toBe('1,250.125');
  });

  test('missing values show a dash', () => {
    for (const f of [formatMoney, formatSignedMoney, formatPrice, formatQuantity]) {
      expect(f(null)).toBe(MISSING);
      expect(f(undefined)).toBe(MISSING);
      expect(f('')).toBe(MISSING);
    }
  });
});

describe('privacy mask', () => {
  test('every amount becomes the same mask, whatever its size or sign', () => {
    for (const value of ['0', '5.00', '-41.18', '98765432.10']) {
      expect(formatMoney(value, { privacy: true })).toBe(MASK);
      expect(formatSignedMoney(value, { privacy: true })).toBe(MASK);
      expect(formatPrice(value, { privacy: true })).toBe(MASK);
      expect(formatQuantity(value, { privacy: true })).toBe(MASK);
    }
  });

  test('a missing amount stays a dash (there is nothing to hide)', () => {
    expect(formatMoney(null, { privacy: true })).toBe(MISSING);
  });
});

describe('percent, Greeks, IV', () => {
  test('percent points carry their sign', () => {
    expect(formatPercentPoints('1.25')).toBe('+1.25%');
    expect(formatPercentPoints('-12.8921')).toBe('-12.89%');
    expect(formatPercentPoints('0')).toBe('0.00%');
  });

  test('IV is a fraction shown in percent', () => {
    expect(formatIv('0.2433')).toBe('24.3%');
    expect(formatIv('1.5')).toBe('150.0%');
  });

  test('Greeks keep three to four decimals', () => {
    expect(formatGreek('0.4120')).toBe('0.412');
    expect(formatGreek('-0.0031')).toBe('-0.0031');
    expect(formatGreek('-0.08700')).toBe('-0.087');
    expect(formatGreek(null)).toBe(MISSING);
  });

  test('trend comes from the sign', () => {
    expect(trendOf('-0.01')).toBe('down');
    expect(trendOf('0.00')).toBe('flat');
    expect(trendOf('3')).toBe('up');
    expect(trendOf(null)).toBe('flat');
  });
});

describe('labels and durations', () => {
  test('durations, intervals, rates', () => {
    expect(formatDuration(950)).toBe('950 ms');
    expect(formatDuration(2140)).toBe('2.1 s');
    expect(formatDuration(125_000)).toBe('2 min 5 s');
    expect(formatInterval(300)).toBe('5 min');
    expect(formatInterval(5400)).toBe('1 h 30 min');
    expect(formatInterval(86_400)).toBe('1 d');
    expect(formatRate(0.984375)).toBe('98.4%');
    expect(formatRate(1)).toBe('100%');
    expect(formatRate(null)).toBe(MISSING);
  });

  test('strategy and account names', () => {
    expect(strategyLabel('long_call_spread')).toBe('Long call spread');
    expect(strategyLabel('IRON_CONDOR')).toBe('Iron condor');
    expect(strategyLabel(null)).toBe('Strategy');
    expect(accountTypeLabel('ira_roth')).toBe('Roth IRA');
    expect(accountTypeLabel('margin')).toBe('Margin');
  });
});

describe('decimal helpers', () => {
  test('compare, sum and multiply exactly', () => {
    expect(compareDecimals('1.50', '1.5')).toBe(0);
    expect(compareDecimals('-2', '1')).toBe(-1);
    expect(compareDecimals('10.01', '10.001')).toBe(1);
    expect(sumDecimals(['0.1', '0.2'])).toBe('0.3');
    expect(mulDecimals('0.1780', '1', -1)).toBe('-0.178');
    expect(isPlainDecimal('.5')).toBe(true);
    expect(isPlainDecimal('1e5')).toBe(false);
    expect(isPlainDecimal('-')).toBe(false);
  });

  test('chart data converts to numbers only for drawing; the change stays exact', () => {
    const series = {
      accountKey: '****4141',
      range: '1D' as const,
      source: 'snapshots' as const,
      points: [
        { t: '2026-11-28T14:30:00.000Z', equity: '100000.10' },
        { t: '2026-11-28T15:30:00.000Z', equity: '100000.30' },
      ],
    };
    expect(chartData(series)).toEqual({ xs: [1_795_876_200, 1_795_879_800], ys: [100000.1, 100000.3] });
    expect(chartChange(series)).toMatchObject({
      amount: '0.2',
      percent: '0.00',
      first: '100000.10',
      last: '100000.30',
    });
    expect(chartChange({ ...series, points: series.points.slice(0, 1) })).toBeNull();
  });
});
