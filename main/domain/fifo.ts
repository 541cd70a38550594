/**
 * FIFO lot matching: turns filled executions and option events into closed trades and open lots.
 * Pure (no I/O, no clock): the same input always gives the same trades with the same keys, so
 * trade_history can be rewritten delta-wise on every run.
 *
 * Rules
 * - Lots are kept per account and instrument (an option contract is its own instrument), oldest first.
 * - A fill with position effect "open" opens a lot (buy → long, sell → short); "close" closes the
 *   opposite lots (sell closes longs, buy closes shorts). With no effect, a fill first closes
 *   opposite lots and opens a lot with what is left.
 * - Partial closes split lots; partial fills count for what was executed (the input is fills).
 * - Fees: a fill's fees are shared pro rata among the lots it closes (and the lot it opens); a lot's
 *   open fees are charged pro rata to each part of it that closes. realized P&L is after both.
 * - P&L = (close − open) × quantity × multiplier for longs, (open − close) × … for shorts.
 * - Option events close lots at 0 premium: assignment (shorts first), exercise (longs first),
 *   expiration (oldest first). A lot of an option whose expiration date is before `today` that is
 *   still open after everything else, and is not reported open by the broker, is closed as expired
 *   at 0 at 16:00 New York time on its expiration date.
 * - Closing more than is open never opens the other way when the broker said "close": the excess
 *   is reported in `unmatched` (history that starts after the position was opened).
 */
import { createHash } from 'node:crypto';
import type { DecimalString, IsoDate, IsoTime } from '../../shared/models.js';
import { Dec, dec, decString } from '../util/money.js';
import { daysBetween, nyDate, nyMarketClose } from './market-time.js';
import { percentOf } from './position-math.js';
import type { AssetType, CloseReason, Direction, OptionType, PositionEffect, Side } from './vocabulary.js';

/** Fees are shared with this many decimal places; the last share takes the remainder. */
export const FEE_PLACES = 6;

export interface FifoExecution {
  accountNumber: string;
  assetType: AssetType;
  /** Stock instrument id or option instrument id. */
  instrumentKey: string;
  symbol: string;
  optionType: OptionType | null;
  strikePrice: DecimalString | null;
  expirationDate: IsoDate | null;
  /** "1" for stocks, the contract multiplier for options. */
  multiplier: DecimalString;
  side: Side;
  positionEffect: PositionEffect | null;
  quantity: DecimalString;
  /** Per share. */
  price: DecimalString;
  /** This fill's fees in dollars. */
  fees: DecimalString;
  executedAt: IsoTime;
  orderId: string;
  executionId: string;
}

export type OptionEventType = 'expiration' | 'assignment' | 'exercise';

export interface FifoOptionEvent {
  accountNumber: string;
  /** The option instrument id. */
  instrumentKey: string;
  eventId: string;
  type: OptionEventType;
  /** Contracts. */
  quantity: DecimalString;
  eventDate: IsoDate;
}

export interface FifoInput {
  executions: readonly FifoExecution[];
  events?: readonly FifoOptionEvent[];
  /** Today in New York (nyDate(clock.now())). */
  today: IsoDate;
  /** Option instrument ids the broker still reports open: their lots are never expired here. */
  knownOpenInstrumentKeys?: Iterable<string>;
}

export interface ClosedTrade {
  /** Deterministic: the same lot closed by the same fill or event always has the same key. */
  tradeKey: string;
  accountNumber: string;
  assetType: AssetType;
  instrumentKey: string;
  symbol: string;
  optionType: OptionType | null;
  strikePrice: DecimalString | null;
  expirationDate: IsoDate | null;
  multiplier: DecimalString;
  direction: Direction;
  quantity: DecimalString;
  openDate: IsoTime;
  closeDate: IsoTime;
  /** Per share. */
  openPrice: DecimalString;
  /** Per share; 0 for expired, assigned and exercised. */
  closePrice: DecimalString;
  openFees: DecimalString;
  closeFees: DecimalString;
  /** Dollars, after fees. */
  realizedPl: DecimalString;
  /** realizedPl / (openPrice × quantity × multiplier) × 100; null when that cost is 0. */
  realizedPlPercent: DecimalString | null;
  closeReason: CloseReason;
  /** Calendar days between the New York dates of open and close. */
  daysHeld: number;
  openOrderId: string;
  openExecutionId: string;
  closeOrderId: string | null;
  closeExecutionId: string | null;
  closeEventId: string | null;
}

export interface OpenLot {
  accountNumber: string;
  assetType: AssetType;
  instrumentKey: string;
  symbol: string;
  optionType: OptionType | null;
  strikePrice: DecimalString | null;
  expirationDate: IsoDate | null;
  multiplier: DecimalString;
  direction: Direction;
  /** What is still open. */
  quantity: DecimalString;
  openPrice: DecimalString;
  /** Open fees not yet charged to a closed part. */
  openFees: DecimalString;
  openDate: IsoTime;
  openOrderId: string;
  openExecutionId: string;
}

export interface UnmatchedClose {
  accountNumber: string;
  instrumentKey: string;
  symbol: string;
  quantity: DecimalString;
  at: IsoTime;
  source: 'execution' | 'event';
  /** "<orderId>/<executionId>" or the event id. */
  ref: string;
}

export interface FifoResult {
  /** Ordered by close date; ties in the order matched (account, instrument, oldest lot first). */
  trades: ClosedTrade[];
  /** Ordered by account, instrument, open date. */
  openLots: OpenLot[];
  unmatched: UnmatchedClose[];
  /** Executions given twice (same order id and execution id) and counted once. */
  duplicateExecutions: number;
}

// ---- internals ------------------------------------------------------------------------------

interface Instrument {
  accountNumber: string;
  assetType: AssetType;
  instrumentKey: string;
  symbol: string;
  optionType: OptionType | null;
  strikePrice: DecimalString | null;
  expirationDate: IsoDate | null;
  multiplier: Dec;
  multiplierText: DecimalString;
}

interface Lot {
  seq: number;
  direction: Direction;
  qty: Dec;
  fees: Dec;
  price: Dec;
  priceText: DecimalString;
  openedAt: IsoTime;
  openedDay: IsoDate;
  orderId: string;
  executionId: string;
}

type Item =
  | { kind: 'fill'; at: number; rank: 0; exec: FifoExecution }
  | { kind: 'event'; at: number; rank: 1; event: FifoOptionEvent };

interface Group {
  instrument: Instrument;
  items: Item[];
}

const ZERO = new Dec(0);

/** Shares `total` pro rata over portions of `quantity`; the portion that completes it takes the remainder. */
class FeeShare {
  private usedQty = ZERO;
  private usedFees = ZERO;
  constructor(
    private readonly total: Dec,
    private readonly quantity: Dec,
  ) {}
  take(qty: Dec): Dec {
    this.usedQty = this.usedQty.plus(qty);
    if (this.usedQty.gte(this.quantity)) {
      const rest = this.total.minus(this.usedFees);
      this.usedFees = this.total;
      return rest;
    }
    const part = this.total.times(qty).div(this.quantity).toDecimalPlaces(FEE_PLACES);
    this.usedFees = this.usedFees.plus(part);
    return part;
  }
}

/** Splits an order's fees over its fills pro rata by quantity (6 places; the last fill takes the remainder). */
export function allocateFees(total: DecimalString, quantities: readonly DecimalString[]): DecimalString[] {
  const sum = quantities.reduce((acc, q) => acc.plus(q), ZERO);
  if (quantities.length === 0) return [];
  if (sum.isZero())
    return quantities.map((_, i) => (i === quantities.length - 1 ? decString(dec(total)) : '0'));
  const share = new FeeShare(dec(total), sum);
  return quantities.map((q) => decString(share.take(dec(q))));
}

function tradeKeyOf(parts: readonly string[]): string {
  return createHash('sha256').update(parts.join('\u0001')).digest('hex').slice(0, 32);
}

function isoOf(ms: number): IsoTime {
  return new Date(ms).toISOString();
}

function when(ms: number): { at: number; iso: IsoTime; day: IsoDate } {
  const date = new Date(ms);
  return { at: ms, iso: date.toISOString(), day: nyDate(date) };
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const EFFECT_RANK = { open: 0, none: 1, close: 2 } as const;

function compareItems(a: Item, b: Item): number {
  if (a.at !== b.at) return a.at - b.at;
  if (a.rank !== b.rank) return a.rank - b.rank;
  if (a.kind === 'fill' && b.kind === 'fill') {
    const ea = EFFECT_RANK[a.exec.positionEffect ?? 'none'];
    const eb = EFFECT_RANK[b.exec.positionEffect ?? 'none'];
    if (ea !== eb) return ea - eb;
    return compareText(a.exec.orderId, b.exec.orderId) || compareText(a.exec.executionId, b.exec.executionId);
  }
  if (a.kind === 'event' && b.kind === 'event') return compareText(a.event.eventId, b.event.eventId);
  return 0;
}

function parseTime(value: string, what: string): number {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new TypeError(`${what}: not a time`);
  return ms;
}

// ---- the matcher ----------------------------------------------------------------------------

export function matchLots(input: FifoInput): FifoResult {
  const groups = new Map<string, Group>();
  const seenFills = new Set<string>();
  let duplicateExecutions = 0;

  for (const exec of input.executions) {
    const fillId = `${exec.orderId}\u0000${exec.executionId}`;
    if (seenFills.has(fillId)) {
      duplicateExecutions++;
      continue;
    }
    seenFills.add(fillId);
    const qty = dec(exec.quantity);
    if (qty.isNegative())
      throw new TypeError(`execution ${exec.orderId}/${exec.executionId}: negative quantity`);
    if (qty.isZero()) continue;
    const key = `${exec.accountNumber}\u0000${exec.instrumentKey}`;
    let group = groups.get(key);
    if (!group) {
      group = {
        instrument: {
          accountNumber: exec.accountNumber,
          assetType: exec.assetType,
          instrumentKey: exec.instrumentKey,
          symbol: exec.symbol,
          optionType: exec.optionType,
          strikePrice: exec.strikePrice,
          expirationDate: exec.expirationDate,
          multiplier: dec(exec.multiplier),
          multiplierText: exec.multiplier,
        },
        items: [],
      };
      groups.set(key, group);
    }
    group.items.push({
      kind: 'fill',
      at: parseTime(exec.executedAt, `execution ${exec.executionId}`),
      rank: 0,
      exec,
    });
  }

  const unmatched: UnmatchedClose[] = [];
  for (const event of input.events ?? []) {
    const group = groups.get(`${event.accountNumber}\u0000${event.instrumentKey}`);
    const at = nyMarketClose(event.eventDate).getTime();
    if (!group) {
      // An event for a contract with no fills in the history: nothing to close.
      if (!dec(event.quantity).isZero()) {
        unmatched.push({
          accountNumber: event.accountNumber,
          instrumentKey: event.instrumentKey,
          symbol: '',
          quantity: decString(dec(event.quantity)),
          at: isoOf(at),
          source: 'event',
          ref: event.eventId,
        });
      }
      continue;
    }
    group.items.push({ kind: 'event', at, rank: 1, event });
  }

  const knownOpen = new Set(input.knownOpenInstrumentKeys ?? []);
  const trades: ClosedTrade[] = [];
  const openLots: OpenLot[] = [];

  const orderedGroups = [...groups.values()].sort(
    (a, b) =>
      compareText(a.instrument.accountNumber, b.instrument.accountNumber) ||
      compareText(a.instrument.instrumentKey, b.instrument.instrumentKey),
  );

  for (const group of orderedGroups) {
    const inst = group.instrument;
    const queues: Record<Direction, Lot[]> = { long: [], short: [] };
    const heads: Record<Direction, number> = { long: 0, short: 0 };
    let seq = 0;

    const openLot = (exec: FifoExecution, qty: Dec, fees: Dec, at: number) => {
      const direction: Direction = exec.side === 'buy' ? 'long' : 'short';
      const openedAt = new Date(at);
      queues[direction].push({
        seq: seq++,
        direction,
        qty,
        fees,
        price: dec(exec.price),
        priceText: decString(dec(exec.price)),
        openedAt: openedAt.toISOString(),
        openedDay: nyDate(openedAt),
        orderId: exec.orderId,
        executionId: exec.executionId,
      });
    };

    interface Closer {
      at: number;
      iso: IsoTime;
      day: IsoDate;
      price: Dec;
      reason: CloseReason;
      ref: string;
      orderId: string | null;
      executionId: string | null;
      eventId: string | null;
    }

    const closeTrade = (lot: Lot, take: Dec, closer: Closer, closeFees: Dec) => {
      const openFees = take.gte(lot.qty)
        ? lot.fees
        : lot.fees.times(take).div(lot.qty).toDecimalPlaces(FEE_PLACES);
      lot.fees = lot.fees.minus(openFees);
      lot.qty = lot.qty.minus(take);
      const units = take.times(inst.multiplier);
      const gross =
        lot.direction === 'long'
          ? closer.price.minus(lot.price).times(units)
          : lot.price.minus(closer.price).times(units);
      const pl = gross.minus(openFees).minus(closeFees);
      const closeIso = closer.iso;
      trades.push({
        tradeKey: tradeKeyOf([
          'v1',
          inst.accountNumber,
          inst.assetType,
          inst.instrumentKey,
          lot.orderId,
          lot.executionId,
          closer.ref,
        ]),
        accountNumber: inst.accountNumber,
        assetType: inst.assetType,
        instrumentKey: inst.instrumentKey,
        symbol: inst.symbol,
        optionType: inst.optionType,
        strikePrice: inst.strikePrice,
        expirationDate: inst.expirationDate,
        multiplier: inst.multiplierText,
        direction: lot.direction,
        quantity: decString(take),
        openDate: lot.openedAt,
        closeDate: closeIso,
        openPrice: lot.priceText,
        closePrice: decString(closer.price),
        openFees: decString(openFees),
        closeFees: decString(closeFees),
        realizedPl: decString(pl),
        realizedPlPercent: percentOf(pl, lot.price.times(units)),
        closeReason: closer.reason,
        daysHeld: daysBetween(lot.openedDay, closer.day),
        openOrderId: lot.orderId,
        openExecutionId: lot.executionId,
        closeOrderId: closer.orderId,
        closeExecutionId: closer.executionId,
        closeEventId: closer.eventId,
      });
    };

    /** Closes up to `qty` from the lots of `direction` (or the oldest of either); returns what is left. */
    const closeLots = (
      prefer: Direction | 'oldest',
      qty: Dec,
      closer: Closer,
      fees: FeeShare | null,
    ): Dec => {
      let left = qty;
      while (left.gt(0)) {
        let direction: Direction | null;
        if (prefer === 'oldest') {
          const l = queues.long[heads.long];
          const s = queues.short[heads.short];
          direction = l && s ? (l.seq < s.seq ? 'long' : 'short') : l ? 'long' : s ? 'short' : null;
        } else {
          direction = queues[prefer][heads[prefer]] ? prefer : null;
        }
        if (!direction) break;
        const lot = queues[direction][heads[direction]] as Lot;
        const take = Dec.min(lot.qty, left);
        closeTrade(lot, take, closer, fees ? fees.take(take) : ZERO);
        left = left.minus(take);
        if (lot.qty.isZero()) heads[direction]++;
      }
      return left;
    };

    group.items.sort(compareItems);
    for (const item of group.items) {
      if (item.kind === 'fill') {
        const exec = item.exec;
        const qty = dec(exec.quantity);
        const fees = new FeeShare(dec(exec.fees), qty);
        if (exec.positionEffect === 'open') {
          openLot(exec, qty, fees.take(qty), item.at);
          continue;
        }
        const closer: Closer = {
          ...when(item.at),
          price: dec(exec.price),
          reason: 'closed',
          ref: `x:${exec.orderId}:${exec.executionId}`,
          orderId: exec.orderId,
          executionId: exec.executionId,
          eventId: null,
        };
        const opposite: Direction = exec.side === 'sell' ? 'long' : 'short';
        const left = closeLots(opposite, qty, closer, fees);
        if (left.isZero()) continue;
        if (exec.positionEffect === 'close') {
          unmatched.push({
            accountNumber: inst.accountNumber,
            instrumentKey: inst.instrumentKey,
            symbol: inst.symbol,
            quantity: decString(left),
            at: isoOf(item.at),
            source: 'execution',
            ref: `${exec.orderId}/${exec.executionId}`,
          });
        } else {
          openLot(exec, left, fees.take(left), item.at);
        }
      } else {
        const event = item.event;
        const reason: CloseReason =
          event.type === 'assignment' ? 'assigned' : event.type === 'exercise' ? 'exercised' : 'expired';
        const closer: Closer = {
          ...when(item.at),
          price: ZERO,
          reason,
          ref: `e:${event.eventId}`,
          orderId: null,
          executionId: null,
          eventId: event.eventId,
        };
        const qty = dec(event.quantity);
        let left = qty;
        if (event.type === 'assignment') left = closeLots('short', left, closer, null);
        else if (event.type === 'exercise') left = closeLots('long', left, closer, null);
        left = closeLots('oldest', left, closer, null);
        if (left.gt(0)) {
          unmatched.push({
            accountNumber: inst.accountNumber,
            instrumentKey: inst.instrumentKey,
            symbol: inst.symbol,
            quantity: decString(left),
            at: isoOf(item.at),
            source: 'event',
            ref: event.eventId,
          });
        }
      }
    }

    const expired =
      inst.assetType === 'option' &&
      inst.expirationDate !== null &&
      inst.expirationDate < input.today &&
      !knownOpen.has(inst.instrumentKey);
    if (expired && inst.expirationDate) {
      const closer: Closer = {
        ...when(nyMarketClose(inst.expirationDate).getTime()),
        price: ZERO,
        reason: 'expired',
        ref: 'expired',
        orderId: null,
        executionId: null,
        eventId: null,
      };
      closeLots('oldest', new Dec(Number.MAX_SAFE_INTEGER), closer, null);
    }

    const remaining = [...queues.long.slice(heads.long), ...queues.short.slice(heads.short)]
      .filter((lot) => lot.qty.gt(0))
      .sort((a, b) => a.seq - b.seq);
    for (const lot of remaining) {
      openLots.push({
        accountNumber: inst.accountNumber,
        assetType: inst.assetType,
        instrumentKey: inst.instrumentKey,
        symbol: inst.symbol,
        optionType: inst.optionType,
        strikePrice: inst.strikePrice,
        expirationDate: inst.expirationDate,
        multiplier: inst.multiplierText,
        direction: lot.direction,
        quantity: decString(lot.qty),
        openPrice: lot.priceText,
        openFees: decString(lot.fees),
        openDate: lot.openedAt,
        openOrderId: lot.orderId,
        openExecutionId: lot.executionId,
      });
    }
  }

  // Stable: trades closing at the same time keep the order they were matched in (account,
  // instrument, then oldest lot first), which is itself deterministic.
  trades.sort((a, b) => compareText(a.closeDate, b.closeDate));
  return { trades, openLots, unmatched, duplicateExecutions };
}
