import type { Knex } from 'knex';
import { StoreInputError } from '../config.js';
import { type DeltaSpec, upsertDelta } from '../delta.js';
import type { AccountInput, AccountRecord, Broker, WriteCounts } from '../rows.js';
import { accountSchema, parseRows } from '../validate.js';
import type { DbRow, Queryable } from './common.js';
import { as, boolOrNull, isoAt, textOrNull } from './common.js';

const spec: DeltaSpec = {
  table: 'trading_accounts',
  key: ['account_number'],
  compare: [
    'broker',
    'account_type',
    'brokerage_account_type',
    'option_level',
    'is_default',
    'buying_power',
    'cash',
    'portfolio_value',
    'market_value',
    'withdrawable_amount',
    'previous_close_equity',
  ],
  touch: ['updated_at'],
};

function toRecord(r: DbRow): AccountRecord {
  return {
    accountNumber: String(r.account_number),
    broker: as<Broker>(r.broker),
    accountType: String(r.account_type),
    brokerageAccountType: textOrNull(r.brokerage_account_type),
    optionLevel: textOrNull(r.option_level),
    isDefault: boolOrNull(r.is_default),
    buyingPower: textOrNull(r.buying_power),
    cash: textOrNull(r.cash),
    portfolioValue: textOrNull(r.portfolio_value),
    marketValue: textOrNull(r.market_value),
    withdrawableAmount: textOrNull(r.withdrawable_amount),
    previousCloseEquity: textOrNull(r.previous_close_equity),
    firstSeenAt: isoAt(r.first_seen_at),
    updatedAt: isoAt(r.updated_at),
  };
}

export const accountsRepo = {
  /** Inserts or updates the given accounts (others are left alone). */
  async upsert(trx: Knex.Transaction, accounts: readonly AccountInput[], at: Date): Promise<WriteCounts> {
    const rows = parseRows(accountSchema, accounts, 'accounts');
    const keys = new Set(rows.map((a) => a.accountNumber));
    if (keys.size !== rows.length) throw new StoreInputError('accounts: the same account key appears twice');
    const now = at.toISOString();
    return upsertDelta(
      trx,
      spec,
      rows.map((a) => ({
        account_number: a.accountNumber,
        broker: a.broker,
        account_type: a.accountType,
        brokerage_account_type: a.brokerageAccountType ?? null,
        option_level: a.optionLevel ?? null,
        is_default: a.isDefault ?? null,
        buying_power: a.buyingPower,
        cash: a.cash,
        portfolio_value: a.portfolioValue,
        market_value: a.marketValue,
        withdrawable_amount: a.withdrawableAmount,
        previous_close_equity: a.previousCloseEquity ?? null,
        first_seen_at: now,
        updated_at: now,
      })),
    );
  },

  async list(db: Queryable): Promise<AccountRecord[]> {
    const rows = (await db('trading_accounts').select('*').orderBy('account_number')) as DbRow[];
    return rows.map(toRecord);
  },

  async get(db: Queryable, accountKey: string): Promise<AccountRecord | null> {
    const row = (await db('trading_accounts').where({ account_number: accountKey }).first()) as
      | DbRow
      | undefined;
    return row ? toRecord(row) : null;
  },
};
