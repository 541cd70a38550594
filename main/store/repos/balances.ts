/** portfolio_snapshots (one row per account per successful cycle) and daily_portfolio_balances. */
import type { Knex } from 'knex';
import type { DecimalString, IsoDate } from '../../../shared/models.js';
import { isWeekend, nyDate, tradingDayOf } from '../../domain/market-time.js';
import { percentOf } from '../../domain/position-math.js';
import { dec, decOrNull, decString } from '../../util/money.js';
import { type DeltaSpec, insertMissing, upsertDelta } from '../delta.js';
import type {
  DailyBalanceRecord,
  HistoricalBalanceInput,
  SnapshotInput,
  SnapshotRecord,
  WriteCounts,
} from '../rows.js';
import { accountKey, historicalBalanceSchema, parseOne, parseRows, snapshotSchema } from '../validate.js';
import type { DbRow, Queryable } from './common.js';
import { isoAt, numberOrNull, textOrNull } from './common.js';

const dailySpec: DeltaSpec = {
  table: 'daily_portfolio_balances',
  key: ['account_number', 'date'],
  compare: [
    'starting_balance',
    'ending_balance',
    'daily_pl',
    'daily_pl_percent',
    'buying_power',
    'options_value',
    'stock_value',
    'cash_value',
    'total_positions',
    'source',
  ],
  touch: ['updated_at'],
};

export function snapshotRecord(r: DbRow): SnapshotRecord {
  return {
    id: Number(r.id),
    accountNumber: String(r.account_number),
    takenAt: isoAt(r.taken_at),
    equity: String(r.equity),
    marketValue: textOrNull(r.market_value),
    cash: textOrNull(r.cash),
    buyingPower: textOrNull(r.buying_power),
    stockValue: textOrNull(r.stock_value),
    optionsValue: textOrNull(r.options_value),
    previousCloseEquity: textOrNull(r.previous_close_equity),
    totalPositions: numberOrNull(r.total_positions),
  };
}

export function dailyRecord(r: DbRow): DailyBalanceRecord {
  return {
    accountNumber: String(r.account_number),
    date: String(r.date),
    startingBalance: textOrNull(r.starting_balance),
    endingBalance: String(r.ending_balance),
    dailyPl: textOrNull(r.daily_pl),
    dailyPlPercent: textOrNull(r.daily_pl_percent),
    buyingPower: textOrNull(r.buying_power),
    optionsValue: textOrNull(r.options_value),
    stockValue: textOrNull(r.stock_value),
    cashValue: textOrNull(r.cash_value),
    totalPositions: numberOrNull(r.total_positions),
    notes: textOrNull(r.notes),
    source: r.source === 'broker' ? 'broker' : 'app',
    createdAt: isoAt(r.created_at),
    updatedAt: isoAt(r.updated_at),
  };
}

/** A `date` column as YYYY-MM-DD, whether the driver returns a string or a Date. */
function dateText(value: unknown): IsoDate {
  return value instanceof Date ? value.toISOString().slice(0, 10) : String(value).slice(0, 10);
}

function dayChange(
  starting: DecimalString | null,
  ending: DecimalString,
): { dailyPl: string | null; dailyPlPercent: string | null } {
  const start = decOrNull(starting);
  if (!start) return { dailyPl: null, dailyPlPercent: null };
  const pl = dec(ending).minus(start);
  return { dailyPl: decString(pl), dailyPlPercent: percentOf(pl, start) };
}

async function previousEnding(db: Queryable, accountNumber: string, date: IsoDate): Promise<string | null> {
  const row = (await db('daily_portfolio_balances')
    .where({ account_number: accountNumber })
    .andWhere('date', '<', date)
    .orderBy('date', 'desc')
    .first('ending_balance')) as DbRow | undefined;
  return textOrNull(row?.ending_balance);
}

export const snapshotsRepo = {
  /** Appends a snapshot (a second one with the same account and time is ignored). */
  async insert(trx: Knex.Transaction, snapshot: SnapshotInput): Promise<WriteCounts> {
    const s = parseOne(snapshotSchema, snapshot, 'snapshot');
    const inserted = await insertMissing(
      trx,
      'portfolio_snapshots',
      ['account_number', 'taken_at'],
      [
        {
          account_number: s.accountNumber,
          taken_at: s.takenAt,
          equity: s.equity,
          market_value: s.marketValue,
          cash: s.cash,
          buying_power: s.buyingPower,
          stock_value: s.stockValue,
          options_value: s.optionsValue,
          previous_close_equity: s.previousCloseEquity,
          total_positions: s.totalPositions ?? null,
          run_id: s.runId ?? null,
        },
      ],
    );
    return { inserted, updated: 0, deleted: 0 };
  },

  async latest(db: Queryable, accountNumber: string): Promise<SnapshotRecord | null> {
    const row = (await db('portfolio_snapshots')
      .where({ account_number: accountNumber })
      .orderBy('taken_at', 'desc')
      .first()) as DbRow | undefined;
    return row ? snapshotRecord(row) : null;
  },

  /** Oldest first, within [from, to]. */
  async range(db: Queryable, accountNumber: string, from: Date, to: Date): Promise<SnapshotRecord[]> {
    const rows = (await db('portfolio_snapshots')
      .where({ account_number: accountNumber })
      .andWhere('taken_at', '>=', from.toISOString())
      .andWhere('taken_at', '<=', to.toISOString())
      .orderBy('taken_at')) as DbRow[];
    return rows.map(snapshotRecord);
  },
};

export const dailyBalancesRepo = {
  /**
   * Writes the day row a snapshot belongs to (its trading day in New York): ending balance and
   * breakdown from the snapshot; starting balance = the broker's previous close equity when known
   * (weekdays), else the one already stored for the day, else the previous day's ending balance.
   */
  async recordFromSnapshot(trx: Knex.Transaction, snapshot: SnapshotInput, at: Date): Promise<WriteCounts> {
    const s = parseOne(snapshotSchema, snapshot, 'snapshot');
    const takenAt = new Date(s.takenAt);
    const date = tradingDayOf(takenAt);
    const onWeekend = isWeekend(nyDate(takenAt));
    const existing = (await trx('daily_portfolio_balances')
      .where({ account_number: s.accountNumber, date })
      .first('starting_balance')) as DbRow | undefined;
    let starting: string | null;
    if (!onWeekend && s.previousCloseEquity !== null) starting = s.previousCloseEquity;
    else if (existing && existing.starting_balance !== null) starting = textOrNull(existing.starting_balance);
    else starting = await previousEnding(trx, s.accountNumber, date);
    const now = at.toISOString();
    const change = dayChange(starting, s.equity);
    return upsertDelta(trx, dailySpec, [
      {
        account_number: s.accountNumber,
        date,
        starting_balance: starting,
        ending_balance: s.equity,
        daily_pl: change.dailyPl,
        daily_pl_percent: change.dailyPlPercent,
        buying_power: s.buyingPower,
        options_value: s.optionsValue,
        stock_value: s.stockValue,
        cash_value: s.cash,
        total_positions: s.totalPositions ?? null,
        // The app's own reading of the day replaces a day filled from the broker's history.
        source: 'app',
        created_at: now,
        updated_at: now,
      },
    ]);
  },

  /**
   * Fills days before the app existed from the broker's daily history (closing equity per day).
   * Only missing days are added; a day already recorded is never overwritten, except that the first
   * day after the filled ones gets its missing starting balance (and day change) from them.
   */
  async backfill(
    trx: Knex.Transaction,
    accountNumber: string,
    days: readonly HistoricalBalanceInput[],
    at: Date,
  ): Promise<WriteCounts> {
    parseOne(accountKey, accountNumber, 'accountNumber');
    const parsed = parseRows(historicalBalanceSchema, days, 'days').sort((a, b) =>
      a.date < b.date ? -1 : 1,
    );
    if (parsed.length === 0) return { inserted: 0, updated: 0, deleted: 0 };
    const first = parsed[0] as HistoricalBalanceInput;
    let previous = await previousEnding(trx, accountNumber, first.date);
    const now = at.toISOString();
    const rows = parsed.map((d) => {
      const change = dayChange(previous, d.endingBalance);
      const row = {
        account_number: accountNumber,
        date: d.date,
        starting_balance: previous,
        ending_balance: d.endingBalance,
        daily_pl: change.dailyPl,
        daily_pl_percent: change.dailyPlPercent,
        notes: 'backfilled from broker history',
        source: 'broker',
        created_at: now,
        updated_at: now,
      };
      previous = d.endingBalance;
      return row;
    });
    const inserted = await insertMissing(trx, 'daily_portfolio_balances', ['account_number', 'date'], rows);
    // The first stored day after the filled ones, recorded when nothing was known before it, now
    // has a day before it: its start is that day's close.
    const last = parsed[parsed.length - 1] as HistoricalBalanceInput;
    const next = (await trx('daily_portfolio_balances')
      .where({ account_number: accountNumber })
      .andWhere('date', '>', last.date)
      .orderBy('date')
      .first('date', 'starting_balance', 'ending_balance')) as DbRow | undefined;
    let updated = 0;
    if (next && next.starting_balance === null) {
      const start = await previousEnding(trx, accountNumber, dateText(next.date));
      const change = dayChange(start, String(next.ending_balance));
      updated = (
        await trx('daily_portfolio_balances')
          .where({ account_number: accountNumber, date: dateText(next.date) })
          .whereNull('starting_balance')
          .update({
            starting_balance: start,
            daily_pl: change.dailyPl,
            daily_pl_percent: change.dailyPlPercent,
            updated_at: now,
          })
          .returning('date')
      ).length;
    }
    return { inserted, updated, deleted: 0 };
  },

  /** The newest day stored for the account before `date` (any source), or null. */
  async latestBefore(db: Queryable, accountNumber: string, date: IsoDate): Promise<IsoDate | null> {
    const row = (await db('daily_portfolio_balances')
      .where({ account_number: accountNumber })
      .andWhere('date', '<', date)
      .orderBy('date', 'desc')
      .first('date')) as DbRow | undefined;
    return row ? dateText(row.date) : null;
  },

  /** Oldest first, within [from, to] (dates in New York). */
  async range(
    db: Queryable,
    accountNumber: string,
    from: IsoDate,
    to: IsoDate,
  ): Promise<DailyBalanceRecord[]> {
    const rows = (await db('daily_portfolio_balances')
      .where({ account_number: accountNumber })
      .andWhere('date', '>=', from)
      .andWhere('date', '<=', to)
      .orderBy('date')) as DbRow[];
    return rows.map(dailyRecord);
  },
};
