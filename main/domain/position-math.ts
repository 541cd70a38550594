/**
 * Position values, derived in one place so every reader sees the same sign conventions:
 *
 * - units = quantity × multiplier (shares; 1 for stocks, normally 100 per option contract)
 * - cost_basis = ±units × average_price, market_value = ±units × last_price
 *   (+ for long, − for short: a short's value is a liability and its cost basis the credit received)
 * - unrealized_pl = market_value − cost_basis (positive = gain, for longs and shorts alike)
 * - unrealized_pl_percent = unrealized_pl / |cost_basis| × 100
 *
 * Money is rounded to 4 places and percentages to 4 places (half even).
 */
import type { DecimalString } from '../../shared/models.js';
import { type Dec, dec, decString } from '../util/money.js';
import type { Direction } from './vocabulary.js';

export const MONEY_PLACES = 4;
export const PERCENT_PLACES = 4;

export function roundMoney(value: Dec): DecimalString {
  return decString(value.toDecimalPlaces(MONEY_PLACES));
}

export function percentOf(part: Dec, whole: Dec): DecimalString | null {
  if (whole.isZero()) return null;
  return decString(part.div(whole.abs()).times(100).toDecimalPlaces(PERCENT_PLACES));
}

export interface DerivedPositionValues {
  marketValue: DecimalString | null;
  costBasis: DecimalString;
  unrealizedPl: DecimalString | null;
  unrealizedPlPercent: DecimalString | null;
}

export function derivePositionValues(p: {
  direction: Direction;
  quantity: DecimalString;
  averagePrice: DecimalString;
  lastPrice: DecimalString | null;
  multiplier: DecimalString;
}): DerivedPositionValues {
  const sign = p.direction === 'short' ? -1 : 1;
  const units = dec(p.quantity).times(p.multiplier).times(sign);
  const costBasis = dec(roundMoney(units.times(p.averagePrice)));
  if (p.lastPrice === null) {
    return {
      marketValue: null,
      costBasis: decString(costBasis),
      unrealizedPl: null,
      unrealizedPlPercent: null,
    };
  }
  const marketValue = dec(roundMoney(units.times(p.lastPrice)));
  const pl = marketValue.minus(costBasis);
  return {
    marketValue: decString(marketValue),
    costBasis: decString(costBasis),
    unrealizedPl: decString(pl),
    unrealizedPlPercent: percentOf(pl, costBasis),
  };
}

/**
 * The broker's option position `average_price` is per contract and negative for shorts
 * ("-29.0000" for a short sold at 0.29). Returns the positive per-share premium the store expects.
 */
export function perSharePremium(
  perContractAveragePrice: DecimalString,
  multiplier: DecimalString,
): DecimalString {
  const m = dec(multiplier);
  if (m.lte(0)) throw new RangeError('multiplier must be positive');
  return decString(dec(perContractAveragePrice).abs().div(m));
}
