import type { Knex } from 'knex';
import { maskAccountReferences } from '../../domain/account-references.js';
import type { FifoExecution } from '../../domain/fifo.js';
import { StoreInputError } from '../config.js';
import { addCounts, type DeltaSpec, jsonb, lastPerKey, upsertDelta } from '../delta.js';
import type {
  AssetType,
  ExecutionInput,
  OptionType,
  OrderInput,
  OrderLegInput,
  OrderRecord,
  PositionEffect,
  Side,
  WriteCounts,
} from '../rows.js';
import { executionSchema, orderSchema, parseRows } from '../validate.js';
import type { DbRow, Queryable } from './common.js';
import { as, asOrNull, countAccountRows, isoAt, isoAtOrNull, textOrNull } from './common.js';

const orderSpec: DeltaSpec = {
  table: 'orders',
  key: ['order_id'],
  compare: [
    'account_number',
    'asset_type',
    'symbol',
    'instrument_id',
    'chain_id',
    'state',
    'side',
    'direction',
    'order_type',
    'time_in_force',
    'trigger',
    'quantity',
    'filled_quantity',
    'price',
    'stop_price',
    'average_price',
    'fees',
    'premium',
    'processed_premium',
    'net_amount',
    'opening_strategy',
    'closing_strategy',
    'strategy',
    'position_effect',
    'legs',
    'created_at',
    'updated_at',
    'raw',
  ],
  touch: ['synced_at'],
};

const executionSpec: DeltaSpec = {
  table: 'order_executions',
  key: ['order_id', 'execution_id'],
  compare: [
    'account_number',
    'asset_type',
    'leg_id',
    'instrument_id',
    'symbol',
    'side',
    'position_effect',
    'quantity',
    'price',
    'fees',
    'multiplier',
    'option_type',
    'strike_price',
    'expiration_date',
    'executed_at',
    'settlement_date',
  ],
  touch: ['synced_at'],
};

function orderRow(o: OrderInput, now: string): DbRow {
  return {
    order_id: o.orderId,
    account_number: o.accountNumber,
    asset_type: o.assetType,
    symbol: o.symbol,
    instrument_id: o.instrumentId ?? null,
    chain_id: o.chainId ?? null,
    state: o.state,
    side: o.side ?? null,
    direction: o.direction ?? null,
    order_type: o.orderType ?? null,
    time_in_force: o.timeInForce ?? null,
    trigger: o.trigger ?? null,
    quantity: o.quantity ?? null,
    filled_quantity: o.filledQuantity,
    price: o.price ?? null,
    stop_price: o.stopPrice ?? null,
    average_price: o.averagePrice ?? null,
    fees: o.fees,
    premium: o.premium ?? null,
    processed_premium: o.processedPremium ?? null,
    net_amount: o.netAmount ?? null,
    opening_strategy: o.openingStrategy ?? null,
    closing_strategy: o.closingStrategy ?? null,
    strategy: o.strategy ?? null,
    position_effect: o.positionEffect ?? null,
    legs: jsonb(o.legs ?? null),
    created_at: o.createdAt,
    updated_at: o.updatedAt,
    raw: jsonb(o.raw === undefined ? null : maskAccountReferences(o.raw)),
    first_seen_at: now,
    synced_at: now,
  };
}

function executionRow(e: ExecutionInput, now: string): DbRow {
  return {
    order_id: e.orderId,
    execution_id: e.executionId,
    account_number: e.accountNumber,
    asset_type: e.assetType,
    leg_id: e.legId ?? null,
    instrument_id: e.instrumentId,
    symbol: e.symbol,
    side: e.side,
    position_effect: e.positionEffect,
    quantity: e.quantity,
    price: e.price,
    fees: e.fees,
    multiplier: e.assetType === 'stock' ? '1' : e.multiplier,
    option_type: e.optionType ?? null,
    strike_price: e.strikePrice ?? null,
    expiration_date: e.expirationDate ?? null,
    executed_at: e.executedAt,
    settlement_date: e.settlementDate ?? null,
    first_seen_at: now,
    synced_at: now,
  };
}

export function orderRecord(r: DbRow): OrderRecord {
  return {
    orderId: String(r.order_id),
    accountNumber: String(r.account_number),
    assetType: as<AssetType>(r.asset_type),
    symbol: textOrNull(r.symbol),
    instrumentId: textOrNull(r.instrument_id),
    chainId: textOrNull(r.chain_id),
    state: String(r.state),
    side: asOrNull<Side>(r.side),
    direction: asOrNull<'debit' | 'credit'>(r.direction),
    orderType: textOrNull(r.order_type),
    timeInForce: textOrNull(r.time_in_force),
    trigger: textOrNull(r.trigger),
    quantity: textOrNull(r.quantity),
    filledQuantity: String(r.filled_quantity),
    price: textOrNull(r.price),
    stopPrice: textOrNull(r.stop_price),
    averagePrice: textOrNull(r.average_price),
    fees: String(r.fees),
    premium: textOrNull(r.premium),
    processedPremium: textOrNull(r.processed_premium),
    netAmount: textOrNull(r.net_amount),
    openingStrategy: textOrNull(r.opening_strategy),
    closingStrategy: textOrNull(r.closing_strategy),
    strategy: textOrNull(r.strategy),
    positionEffect: textOrNull(r.position_effect),
    legs: (r.legs ?? null) as OrderLegInput[] | null,
    createdAt: isoAt(r.created_at),
    updatedAt: isoAt(r.updated_at),
    firstSeenAt: isoAt(r.first_seen_at),
    syncedAt: isoAt(r.synced_at),
  };
}

export const ordersRepo = {
  /**
   * Upserts orders and their fills (every state, including cancelled orders with partial fills).
   * Overlapping pages may repeat an order: the last copy wins. Fills must belong to an order that
   * is in this call or already stored.
   */
  async upsert(
    trx: Knex.Transaction,
    orders: readonly OrderInput[],
    executions: readonly ExecutionInput[],
    at: Date,
  ): Promise<WriteCounts> {
    const parsedOrders = parseRows(orderSchema, orders, 'orders') as OrderInput[];
    const parsedExecutions = parseRows(executionSchema, executions, 'executions') as ExecutionInput[];
    const accountOf = new Map(parsedOrders.map((o) => [o.orderId, o.accountNumber]));
    for (let i = 0; i < parsedExecutions.length; i++) {
      const e = parsedExecutions[i] as ExecutionInput;
      const owner = accountOf.get(e.orderId);
      if (owner !== undefined && owner !== e.accountNumber) {
        throw new StoreInputError(`executions[${i}].accountNumber: differs from its order's account`);
      }
    }
    const now = at.toISOString();
    const orderRows = lastPerKey(
      parsedOrders.map((o) => orderRow(o, now)),
      orderSpec.key,
    );
    const executionRows = lastPerKey(
      parsedExecutions.map((e) => executionRow(e, now)),
      executionSpec.key,
    );
    const a = await upsertDelta(trx, orderSpec, orderRows);
    const b = await upsertDelta(trx, executionSpec, executionRows);
    return addCounts(a, b);
  },

  /** Newest first. */
  async list(
    db: Queryable,
    accountNumber: string,
    options: { limit?: number; assetType?: AssetType } = {},
  ): Promise<OrderRecord[]> {
    const query = db('orders').where({ account_number: accountNumber });
    if (options.assetType) query.andWhere({ asset_type: options.assetType });
    const rows = (await query
      .orderBy([
        { column: 'created_at', order: 'desc' },
        { column: 'order_id', order: 'asc' },
      ])
      .limit(options.limit ?? 1000)) as DbRow[];
    return rows.map(orderRecord);
  },

  /** The newest broker updated_at stored for the account (a fallback high-water mark). */
  async latestUpdatedAt(db: Queryable, accountNumber: string, assetType: AssetType): Promise<string | null> {
    const row = (await db('orders')
      .where({ account_number: accountNumber, asset_type: assetType })
      .max({ latest: 'updated_at' })
      .first()) as DbRow | undefined;
    return isoAtOrNull(row?.latest);
  },

  /** Every stored fill of the account, as FIFO input. */
  async fifoExecutions(db: Queryable, accountNumber: string): Promise<FifoExecution[]> {
    const rows = (await db('order_executions')
      .where({ account_number: accountNumber })
      .orderBy(['executed_at', 'order_id', 'execution_id'])) as DbRow[];
    return rows.map((r) => ({
      accountNumber: String(r.account_number),
      assetType: as<AssetType>(r.asset_type),
      instrumentKey: String(r.instrument_id),
      symbol: String(r.symbol),
      optionType: asOrNull<OptionType>(r.option_type),
      strikePrice: textOrNull(r.strike_price),
      expirationDate: textOrNull(r.expiration_date),
      multiplier: String(r.multiplier),
      side: as<Side>(r.side),
      positionEffect: asOrNull<PositionEffect>(r.position_effect),
      quantity: String(r.quantity),
      price: String(r.price),
      fees: String(r.fees),
      executedAt: isoAt(r.executed_at),
      orderId: String(r.order_id),
      executionId: String(r.execution_id),
    }));
  },

  countExecutions(db: Queryable, accountNumber: string): Promise<number> {
    return countAccountRows(db, 'order_executions', accountNumber);
  },
};
