/**
 * Which strategy (spread) each open option leg belongs to. Only `/options/aggregate_positions/`
 * says so; `/options/positions/` (read every cycle, for per-leg quantities and prices) does not.
 * The grouping changes only when the legs do, so the aggregates are read only when a leg or its
 * quantity differs from the stored positions; otherwise the stored grouping is kept.
 */
import type { OptionAggregatePosition, OptionPosition } from '../broker/robinhood/index.js';
import type { PositionRecord } from '../store/index.js';
import { Dec } from '../util/money.js';

export interface LegStrategy {
  id: string;
  strategy: string | null;
}

/** Keyed by `${option_id}:${long|short}`. */
export type StrategyMap = Map<string, LegStrategy>;

export function legKey(optionId: string, direction: string): string {
  return `${optionId}:${direction}`;
}

export function strategiesFromAggregates(aggregates: readonly OptionAggregatePosition[]): StrategyMap {
  const map: StrategyMap = new Map();
  for (const aggregate of aggregates)
    for (const leg of aggregate.legs)
      map.set(legKey(leg.option_id, leg.position_type), { id: aggregate.id, strategy: aggregate.strategy });
  return map;
}

/**
 * The stored grouping when the broker's open legs are exactly the stored ones (same contract,
 * side and quantity); null when the aggregates must be read.
 */
export function storedStrategies(
  positions: readonly OptionPosition[],
  stored: readonly PositionRecord[],
): StrategyMap | null {
  const open = positions.filter((p) => !new Dec(p.quantity).isZero());
  if (open.length !== stored.length) return null;
  const byLeg = new Map(stored.map((r) => [legKey(r.instrumentId, r.direction), r]));
  const map: StrategyMap = new Map();
  for (const position of open) {
    const key = legKey(position.option_id, position.type);
    const row = byLeg.get(key);
    if (!row || !new Dec(row.quantity).eq(new Dec(position.quantity).abs())) return null;
    // A leg the aggregates did not group last time stays ungrouped.
    if (row.strategyId !== null) map.set(key, { id: row.strategyId, strategy: row.strategy });
  }
  return map;
}
