import type { Knex } from 'knex';
import type { ClosedTrade } from '../../domain/fifo.js';
import { StoreInputError } from '../config.js';
import { addCounts, type DeltaSpec, deleteMissing, findDuplicateKey, upsertDelta } from '../delta.js';
import type { AssetType, CloseReason, Direction, OptionType, WriteCounts } from '../rows.js';
import { accountKey, closedTradeSchema, parseOne, parseRows } from '../validate.js';
import type { DbRow, Queryable } from './common.js';
import { as, asOrNull, countAccountRows, isoAt, textOrNull } from './common.js';

export interface TradeRecord extends Omit<ClosedTrade, 'instrumentKey'> {
  instrumentId: string;
  firstSeenAt: string;
  updatedAt: string;
}

const spec: DeltaSpec = {
  table: 'trade_history',
  key: ['trade_key'],
  compare: [
    'account_number',
    'asset_type',
    'instrument_id',
    'symbol',
    'option_type',
    'strike_price',
    'expiration_date',
    'multiplier',
    'direction',
    'quantity',
    'open_date',
    'close_date',
    'open_price',
    'close_price',
    'open_fees',
    'close_fees',
    'realized_pl',
    'realized_pl_percent',
    'close_reason',
    'days_held',
    'open_order_id',
    'open_execution_id',
    'close_order_id',
    'close_execution_id',
    'close_event_id',
  ],
  touch: ['updated_at'],
};

export function tradeRecord(r: DbRow): TradeRecord {
  return {
    tradeKey: String(r.trade_key),
    accountNumber: String(r.account_number),
    assetType: as<AssetType>(r.asset_type),
    instrumentId: String(r.instrument_id),
    symbol: String(r.symbol),
    optionType: asOrNull<OptionType>(r.option_type),
    strikePrice: textOrNull(r.strike_price),
    expirationDate: textOrNull(r.expiration_date),
    multiplier: String(r.multiplier),
    direction: as<Direction>(r.direction),
    quantity: String(r.quantity),
    openDate: isoAt(r.open_date),
    closeDate: isoAt(r.close_date),
    openPrice: String(r.open_price),
    closePrice: String(r.close_price),
    openFees: String(r.open_fees),
    closeFees: String(r.close_fees),
    realizedPl: String(r.realized_pl),
    realizedPlPercent: textOrNull(r.realized_pl_percent),
    closeReason: as<CloseReason>(r.close_reason),
    daysHeld: Number(r.days_held),
    openOrderId: String(r.open_order_id),
    openExecutionId: String(r.open_execution_id),
    closeOrderId: textOrNull(r.close_order_id),
    closeExecutionId: textOrNull(r.close_execution_id),
    closeEventId: textOrNull(r.close_event_id),
    firstSeenAt: isoAt(r.first_seen_at),
    updatedAt: isoAt(r.updated_at),
  };
}

export const tradesRepo = {
  /**
   * Makes the account's trade_history exactly `trades` (the FIFO output for that account):
   * new keys inserted, changed rows updated, keys no longer produced deleted.
   */
  async replaceForAccount(
    trx: Knex.Transaction,
    accountNumber: string,
    trades: readonly ClosedTrade[],
    at: Date,
  ): Promise<WriteCounts> {
    parseOne(accountKey, accountNumber, 'accountNumber');
    const parsed = parseRows(closedTradeSchema, trades, 'trades');
    const foreign = parsed.findIndex((t) => t.accountNumber !== accountNumber);
    if (foreign >= 0)
      throw new StoreInputError(`trades[${foreign}].accountNumber: belongs to another account`);
    const now = at.toISOString();
    const rows = parsed.map((t) => ({
      trade_key: t.tradeKey,
      account_number: t.accountNumber,
      asset_type: t.assetType,
      instrument_id: t.instrumentKey,
      symbol: t.symbol,
      option_type: t.optionType,
      strike_price: t.strikePrice,
      expiration_date: t.expirationDate,
      multiplier: t.multiplier,
      direction: t.direction,
      quantity: t.quantity,
      open_date: t.openDate,
      close_date: t.closeDate,
      open_price: t.openPrice,
      close_price: t.closePrice,
      open_fees: t.openFees,
      close_fees: t.closeFees,
      realized_pl: t.realizedPl,
      realized_pl_percent: t.realizedPlPercent,
      close_reason: t.closeReason,
      days_held: t.daysHeld,
      open_order_id: t.openOrderId,
      open_execution_id: t.openExecutionId,
      close_order_id: t.closeOrderId,
      close_execution_id: t.closeExecutionId,
      close_event_id: t.closeEventId,
      first_seen_at: now,
      updated_at: now,
    }));
    const duplicate = findDuplicateKey(rows, ['trade_key']);
    if (duplicate) throw new StoreInputError(`trades: the trade key ${duplicate} appears twice`);
    const written = await upsertDelta(trx, spec, rows);
    const deleted = await deleteMissing(
      trx,
      'trade_history',
      { account_number: accountNumber },
      'trade_key',
      new Set(rows.map((r) => r.trade_key)),
    );
    return addCounts(written, { inserted: 0, updated: 0, deleted });
  },

  count(db: Queryable, accountNumber: string): Promise<number> {
    return countAccountRows(db, 'trade_history', accountNumber);
  },

  /** Newest closes first. */
  async list(db: Queryable, accountNumber: string, options: { limit?: number } = {}): Promise<TradeRecord[]> {
    const rows = (await db('trade_history')
      .where({ account_number: accountNumber })
      .orderBy([
        { column: 'close_date', order: 'desc' },
        { column: 'trade_key', order: 'asc' },
      ])
      .limit(options.limit ?? 10_000)) as DbRow[];
    return rows.map(tradeRecord);
  },
};
