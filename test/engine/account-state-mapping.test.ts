/**
 * Account-state mapping choices of issue 13: the cash the broker's app shows (portfolio_cash, not
 * cash, in a margin account where they differ), and when the stored strategy grouping of option
 * legs stands in for a read of the aggregate positions.
 */
import { describe, expect, it } from 'vitest';
import { parseOne } from '../../main/broker/robinhood/parse.js';
import {
  accountSchema,
  type OptionPosition,
  optionPositionSchema,
  portfolioSchema,
} from '../../main/broker/robinhood/schemas.js';
import { accountInput, snapshotInput } from '../../main/engine/mapping.js';
import { storedStrategies } from '../../main/engine/option-strategies.js';
import type { PositionRecord } from '../../main/store/index.js';
import { fixture } from '../broker/helpers/server.js';

// biome-ignore lint/suspicious/noExplicitAny: recorded payloads are free-form JSON, edited freely in tests
type Json = Record<string, any>;

describe('cash', () => {
  // A margin account whose cash (561.34) and portfolio_cash (314.15) differ, as in a 2020 recording;
  // 314.15 is also its buying power and withdrawable cash.
  const recorded = (fixture<Json>('accounts.json')['results'] as Json[])[0]!;
  const account = parseOne(
    accountSchema,
    {
      ...recorded,
      type: 'margin',
      cash: '561.3400',
      portfolio_cash: '314.1500',
      buying_power: '314.1500',
      cash_available_for_withdrawal: '314.1500',
    },
    'test',
  );
  const portfolio = parseOne(portfolioSchema, fixture('portfolio.json'), 'test');

  it('stores portfolio_cash, the cash the broker app shows, for the account and its snapshot', () => {
    expect(accountInput('****4141', 'robinhood', account, portfolio).cash).toBe('314.1500');
    expect(snapshotInput('****4141', new Date(), account, portfolio, []).cash).toBe('314.1500');
  });

  it('falls back to cash when a payload has no portfolio_cash', () => {
    const old = parseOne(accountSchema, { ...recorded, cash: '561.3400', portfolio_cash: undefined }, 'test');
    expect(accountInput('****4141', 'robinhood', old, portfolio).cash).toBe('561.3400');
  });
});

describe('option strategies from the stored legs', () => {
  const leg = (optionId: string, type: 'long' | 'short', quantity: string): OptionPosition =>
    parseOne(
      optionPositionSchema,
      {
        ...(fixture<Json>('option-positions.json')['results'] as Json[])[0]!,
        id: `${optionId}-p`,
        option_id: optionId,
        type,
        quantity,
      },
      'test',
    );
  const row = (optionId: string, direction: 'long' | 'short', quantity: string, strategyId: string | null) =>
    ({
      instrumentId: optionId,
      direction,
      quantity,
      strategyId,
      strategy: strategyId ? 'call_vertical' : null,
    }) as PositionRecord;

  const stored = [
    row('a', 'long', '2', 's1'),
    row('b', 'short', '2.0000', 's1'),
    row('c', 'long', '1', null),
  ];

  it('keeps the stored grouping when the legs, sides and quantities are the same', () => {
    const map = storedStrategies(
      [leg('a', 'long', '2.0000'), leg('b', 'short', '2'), leg('c', 'long', '1')],
      stored,
    );
    expect(map && Object.fromEntries(map)).toEqual({
      'a:long': { id: 's1', strategy: 'call_vertical' },
      'b:short': { id: 's1', strategy: 'call_vertical' },
    });
  });

  it('asks for the aggregates when a leg is new, gone, or its quantity changed', () => {
    expect(storedStrategies([leg('a', 'long', '2'), leg('b', 'short', '2')], stored)).toBeNull();
    expect(
      storedStrategies([leg('a', 'long', '2'), leg('b', 'short', '2'), leg('d', 'long', '1')], stored),
    ).toBeNull();
    expect(
      storedStrategies([leg('a', 'long', '3'), leg('b', 'short', '2'), leg('c', 'long', '1')], stored),
    ).toBeNull();
    expect(
      storedStrategies([leg('a', 'short', '2'), leg('b', 'short', '2'), leg('c', 'long', '1')], stored),
    ).toBeNull();
  });
});
