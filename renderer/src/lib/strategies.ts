/**
 * Option legs as a trader reads them: the legs of one multi-leg strategy (same strategyId) under
 * one strategy row with net figures; every other leg on its own row.
 */
import type { OptionLegView } from '../../../shared/models.js';
import { compareDecimals, mulDecimals, sumDecimals } from './decimal.js';

export interface SingleLegRow {
  kind: 'leg';
  id: string;
  leg: OptionLegView;
}

export interface StrategyRow {
  kind: 'strategy';
  id: string;
  strategyId: string;
  strategy: string | null;
  symbol: string;
  legs: OptionLegView[];
  /** Earliest expiration among the legs. */
  expirationDate: string;
  daysToExpiry: number;
  /** Sum of the legs' market values; null when one is unknown. */
  marketValue: string | null;
  unrealizedPl: string | null;
  /** Position delta and theta in option units: Σ ±contracts × greek (short legs count negative). */
  netDelta: string | null;
  netTheta: string | null;
}

export type OptionRow = SingleLegRow | StrategyRow;

export function legId(leg: OptionLegView): string {
  return `${leg.accountKey}|${leg.symbol}|${leg.expirationDate}|${leg.strikePrice}|${leg.optionType}|${leg.direction}`;
}

function sumOrNull(values: readonly (string | null)[]): string | null {
  if (values.some((v) => v === null)) return null;
  return sumDecimals(values as string[]);
}

function netGreek(
  legs: readonly OptionLegView[],
  pick: (leg: OptionLegView) => string | null,
): string | null {
  const terms = legs.map((leg) => {
    const greek = pick(leg);
    return greek === null ? null : mulDecimals(greek, leg.quantity, leg.direction === 'short' ? -1 : 1);
  });
  return sumOrNull(terms);
}

/** Legs sorted inside a strategy: by expiration, then strike, puts before calls. */
function legOrder(a: OptionLegView, b: OptionLegView): number {
  return (
    a.expirationDate.localeCompare(b.expirationDate) ||
    compareDecimals(a.strikePrice, b.strikePrice) ||
    a.optionType.localeCompare(b.optionType) * -1
  );
}

export function groupOptionLegs(legs: readonly OptionLegView[]): OptionRow[] {
  const byStrategy = new Map<string, OptionLegView[]>();
  for (const leg of legs) {
    if (leg.strategyId === null) continue;
    const group = byStrategy.get(leg.strategyId) ?? [];
    group.push(leg);
    byStrategy.set(leg.strategyId, group);
  }
  const rows: OptionRow[] = [];
  const emitted = new Set<string>();
  for (const leg of legs) {
    const group = leg.strategyId === null ? undefined : byStrategy.get(leg.strategyId);
    if (!group || group.length < 2) {
      rows.push({ kind: 'leg', id: legId(leg), leg });
      continue;
    }
    const strategyId = leg.strategyId as string;
    if (emitted.has(strategyId)) continue;
    emitted.add(strategyId);
    const sorted = [...group].sort(legOrder);
    const nearest = sorted.reduce((a, b) => (b.daysToExpiry < a.daysToExpiry ? b : a));
    const symbols = [...new Set(sorted.map((l) => l.symbol))];
    rows.push({
      kind: 'strategy',
      id: `strategy:${strategyId}`,
      strategyId,
      strategy: sorted.find((l) => l.strategy)?.strategy ?? null,
      symbol: symbols.join('/'),
      legs: sorted,
      expirationDate: nearest.expirationDate,
      daysToExpiry: nearest.daysToExpiry,
      marketValue: sumOrNull(sorted.map((l) => l.marketValue)),
      unrealizedPl: sumOrNull(sorted.map((l) => l.unrealizedPl)),
      netDelta: netGreek(sorted, (l) => l.delta),
      netTheta: netGreek(sorted, (l) => l.theta),
    });
  }
  return rows;
}
