/**
 * Equity over time for the chart. 1D, 1W and 1M read portfolio_snapshots (one point per cycle);
 * 1Y and ALL read daily_portfolio_balances (one point per trading day, at 16:00 New York time).
 * 1W and 1M start with the daily closes of the days before the first snapshot in the range (the
 * broker's history on a new install), so they draw at once instead of waiting for weeks of cycles.
 * Every series is thinned to at most MAX_CHART_POINTS: time is cut into equal buckets and the
 * last point of each bucket is kept, so the newest value is always the last point.
 *
 * ALL_ACCOUNTS sums the accounts: per day, the daily_portfolio_balances rows of that day; per
 * snapshot bucket, each account's last equity in it (an account without a snapshot in a bucket
 * counts with its previous one; buckets before every account has one are left out).
 */
import { ALL_ACCOUNTS, type ChartPoint, type ChartRange, type ChartSeries } from '../../../shared/models.js';
import { addDays, daysBetween, MARKET_TIME_ZONE, nyDate, tradingDayOf } from '../../domain/market-time.js';
import { type Dec, dec, decString } from '../../util/money.js';
import type { DbRow, Queryable } from '../repos/common.js';
import { isoAt } from '../repos/common.js';

export const MAX_CHART_POINTS = 500;

const SNAPSHOT_SPANS_MS: Partial<Record<ChartRange, number>> = {
  '1D': 24 * 3_600_000,
  '1W': 7 * 86_400_000,
  '1M': 31 * 86_400_000,
};

/** Daily closes in [from, before), oldest first: the days a range's snapshots do not reach back to. */
async function closesBefore(
  db: Queryable,
  accountKey: string,
  from: string,
  before: string,
): Promise<ChartPoint[]> {
  const result = await db.raw(
    `select (date + time '16:00') at time zone ? as close_at, ending_balance
       from daily_portfolio_balances
      where account_number = ? and date >= ?::date and date < ?::date
      order by date`,
    [MARKET_TIME_ZONE, accountKey, from, before],
  );
  return (result.rows as DbRow[]).map((r) => ({ t: isoAt(r.close_at), equity: String(r.ending_balance) }));
}

async function snapshotPoints(
  db: Queryable,
  accountKey: string,
  now: Date,
  spanMs: number,
  withEarlierCloses: boolean,
): Promise<ChartPoint[]> {
  if (accountKey === ALL_ACCOUNTS) return allAccountsSnapshotPoints(db, now, spanMs);
  const rangeStart = new Date(now.getTime() - spanMs);
  // Thin over the span the data covers, not the whole range: a young account's first hour of
  // snapshots is a line, not one point in one wide bucket.
  const oldest = (await db('portfolio_snapshots')
    .where({ account_number: accountKey })
    .andWhere('taken_at', '>=', rangeStart.toISOString())
    .min({ first: 'taken_at' })
    .first()) as DbRow | undefined;
  const firstSnapshot = oldest?.first ? new Date(oldest.first as string | Date) : null;
  const earlier =
    withEarlierCloses && (!firstSnapshot || firstSnapshot.getTime() - rangeStart.getTime() > 86_400_000)
      ? await closesBefore(
          db,
          accountKey,
          nyDate(rangeStart),
          firstSnapshot ? tradingDayOf(firstSnapshot) : addDays(nyDate(now), 1),
        )
      : [];
  if (!firstSnapshot) return earlier;
  const from = new Date(Math.max(rangeStart.getTime(), firstSnapshot.getTime()));
  const coveredMs = Math.max(1, now.getTime() - from.getTime());
  // A span cut into n buckets can touch n + 1 of them; divide by one less to stay within the bound.
  const bucketSeconds = coveredMs / 1000 / Math.max(1, MAX_CHART_POINTS - 1 - earlier.length);
  const result = await db.raw(
    `select distinct on (bucket) floor(extract(epoch from taken_at) / ?::float8) as bucket, taken_at, equity
       from portfolio_snapshots
      where account_number = ? and taken_at >= ? and taken_at <= ?
      order by bucket, taken_at desc`,
    [bucketSeconds, accountKey, from.toISOString(), now.toISOString()],
  );
  return [
    ...earlier,
    ...(result.rows as DbRow[]).map((r) => ({ t: isoAt(r.taken_at), equity: String(r.equity) })),
  ];
}

/** The accounts' snapshots summed per bucket. Every query names one account (an index range scan). */
async function allAccountsSnapshotPoints(db: Queryable, now: Date, spanMs: number): Promise<ChartPoint[]> {
  const keys = (await db('trading_accounts').orderBy('account_number').pluck('account_number')) as string[];
  const rangeStart = new Date(now.getTime() - spanMs);
  const firsts = (await Promise.all(
    keys.map((key) =>
      db('portfolio_snapshots')
        .where({ account_number: key })
        .andWhere('taken_at', '>=', rangeStart.toISOString())
        .min({ first: 'taken_at' })
        .first(),
    ),
  )) as Array<DbRow | undefined>;
  const oldestMs = Math.min(
    ...firsts.flatMap((r) => (r?.first ? [new Date(r.first as string | Date).getTime()] : [])),
  );
  if (!Number.isFinite(oldestMs)) return [];
  const from = new Date(Math.max(rangeStart.getTime(), oldestMs));
  const coveredMs = Math.max(1, now.getTime() - from.getTime());
  // A span cut into n buckets can touch n + 1 of them; divide by one less to stay within the bound.
  const bucketSeconds = coveredMs / 1000 / (MAX_CHART_POINTS - 1);
  const perAccount = await Promise.all(
    keys.map(async (key) => {
      const result = await db.raw(
        `select distinct on (bucket) floor(extract(epoch from taken_at) / ?::float8) as bucket,
                account_number, taken_at, equity
           from portfolio_snapshots
          where account_number = ? and taken_at >= ? and taken_at <= ?
          order by bucket, taken_at desc`,
        [bucketSeconds, key, from.toISOString(), now.toISOString()],
      );
      return result.rows as DbRow[];
    }),
  );
  if (keys.length === 1)
    return (perAccount[0] ?? []).map((r) => ({ t: isoAt(r.taken_at), equity: String(r.equity) }));
  return sumAcrossAccounts(perAccount.flat().sort((a, b) => Number(a.bucket) - Number(b.bucket)));
}

/**
 * Rows (bucket, account_number, taken_at, equity), ordered by bucket: one point per bucket with
 * every account's latest equity so far, at the newest time in the bucket.
 */
export function sumAcrossAccounts(rows: readonly DbRow[]): ChartPoint[] {
  const accounts = new Set(rows.map((r) => String(r.account_number)));
  const latest = new Map<string, Dec>();
  const points: ChartPoint[] = [];
  let i = 0;
  while (i < rows.length) {
    const bucket = Number(rows[i]?.bucket);
    let t = '';
    for (; i < rows.length && Number(rows[i]?.bucket) === bucket; i++) {
      const r = rows[i] as DbRow;
      latest.set(String(r.account_number), dec(String(r.equity)));
      const at = isoAt(r.taken_at);
      if (at > t) t = at;
    }
    if (latest.size < accounts.size) continue;
    const sum = [...latest.values()].reduce((a, b) => a.plus(b), dec('0'));
    points.push({ t, equity: decString(sum) });
  }
  return points;
}

async function dailyPoints(
  db: Queryable,
  accountKey: string,
  now: Date,
  range: ChartRange,
): Promise<ChartPoint[]> {
  const all = accountKey === ALL_ACCOUNTS;
  const to = nyDate(now);
  let from: string;
  if (range === '1Y') {
    from = addDays(to, -365);
  } else {
    const firstQuery = db('daily_portfolio_balances').orderBy('date');
    if (!all) firstQuery.where({ account_number: accountKey });
    const first = (await firstQuery.first('date')) as DbRow | undefined;
    if (!first) return [];
    from = String(first.date);
  }
  const bucketDays = Math.max(1, Math.ceil((daysBetween(from, to) + 1) / (MAX_CHART_POINTS - 1)));
  // The close (16:00 New York) is computed by the database: per row in JavaScript, Intl's time
  // zone arithmetic cost more than the whole query.
  const result = all
    ? await db.raw(
        `select distinct on (bucket) (date - ?::date) / ? as bucket,
                (date + time '16:00') at time zone ? as close_at, ending_balance
           from (select date, sum(ending_balance) as ending_balance
                   from daily_portfolio_balances
                  where date >= ?::date and date <= ?::date
                  group by date) as days
          order by bucket, date desc`,
        [from, bucketDays, MARKET_TIME_ZONE, from, to],
      )
    : await db.raw(
        `select distinct on (bucket) (date - ?::date) / ? as bucket,
                (date + time '16:00') at time zone ? as close_at, ending_balance
           from daily_portfolio_balances
          where account_number = ? and date >= ?::date and date <= ?::date
          order by bucket, date desc`,
        [from, bucketDays, MARKET_TIME_ZONE, accountKey, from, to],
      );
  return (result.rows as DbRow[]).map((r) => ({
    t: isoAt(r.close_at),
    equity: String(r.ending_balance),
  }));
}

export async function readChart(
  db: Queryable,
  options: { accountKey: string; range: ChartRange; now: Date },
): Promise<ChartSeries> {
  const spanMs = SNAPSHOT_SPANS_MS[options.range];
  if (spanMs !== undefined) {
    return {
      accountKey: options.accountKey,
      range: options.range,
      source: 'snapshots',
      points: await snapshotPoints(db, options.accountKey, options.now, spanMs, options.range !== '1D'),
    };
  }
  return {
    accountKey: options.accountKey,
    range: options.range,
    source: 'daily',
    points: await dailyPoints(db, options.accountKey, options.now, options.range),
  };
}
