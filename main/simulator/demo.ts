/**
 * The `--demo` scenario: a small, hand-written account history that shows every kind of record the
 * app has to handle, on familiar symbols.
 *
 * Margin account: AAPL (multi-execution fill, cancelled, cancelled after a partial fill, an open
 * partially filled sell), MSFT (rejected sell), NVDA (open buy), KO (a short put assigned into
 * 100 shares), AMZN, TSLA (bought and sold out); options: an AAPL call debit spread (one strategy,
 * two legs), a long NVDA call partly closed, a short MSFT put, an AMZN put bought and sold, a TSLA
 * call that expired worthless without a closing order, a cancelled order.
 * Roth IRA: VTI (dividends reinvested, fractional shares), GOOGL, SCHD (paid and pending
 * dividends), META (closed).
 */
import { Dec } from '../util/money.js';
import { ScenarioBuilder } from './builder.js';
import { CATALOG } from './catalog.js';
import { Rng } from './random.js';
import { addBusinessDays, dateToMs, fridayAfter, fridayBefore, isoDate, MS_PER_DAY } from './time.js';
import type { Scenario, SimAccount, SimInstrument, SimUser } from './types.js';

/** The simulator's login (the demo's, and every test scenario's unless it names its own users). */
export const DEFAULT_USER: Readonly<SimUser> = Object.freeze({
  username: 'demo@example.com',
  password: 'demo-password',
  flow: 'direct',
});

const DEMO_SEED = 20_241_221;

export function demoScenario(now: Date = new Date()): Scenario {
  if (Number.isNaN(now.getTime())) throw new RangeError('now must be a valid date');
  const b = new ScenarioBuilder(new Rng(DEMO_SEED), now, DEMO_SEED);
  const nowMs = b.nowMs;
  b.addUser({ ...DEFAULT_USER });

  const listing = (symbol: string): SimInstrument => {
    const entry = CATALOG.find((candidate) => candidate.symbol === symbol);
    if (!entry) throw new Error(`demo symbol ${symbol} is not in the catalog`);
    return b.addInstrument(entry);
  };
  const [AAPL, MSFT, NVDA, KO, AMZN, TSLA, VTI, GOOGL, SCHD, META] = [
    'AAPL',
    'MSFT',
    'NVDA',
    'KO',
    'AMZN',
    'TSLA',
    'VTI',
    'GOOGL',
    'SCHD',
    'META',
  ].map(listing) as [
    SimInstrument,
    SimInstrument,
    SimInstrument,
    SimInstrument,
    SimInstrument,
    SimInstrument,
    SimInstrument,
    SimInstrument,
    SimInstrument,
    SimInstrument,
  ];

  const margin = b.addAccount({
    accountNumber: '6MS30417',
    type: 'margin',
    brokerageAccountType: 'individual',
    cash: '8420.5500',
    openedDaysAgo: 1400,
  });
  const roth = b.addAccount({
    accountNumber: '6MS30982',
    type: 'cash',
    brokerageAccountType: 'ira_roth',
    cash: '1250.0000',
    openedDaysAgo: 800,
  });

  const daysAgo = (days: number) => b.marketTime(nowMs - days * MS_PER_DAY);
  /** The price `days` ago: today's price bent by a gentle, fixed drift. */
  const priceAgo = (instrument: SimInstrument, days: number, bend = '0') =>
    b
      .currentPrice(instrument)
      .mul(new Dec(1).sub(new Dec(days).mul('0.0006')).add(bend))
      .toDecimalPlaces(2);
  const stock = (
    account: SimAccount,
    instrument: SimInstrument,
    days: number,
    side: 'buy' | 'sell',
    quantity: number,
    outcome: Parameters<ScenarioBuilder['stockOrder']>[0]['outcome'] = 'filled',
    extra: { executions?: number; filledQuantity?: number; type?: 'market' | 'limit' } = {},
  ) =>
    b.stockOrder({
      account,
      instrument,
      side,
      quantity: String(quantity),
      at: daysAgo(days),
      outcome,
      price: priceAgo(instrument, days),
      executions: extra.executions,
      filledQuantity: extra.filledQuantity === undefined ? undefined : String(extra.filledQuantity),
      type: extra.type,
    });

  // ---- margin account: stocks ------------------------------------------------------------------
  stock(margin, AAPL, 330, 'buy', 10);
  stock(margin, AAPL, 300, 'buy', 15, 'cancelled', { type: 'limit' });
  stock(margin, AAPL, 250, 'buy', 20, 'filled', { executions: 3 });
  stock(margin, AAPL, 190, 'sell', 12);
  stock(margin, AAPL, 120, 'sell', 10, 'partial-cancelled', { filledQuantity: 4 });
  stock(margin, AAPL, 45, 'buy', 5);
  stock(margin, AAPL, 3, 'sell', 10, 'partially-filled', { filledQuantity: 3 });

  stock(margin, MSFT, 280, 'buy', 8);
  stock(margin, MSFT, 150, 'buy', 4, 'filled', { executions: 2 });
  stock(margin, MSFT, 20, 'sell', 2, 'rejected', { type: 'limit' });

  stock(margin, NVDA, 340, 'buy', 50);
  stock(margin, NVDA, 260, 'sell', 30);
  stock(margin, NVDA, 200, 'buy', 20);
  stock(margin, NVDA, 90, 'buy', 10, 'partial-cancelled', { filledQuantity: 6 });
  stock(margin, NVDA, 4, 'buy', 5, 'queued');

  stock(margin, KO, 310, 'buy', 60, 'filled', { executions: 2 });
  stock(margin, AMZN, 220, 'buy', 12);
  stock(margin, AMZN, 60, 'buy', 3);
  stock(margin, TSLA, 240, 'buy', 10);
  stock(margin, TSLA, 150, 'sell', 10, 'filled', { executions: 2 });

  // ---- margin account: options -----------------------------------------------------------------
  // AAPL call debit spread: one strategy, two legs.
  const aaplExpiry = fridayAfter(nowMs, 4);
  const aapl235 = b.optionInstrument(AAPL, aaplExpiry, '235', 'call');
  const aapl245 = b.optionInstrument(AAPL, aaplExpiry, '245', 'call');
  b.optionOrder({
    account: margin,
    legs: [
      { option: aapl235, side: 'buy', effect: 'open', price: '6.85' },
      { option: aapl245, side: 'sell', effect: 'open', price: '3.10' },
    ],
    quantity: 2,
    at: daysAgo(12),
    outcome: 'filled',
    strategy: 'long_call_spread',
  });

  // NVDA long call, filled in two executions, one contract sold later.
  const nvda150 = b.optionInstrument(NVDA, fridayAfter(nowMs, 6), '150', 'call');
  b.optionOrder({
    account: margin,
    legs: [{ option: nvda150, side: 'buy', effect: 'open', price: '4.20' }],
    quantity: 3,
    at: daysAgo(20),
    outcome: 'filled',
    executions: 2,
    strategy: 'long_call',
  });
  b.optionOrder({
    account: margin,
    legs: [{ option: nvda150, side: 'sell', effect: 'close', price: '5.05' }],
    quantity: 1,
    at: daysAgo(5),
    outcome: 'filled',
    strategy: 'long_call',
  });
  const nvda160 = b.optionInstrument(NVDA, fridayAfter(nowMs, 6), '160', 'call');
  b.optionOrder({
    account: margin,
    legs: [{ option: nvda160, side: 'buy', effect: 'open', price: '1.60' }],
    quantity: 2,
    at: daysAgo(9),
    outcome: 'cancelled',
    strategy: 'long_call',
  });

  // MSFT cash-secured put, still open.
  const msft400 = b.optionInstrument(MSFT, fridayAfter(nowMs, 3), '400', 'put');
  b.optionOrder({
    account: margin,
    legs: [{ option: msft400, side: 'sell', effect: 'open', price: '5.40' }],
    quantity: 1,
    at: daysAgo(8),
    outcome: 'filled',
    strategy: 'short_put',
  });

  // AMZN put bought and sold at a loss.
  const amznOpenDays = 140;
  const amznPut = b.optionInstrument(AMZN, fridayAfter(nowMs - amznOpenDays * MS_PER_DAY, 5), '185', 'put');
  b.optionOrder({
    account: margin,
    legs: [{ option: amznPut, side: 'buy', effect: 'open', price: '3.75' }],
    quantity: 2,
    at: daysAgo(amznOpenDays),
    outcome: 'filled',
    strategy: 'long_put',
  });
  b.optionOrder({
    account: margin,
    legs: [{ option: amznPut, side: 'sell', effect: 'close', price: '1.95' }],
    quantity: 2,
    at: daysAgo(amznOpenDays - 21),
    outcome: 'filled',
    strategy: 'long_put',
  });

  // TSLA call held to expiry, expired worthless: no closing order, one expiration event.
  const tslaExpiry = fridayBefore(nowMs, 11);
  const tsla280 = b.optionInstrument(TSLA, tslaExpiry, '280', 'call');
  b.optionOrder({
    account: margin,
    legs: [{ option: tsla280, side: 'buy', effect: 'open', price: '2.35' }],
    quantity: 1,
    at: b.marketTime(dateToMs(tslaExpiry) - 24 * MS_PER_DAY),
    outcome: 'filled',
    strategy: 'long_call',
  });
  b.optionEvent({
    account: margin,
    option: tsla280,
    side: 'long',
    type: 'expiration',
    quantity: 1,
    underlyingPrice: '251.3800',
  });

  // KO short put assigned: 100 shares bought at the strike.
  const koExpiry = fridayBefore(nowMs, 14);
  const ko65 = b.optionInstrument(KO, koExpiry, '65', 'put');
  b.optionOrder({
    account: margin,
    legs: [{ option: ko65, side: 'sell', effect: 'open', price: '0.82' }],
    quantity: 1,
    at: b.marketTime(dateToMs(koExpiry) - 30 * MS_PER_DAY),
    outcome: 'filled',
    strategy: 'short_put',
  });
  b.optionEvent({
    account: margin,
    option: ko65,
    side: 'short',
    type: 'assignment',
    quantity: 1,
    underlyingPrice: '63.9100',
  });
  stock(margin, KO, 30, 'sell', 40);

  // ---- Roth IRA --------------------------------------------------------------------------------
  stock(roth, VTI, 350, 'buy', 20);
  stock(roth, VTI, 200, 'buy', 10, 'filled', { executions: 2 });
  stock(roth, GOOGL, 300, 'buy', 25);
  stock(roth, GOOGL, 100, 'sell', 5);
  stock(roth, SCHD, 250, 'buy', 100, 'filled', { executions: 2 });
  stock(roth, SCHD, 60, 'buy', 50);
  stock(roth, META, 280, 'buy', 5);
  stock(roth, META, 30, 'sell', 5);

  // ---- dividends (in record-date order: reinvestments change later positions) -------------------
  const recordDay = (days: number) => isoDate(daysAgo(days));
  const dividends: Array<{
    account: SimAccount;
    instrument: SimInstrument;
    days: number;
    rate: string;
    drip?: boolean;
  }> = [
    { account: margin, instrument: KO, days: 272, rate: '0.4850' },
    { account: roth, instrument: VTI, days: 270, rate: '0.8905', drip: true },
    { account: roth, instrument: SCHD, days: 190, rate: '0.2490' },
    { account: margin, instrument: KO, days: 181, rate: '0.4850' },
    { account: roth, instrument: VTI, days: 180, rate: '0.9202', drip: true },
    { account: margin, instrument: AAPL, days: 170, rate: '0.2500' },
    { account: margin, instrument: MSFT, days: 95, rate: '0.8300' },
    { account: margin, instrument: KO, days: 90, rate: '0.5100' },
    { account: roth, instrument: VTI, days: 88, rate: '0.9310', drip: true },
    { account: roth, instrument: SCHD, days: 80, rate: '0.2650' },
    { account: margin, instrument: KO, days: 4, rate: '0.5100' },
    { account: roth, instrument: SCHD, days: 3, rate: '0.2650' },
  ];
  for (const d of dividends) {
    const recordDate = recordDay(d.days);
    b.dividend({
      account: d.account,
      instrument: d.instrument,
      recordDate,
      payableDate: addBusinessDays(recordDate, 15),
      rate: d.rate,
      drip: d.drip,
      dripPrice: priceAgo(d.instrument, Math.max(0, d.days - 21)),
    });
  }

  return b.build();
}
