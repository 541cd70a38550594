/**
 * One unreadable broker item never blocks its stream: it is kept in quarantined_items (raw, with
 * the account number masked), the rest of the history is written and its cursor moves on, the
 * count reaches the stats, a later good read of the same id releases it, and a malformed page
 * still fails the stream. Also: a dividend without `state` (2016–2018 payloads) is read.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../main/util/clock.js';
import { BACKENDS, createSyncHarness, type SyncHarness } from '../helpers/sync-harness.js';

const harnesses: SyncHarness[] = [];
afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.close();
});

const PLANTED_ID = '0badd1f1-0000-4000-8000-000000000001';
const WEEK_MS = 7 * 86_400_000;

describe.each(BACKENDS)('quarantine on %s', (backend) => {
  it('keeps an unreadable dividend apart, writes the rest, and releases it once it reads well', async () => {
    let offsetMs = 0;
    const clock = { ...systemClock, now: () => new Date(Date.now() + offsetMs) };
    const h = await createSyncHarness({ backend, runtime: { clock } });
    harnesses.push(h);
    const template = h.sim.state.dividends[0]!;
    const account = template.accountNumber;
    h.sim.state.dividends.push({ ...template, id: PLANTED_ID, amount: '1,000.00' });
    const dividendsAtBroker = h.sim.state.dividends.length;

    const first = await h.runtime.syncOnce('cli', 'force');
    expect(first.error).toBeNull();
    expect(first.status).toBe('success');
    const knex = h.runtime.store()!.knex;
    // Every readable dividend, every order and the trades are written; the planted one is kept apart.
    expect(Number((await knex('dividends').count({ n: '*' }))[0]!.n)).toBe(dividendsAtBroker - 1);
    expect(Number((await knex('orders').count({ n: '*' }))[0]!.n)).toBe(
      h.sim.state.stockOrders.length + h.sim.state.optionOrders.length,
    );
    const rows = await knex('quarantined_items');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ stream: 'dividends', broker_id: PLANTED_ID });
    expect(rows[0].reason).toContain('amount');
    expect(rows[0].raw.amount).toBe('1,000.00');
    // The raw item is stored without the full account number.
    expect(JSON.stringify(rows[0].raw)).not.toContain(account);
    expect(JSON.stringify(rows[0].raw)).toContain(`/accounts/****${account.slice(-4)}`);
    const firstSeen = new Date(rows[0].first_seen_at).getTime();
    expect((await h.runtime.store()!.stats({ rateLimitPerMinute: 60 })).quarantined).toBe(1);
    // The history stream committed: its watermark moved.
    const state = await knex('sync_state').where({ stream: 'history' }).first();
    expect(state.last_success_at).not.toBeNull();

    // Still unreadable a week later: the same row, seen again.
    offsetMs = WEEK_MS;
    expect((await h.runtime.syncOnce('cli', 'force')).status).toBe('success');
    const again = await knex('quarantined_items');
    expect(again).toHaveLength(1);
    expect(new Date(again[0].first_seen_at).getTime()).toBe(firstSeen);
    expect(new Date(again[0].last_seen_at).getTime()).toBeGreaterThan(firstSeen);

    // The broker sends it readable: stored, and out of quarantine.
    h.sim.state.dividends.find((d) => d.id === PLANTED_ID)!.amount = '10.00';
    offsetMs = 2 * WEEK_MS;
    expect((await h.runtime.syncOnce('cli', 'force')).status).toBe('success');
    expect(await knex('quarantined_items')).toHaveLength(0);
    expect((await knex('dividends').where({ dividend_id: PLANTED_ID }).first())?.amount).toBeDefined();
    expect(Number((await knex('dividends').count({ n: '*' }))[0]!.n)).toBe(dividendsAtBroker);
    expect((await h.runtime.store()!.stats({ rateLimitPerMinute: 60 })).quarantined).toBe(0);
  }, 120_000);

  it('reads dividends without a state (old payloads): a paid_at makes them paid', async () => {
    const h = await createSyncHarness({ backend });
    harnesses.push(h);
    h.sim.inject({ kind: 'drop-field', field: 'state', match: { path: '/dividends/' }, times: Infinity });
    const outcome = await h.runtime.syncOnce('cli', 'force');
    expect(outcome.error).toBeNull();
    const knex = h.runtime.store()!.knex;
    const stored = await knex('dividends').select('dividend_id', 'state');
    expect(stored).toHaveLength(h.sim.state.dividends.length);
    for (const row of stored) {
      const sim = h.sim.state.dividends.find((d) => d.id === row.dividend_id)!;
      expect(row.state).toBe(sim.paidAt ? 'paid' : 'pending');
    }
    expect(await knex('quarantined_items')).toHaveLength(0);
  }, 120_000);

  it('still fails the history stream when a page itself is malformed', async () => {
    const h = await createSyncHarness({ backend });
    harnesses.push(h);
    h.sim.inject({ kind: 'malformed', match: { path: '/dividends/' }, times: 1 });
    const outcome = await h.runtime.syncOnce('cli', 'force');
    expect(outcome.status).toBe('partial');
    expect(outcome.error?.message).toMatch(/trade history/);
    const knex = h.runtime.store()!.knex;
    expect(await knex('orders')).toHaveLength(0);
    expect(await knex('quarantined_items')).toHaveLength(0);
    expect(await knex('sync_state').where({ stream: 'history' })).toHaveLength(0);
  }, 120_000);
});
