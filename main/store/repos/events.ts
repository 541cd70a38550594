/** Dividends and option events (expirations, assignments, exercises). */
import type { Knex } from 'knex';
import { maskAccountReferences } from '../../domain/account-references.js';
import type { FifoOptionEvent, OptionEventType } from '../../domain/fifo.js';
import { type DeltaSpec, jsonb, lastPerKey, upsertDelta } from '../delta.js';
import type {
  DividendInput,
  DividendRecord,
  OptionEventInput,
  OptionEventRecord,
  WriteCounts,
} from '../rows.js';
import { dividendSchema, optionEventSchema, parseRows } from '../validate.js';
import type { DbRow, Queryable } from './common.js';
import { boolOrNull, isoAt, isoAtOrNull, textOrNull } from './common.js';

const dividendSpec: DeltaSpec = {
  table: 'dividends',
  key: ['dividend_id'],
  compare: [
    'account_number',
    'instrument_id',
    'symbol',
    'amount',
    'rate',
    'position',
    'withholding',
    'record_date',
    'payable_date',
    'paid_at',
    'state',
    'drip_enabled',
    'raw',
  ],
  touch: ['updated_at'],
};

const optionEventSpec: DeltaSpec = {
  table: 'option_events',
  key: ['event_id'],
  compare: [
    'account_number',
    'option_instrument_id',
    'chain_symbol',
    'type',
    'direction',
    'state',
    'quantity',
    'event_date',
    'total_cash_amount',
    'underlying_price',
    'raw',
  ],
  touch: ['updated_at'],
};

/** Event states that never happened (the broker voided them). */
const VOID_STATES = ['cancelled', 'canceled', 'voided', 'failed', 'rejected'];
const FIFO_EVENT_TYPES: readonly OptionEventType[] = ['expiration', 'assignment', 'exercise'];

export const dividendsRepo = {
  async upsert(trx: Knex.Transaction, dividends: readonly DividendInput[], at: Date): Promise<WriteCounts> {
    const parsed = parseRows(dividendSchema, dividends, 'dividends');
    const now = at.toISOString();
    const rows = parsed.map((d) => ({
      dividend_id: d.dividendId,
      account_number: d.accountNumber,
      instrument_id: d.instrumentId ?? null,
      symbol: d.symbol ?? null,
      amount: d.amount,
      rate: d.rate ?? null,
      position: d.position ?? null,
      withholding: d.withholding ?? null,
      record_date: d.recordDate ?? null,
      payable_date: d.payableDate ?? null,
      paid_at: d.paidAt ?? null,
      state: d.state,
      drip_enabled: d.dripEnabled ?? null,
      raw: jsonb(d.raw === undefined ? null : maskAccountReferences(d.raw)),
      first_seen_at: now,
      updated_at: now,
    }));
    return upsertDelta(trx, dividendSpec, lastPerKey(rows, ['dividend_id']));
  },

  async list(db: Queryable, accountNumber: string): Promise<DividendRecord[]> {
    const rows = (await db('dividends')
      .where({ account_number: accountNumber })
      .orderBy([
        { column: 'payable_date', order: 'desc', nulls: 'last' },
        { column: 'dividend_id', order: 'asc' },
      ])) as DbRow[];
    return rows.map((r) => ({
      dividendId: String(r.dividend_id),
      accountNumber: String(r.account_number),
      instrumentId: textOrNull(r.instrument_id),
      symbol: textOrNull(r.symbol),
      amount: String(r.amount),
      rate: textOrNull(r.rate),
      position: textOrNull(r.position),
      withholding: textOrNull(r.withholding),
      recordDate: textOrNull(r.record_date),
      payableDate: textOrNull(r.payable_date),
      paidAt: isoAtOrNull(r.paid_at),
      state: String(r.state),
      dripEnabled: boolOrNull(r.drip_enabled),
      firstSeenAt: isoAt(r.first_seen_at),
      updatedAt: isoAt(r.updated_at),
    }));
  },
};

export const optionEventsRepo = {
  async upsert(trx: Knex.Transaction, events: readonly OptionEventInput[], at: Date): Promise<WriteCounts> {
    const parsed = parseRows(optionEventSchema, events, 'optionEvents');
    const now = at.toISOString();
    const rows = parsed.map((e) => ({
      event_id: e.eventId,
      account_number: e.accountNumber,
      option_instrument_id: e.optionInstrumentId,
      chain_symbol: e.chainSymbol ?? null,
      type: e.type,
      direction: e.direction ?? null,
      state: e.state ?? null,
      quantity: e.quantity,
      event_date: e.eventDate,
      total_cash_amount: e.totalCashAmount ?? null,
      underlying_price: e.underlyingPrice ?? null,
      raw: jsonb(e.raw === undefined ? null : maskAccountReferences(e.raw)),
      first_seen_at: now,
      updated_at: now,
    }));
    return upsertDelta(trx, optionEventSpec, lastPerKey(rows, ['event_id']));
  },

  async list(db: Queryable, accountNumber: string): Promise<OptionEventRecord[]> {
    const rows = (await db('option_events')
      .where({ account_number: accountNumber })
      .orderBy(['event_date', 'event_id'])) as DbRow[];
    return rows.map((r) => ({
      eventId: String(r.event_id),
      accountNumber: String(r.account_number),
      optionInstrumentId: String(r.option_instrument_id),
      chainSymbol: textOrNull(r.chain_symbol),
      type: String(r.type),
      direction: textOrNull(r.direction),
      state: textOrNull(r.state),
      quantity: String(r.quantity),
      eventDate: String(r.event_date),
      totalCashAmount: textOrNull(r.total_cash_amount),
      underlyingPrice: textOrNull(r.underlying_price),
      firstSeenAt: isoAt(r.first_seen_at),
      updatedAt: isoAt(r.updated_at),
    }));
  },

  /** Expirations, assignments and exercises of the account that took effect, as FIFO input. */
  async fifoEvents(db: Queryable, accountNumber: string): Promise<FifoOptionEvent[]> {
    const rows = (await db('option_events')
      .where({ account_number: accountNumber })
      .whereIn('type', [...FIFO_EVENT_TYPES])
      .andWhere((q) => q.whereNull('state').orWhereNotIn('state', VOID_STATES))
      .orderBy(['event_date', 'event_id'])) as DbRow[];
    return rows.map((r) => ({
      accountNumber: String(r.account_number),
      instrumentKey: String(r.option_instrument_id),
      eventId: String(r.event_id),
      type: String(r.type) as OptionEventType,
      quantity: String(r.quantity),
      eventDate: String(r.event_date),
    }));
  },
};
