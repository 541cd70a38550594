import { describe, expect, it } from 'vitest';
import {
  CLOSED_TRADE_SORT,
  closedTradesCsv,
  contractLabel,
  csvFileName,
  marketDayLabel,
} from '../../renderer/src/lib/closed-trades.js';
import { sortRows } from '../../renderer/src/lib/sort.js';
import type { ClosedTradeView } from '../../shared/models.js';

const base: ClosedTradeView = {
  tradeKey: 'k1',
  accountKey: '****4141',
  assetType: 'stock',
  symbol: 'AAPL',
  optionType: null,
  strikePrice: null,
  expirationDate: null,
  direction: 'long',
  quantity: '10',
  openedAt: '2025-12-31T20:00:00.000Z',
  closedAt: '2026-03-02T14:30:00.000Z',
  openPrice: '150.1234',
  closePrice: '160',
  realizedPl: '98.766',
  realizedPlPercent: '6.58',
  closeReason: 'sold',
};

describe('closed trades in the window', () => {
  it('names the contract: stock, short stock, options with strike and expiry', () => {
    expect(contractLabel(base)).toBe('Stock');
    expect(contractLabel({ ...base, direction: 'short' })).toBe('Short stock');
    const put = {
      ...base,
      assetType: 'option' as const,
      optionType: 'put' as const,
      expirationDate: '2026-03-20',
    };
    expect(contractLabel({ ...put, strikePrice: '140' })).toBe('Put 140 Mar 20, 2026');
    expect(contractLabel({ ...put, optionType: 'call', strikePrice: '147.5', direction: 'short' })).toBe(
      'Short call 147.50 Mar 20, 2026',
    );
  });

  it('shows days in New York time, with the year only when it is not the current one', () => {
    // 22:00 on 1 March in New York is already 2 March in UTC.
    expect(marketDayLabel('2026-03-02T03:00:00.000Z', '2026')).toBe('Mar 1');
    expect(marketDayLabel('2025-12-31T20:00:00.000Z', '2026')).toBe('Dec 31, 2025');
  });

  it('writes the rows as given, exact amounts, RFC 4180 quoting and no formulas', () => {
    const csv = closedTradesCsv([
      base,
      {
        ...base,
        tradeKey: 'k2',
        symbol: '=HYPERLINK("x")',
        realizedPl: '-0.000001',
        realizedPlPercent: null,
        closeReason: 'bought',
      },
    ]);
    expect(csv.split('\r\n')).toEqual([
      'Account,Symbol,Asset,Option type,Strike,Expiration,Direction,Quantity,Opened,Closed,Open price,Close price,Realized P&L,Realized P&L %,Closed by',
      '****4141,AAPL,stock,,,,long,10,2025-12-31T20:00:00.000Z,2026-03-02T14:30:00.000Z,150.1234,160,98.766,6.58,Sold',
      `****4141,"'=HYPERLINK(""x"")",stock,,,,long,10,2025-12-31T20:00:00.000Z,2026-03-02T14:30:00.000Z,150.1234,160,-0.000001,,Bought to close`,
      '',
    ]);
  });

  it('sorts by realized P&L exactly (decimals, not floats)', () => {
    const rows = [
      { ...base, tradeKey: 'a', realizedPl: '0.30000000000000001' },
      { ...base, tradeKey: 'b', realizedPl: '0.3' },
      { ...base, tradeKey: 'c', realizedPl: '-5' },
    ];
    expect(
      sortRows(rows, { key: 'pl', direction: 'descending' }, CLOSED_TRADE_SORT).map((r) => r.tradeKey),
    ).toEqual(['a', 'b', 'c']);
  });

  it('names the file after the account, period, symbol and day', () => {
    expect(csvFileName({ accountKey: '****4141', period: 'year', symbol: 'BRK.B', asOf: '2026-03-02' })).toBe(
      'closed-trades-4141-this-year-BRK.B-2026-03-02.csv',
    );
    expect(csvFileName({ accountKey: 'all', period: 'all', symbol: null, asOf: '2026-03-02' })).toBe(
      'closed-trades-all-accounts-all-time-2026-03-02.csv',
    );
  });
});
