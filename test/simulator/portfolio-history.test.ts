/**
 * The simulator's `GET /portfolios/historicals/{n}/`: the spans and intervals the API accepts, one
 * bar per weekday, past days that price moves do not change, and a series that ends at the
 * equity at the previous close (the last past day) and the equity now (today, on a weekday).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { HttpStatusError } from '../../main/broker/robinhood/errors.js';
import { Dec } from '../../main/util/money.js';
import { closeAll, connect } from './helpers.js';

afterEach(closeAll);

const weekday = (iso: string) => {
  const day = new Date(iso).getUTCDay();
  return day !== 0 && day !== 6;
};

describe('portfolio history', () => {
  it('answers each span with weekday bars, and past days stay put when prices move', async () => {
    const { sim, rh } = await connect();
    const account = sim.state.accounts[0]!;
    const year = await rh.client.getPortfolioHistory(account.accountNumber, {
      span: 'year',
      interval: 'day',
    });
    expect(year.rejected).toEqual([]);
    expect(year.bars.length).toBeGreaterThan(100);
    expect(year.bars.every((b) => weekday(b.begins_at) && b.session === 'reg')).toBe(true);
    const dates = year.bars.map((b) => b.begins_at);
    expect([...dates].sort()).toEqual(dates);
    expect(new Set(dates).size).toBe(dates.length);
    // Each bar opens at the close before it.
    for (let i = 1; i < year.bars.length; i++)
      expect(year.bars[i]!.open_equity).toBe(year.bars[i - 1]!.close_equity);

    const all = await rh.client.getPortfolioHistory(account.accountNumber, { span: 'all', interval: 'day' });
    expect(all.bars[0]!.begins_at.slice(0, 10) >= account.startDate).toBe(true);
    const allByDate = new Map(all.bars.map((b) => [b.begins_at, b.close_equity]));
    for (const bar of year.bars) expect(allByDate.get(bar.begins_at)).toBe(bar.close_equity);

    const today = new Date().toISOString().slice(0, 10);
    const past = (bars: typeof year.bars) => bars.filter((b) => b.begins_at.slice(0, 10) < today);
    sim.movePrices({ fraction: 1, maxPercent: 4, seed: 9 });
    const again = await rh.client.getPortfolioHistory(account.accountNumber, {
      span: 'year',
      interval: 'day',
    });
    expect(past(again.bars)).toEqual(past(year.bars));

    const weeks = await rh.client.getPortfolioHistory(account.accountNumber, {
      span: '5year',
      interval: 'week',
    });
    expect(weeks.bars.every((b) => new Date(b.begins_at).getUTCDay() === 1)).toBe(true);
    const hours = await rh.client.getPortfolioHistory(account.accountNumber, {
      span: 'week',
      interval: 'hour',
    });
    expect(hours.bars.length).toBeGreaterThan(0);
    expect(new Dec(hours.bars[0]!.close_equity!).gt(0)).toBe(true);
  });

  it('refuses a span or interval the API does not know, like the real server', async () => {
    const { sim, rh } = await connect();
    const path = `/portfolios/historicals/${sim.state.accounts[0]!.accountNumber}/`;
    await expect(rh.http.getJson(path, { span: 'decade', interval: 'day' })).rejects.toBeInstanceOf(
      HttpStatusError,
    );
    await expect(
      rh.http.getJson(path, { span: 'year', interval: 'day', bounds: 'extended' }),
    ).rejects.toBeInstanceOf(HttpStatusError);
    await expect(
      rh.http.getJson('/portfolios/historicals/NOSUCH1/', { span: 'year', interval: 'day' }),
    ).rejects.toBeInstanceOf(HttpStatusError);
  });
});
