/**
 * movePrices: a deterministic market move between sync cycles. A `fraction` of the quotes moves by
 * up to ±`maxPercent` (never by zero); every active option on a moved underlying is repriced with
 * the same model the builder used (at its implied volatility), keeping its previous close and open
 * interest. Positions hold no prices, so portfolio values follow automatically.
 */
import { Dec } from '../util/money.js';
import { optionMarketDataFor } from './builder.js';
import type { Lookups } from './lookups.js';
import { Rng } from './random.js';
import { isoSeconds } from './time.js';
import type { ScenarioState } from './types.js';

export interface MovePricesOptions {
  /** Share of the quotes that move, 0–1; default 0.5. */
  fraction?: number;
  /** Largest move in percent; default 2. */
  maxPercent?: number;
  /** Same seed, same state → same move. */
  seed?: number;
}

/** Returns how many prices changed: quotes plus option marks. */
export function movePrices(
  state: ScenarioState,
  lookups: Lookups,
  now: Date,
  options: MovePricesOptions,
  defaultSeed: number,
): number {
  const fraction = options.fraction ?? 0.5;
  const maxPercent = options.maxPercent ?? 2;
  if (!(fraction >= 0 && fraction <= 1)) throw new RangeError('fraction must be within 0..1');
  if (!(maxPercent > 0 && maxPercent < 100)) throw new RangeError('maxPercent must be above 0 and below 100');
  const rng = new Rng(options.seed ?? defaultSeed);
  const nowMs = now.getTime();
  const movedUnderlyings = new Map<string, Dec>();
  let changed = 0;
  const maxBasisPoints = Math.max(1, Math.round(maxPercent * 100));

  for (const quote of state.quotes) {
    if (!rng.chance(fraction)) continue;
    const basisPoints = rng.int(1, maxBasisPoints) * (rng.chance(0.5) ? 1 : -1);
    const factor = new Dec(basisPoints).div(10_000).add(1);
    const last = new Dec(quote.lastTradePrice);
    const next = Dec.max(last.mul(factor).toDecimalPlaces(2), new Dec('0.01'));
    if (next.eq(last)) continue;
    const delta = next.sub(last);
    quote.lastTradePrice = next.toFixed(6);
    quote.bidPrice = Dec.max(new Dec(quote.bidPrice).add(delta), new Dec('0.01')).toFixed(6);
    quote.askPrice = Dec.max(new Dec(quote.askPrice).add(delta), new Dec(quote.bidPrice).add('0.01')).toFixed(
      6,
    );
    if (quote.lastExtendedHoursTradePrice !== null)
      quote.lastExtendedHoursTradePrice = Dec.max(
        new Dec(quote.lastExtendedHoursTradePrice).mul(factor).toDecimalPlaces(2),
        new Dec('0.01'),
      ).toFixed(6);
    quote.updatedAt = isoSeconds(nowMs);
    movedUnderlyings.set(quote.instrumentId, next);
    changed += 1;
  }

  for (const data of state.optionMarketData) {
    const option = lookups.option(data.optionId);
    const chain = option ? lookups.chain(option.chainId) : undefined;
    const underlying = chain ? movedUnderlyings.get(chain.underlyingInstrumentId) : undefined;
    if (!option || underlying === undefined) continue;
    const volatility = new Dec(data.impliedVolatility ?? '0.3');
    const fresh = optionMarketDataFor(option, underlying, volatility, nowMs, rng);
    const before = data.markPrice;
    Object.assign(data, {
      markPrice: fresh.markPrice,
      adjustedMarkPrice: fresh.adjustedMarkPrice,
      bidPrice: fresh.bidPrice,
      askPrice: fresh.askPrice,
      lastTradePrice: data.lastTradePrice === null ? null : (fresh.lastTradePrice ?? fresh.markPrice),
      highPrice:
        data.highPrice === null
          ? null
          : Dec.max(new Dec(data.highPrice), new Dec(fresh.markPrice)).toFixed(6),
      lowPrice:
        data.lowPrice === null ? null : Dec.min(new Dec(data.lowPrice), new Dec(fresh.markPrice)).toFixed(6),
      delta: data.delta === null ? null : (fresh.delta ?? data.delta),
      gamma: data.gamma === null ? null : (fresh.gamma ?? data.gamma),
      theta: data.theta === null ? null : (fresh.theta ?? data.theta),
      vega: data.vega === null ? null : (fresh.vega ?? data.vega),
      rho: data.rho === null ? null : (fresh.rho ?? data.rho),
      chanceOfProfitLong:
        data.chanceOfProfitLong === null ? null : (fresh.chanceOfProfitLong ?? data.chanceOfProfitLong),
      chanceOfProfitShort:
        data.chanceOfProfitShort === null ? null : (fresh.chanceOfProfitShort ?? data.chanceOfProfitShort),
      updatedAt: fresh.updatedAt,
    });
    if (data.markPrice !== before) changed += 1;
  }
  return changed;
}
