/**
 * Black–Scholes prices and Greeks, in decimal arithmetic, so simulated option market data looks
 * like the real thing: marks that follow the underlying, deltas in (-1, 1), negative theta, and
 * chances of profit that add up to 1.
 */
import { Dec } from '../util/money.js';

/** 12 digits instead of money.ts's 40: these are model values, and exp/ln at 40 digits is slow. */
const M = Dec.clone({ precision: 12 });
type M = InstanceType<typeof M>;

const SQRT_2PI = new M(2).mul(M.acos(-1)).sqrt();
const RATE = new M('0.04');
const DAYS_PER_YEAR = new M(365);

function pdf(x: M): M {
  return M.exp(x.mul(x).div(-2)).div(SQRT_2PI);
}

/** Standard normal CDF (Abramowitz–Stegun 26.2.17, |error| < 7.5e-8). */
function cdf(x: M): M {
  const ax = x.abs();
  const t = new M(1).div(ax.mul('0.2316419').add(1));
  const poly = t.mul(
    t
      .mul(t.mul(t.mul(t.mul('1.330274429').add('-1.821255978')).add('1.781477937')).add('-0.356563782'))
      .add('0.319381530'),
  );
  const upper = new M(1).sub(pdf(ax).mul(poly));
  return x.isNegative() ? new M(1).sub(upper) : upper;
}

export interface OptionQuoteModel {
  price: Dec;
  delta: Dec;
  gamma: Dec;
  /** Per calendar day. */
  theta: Dec;
  /** Per volatility point (1%). */
  vega: Dec;
  /** Per rate point (1%). */
  rho: Dec;
  /** Probability the underlying ends beyond the break-even (long side). */
  chanceOfProfitLong: Dec;
}

/**
 * Prices a European option. `days` is calendar days to expiry (at least a fraction of a day is
 * assumed so expiring contracts keep finite Greeks).
 */
export function priceOption(input: {
  type: 'call' | 'put';
  underlying: Dec | string;
  strike: Dec | string;
  days: number;
  volatility: Dec | string;
}): OptionQuoteModel {
  const s = new M(input.underlying.toString());
  const k = new M(input.strike.toString());
  const sigma = new M(input.volatility.toString());
  const t = M.max(new M(input.days), new M('0.25')).div(DAYS_PER_YEAR);
  const sqrtT = t.sqrt();
  const volT = sigma.mul(sqrtT);
  const d1 = s
    .div(k)
    .ln()
    .add(RATE.add(sigma.mul(sigma).div(2)).mul(t))
    .div(volT);
  const d2 = d1.sub(volT);
  const discount = M.exp(RATE.neg().mul(t));
  const isCall = input.type === 'call';

  const price = isCall
    ? s.mul(cdf(d1)).sub(k.mul(discount).mul(cdf(d2)))
    : k
        .mul(discount)
        .mul(cdf(d2.neg()))
        .sub(s.mul(cdf(d1.neg())));
  const delta = isCall ? cdf(d1) : cdf(d1).sub(1);
  const gamma = pdf(d1).div(s.mul(volT));
  const vega = s.mul(pdf(d1)).mul(sqrtT).div(100);
  const decay = s.mul(pdf(d1)).mul(sigma).div(sqrtT.mul(2)).neg();
  const carry = RATE.mul(k).mul(discount);
  const thetaYear = isCall ? decay.sub(carry.mul(cdf(d2))) : decay.add(carry.mul(cdf(d2.neg())));
  const rho = isCall
    ? k.mul(t).mul(discount).mul(cdf(d2)).div(100)
    : k.mul(t).mul(discount).mul(cdf(d2.neg())).neg().div(100);

  const premium = M.max(price, new M('0.01'));
  const breakEven = isCall ? k.add(premium) : k.sub(premium);
  let chance = new M(0);
  if (breakEven.gt(0)) {
    const z = s
      .div(breakEven)
      .ln()
      .add(RATE.sub(sigma.mul(sigma).div(2)).mul(t))
      .div(volT);
    chance = isCall ? cdf(z) : cdf(z.neg());
  }

  const out = (value: M) => new Dec(value.toString());
  return {
    price: out(premium),
    delta: out(delta),
    gamma: out(gamma),
    theta: out(thetaYear.div(DAYS_PER_YEAR)),
    vega: out(vega),
    rho: out(rho),
    chanceOfProfitLong: out(chance),
  };
}

/** Option prices tick in cents above $3 in 5-cent steps (penny pilot aside); keep it simple: cents. */
export function roundPremium(value: Dec): Dec {
  return Dec.max(value.toDecimalPlaces(2, Dec.ROUND_HALF_UP), new Dec('0.01'));
}
