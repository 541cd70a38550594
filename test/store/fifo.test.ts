import { describe, expect, it } from 'vitest';
import { allocateFees, type FifoExecution, type FifoOptionEvent, matchLots } from '../../main/domain/fifo.js';
import { dec } from '../../main/util/money.js';

const ACCOUNT = '****0001';
let counter = 0;

function fill(
  p: Partial<FifoExecution> & Pick<FifoExecution, 'side' | 'quantity' | 'price' | 'executedAt'>,
): FifoExecution {
  counter++;
  return {
    accountNumber: ACCOUNT,
    assetType: 'stock',
    instrumentKey: 'inst-aapl',
    symbol: 'AAPL',
    optionType: null,
    strikePrice: null,
    expirationDate: null,
    multiplier: '1',
    positionEffect: null,
    fees: '0',
    orderId: `order-${counter}`,
    executionId: `exec-${counter}`,
    ...p,
  };
}

function optionFill(
  p: Partial<FifoExecution> & Pick<FifoExecution, 'side' | 'quantity' | 'price' | 'executedAt'>,
): FifoExecution {
  return fill({
    assetType: 'option',
    instrumentKey: 'opt-f-call-11.5',
    symbol: 'F',
    optionType: 'call',
    strikePrice: '11.5000',
    expirationDate: '2026-03-20',
    multiplier: '100',
    ...p,
  });
}

const TODAY = '2026-03-10';

describe('FIFO: stocks', () => {
  it('closes a long lot with one sell and reports P&L, dates and days held', () => {
    const r = matchLots({
      executions: [
        fill({ side: 'buy', quantity: '10', price: '100', executedAt: '2026-01-05T15:00:00Z' }),
        fill({ side: 'sell', quantity: '10', price: '110.50', executedAt: '2026-01-07T15:00:00Z' }),
      ],
      today: TODAY,
    });
    expect(r.trades).toHaveLength(1);
    const t = r.trades[0];
    expect(t).toMatchObject({
      accountNumber: ACCOUNT,
      assetType: 'stock',
      direction: 'long',
      quantity: '10',
      openPrice: '100',
      closePrice: '110.5',
      realizedPl: '105',
      realizedPlPercent: '10.5',
      closeReason: 'closed',
      openDate: '2026-01-05T15:00:00.000Z',
      closeDate: '2026-01-07T15:00:00.000Z',
      daysHeld: 2,
      closeEventId: null,
    });
    expect(r.openLots).toEqual([]);
    expect(r.unmatched).toEqual([]);
  });

  it('splits a lot over partial closes and charges its open fees pro rata', () => {
    const r = matchLots({
      executions: [
        fill({ side: 'buy', quantity: '10', price: '100', fees: '1.00', executedAt: '2026-01-05T15:00:00Z' }),
        fill({ side: 'sell', quantity: '4', price: '110', fees: '0.50', executedAt: '2026-01-06T15:00:00Z' }),
        fill({ side: 'sell', quantity: '6', price: '90', fees: '0.50', executedAt: '2026-01-07T15:00:00Z' }),
      ],
      today: TODAY,
    });
    expect(r.trades.map((t) => [t.quantity, t.openFees, t.closeFees, t.realizedPl])).toEqual([
      ['4', '0.4', '0.5', '39.1'],
      ['6', '0.6', '0.5', '-61.1'],
    ]);
    expect(r.openLots).toEqual([]);
  });

  it('matches the oldest lots first and keeps the rest open', () => {
    const r = matchLots({
      executions: [
        fill({ side: 'buy', quantity: '5', price: '10', executedAt: '2026-01-05T15:00:00Z' }),
        fill({ side: 'buy', quantity: '5', price: '20', executedAt: '2026-01-06T15:00:00Z' }),
        fill({ side: 'sell', quantity: '7', price: '30', executedAt: '2026-01-08T15:00:00Z' }),
      ],
      today: TODAY,
    });
    expect(r.trades.map((t) => [t.quantity, t.openPrice, t.realizedPl])).toEqual([
      ['5', '10', '100'],
      ['2', '20', '20'],
    ]);
    expect(r.openLots).toHaveLength(1);
    expect(r.openLots[0]).toMatchObject({ quantity: '3', openPrice: '20', direction: 'long' });
  });

  it('splits fees across a fill that closes several lots, exactly to the cent', () => {
    const r = matchLots({
      executions: [
        fill({ side: 'buy', quantity: '1', price: '10', executedAt: '2026-01-05T15:00:00Z' }),
        fill({ side: 'buy', quantity: '1', price: '10', executedAt: '2026-01-05T15:01:00Z' }),
        fill({ side: 'buy', quantity: '1', price: '10', executedAt: '2026-01-05T15:02:00Z' }),
        fill({ side: 'sell', quantity: '3', price: '10', fees: '0.10', executedAt: '2026-01-06T15:00:00Z' }),
      ],
      today: TODAY,
    });
    expect(r.trades.map((t) => t.closeFees)).toEqual(['0.033333', '0.033333', '0.033334']);
    const total = r.trades.reduce((sum, t) => sum.plus(t.realizedPl), dec('0'));
    expect(total.toFixed()).toBe('-0.1');
  });

  it('counts every fill of a partially filled order, and what a cancelled order executed', () => {
    // One order filled in three parts; a second order cancelled after 3 of 10 shares executed.
    const r = matchLots({
      executions: [
        fill({
          side: 'buy',
          quantity: '2',
          price: '50',
          orderId: 'o-1',
          executionId: 'a',
          executedAt: '2026-01-05T15:00:00Z',
        }),
        fill({
          side: 'buy',
          quantity: '3',
          price: '51',
          orderId: 'o-1',
          executionId: 'b',
          executedAt: '2026-01-05T15:00:01Z',
        }),
        fill({
          side: 'buy',
          quantity: '5',
          price: '52',
          orderId: 'o-1',
          executionId: 'c',
          executedAt: '2026-01-05T15:00:02Z',
        }),
        fill({
          side: 'sell',
          quantity: '3',
          price: '60',
          orderId: 'o-cancelled',
          executionId: 'x',
          executedAt: '2026-01-06T15:00:00Z',
        }),
      ],
      today: TODAY,
    });
    expect(r.trades.map((t) => [t.openExecutionId, t.quantity, t.realizedPl])).toEqual([
      ['a', '2', '20'],
      ['b', '1', '9'],
    ]);
    expect(r.openLots.map((l) => [l.openExecutionId, l.quantity])).toEqual([
      ['b', '2'],
      ['c', '5'],
    ]);
  });

  it('without a position effect, a fill that crosses zero closes the longs and opens a short with the rest', () => {
    const r = matchLots({
      executions: [
        fill({ side: 'buy', quantity: '10', price: '100', executedAt: '2026-01-05T15:00:00Z' }),
        fill({ side: 'sell', quantity: '15', price: '110', fees: '1.5', executedAt: '2026-01-06T15:00:00Z' }),
        fill({ side: 'buy', quantity: '5', price: '105', executedAt: '2026-01-07T15:00:00Z' }),
      ],
      today: TODAY,
    });
    expect(r.trades.map((t) => [t.direction, t.quantity, t.openFees, t.closeFees, t.realizedPl])).toEqual([
      ['long', '10', '0', '1', '99'],
      ['short', '5', '0.5', '0', '24.5'],
    ]);
    expect(r.openLots).toEqual([]);
  });

  it('reports a close with nothing open as unmatched instead of opening the other way', () => {
    const r = matchLots({
      executions: [
        fill({
          side: 'sell',
          quantity: '4',
          price: '10',
          positionEffect: 'close',
          executedAt: '2026-01-06T15:00:00Z',
        }),
      ],
      today: TODAY,
    });
    expect(r.trades).toEqual([]);
    expect(r.openLots).toEqual([]);
    expect(r.unmatched).toEqual([
      {
        accountNumber: ACCOUNT,
        instrumentKey: 'inst-aapl',
        symbol: 'AAPL',
        quantity: '4',
        at: '2026-01-06T15:00:00.000Z',
        source: 'execution',
        ref: expect.stringMatching(/^order-\d+\/exec-\d+$/),
      },
    ]);
  });

  it('keeps lots apart per account and per instrument', () => {
    const r = matchLots({
      executions: [
        fill({ side: 'buy', quantity: '1', price: '10', executedAt: '2026-01-05T15:00:00Z' }),
        fill({
          side: 'buy',
          quantity: '1',
          price: '10',
          accountNumber: '****0002',
          executedAt: '2026-01-05T15:00:00Z',
        }),
        fill({
          side: 'sell',
          quantity: '1',
          price: '12',
          instrumentKey: 'inst-msft',
          symbol: 'MSFT',
          executedAt: '2026-01-06T15:00:00Z',
        }),
        fill({
          side: 'sell',
          quantity: '1',
          price: '11',
          accountNumber: '****0002',
          executedAt: '2026-01-06T15:00:00Z',
        }),
      ],
      today: TODAY,
    });
    expect(r.trades.map((t) => [t.accountNumber, t.symbol, t.direction, t.realizedPl])).toEqual([
      ['****0002', 'AAPL', 'long', '1'],
    ]);
    expect(r.openLots.map((l) => [l.accountNumber, l.symbol, l.direction]).sort()).toEqual([
      ['****0001', 'AAPL', 'long'],
      ['****0001', 'MSFT', 'short'],
    ]);
  });
});

describe('FIFO: options', () => {
  it('matches a short option (sell to open, buy to close) per share × multiplier, after fees', () => {
    const r = matchLots({
      executions: [
        optionFill({
          side: 'sell',
          positionEffect: 'open',
          quantity: '2',
          price: '1.50',
          fees: '0.06',
          executedAt: '2026-03-02T15:00:00Z',
        }),
        optionFill({
          side: 'buy',
          positionEffect: 'close',
          quantity: '2',
          price: '0.50',
          fees: '0.06',
          executedAt: '2026-03-05T15:00:00Z',
        }),
      ],
      today: TODAY,
    });
    expect(r.trades).toHaveLength(1);
    expect(r.trades[0]).toMatchObject({
      assetType: 'option',
      symbol: 'F',
      optionType: 'call',
      strikePrice: '11.5000',
      expirationDate: '2026-03-20',
      multiplier: '100',
      direction: 'short',
      quantity: '2',
      openPrice: '1.5',
      closePrice: '0.5',
      realizedPl: '199.88',
      closeReason: 'closed',
    });
    expect(r.trades[0]?.realizedPlPercent).toBe('66.6267');
  });

  it('treats the legs of a multi-leg order as independent positions', () => {
    const spread = { orderId: 'spread-open' };
    const close = { orderId: 'spread-close' };
    const longLeg = { instrumentKey: 'opt-100c', strikePrice: '100', symbol: 'AAPL' };
    const shortLeg = { instrumentKey: 'opt-105c', strikePrice: '105', symbol: 'AAPL' };
    const r = matchLots({
      executions: [
        optionFill({
          ...spread,
          ...longLeg,
          executionId: 'l1',
          side: 'buy',
          positionEffect: 'open',
          quantity: '1',
          price: '3.00',
          executedAt: '2026-03-02T15:00:00Z',
        }),
        optionFill({
          ...spread,
          ...shortLeg,
          executionId: 's1',
          side: 'sell',
          positionEffect: 'open',
          quantity: '1',
          price: '1.00',
          executedAt: '2026-03-02T15:00:00Z',
        }),
        optionFill({
          ...close,
          ...longLeg,
          executionId: 'l2',
          side: 'sell',
          positionEffect: 'close',
          quantity: '1',
          price: '4.50',
          executedAt: '2026-03-06T15:00:00Z',
        }),
        optionFill({
          ...close,
          ...shortLeg,
          executionId: 's2',
          side: 'buy',
          positionEffect: 'close',
          quantity: '1',
          price: '1.75',
          executedAt: '2026-03-06T15:00:00Z',
        }),
      ],
      today: TODAY,
    });
    expect(r.trades.map((t) => [t.instrumentKey, t.direction, t.realizedPl]).sort()).toEqual([
      ['opt-100c', 'long', '150'],
      ['opt-105c', 'short', '-75'],
    ]);
    expect(new Set(r.trades.map((t) => t.tradeKey)).size).toBe(2);
  });

  it('expires a lot left open after its expiration date at 0, at 16:00 New York time', () => {
    const executions = [
      optionFill({
        side: 'buy',
        positionEffect: 'open',
        quantity: '1',
        price: '2.00',
        fees: '0.03',
        executedAt: '2026-03-02T15:00:00Z',
      }),
    ];
    const onExpiryDay = matchLots({ executions, today: '2026-03-20' });
    expect(onExpiryDay.trades).toEqual([]);
    expect(onExpiryDay.openLots).toHaveLength(1);

    const after = matchLots({ executions, today: '2026-03-23' });
    expect(after.openLots).toEqual([]);
    expect(after.trades).toHaveLength(1);
    expect(after.trades[0]).toMatchObject({
      closeReason: 'expired',
      closePrice: '0',
      realizedPl: '-200.03',
      // 2026-03-20 is in daylight-saving time: 16:00 EDT = 20:00 UTC.
      closeDate: '2026-03-20T20:00:00.000Z',
      closeOrderId: null,
      closeExecutionId: null,
      closeEventId: null,
    });

    const winter = matchLots({
      executions: [
        optionFill({
          side: 'buy',
          quantity: '1',
          price: '1',
          executedAt: '2026-01-02T15:00:00Z',
          expirationDate: '2026-01-16',
        }),
      ],
      today: '2026-02-01',
    });
    expect(winter.trades[0]?.closeDate).toBe('2026-01-16T21:00:00.000Z');
  });

  it('does not expire a lot the broker still reports open', () => {
    const r = matchLots({
      executions: [
        optionFill({
          side: 'buy',
          positionEffect: 'open',
          quantity: '1',
          price: '2',
          executedAt: '2026-03-02T15:00:00Z',
        }),
      ],
      today: '2026-03-23',
      knownOpenInstrumentKeys: ['opt-f-call-11.5'],
    });
    expect(r.trades).toEqual([]);
    expect(r.openLots).toHaveLength(1);
  });

  it('closes lots on assignment, exercise and expiration events at 0 premium', () => {
    const put = { instrumentKey: 'opt-put', optionType: 'put' as const, strikePrice: '10' };
    const call = { instrumentKey: 'opt-call', optionType: 'call' as const, strikePrice: '12' };
    const events: FifoOptionEvent[] = [
      {
        accountNumber: ACCOUNT,
        instrumentKey: 'opt-put',
        eventId: 'ev-assign',
        type: 'assignment',
        quantity: '1',
        eventDate: '2026-03-20',
      },
      {
        accountNumber: ACCOUNT,
        instrumentKey: 'opt-put',
        eventId: 'ev-expire',
        type: 'expiration',
        quantity: '1',
        eventDate: '2026-03-20',
      },
      {
        accountNumber: ACCOUNT,
        instrumentKey: 'opt-call',
        eventId: 'ev-exercise',
        type: 'exercise',
        quantity: '1',
        eventDate: '2026-03-20',
      },
    ];
    const r = matchLots({
      executions: [
        optionFill({
          ...put,
          side: 'sell',
          positionEffect: 'open',
          quantity: '2',
          price: '1.20',
          fees: '0.04',
          executedAt: '2026-03-02T15:00:00Z',
        }),
        optionFill({
          ...call,
          side: 'buy',
          positionEffect: 'open',
          quantity: '1',
          price: '0.80',
          executedAt: '2026-03-02T15:00:00Z',
        }),
      ],
      events,
      today: '2026-03-23',
    });
    expect(
      r.trades.map((t) => [
        t.closeEventId,
        t.closeReason,
        t.direction,
        t.quantity,
        t.closePrice,
        t.realizedPl,
      ]),
    ).toEqual([
      ['ev-exercise', 'exercised', 'long', '1', '0', '-80'],
      ['ev-assign', 'assigned', 'short', '1', '0', '119.98'],
      ['ev-expire', 'expired', 'short', '1', '0', '119.98'],
    ]);
    expect(r.openLots).toEqual([]);
  });

  it('reports an event with nothing open as unmatched', () => {
    const r = matchLots({
      executions: [],
      events: [
        {
          accountNumber: ACCOUNT,
          instrumentKey: 'nope',
          eventId: 'e1',
          type: 'expiration',
          quantity: '1',
          eventDate: '2026-03-20',
        },
      ],
      today: TODAY,
    });
    expect(r.unmatched).toHaveLength(1);
    expect(r.unmatched[0]).toMatchObject({ source: 'event', ref: 'e1', quantity: '1' });
  });
});

describe('FIFO: determinism', () => {
  const executions = [
    fill({
      side: 'buy',
      quantity: '10',
      price: '100',
      orderId: 'A',
      executionId: '1',
      executedAt: '2026-01-05T15:00:00Z',
    }),
    fill({
      side: 'buy',
      quantity: '5',
      price: '101',
      orderId: 'B',
      executionId: '1',
      executedAt: '2026-01-05T16:00:00Z',
    }),
    fill({
      side: 'sell',
      quantity: '12',
      price: '105',
      orderId: 'C',
      executionId: '1',
      executedAt: '2026-01-06T15:00:00Z',
    }),
    fill({
      side: 'sell',
      quantity: '3',
      price: '99',
      orderId: 'D',
      executionId: '1',
      executedAt: '2026-01-07T15:00:00Z',
    }),
  ];

  it('gives the same trades and keys on every run and in any input order', () => {
    const a = matchLots({ executions, today: TODAY });
    const b = matchLots({ executions: [...executions].reverse(), today: TODAY });
    expect(b).toEqual(a);
    expect(a.trades.map((t) => t.tradeKey)).toEqual(
      matchLots({ executions, today: TODAY }).trades.map((t) => t.tradeKey),
    );
    expect(a.trades.every((t) => /^[0-9a-f]{32}$/.test(t.tradeKey))).toBe(true);
    expect(new Set(a.trades.map((t) => t.tradeKey)).size).toBe(a.trades.length);
  });

  it('counts a fill given twice once', () => {
    const first = executions[0] as FifoExecution;
    const r = matchLots({ executions: [...executions, { ...first }], today: TODAY });
    expect(r.duplicateExecutions).toBe(1);
    expect(r.trades).toEqual(matchLots({ executions, today: TODAY }).trades);
  });

  it('gives different keys to the same fills in another account', () => {
    const other = executions.map((e) => ({ ...e, accountNumber: '****0009' }));
    const keys = new Set(matchLots({ executions, today: TODAY }).trades.map((t) => t.tradeKey));
    for (const t of matchLots({ executions: other, today: TODAY }).trades)
      expect(keys.has(t.tradeKey)).toBe(false);
  });

  it('handles 50,000 executions and conserves every share', () => {
    // A deterministic pseudo-random history over 40 instruments (mulberry32).
    let seed = 42;
    const random = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = seed;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const held = new Map<string, number>();
    const big: FifoExecution[] = [];
    const start = Date.parse('2020-01-01T15:00:00Z');
    for (let i = 0; i < 50_000; i++) {
      const instrument = `inst-${i % 40}`;
      const position = held.get(instrument) ?? 0;
      const sell = position > 0 && random() < 0.45;
      const quantity = sell ? Math.max(1, Math.floor(random() * position)) : 1 + Math.floor(random() * 20);
      held.set(instrument, position + (sell ? -quantity : quantity));
      big.push({
        accountNumber: ACCOUNT,
        assetType: 'stock',
        instrumentKey: instrument,
        symbol: `S${i % 40}`,
        optionType: null,
        strikePrice: null,
        expirationDate: null,
        multiplier: '1',
        side: sell ? 'sell' : 'buy',
        positionEffect: sell ? 'close' : 'open',
        quantity: String(quantity),
        price: (50 + random() * 100).toFixed(2),
        fees: (random() * 0.05).toFixed(2),
        executedAt: new Date(start + i * 60_000).toISOString(),
        orderId: `o-${i}`,
        executionId: `x-${i}`,
      });
    }
    const began = performance.now();
    const r = matchLots({ executions: big, today: '2026-01-01' });
    const elapsed = performance.now() - began;
    console.info(
      `FIFO: 50,000 executions → ${r.trades.length} trades, ${r.openLots.length} open lots in ${elapsed.toFixed(0)} ms`,
    );

    expect(r.unmatched).toEqual([]);
    const closed = new Map<string, number>();
    for (const t of r.trades)
      closed.set(t.instrumentKey, (closed.get(t.instrumentKey) ?? 0) + Number(t.quantity));
    const open = new Map<string, number>();
    for (const l of r.openLots)
      open.set(l.instrumentKey, (open.get(l.instrumentKey) ?? 0) + Number(l.quantity));
    for (const [instrument, position] of held) expect(open.get(instrument) ?? 0).toBe(position);
    const bought = big.filter((e) => e.side === 'buy').reduce((s, e) => s + Number(e.quantity), 0);
    const sold = big.filter((e) => e.side === 'sell').reduce((s, e) => s + Number(e.quantity), 0);
    expect([...closed.values()].reduce((a, b) => a + b, 0)).toBe(sold);
    expect([...open.values()].reduce((a, b) => a + b, 0)).toBe(bought - sold);
    // All fees are charged exactly once: to closed trades or still carried by open lots.
    const fees = big.reduce((s, e) => s.plus(e.fees), dec('0'));
    const charged = r.trades.reduce((s, t) => s.plus(t.openFees).plus(t.closeFees), dec('0'));
    const carried = r.openLots.reduce((s, l) => s.plus(l.openFees), dec('0'));
    expect(charged.plus(carried).toFixed()).toBe(fees.toFixed());
  });
});

describe('allocateFees', () => {
  it('shares an order fee over fills pro rata, the last taking the remainder', () => {
    expect(allocateFees('0.10', ['1', '1', '1'])).toEqual(['0.033333', '0.033333', '0.033334']);
    expect(allocateFees('0.06', ['1', '2'])).toEqual(['0.02', '0.04']);
    expect(allocateFees('1', [])).toEqual([]);
  });
});
