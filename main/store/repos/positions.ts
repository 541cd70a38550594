import type { Knex } from 'knex';
import { derivePositionValues } from '../../domain/position-math.js';
import { StoreInputError } from '../config.js';
import { addCounts, type DeltaSpec, deleteMissing, findDuplicateKey, upsertDelta } from '../delta.js';
import type {
  AssetType,
  Direction,
  OptionType,
  PositionInput,
  PositionRecord,
  WriteCounts,
} from '../rows.js';
import { accountKey, parseOne, parseRows, positionSchema } from '../validate.js';
import type { DbRow, Queryable } from './common.js';
import { as, asOrNull, isoAt, isoAtOrNull, textOrNull } from './common.js';

const COMPARED = [
  'asset_type',
  'instrument_id',
  'symbol',
  'name',
  'direction',
  'quantity',
  'multiplier',
  'average_price',
  'last_price',
  'market_value',
  'cost_basis',
  'unrealized_pl',
  'unrealized_pl_percent',
  'option_type',
  'strike_price',
  'expiration_date',
  'chain_id',
  'strategy',
  'strategy_id',
  'delta',
  'gamma',
  'theta',
  'vega',
  'rho',
  'implied_volatility',
  'opened_at',
] as const;

const spec: DeltaSpec = {
  table: 'positions',
  key: ['account_number', 'position_key'],
  compare: COMPARED,
  touch: ['synced_at'],
};

export function positionKeyOf(p: {
  assetType: AssetType;
  instrumentId: string;
  direction: Direction;
}): string {
  return `${p.assetType}:${p.instrumentId}:${p.direction}`;
}

function toRow(accountNumber: string, p: PositionInput, now: string): DbRow {
  const multiplier = p.assetType === 'option' ? p.multiplier : '1';
  const values = derivePositionValues({ ...p, multiplier });
  const option = p.assetType === 'option' ? p : null;
  return {
    account_number: accountNumber,
    position_key: positionKeyOf(p),
    asset_type: p.assetType,
    instrument_id: p.instrumentId,
    symbol: p.symbol,
    name: p.name ?? null,
    direction: p.direction,
    quantity: p.quantity,
    multiplier,
    average_price: p.averagePrice,
    last_price: p.lastPrice,
    market_value: values.marketValue,
    cost_basis: values.costBasis,
    unrealized_pl: values.unrealizedPl,
    unrealized_pl_percent: values.unrealizedPlPercent,
    option_type: option?.optionType ?? null,
    strike_price: option?.strikePrice ?? null,
    expiration_date: option?.expirationDate ?? null,
    chain_id: option?.chainId ?? null,
    strategy: option?.strategy ?? null,
    strategy_id: option?.strategyId ?? null,
    delta: option?.delta ?? null,
    gamma: option?.gamma ?? null,
    theta: option?.theta ?? null,
    vega: option?.vega ?? null,
    rho: option?.rho ?? null,
    implied_volatility: option?.impliedVolatility ?? null,
    opened_at: p.openedAt ?? null,
    first_seen_at: now,
    synced_at: now,
  };
}

export function positionRecord(r: DbRow): PositionRecord {
  return {
    accountNumber: String(r.account_number),
    positionKey: String(r.position_key),
    assetType: as<AssetType>(r.asset_type),
    instrumentId: String(r.instrument_id),
    symbol: String(r.symbol),
    name: textOrNull(r.name),
    direction: as<Direction>(r.direction),
    quantity: String(r.quantity),
    multiplier: String(r.multiplier),
    averagePrice: String(r.average_price),
    lastPrice: textOrNull(r.last_price),
    marketValue: textOrNull(r.market_value),
    costBasis: String(r.cost_basis),
    unrealizedPl: textOrNull(r.unrealized_pl),
    unrealizedPlPercent: textOrNull(r.unrealized_pl_percent),
    optionType: asOrNull<OptionType>(r.option_type),
    strikePrice: textOrNull(r.strike_price),
    expirationDate: textOrNull(r.expiration_date),
    chainId: textOrNull(r.chain_id),
    strategy: textOrNull(r.strategy),
    strategyId: textOrNull(r.strategy_id),
    delta: textOrNull(r.delta),
    gamma: textOrNull(r.gamma),
    theta: textOrNull(r.theta),
    vega: textOrNull(r.vega),
    rho: textOrNull(r.rho),
    impliedVolatility: textOrNull(r.implied_volatility),
    openedAt: isoAtOrNull(r.opened_at),
    firstSeenAt: isoAt(r.first_seen_at),
    syncedAt: isoAt(r.synced_at),
  };
}

export const positionsRepo = {
  /**
   * Makes the account's rows exactly `positions` (the open positions the broker reported):
   * new ones inserted, changed ones updated, closed ones deleted, unchanged ones untouched.
   * market_value, cost_basis and unrealized P&L are derived here (see main/domain/position-math.ts).
   */
  async replaceForAccount(
    trx: Knex.Transaction,
    accountNumber: string,
    positions: readonly PositionInput[],
    at: Date,
  ): Promise<WriteCounts> {
    parseOne(accountKey, accountNumber, 'accountNumber');
    const parsed = parseRows(positionSchema, positions, 'positions') as PositionInput[];
    const now = at.toISOString();
    const rows = parsed.map((p) => toRow(accountNumber, p, now));
    const duplicate = findDuplicateKey(rows, ['position_key']);
    if (duplicate) throw new StoreInputError(`positions: two rows for the same position (${duplicate})`);
    const written = await upsertDelta(trx, spec, rows);
    const deleted = await deleteMissing(
      trx,
      'positions',
      { account_number: accountNumber },
      'position_key',
      new Set(rows.map((r) => String(r.position_key))),
    );
    return addCounts(written, { inserted: 0, updated: 0, deleted });
  },

  async list(db: Queryable, accountNumber: string, assetType?: AssetType): Promise<PositionRecord[]> {
    const query = db('positions').where({ account_number: accountNumber });
    if (assetType) query.andWhere({ asset_type: assetType });
    const rows = (await query.orderBy([
      'asset_type',
      'symbol',
      'expiration_date',
      'strike_price',
      'position_key',
    ])) as DbRow[];
    return rows.map(positionRecord);
  },

  /** Option instrument ids the account holds (for FIFO: lots still open past expiry are not expired). */
  async openOptionInstrumentIds(db: Queryable, accountNumber: string): Promise<string[]> {
    const rows = (await db('positions')
      .where({ account_number: accountNumber, asset_type: 'option' })
      .distinct('instrument_id')) as DbRow[];
    return rows.map((r) => String(r.instrument_id));
  },
};
