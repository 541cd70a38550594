/**
 * The broker's portfolio history on the first sync: past days land in daily_portfolio_balances
 * marked 'broker', the 1Y and All chart ranges have a year of points at once, a re-sync asks for
 * nothing and adds nothing, and after a gap the history fills the missing days without touching a
 * day the app recorded itself.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { addDays, isWeekend, tradingDayOf } from '../../main/store/index.js';
import { systemClock } from '../../main/util/clock.js';
import { Dec } from '../../main/util/money.js';
import { BACKENDS, createSyncHarness, type SyncHarness } from '../helpers/sync-harness.js';

const harnesses: SyncHarness[] = [];
afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.close();
});

const HISTORY_PATH = /^\/portfolios\/historicals\/[^/]+\/$/;
const dateOf = (value: unknown) =>
  value instanceof Date ? value.toISOString().slice(0, 10) : String(value).slice(0, 10);

function weekdaysFrom(from: string, before: string): string[] {
  const days: string[] = [];
  for (let d = from; d < before; d = addDays(d, 1)) if (!isWeekend(d)) days.push(d);
  return days;
}

describe.each(BACKENDS)('portfolio history on %s', (backend) => {
  it('fills the days before the first sync from the broker, once, and the long chart ranges draw them', async () => {
    let offsetMs = 0;
    const clock = { ...systemClock, now: () => new Date(Date.now() + offsetMs) };
    // The broker and the app share the clock, so three weeks pass for both.
    const h = await createSyncHarness({ backend, runtime: { clock }, simulator: { clock } });
    harnesses.push(h);
    const account = h.sim.state.accounts[0]!;

    const first = await h.runtime.syncOnce('cli', 'force');
    expect(first.error).toBeNull();
    const reads = h.sim.requests.filter((r) => HISTORY_PATH.test(r.path));
    expect(reads).toHaveLength(1);
    expect(reads[0]!.query).toMatchObject({ span: 'all', interval: 'day', bounds: 'regular' });

    const store = h.runtime.store()!;
    const key = `****${account.accountNumber.slice(-4)}`;
    const today = tradingDayOf(clock.now());
    const rows = await store.knex('daily_portfolio_balances').where({ account_number: key }).orderBy('date');
    const broker = rows.filter((r) => r.source === 'broker');
    const app = rows.filter((r) => r.source === 'app');
    // Every weekday from the account's first day to yesterday, from the broker; today from the app.
    expect(broker.map((r) => dateOf(r.date))).toEqual(weekdaysFrom(account.startDate, today));
    expect(app.map((r) => dateOf(r.date))).toEqual([today]);
    // The broker's close of each day, as sent (the simulator's payload for the same request).
    const sent = await fetchHistory(h, account.accountNumber);
    const closeOf = new Map(sent.map((b) => [b.begins_at.slice(0, 10), b.close_equity]));
    for (const r of broker.slice(-5))
      expect(new Dec(r.ending_balance).eq(closeOf.get(dateOf(r.date))!)).toBe(true);

    const oneYear = await store.chart({ accountKey: key, range: '1Y', now: clock.now() });
    const all = await store.chart({ accountKey: key, range: 'ALL', now: clock.now() });
    expect(oneYear.points.length).toBeGreaterThanOrEqual(250);
    // 1M and 1W start with the broker's closes before the first snapshot; 1D has the snapshot only.
    const oneMonth = await store.chart({ accountKey: key, range: '1M', now: clock.now() });
    const oneWeek = await store.chart({ accountKey: key, range: '1W', now: clock.now() });
    const oneDay = await store.chart({ accountKey: key, range: '1D', now: clock.now() });
    expect(oneMonth.points.length).toBeGreaterThanOrEqual(19);
    expect(oneWeek.points.length).toBeGreaterThanOrEqual(4);
    expect(oneDay.points).toHaveLength(1);
    const lastBrokerDay = broker.at(-1)!;
    const monthPoint = oneMonth.points.find((p) => p.t.slice(0, 10) === dateOf(lastBrokerDay.date))!;
    expect(new Dec(monthPoint.equity).eq(lastBrokerDay.ending_balance)).toBe(true);
    // ALL reaches back to the account's first day (thinned to at most 500 points).
    expect(all.points.length).toBeGreaterThanOrEqual(Math.min(500, broker.length) / 2);
    expect(all.points.length).toBeLessThanOrEqual(500);
    expect(Date.parse(all.points[0]!.t) - Date.parse(account.startDate)).toBeLessThan(4 * 86_400_000);

    // Again the same day: no request for the history, no row added.
    h.sim.clearRequests();
    expect((await h.runtime.syncOnce('cli', 'force')).error).toBeNull();
    expect(h.sim.requests.filter((r) => HISTORY_PATH.test(r.path))).toHaveLength(0);
    expect(await store.knex('daily_portfolio_balances').where({ account_number: key })).toHaveLength(
      rows.length,
    );

    // A gap: the app was not running for three weeks; it had recorded one day on its own before.
    const missing = broker.slice(-15).map((r) => dateOf(r.date));
    await store
      .knex('daily_portfolio_balances')
      .where({ account_number: key })
      .whereIn('date', missing)
      .delete();
    const appDay = missing[7]!;
    await store.knex('daily_portfolio_balances').insert({
      account_number: key,
      date: appDay,
      ending_balance: '12345.6700',
      source: 'app',
    });
    offsetMs = 21 * 86_400_000;
    h.sim.clearRequests();
    expect((await h.runtime.syncOnce('cli', 'skip')).error).toBeNull();
    const gapReads = h.sim.requests.filter((r) => HISTORY_PATH.test(r.path));
    expect(gapReads).toHaveLength(1);
    expect(gapReads[0]!.query['span']).toBe('year');
    const after = await store.knex('daily_portfolio_balances').where({ account_number: key }).orderBy('date');
    const dates = after.map((r) => dateOf(r.date));
    expect(new Set(dates).size).toBe(dates.length);
    for (const day of missing) expect(dates).toContain(day);
    const kept = after.find((r) => dateOf(r.date) === appDay)!;
    expect(kept.source).toBe('app');
    expect(new Dec(kept.ending_balance).eq('12345.67')).toBe(true);
    // The three weeks the app missed come from the broker too, up to the new today.
    const newToday = tradingDayOf(clock.now());
    for (const day of weekdaysFrom(addDays(today, 1), newToday)) expect(dates).toContain(day);
  }, 120_000);
});

async function fetchHistory(
  h: SyncHarness,
  accountNumber: string,
): Promise<{ begins_at: string; close_equity: string }[]> {
  const user = h.scenario.users[0]!;
  const token = (await (
    await fetch(`${h.sim.url}/oauth2/token/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        grant_type: 'password',
        client_id: 'c82SH0WZOsabOXGP2sxqcj34FxkvfnWRZBKlBjFS',
        scope: 'internal',
        username: user.username,
        password: user.password,
        device_token: '3f2a9c1e-7b4d-4e21-9a0c-5d6e7f8a9b0c',
      }),
    })
  ).json()) as { access_token: string };
  const body = (await (
    await fetch(
      `${h.sim.url}/portfolios/historicals/${accountNumber}/?span=all&interval=day&bounds=regular`,
      {
        headers: { authorization: `Bearer ${token.access_token}` },
      },
    )
  ).json()) as { equity_historicals: { begins_at: string; close_equity: string }[] };
  return body.equity_historicals;
}
