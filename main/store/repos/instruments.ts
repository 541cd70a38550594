/** Instrument caches: looked up before asking the broker, so each instrument is fetched once. */
import type { Knex } from 'knex';
import { type DeltaSpec, lastPerKey, upsertDelta } from '../delta.js';
import type {
  InstrumentInput,
  InstrumentRecord,
  OptionInstrumentInput,
  OptionInstrumentRecord,
  OptionType,
  WriteCounts,
} from '../rows.js';
import { instrumentSchema, optionInstrumentSchema, parseRows } from '../validate.js';
import type { DbRow, Queryable } from './common.js';
import { as, isoAt, textOrNull } from './common.js';

const instrumentSpec: DeltaSpec = {
  table: 'instruments',
  key: ['id'],
  compare: ['symbol', 'name', 'simple_name', 'type', 'state', 'tradable_chain_id', 'country', 'list_date'],
  touch: ['updated_at'],
};

const optionInstrumentSpec: DeltaSpec = {
  table: 'option_instruments',
  key: ['id'],
  compare: [
    'chain_id',
    'chain_symbol',
    'option_type',
    'strike_price',
    'expiration_date',
    'multiplier',
    'state',
  ],
  touch: ['updated_at'],
};

function instrumentRecord(r: DbRow): InstrumentRecord {
  return {
    id: String(r.id),
    symbol: String(r.symbol),
    name: textOrNull(r.name),
    simpleName: textOrNull(r.simple_name),
    type: textOrNull(r.type),
    state: textOrNull(r.state),
    tradableChainId: textOrNull(r.tradable_chain_id),
    country: textOrNull(r.country),
    listDate: textOrNull(r.list_date),
    firstSeenAt: isoAt(r.first_seen_at),
    updatedAt: isoAt(r.updated_at),
  };
}

function optionInstrumentRecord(r: DbRow): OptionInstrumentRecord {
  return {
    id: String(r.id),
    chainId: textOrNull(r.chain_id),
    chainSymbol: String(r.chain_symbol),
    optionType: as<OptionType>(r.option_type),
    strikePrice: String(r.strike_price),
    expirationDate: String(r.expiration_date),
    multiplier: String(r.multiplier),
    state: textOrNull(r.state),
    firstSeenAt: isoAt(r.first_seen_at),
    updatedAt: isoAt(r.updated_at),
  };
}

async function getByIds(db: Queryable, table: string, ids: readonly string[]): Promise<DbRow[]> {
  const unique = [...new Set(ids)];
  const rows: DbRow[] = [];
  for (let start = 0; start < unique.length; start += 1000) {
    rows.push(...((await db(table).whereIn('id', unique.slice(start, start + 1000))) as DbRow[]));
  }
  return rows;
}

export const instrumentsRepo = {
  async upsert(
    trx: Knex.Transaction,
    instruments: readonly InstrumentInput[],
    at: Date,
  ): Promise<WriteCounts> {
    const parsed = parseRows(instrumentSchema, instruments, 'instruments');
    const now = at.toISOString();
    const rows = parsed.map((i) => ({
      id: i.id,
      symbol: i.symbol,
      name: i.name ?? null,
      simple_name: i.simpleName ?? null,
      type: i.type ?? null,
      state: i.state ?? null,
      tradable_chain_id: i.tradableChainId ?? null,
      country: i.country ?? null,
      list_date: i.listDate ?? null,
      first_seen_at: now,
      updated_at: now,
    }));
    return upsertDelta(trx, instrumentSpec, lastPerKey(rows, ['id']));
  },

  /** The cached instruments among `ids`, by id (missing ids are simply absent). */
  async getMany(db: Queryable, ids: readonly string[]): Promise<Map<string, InstrumentRecord>> {
    const rows = await getByIds(db, 'instruments', ids);
    return new Map(rows.map((r) => [String(r.id), instrumentRecord(r)]));
  },
};

export const optionInstrumentsRepo = {
  async upsert(
    trx: Knex.Transaction,
    instruments: readonly OptionInstrumentInput[],
    at: Date,
  ): Promise<WriteCounts> {
    const parsed = parseRows(optionInstrumentSchema, instruments, 'optionInstruments');
    const now = at.toISOString();
    const rows = parsed.map((i) => ({
      id: i.id,
      chain_id: i.chainId ?? null,
      chain_symbol: i.chainSymbol,
      option_type: i.optionType,
      strike_price: i.strikePrice,
      expiration_date: i.expirationDate,
      multiplier: i.multiplier,
      state: i.state ?? null,
      first_seen_at: now,
      updated_at: now,
    }));
    return upsertDelta(trx, optionInstrumentSpec, lastPerKey(rows, ['id']));
  },

  async getMany(db: Queryable, ids: readonly string[]): Promise<Map<string, OptionInstrumentRecord>> {
    const rows = await getByIds(db, 'option_instruments', ids);
    return new Map(rows.map((r) => [String(r.id), optionInstrumentRecord(r)]));
  },
};
