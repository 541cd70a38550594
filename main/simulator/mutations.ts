/**
 * Small, documented edits tests make between sync cycles: a new stock order (filled or open) and
 * filling an open one. The stock position of that account and instrument is re-derived by FIFO from
 * every execution (and assignment) in the state, so positions keep matching the history.
 * Cash balances are not changed.
 */
import { randomUUID } from 'node:crypto';
import { Dec } from '../util/money.js';
import { fifo } from './builder.js';
import type { Lookups } from './lookups.js';
import { isoDate, isoFromDate, nextBusinessDay, timeToMicros } from './time.js';
import type { NewStockOrder, ScenarioState, SimExecution, SimStockOrder } from './types.js';

const OPEN = new Set(['queued', 'confirmed', 'partially_filled']);

export function addStockOrder(
  state: ScenarioState,
  lookups: Lookups,
  now: Date,
  spec: NewStockOrder,
): SimStockOrder {
  const account = spec.accountNumber ? lookups.account(spec.accountNumber) : state.accounts[0];
  if (!account) throw new RangeError('addStockOrder: unknown account');
  const instrument = lookups.instrumentBySymbol(spec.symbol);
  if (!instrument) throw new RangeError(`addStockOrder: unknown symbol ${spec.symbol}`);
  const quantity = new Dec(spec.quantity);
  if (!quantity.gt(0)) throw new RangeError('addStockOrder: quantity must be positive');
  const price = new Dec(spec.price ?? lookups.quote(instrument.id)?.lastTradePrice ?? '1');
  const at = spec.at ?? now;
  const iso = isoFromDate(at);
  const filled = (spec.state ?? 'filled') === 'filled';
  const order: SimStockOrder = {
    id: randomUUID(),
    refId: randomUUID(),
    accountNumber: account.accountNumber,
    instrumentId: instrument.id,
    side: spec.side,
    type: filled ? 'market' : 'limit',
    timeInForce: filled ? 'gfd' : 'gtc',
    trigger: 'immediate',
    price: price.toFixed(8),
    stopPrice: null,
    quantity: quantity.toFixed(8),
    state: filled ? 'filled' : 'confirmed',
    fees: '0.00',
    createdAt: iso,
    updatedAt: iso,
    executions: filled ? [execution(quantity, price, at)] : [],
    dripDividendId: null,
    dollarBasedAmount: null,
    extendedHours: false,
    positionEffect: null,
    rejectReason: null,
  };
  state.stockOrders.push(order);
  rederivePosition(state, account.accountNumber, instrument.id, iso);
  return order;
}

/** Fills what is left of an open stock order in one execution at `price` (default: its limit). */
export function fillOrder(
  state: ScenarioState,
  lookups: Lookups,
  now: Date,
  orderId: string,
  options: { price?: string; at?: Date } = {},
): SimStockOrder {
  const order = lookups.stockOrder(orderId);
  if (!order) throw new RangeError('fillOrder: unknown stock order');
  if (!OPEN.has(order.state)) throw new RangeError(`fillOrder: the order is ${order.state}, not open`);
  const done = order.executions.reduce((sum, e) => sum.add(e.quantity), new Dec(0));
  const left = new Dec(order.quantity).sub(done);
  const at = options.at ?? now;
  const price = new Dec(
    options.price ?? order.price ?? lookups.quote(order.instrumentId)?.lastTradePrice ?? '1',
  );
  if (left.gt(0)) order.executions.push(execution(left, price, at));
  order.state = 'filled';
  order.updatedAt = isoFromDate(at);
  rederivePosition(state, order.accountNumber, order.instrumentId, order.updatedAt);
  return order;
}

function execution(quantity: Dec, price: Dec, at: Date): SimExecution {
  return {
    id: randomUUID(),
    price: price.toFixed(8),
    quantity: quantity.toFixed(8),
    timestamp: isoFromDate(at),
    settlementDate: nextBusinessDay(isoDate(at.getTime())),
  };
}

/** FIFO over every fill and assignment of one account/instrument → its position record. */
export function rederivePosition(
  state: ScenarioState,
  accountNumber: string,
  instrumentId: string,
  updatedAt: string,
): void {
  const entries: Array<{ at: number; seq: number; quantity: Dec; price: Dec }> = [];
  let seq = 0;
  let buys = new Dec(0);
  let sells = new Dec(0);
  for (const order of state.stockOrders) {
    if (order.accountNumber !== accountNumber || order.instrumentId !== instrumentId) continue;
    let done = new Dec(0);
    for (const e of order.executions) {
      const q = new Dec(e.quantity);
      done = done.add(q);
      entries.push({
        at: timeToMicros(e.timestamp),
        seq: ++seq,
        quantity: order.side === 'buy' ? q : q.neg(),
        price: new Dec(e.price),
      });
    }
    if (OPEN.has(order.state)) {
      const left = new Dec(order.quantity).sub(done);
      if (order.side === 'buy') buys = buys.add(left);
      else sells = sells.add(left);
    }
  }
  for (const event of state.optionEvents) {
    if (event.accountNumber !== accountNumber) continue;
    for (const c of event.equityComponents) {
      if (c.instrumentId !== instrumentId) continue;
      const q = new Dec(c.quantity);
      entries.push({
        at: timeToMicros(event.createdAt),
        seq: ++seq,
        quantity: c.side === 'buy' ? q : q.neg(),
        price: new Dec(c.price),
      });
    }
  }
  entries.sort((a, b) => a.at - b.at || a.seq - b.seq);
  if (entries.length === 0) return;
  const result = fifo(entries, 'a test edit');
  const existing = state.stockPositions.find(
    (p) => p.accountNumber === accountNumber && p.instrumentId === instrumentId,
  );
  const fields = {
    quantity: result.quantity.toFixed(8),
    averageBuyPrice: result.averagePrice.toFixed(4),
    sharesHeldForBuys: buys.toFixed(8),
    sharesHeldForSells: Dec.min(sells, result.quantity).toFixed(8),
    updatedAt,
  };
  if (existing) Object.assign(existing, fields);
  else state.stockPositions.push({ accountNumber, instrumentId, createdAt: updatedAt, ...fields });
}
