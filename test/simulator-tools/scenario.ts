/**
 * buildScenario: random but reproducible scenarios of any size, for tests and benchmarks.
 * The same (seed, now, options) always gives the same scenario, ids included.
 *
 * Counts per account are exact:
 * - `stocks` stock positions end with a nonzero quantity; a few more instruments were held and
 *   closed (quantity 0) when the order budget allows;
 * - `optionLegs` option positions end nonzero, `multiLegStrategies` of them pairwise as verticals;
 * - `stockOrders` stock orders, plus one buy order per reinvested dividend;
 * - `optionOrders`, `dividends`, `optionEvents` exactly as asked.
 */

import { type OrderOutcome, ScenarioBuilder } from '../../main/simulator/builder.js';
import { CATALOG, type CatalogEntry } from '../../main/simulator/catalog.js';
import { DEFAULT_USER } from '../../main/simulator/demo.js';
import { Rng } from '../../main/simulator/random.js';
import {
  addBusinessDays,
  dateToMs,
  fridayAfter,
  fridayBefore,
  isoDate,
  isWeekend,
  MS_PER_DAY,
} from '../../main/simulator/time.js';
import type {
  Scenario,
  ScenarioAccountOptions,
  ScenarioOptions,
  SimAccount,
  SimInstrument,
  SimOptionInstrument,
} from '../../main/simulator/types.js';
import { Dec } from '../../main/util/money.js';

const AUTH_FLOWS = new Set([
  'direct',
  'mfa',
  'legacy-challenge',
  'workflow-app',
  'workflow-sms',
  'workflow-email',
  'workflow-prompt',
]);
const BASE32 = /^[A-Z2-7]+=*$/i;

/** How far back generated histories reach, and how close to "now" they stop. */
const HISTORY_DAYS = 365;
const QUIET_DAYS = 2;

export function buildScenario(options: ScenarioOptions): Scenario {
  validateOptions(options);
  const seed = options.seed ?? 1;
  const now = options.now ?? defaultNow();
  const root = new Rng(seed);
  const builder = new ScenarioBuilder(root.fork('builder'), now, seed);
  for (const user of options.users ?? [DEFAULT_USER]) builder.addUser(user);
  const pool = new InstrumentPool(builder, root.fork('pool'));
  options.accounts.forEach((spec, index) => {
    new AccountGenerator(builder, root.fork(`account-${index}`), pool, spec, index).generate();
  });
  return builder.build();
}

/** The current UTC hour: reproducible within the hour, and current enough for the demo. */
function defaultNow(): Date {
  const ms = Date.now();
  return new Date(ms - (ms % 3_600_000));
}

function validateOptions(options: ScenarioOptions): void {
  if (!options || !Array.isArray(options.accounts) || options.accounts.length === 0)
    throw new RangeError('buildScenario needs at least one account');
  if (options.seed !== undefined && !Number.isSafeInteger(options.seed))
    throw new RangeError('seed must be an integer');
  if (options.now !== undefined && Number.isNaN(options.now.getTime()))
    throw new RangeError('now must be a valid date');
  const users = options.users ?? [DEFAULT_USER];
  if (users.length === 0) throw new RangeError('users must not be empty');
  for (const user of users) {
    if (!user.username || !user.password) throw new RangeError('every user needs a username and a password');
    if (!AUTH_FLOWS.has(user.flow)) throw new RangeError(`unknown auth flow for ${user.username}`);
    if ((user.flow === 'mfa' || user.flow === 'workflow-app') && !user.totpSecret)
      throw new RangeError(`${user.username}: the ${user.flow} flow needs a totpSecret`);
    if (user.totpSecret !== undefined && !BASE32.test(user.totpSecret))
      throw new RangeError(`${user.username}: totpSecret must be base32`);
  }
  options.accounts.forEach((account, index) => {
    for (const key of [
      'stocks',
      'optionLegs',
      'multiLegStrategies',
      'stockOrders',
      'optionOrders',
      'dividends',
      'optionEvents',
    ] as const) {
      const value = account[key];
      if (value !== undefined && (!Number.isSafeInteger(value) || value < 0))
        throw new RangeError(`accounts[${index}].${key} must be a non-negative integer`);
    }
  });
}

/** Listings shared by all accounts: the catalog first, then made-up ones. */
class InstrumentPool {
  private readonly all: SimInstrument[] = [];
  private catalogNext = 0;
  readonly entries = new Map<string, CatalogEntry>();

  constructor(
    private readonly builder: ScenarioBuilder,
    private readonly rng: Rng,
  ) {}

  private create(): SimInstrument {
    const entry = CATALOG[this.catalogNext];
    let instrument: SimInstrument;
    if (entry) {
      this.catalogNext++;
      instrument = this.builder.addInstrument(entry);
      this.entries.set(instrument.id, entry);
    } else {
      instrument = this.builder.addSyntheticInstrument();
    }
    this.all.push(instrument);
    return instrument;
  }

  /** n distinct listings, reusing existing ones in random order before creating new ones. */
  take(n: number): SimInstrument[] {
    const picked = this.rng.shuffle([...this.all]).slice(0, n);
    while (picked.length < n) picked.push(this.create());
    return picked;
  }

  /** Amount per share per payment. */
  dividendRate(instrument: SimInstrument): Dec {
    const entry = this.entries.get(instrument.id);
    if (entry?.dividend) return new Dec(entry.dividend);
    const price = this.builder.currentPrice(instrument);
    return price.mul('0.0035').toDecimalPlaces(4);
  }
}

interface Inflow {
  atMs: number;
  quantity: Dec;
}

class AccountGenerator {
  private readonly b: ScenarioBuilder;
  private readonly now: number;
  private readonly start: number;
  private readonly end: number;
  private account!: SimAccount;
  private open: SimInstrument[] = [];
  private closed: SimInstrument[] = [];
  private readonly targets = new Map<string, Dec>();
  private readonly inflows = new Map<string, Inflow[]>();
  private readonly usedPositions = new Set<string>();

  constructor(
    builder: ScenarioBuilder,
    private readonly rng: Rng,
    private readonly pool: InstrumentPool,
    private readonly spec: ScenarioAccountOptions,
    private readonly index: number,
  ) {
    this.b = builder;
    this.now = builder.nowMs;
    this.start = this.now - HISTORY_DAYS * MS_PER_DAY;
    this.end = this.now - QUIET_DAYS * MS_PER_DAY;
  }

  generate(): void {
    const { spec, rng } = this;
    const where = `accounts[${this.index}]`;
    const stocks = spec.stocks ?? 5;
    const stockOrders = spec.stockOrders ?? stocks * 4;
    if (stockOrders < stocks)
      throw new RangeError(`${where}: stockOrders (${stockOrders}) must be at least stocks (${stocks})`);
    const optionLegs = spec.optionLegs ?? 2;
    const multi = spec.multiLegStrategies ?? 0;
    if (multi * 2 > optionLegs)
      throw new RangeError(
        `${where}: multiLegStrategies (${multi}) need ${multi * 2} of optionLegs (${optionLegs})`,
      );
    const singles = optionLegs - multi * 2;
    const events = spec.optionEvents ?? 0;
    const minimumOptionOrders = singles + multi + events;
    const optionOrders =
      spec.optionOrders ?? minimumOptionOrders + 2 * Math.ceil(optionLegs / 3) + Math.ceil(optionLegs / 5);
    if (optionOrders < minimumOptionOrders)
      throw new RangeError(
        `${where}: optionOrders (${optionOrders}) must be at least ${minimumOptionOrders} (one per open single leg, vertical and option event)`,
      );
    const dividends = spec.dividends ?? Math.min(stocks * 2, 6);

    const brokerageAccountType = spec.brokerageAccountType ?? 'individual';
    this.account = this.b.addAccount({
      type: spec.type ?? (brokerageAccountType === 'individual' ? 'margin' : 'cash'),
      brokerageAccountType,
      cash: rng.decimalBetween('250', '25000', 2),
      openedDaysAgo: rng.int(HISTORY_DAYS + 30, HISTORY_DAYS * 5),
    });

    const spare = stockOrders - stocks;
    const closedCount =
      spare === 0
        ? 0
        : Math.max(stocks === 0 ? 1 : 0, Math.min(Math.floor(spare / 3), Math.max(1, Math.ceil(stocks / 4))));
    const instruments = this.pool.take(stocks + closedCount);
    this.open = instruments.slice(0, stocks);
    this.closed = instruments.slice(stocks);
    for (const instrument of this.open)
      this.targets.set(instrument.id, new Dec(rng.int(1, this.maxLot(instrument))));
    for (const instrument of this.closed) this.targets.set(instrument.id, new Dec(0));

    this.generateOptions(singles, multi, events, optionOrders - minimumOptionOrders);
    this.generateStockHistories(stockOrders);
    if (dividends > 0) this.generateDividends(dividends);
  }

  private maxLot(instrument: SimInstrument): number {
    const price = this.b.currentPrice(instrument);
    return Math.max(1, Math.min(200, new Dec(6000).div(price).floor().toNumber()));
  }

  // ---- options ---------------------------------------------------------------------------------

  private underlying(): SimInstrument {
    if (this.open.length > 0 && this.rng.chance(0.85)) return this.rng.pick(this.open);
    if (this.closed.length > 0) return this.rng.pick(this.closed);
    if (this.open.length > 0) return this.rng.pick(this.open);
    return this.pool.take(1)[0] as SimInstrument;
  }

  /** A contract near the money that this account has not used on that side yet. */
  private contract(
    underlying: SimInstrument,
    expiry: string,
    type: 'call' | 'put',
    side: 'long' | 'short',
    atLeast?: Dec,
  ): SimOptionInstrument {
    const price = this.b.currentPrice(underlying);
    const step = this.b.strikeStep(price);
    let strike = atLeast ?? this.b.roundStrike(price.mul(new Dec(this.rng.int(-8, 8)).div(100).add(1)), step);
    for (;;) {
      const option = this.b.optionInstrument(underlying, expiry, strike, type);
      const key = `${option.id}|${side}`;
      if (!this.usedPositions.has(key)) {
        this.usedPositions.add(key);
        return option;
      }
      strike = strike.add(step);
    }
  }

  private premiumAround(option: SimOptionInstrument, underlying: SimInstrument, atMs: number): Dec {
    const drift = new Dec(this.rng.int(-6, 6)).div(100).add(1);
    return this.b.modelPremium(option, this.b.currentPrice(underlying).mul(drift), atMs);
  }

  private generateOptions(singles: number, verticals: number, events: number, extra: number): void {
    const rng = this.rng;
    let left = extra;
    const roundTrips = Math.floor(left / 3);
    left -= roundTrips * 2;
    const partialCloses = Math.min(left, Math.floor(singles / 2));
    left -= partialCloses;
    const cancelled = left;

    for (let i = 0; i < singles; i++) this.openSingle(i < partialCloses);
    for (let i = 0; i < verticals; i++) this.openVertical();
    for (let i = 0; i < roundTrips; i++) this.roundTrip();
    const stockNames = [...this.open, ...this.closed];
    const assignments = stockNames.length > 0 && events >= 2 ? Math.max(1, Math.floor(events / 3)) : 0;
    for (let i = 0; i < events; i++) this.heldToExpiry(i < assignments ? rng.pick(stockNames) : null);
    for (let i = 0; i < cancelled; i++) this.cancelledOpen();
  }

  private openSingle(withPartialClose: boolean): void {
    const rng = this.rng;
    const underlying = this.underlying();
    const type = rng.chance(0.5) ? 'call' : 'put';
    const side = rng.chance(0.6) ? 'long' : 'short';
    const option = this.contract(underlying, fridayAfter(this.now, rng.int(0, 10)), type, side);
    const quantity = rng.int(withPartialClose ? 2 : 1, 8);
    const openAt = this.b.marketTimeBetween(this.now - 45 * MS_PER_DAY, this.end);
    const premium = this.premiumAround(option, underlying, openAt);
    this.b.optionOrder({
      account: this.account,
      legs: [{ option, side: side === 'long' ? 'buy' : 'sell', effect: 'open', price: premium }],
      quantity,
      at: openAt,
      outcome: 'filled',
      executions: quantity >= 2 && rng.chance(0.3) ? 2 : 1,
      strategy: `${side}_${type}`,
    });
    if (!withPartialClose) return;
    const closeAt = this.b.marketTimeBetween(openAt + MS_PER_DAY, this.now - MS_PER_DAY);
    this.b.optionOrder({
      account: this.account,
      legs: [
        {
          option,
          side: side === 'long' ? 'sell' : 'buy',
          effect: 'close',
          price: this.premiumAround(option, underlying, Math.max(closeAt, openAt)),
        },
      ],
      quantity: rng.int(1, quantity - 1),
      at: Math.max(closeAt, openAt + 60_000),
      outcome: 'filled',
      strategy: `${side}_${type}`,
    });
  }

  private openVertical(): void {
    const rng = this.rng;
    const underlying = this.underlying();
    const type = rng.chance(0.5) ? 'call' : 'put';
    const debit = rng.chance(0.5);
    const expiry = fridayAfter(this.now, rng.int(1, 10));
    const width = rng.int(1, 3);
    // The textbook shapes: long_call_spread: buy lower call, sell higher call; short_call_spread: the reverse;
    // long_put_spread: buy higher put, sell lower put; short_put_spread: the reverse.
    const buyLower = type === 'call' ? debit : !debit;
    const low = this.contract(underlying, expiry, type, buyLower ? 'long' : 'short');
    const step = this.b.strikeStep(this.b.currentPrice(underlying));
    const high = this.contract(
      underlying,
      expiry,
      type,
      buyLower ? 'short' : 'long',
      step.mul(width).add(low.strikePrice),
    );
    const bought = buyLower ? low : high;
    const sold = buyLower ? high : low;
    const openAt = this.b.marketTimeBetween(this.now - 45 * MS_PER_DAY, this.end);
    const drift = new Dec(rng.int(-5, 5)).div(100).add(1);
    const spot = this.b.currentPrice(underlying).mul(drift);
    let boughtPrice = this.b.modelPremium(bought, spot, openAt);
    let soldPrice = this.b.modelPremium(sold, spot, openAt);
    // Keep the spread's direction what its name says, even deep out of the money.
    if (debit && !boughtPrice.gt(soldPrice)) boughtPrice = soldPrice.add('0.05');
    if (!debit && !soldPrice.gt(boughtPrice)) soldPrice = boughtPrice.add('0.05');
    const quantity = rng.int(1, 5);
    this.b.optionOrder({
      account: this.account,
      legs: [
        { option: bought, side: 'buy', effect: 'open', price: boughtPrice },
        { option: sold, side: 'sell', effect: 'open', price: soldPrice },
      ],
      quantity,
      at: openAt,
      outcome: 'filled',
      executions: quantity >= 2 && rng.chance(0.3) ? 2 : 1,
      strategy: `${debit ? 'long' : 'short'}_${type}_spread`,
    });
  }

  private roundTrip(): void {
    const rng = this.rng;
    const underlying = this.underlying();
    const type = rng.chance(0.5) ? 'call' : 'put';
    const side = rng.chance(0.6) ? 'long' : 'short';
    const openAt = this.b.marketTimeBetween(this.start + 10 * MS_PER_DAY, this.now - 40 * MS_PER_DAY);
    const expiry = fridayAfter(openAt, rng.int(2, 8));
    const option = this.contract(underlying, expiry, type, side);
    const quantity = rng.int(1, 6);
    const premium = this.premiumAround(option, underlying, openAt);
    const opened = this.b.optionOrder({
      account: this.account,
      legs: [{ option, side: side === 'long' ? 'buy' : 'sell', effect: 'open', price: premium }],
      quantity,
      at: openAt,
      outcome: quantity >= 2 && rng.chance(0.2) ? 'partial-cancelled' : 'filled',
      strategy: `${side}_${type}`,
    });
    const filled =
      opened.legs[0]?.executions.reduce((sum, e) => sum.add(e.quantity), new Dec(0)) ?? new Dec(0);
    const closeAt = this.b.marketTimeBetween(
      openAt + MS_PER_DAY,
      Math.min(dateToMs(expiry) - MS_PER_DAY, this.end),
    );
    const factor = new Dec(rng.int(30, 220)).div(100);
    this.b.optionOrder({
      account: this.account,
      legs: [
        {
          option,
          side: side === 'long' ? 'sell' : 'buy',
          effect: 'close',
          price: Dec.max(premium.mul(factor).toDecimalPlaces(2), new Dec('0.01')),
        },
      ],
      quantity: filled.toNumber(),
      at: Math.max(closeAt, openAt + 60_000),
      outcome: 'filled',
      executions: filled.gte(2) && rng.chance(0.3) ? 2 : 1,
      strategy: `${side}_${type}`,
    });
  }

  /** An option held to expiry: expired worthless, or (with a stock) a short put assigned. */
  private heldToExpiry(assignedStock: SimInstrument | null): void {
    const rng = this.rng;
    const underlying = assignedStock ?? this.underlying();
    const type = assignedStock ? 'put' : rng.chance(0.5) ? 'call' : 'put';
    const side = assignedStock ? 'short' : rng.chance(0.6) ? 'long' : 'short';
    const expiry = fridayBefore(this.now, rng.int(1, 40));
    const expiryMs = dateToMs(expiry);
    const option = this.contract(underlying, expiry, type, side);
    const strike = new Dec(option.strikePrice);
    const quantity = assignedStock ? rng.int(1, 2) : rng.int(1, 5);
    const openAt = this.b.marketTimeBetween(
      Math.max(this.start, expiryMs - rng.int(10, 60) * MS_PER_DAY),
      expiryMs - MS_PER_DAY,
    );
    const away = new Dec(rng.int(1, 12)).div(100);
    // At expiry the underlying sat on the side of the strike that made the outcome happen.
    const otmBelow = type === 'call';
    const underlyingPrice = assignedStock
      ? strike.mul(new Dec(1).sub(away))
      : strike.mul(otmBelow ? new Dec(1).sub(away) : away.add(1));
    this.b.optionOrder({
      account: this.account,
      legs: [
        {
          option,
          side: side === 'long' ? 'buy' : 'sell',
          effect: 'open',
          price: this.b.modelPremium(option, underlyingPrice.mul('1.02'), openAt),
        },
      ],
      quantity,
      at: openAt,
      outcome: 'filled',
      strategy: `${side}_${type}`,
    });
    const event = this.b.optionEvent({
      account: this.account,
      option,
      side,
      type: assignedStock ? 'assignment' : 'expiration',
      quantity,
      underlyingPrice: underlyingPrice.toDecimalPlaces(2),
    });
    if (assignedStock) {
      const list = this.inflows.get(assignedStock.id) ?? [];
      list.push({ atMs: Date.parse(event.createdAt), quantity: new Dec(quantity * 100) });
      this.inflows.set(assignedStock.id, list);
    }
  }

  private cancelledOpen(): void {
    const rng = this.rng;
    const underlying = this.underlying();
    const type = rng.chance(0.5) ? 'call' : 'put';
    const price = this.b.currentPrice(underlying);
    const step = this.b.strikeStep(price);
    // No fill means no position, so reusing a contract is fine here.
    const option = this.b.optionInstrument(
      underlying,
      fridayAfter(this.now, rng.int(1, 8)),
      this.b.roundStrike(price, step),
      type,
    );
    const at = this.b.marketTimeBetween(this.now - 30 * MS_PER_DAY, this.end);
    const premium = this.premiumAround(option, underlying, at);
    this.b.optionOrder({
      account: this.account,
      legs: [
        {
          option,
          side: 'buy',
          effect: 'open',
          price: Dec.max(premium.mul('0.85').toDecimalPlaces(2), new Dec('0.01')),
        },
      ],
      quantity: rng.int(1, 5),
      at,
      outcome: rng.chance(0.85) ? 'cancelled' : 'rejected',
      strategy: `long_${type}`,
    });
  }

  // ---- stocks ----------------------------------------------------------------------------------

  private generateStockHistories(stockOrders: number): void {
    const instruments = [...this.open, ...this.closed];
    if (instruments.length === 0) return;
    const counts: number[] = instruments.map(() => 1);
    let left = stockOrders - counts.length;
    // A closed name needs a buy and a sell when the budget allows it.
    for (let i = this.open.length; i < instruments.length && left > 0; i++, left--) counts[i] = 2;
    while (left > 0) {
      const i = this.rng.int(0, instruments.length - 1);
      counts[i] = (counts[i] as number) + 1;
      left--;
    }
    instruments.forEach((instrument, i) => {
      this.walk(
        instrument,
        counts[i] as number,
        this.targets.get(instrument.id) ?? new Dec(0),
        this.inflows.get(instrument.id) ?? [],
      );
    });
  }

  private middleOutcome(): OrderOutcome {
    const roll = this.rng.next();
    if (roll < 0.72) return 'filled';
    if (roll < 0.86) return 'cancelled';
    if (roll < 0.96) return 'partial-cancelled';
    return 'rejected';
  }

  /**
   * k orders over the year whose fills, together with assignment inflows, end at the target
   * quantity: k − 1 random orders that never sell more than held, then one closing order that makes
   * up the difference (or, when there is none, an order that does not fill).
   */
  private walk(instrument: SimInstrument, k: number, target: Dec, inflows: Inflow[]): void {
    const { rng, b } = this;
    const times: number[] = [];
    for (let i = 0; i < k - 1; i++) times.push(b.marketTimeBetween(this.start, this.end));
    times.sort((x, y) => x - y);
    for (let i = 1; i < times.length; i++)
      times[i] = Math.max(times[i] as number, (times[i - 1] as number) + 60_000);
    // The closing order is recent (it may still be open) and comes after everything else.
    let finalAt = Math.max(
      b.marketTimeBetween(this.now - 30 * MS_PER_DAY, this.end),
      (times.at(-1) ?? 0) + 60_000,
    );
    const lastInflow = inflows.reduce((max, inflow) => Math.max(max, inflow.atMs), 0);
    if (lastInflow >= finalAt) {
      let day = lastInflow + MS_PER_DAY;
      while (isWeekend(day)) day += MS_PER_DAY;
      finalAt = b.marketTime(day);
    }
    times.push(finalAt);
    const prices: Dec[] = new Array(k);
    let price = b.currentPrice(instrument);
    for (let i = k - 1; i >= 0; i--) {
      price = price.mul(new Dec(rng.int(-350, 350)).div(10_000).add(1)).toDecimalPlaces(2);
      prices[i] = Dec.max(price, new Dec('0.50'));
    }
    const maxLot = this.maxLot(instrument);
    const pending = [...inflows].sort((x, y) => x.atMs - y.atMs);
    let held = new Dec(0);
    const absorbInflows = (beforeMs: number) => {
      while (pending.length > 0 && (pending[0] as Inflow).atMs < beforeMs)
        held = held.add((pending.shift() as Inflow).quantity);
    };
    const place = (
      i: number,
      side: 'buy' | 'sell',
      quantity: Dec,
      outcome: OrderOutcome,
      extra: { filledQuantity?: Dec; executions?: number } = {},
    ) => {
      const { filled } = b.stockOrderWithFill({
        account: this.account,
        instrument,
        side,
        quantity,
        at: times[i] as number,
        outcome,
        price: prices[i] as Dec,
        ...extra,
      });
      held = side === 'buy' ? held.add(filled) : held.sub(filled);
    };

    for (let i = 0; i < k - 1; i++) {
      absorbInflows(times[i] as number);
      const sell = held.gte(1) && rng.chance(0.42);
      const quantity = new Dec(sell ? rng.int(1, held.floor().toNumber()) : rng.int(1, maxLot));
      const outcome = this.middleOutcome();
      place(i, sell ? 'sell' : 'buy', quantity, outcome, {
        executions: outcome === 'filled' && quantity.gte(2) && rng.chance(0.15) ? rng.int(2, 4) : 1,
      });
    }

    absorbInflows(Number.POSITIVE_INFINITY);
    const delta = target.sub(held);
    const last = k - 1;
    if (!delta.isZero()) {
      const side = delta.gt(0) ? 'buy' : 'sell';
      const amount = delta.abs();
      const roll = rng.next();
      if (roll < 0.62) place(last, side, amount, 'filled');
      else if (roll < 0.76) place(last, side, amount, 'filled', { executions: rng.int(2, 4) });
      else
        place(
          last,
          side,
          amount.add(rng.int(1, 20)),
          roll < 0.88 ? 'partially-filled' : 'partial-cancelled',
          {
            filledQuantity: amount,
          },
        );
      return;
    }
    const sell = held.gte(1) && rng.chance(0.5);
    const quantity = new Dec(sell ? rng.int(1, held.floor().toNumber()) : rng.int(1, maxLot));
    const roll = rng.next();
    place(
      last,
      sell ? 'sell' : 'buy',
      quantity,
      roll < 0.5 ? 'queued' : roll < 0.85 ? 'cancelled' : 'rejected',
    );
  }

  // ---- dividends -------------------------------------------------------------------------------

  private generateDividends(count: number): void {
    const { rng, b } = this;
    const candidates = [...this.open, ...this.closed];
    const opened = this.open.filter((instrument) => this.targets.get(instrument.id)?.gt(0));
    if (candidates.length === 0)
      throw new RangeError(
        `accounts[${this.index}]: dividends need at least one stock (stocks or stockOrders)`,
      );
    const chosen: Array<{ instrument: SimInstrument; recordDate: string }> = [];
    for (let i = 0; i < count; i++) {
      let found: { instrument: SimInstrument; recordDate: string } | null = null;
      for (let attempt = 0; attempt < 25 && !found; attempt++) {
        const instrument = rng.pick(candidates);
        const day = b.marketTimeBetween(this.start + 10 * MS_PER_DAY, this.now - MS_PER_DAY);
        const recordDate = isoDate(day);
        if (b.holdingsAt(this.account, instrument, dateToMs(recordDate) + MS_PER_DAY - 1).gt(0))
          found = { instrument, recordDate };
      }
      if (!found) {
        const instrument = opened.length > 0 ? rng.pick(opened) : null;
        const recordDate = isoDate(this.now);
        if (
          !instrument ||
          !b.holdingsAt(this.account, instrument, dateToMs(recordDate) + MS_PER_DAY - 1).gt(0)
        )
          throw new RangeError(`accounts[${this.index}]: no shares held on any day to pay a dividend on`);
        found = { instrument, recordDate };
      }
      chosen.push(found);
    }
    chosen.sort((x, y) => (x.recordDate < y.recordDate ? -1 : x.recordDate > y.recordDate ? 1 : 0));
    for (const { instrument, recordDate } of chosen) {
      const stillOpen = this.targets.get(instrument.id)?.gt(0) ?? false;
      b.dividend({
        account: this.account,
        instrument,
        recordDate,
        payableDate: addBusinessDays(recordDate, rng.int(5, 20)),
        rate: this.pool.dividendRate(instrument),
        drip: stillOpen && rng.chance(0.35),
      });
    }
  }
}
