import { describe, expect, test } from 'vitest';
import { ariaSort, nextSort, type SortAccessors, sortRows } from '../../renderer/src/lib/sort.js';
import { groupOptionLegs } from '../../renderer/src/lib/strategies.js';
import type { OptionLegView, StockPositionView } from '../../shared/models.js';
import { dashboardOf, samplePortfolio } from '../server/sample-portfolio.js';

const stock = (symbol: string, marketValue: string | null, pl: string | null): StockPositionView => ({
  accountKey: '****0001',
  symbol,
  name: null,
  quantity: '1',
  averagePrice: '1',
  lastPrice: '1',
  marketValue,
  costBasis: '1',
  unrealizedPl: pl,
  unrealizedPlPercent: null,
});

type Col = 'symbol' | 'value' | 'pl';
const accessors: SortAccessors<StockPositionView, Col> = {
  symbol: (r) => ({ kind: 'text', value: r.symbol }),
  value: (r) => ({ kind: 'decimal', value: r.marketValue }),
  pl: (r) => ({ kind: 'decimal', value: r.unrealizedPl }),
};

describe('sortRows', () => {
  const rows = [
    stock('MSFT', '9.5', '-1'),
    stock('aapl', '10.25', null),
    stock('NVDA', '10.250', '3'),
    stock('KO', '100', '2'),
  ];
  const symbols = (r: StockPositionView[]) => r.map((s) => s.symbol);

  test('decimals compare by value, not as text ("100" > "9.5"), ties keep their order', () => {
    expect(symbols(sortRows(rows, { key: 'value', direction: 'descending' }, accessors))).toEqual([
      'KO',
      'aapl',
      'NVDA',
      'MSFT',
    ]);
    expect(symbols(sortRows(rows, { key: 'value', direction: 'ascending' }, accessors))).toEqual([
      'MSFT',
      'aapl',
      'NVDA',
      'KO',
    ]);
  });

  test('missing values go last in both directions', () => {
    expect(symbols(sortRows(rows, { key: 'pl', direction: 'descending' }, accessors))).toEqual([
      'NVDA',
      'KO',
      'MSFT',
      'aapl',
    ]);
    expect(symbols(sortRows(rows, { key: 'pl', direction: 'ascending' }, accessors))).toEqual([
      'MSFT',
      'KO',
      'NVDA',
      'aapl',
    ]);
  });

  test('text ignores case', () => {
    expect(symbols(sortRows(rows, { key: 'symbol', direction: 'ascending' }, accessors))).toEqual([
      'aapl',
      'KO',
      'MSFT',
      'NVDA',
    ]);
  });

  test('does not change the input', () => {
    const copy = [...rows];
    sortRows(rows, { key: 'value', direction: 'ascending' }, accessors);
    expect(rows).toEqual(copy);
  });

  test('clicking flips the same column and starts a new one in its own direction', () => {
    const start = { key: 'value' as Col, direction: 'descending' as const };
    expect(nextSort(start, 'value')).toEqual({ key: 'value', direction: 'ascending' });
    expect(nextSort(start, 'symbol', 'ascending')).toEqual({ key: 'symbol', direction: 'ascending' });
    expect(ariaSort(start, 'value')).toBe('descending');
    expect(ariaSort(start, 'pl')).toBe('none');
  });
});

describe('groupOptionLegs', () => {
  const today = new Date('2026-11-28T17:00:00Z');
  const legs = dashboardOf(samplePortfolio(), undefined, today).options;

  test('legs sharing a strategyId become one strategy row; others stay single', () => {
    const rows = groupOptionLegs(legs);
    expect(
      rows.map((r) =>
        r.kind === 'strategy' ? `${r.symbol}:${r.strategy}:${r.legs.length}` : `leg:${r.leg.symbol}`,
      ),
    ).toEqual(['AAPL:long_call_spread:2', 'SPY:iron_condor:4', 'leg:TSLA', 'leg:NVDA']);
    const legCount = rows.reduce((n, r) => n + (r.kind === 'strategy' ? r.legs.length : 1), 0);
    expect(legCount).toBe(legs.length);
  });

  test('a strategy sums P&L exactly and nets delta and theta by side and size', () => {
    const condor = groupOptionLegs(legs).find((r) => r.kind === 'strategy' && r.strategy === 'iron_condor');
    if (condor?.kind !== 'strategy') throw new Error('no condor');
    // Legs sorted by strike, puts before calls at equal strikes.
    expect(condor.legs.map((l) => `${l.strikePrice}${l.optionType[0]}`)).toEqual([
      '490.0000p',
      '500.0000p',
      '545.0000c',
      '555.0000c',
    ]);
    // 2×(-0.0810) − 2×(-0.1370) − 2×0.2210 + 2×0.1180
    expect(condor.netDelta).toBe('-0.094');
    // 2×(-0.0610) − 2×(-0.0920) − 2×(-0.1040) + 2×(-0.0660)
    expect(condor.netTheta).toBe('0.138');
    // (1.71−2.05)×200 + (3.40−2.86)×200 + (3.10−3.55)×200 + (1.68−1.45)×200
    expect(condor.unrealizedPl).toBe('-4');
    expect(condor.daysToExpiry).toBe(40);
  });

  test('an unknown leg value makes the strategy total unknown instead of wrong', () => {
    const twoLegs: OptionLegView[] = legs.filter((l) => l.strategyId === 'strat-aapl-spread');
    const [first, second] = twoLegs;
    if (!first || !second) throw new Error('sample changed');
    const rows = groupOptionLegs([{ ...first, unrealizedPl: null, delta: null }, second]);
    expect(rows[0]).toMatchObject({ kind: 'strategy', unrealizedPl: null, netDelta: null });
  });

  test('a strategyId with one leg stays a single row', () => {
    const single = legs.filter((l) => l.strategyId === 'strat-tsla-put');
    expect(groupOptionLegs(single)).toEqual([{ kind: 'leg', id: expect.any(String), leg: single[0] }]);
  });
});
