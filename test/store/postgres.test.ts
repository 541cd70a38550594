/**
 * What only a PostgreSQL server offers: advisory locks between agents, NOTIFY to dashboards,
 * concurrent migration, statement timeouts, and the indexes dashboards rely on.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADVISORY_LOCK_NAMESPACE,
  advisoryLockKey,
  NOTIFY_CHANNEL,
  openStore,
  redactUrl,
  type Store,
  StoreOpenError,
  testPostgresConnection,
} from '../../main/store/index.js';
import { appliedMigrations } from '../../main/store/migrate.js';
import { collectingLogger } from '../../main/util/logger.js';
import { createTestDatabase, PG_ADMIN_URL, type TestDatabase } from '../helpers/postgres.js';
import { account, snapshot } from './fixtures.js';

const AT = new Date('2026-03-02T15:00:00Z');

describe('PostgreSQL store', () => {
  let db: TestDatabase;
  let agentA: Store;
  let agentB: Store;

  beforeAll(async () => {
    db = await createTestDatabase('pgonly');
    // Two agents start at once against an empty database: one migrates, the other waits for it.
    [agentA, agentB] = await Promise.all([
      openStore({ kind: 'postgres', url: db.url }, { agentId: 'agent-a' }),
      openStore({ kind: 'postgres', url: db.url }, { agentId: 'agent-b' }),
    ]);
    await agentA.transaction((trx) =>
      agentA.accounts.upsert(trx, [account('****4141'), account('****9999')], AT),
    );
  });

  afterAll(async () => {
    await agentA?.close();
    await agentB?.close();
    await db?.drop();
  });

  it('migrates once however many agents open it, and reopening changes nothing', async () => {
    expect(await appliedMigrations(agentA.knex)).toEqual(['0001_initial', '0002_run_records']);
    const third = await openStore({ kind: 'postgres', url: db.url });
    try {
      expect(await appliedMigrations(third.knex)).toEqual(['0001_initial', '0002_run_records']);
      expect((await third.accounts.list(third.knex)).map((a) => a.accountNumber)).toEqual([
        '****4141',
        '****9999',
      ]);
    } finally {
      await third.close();
    }
  });

  describe('account lock', () => {
    it('lets one agent sync an account while the other is refused without running', async () => {
      let ranB = false;
      const outcome = await agentA.withAccountLock('****4141', async () => {
        const refused = await agentB.withAccountLock('****4141', async () => {
          ranB = true;
        });
        const otherAccount = await agentB.withAccountLock('****9999', async () => 'other account is free');
        return { refused, otherAccount };
      });
      expect(ranB).toBe(false);
      expect(outcome).toEqual({
        status: 'ran',
        value: {
          refused: {
            status: 'locked',
            accountKey: '****4141',
            message: 'Account ****4141 is being synced by another Magnus Sync agent; this cycle skips it.',
          },
          otherAccount: { status: 'ran', value: 'other account is free' },
        },
      });
      // Released when the first agent finished.
      expect(await agentB.withAccountLock('****4141', async () => 'now mine')).toEqual({
        status: 'ran',
        value: 'now mine',
      });
    });

    it('releases the lock when fn throws', async () => {
      await expect(
        agentA.withAccountLock('****4141', async () => {
          throw new Error('cycle failed');
        }),
      ).rejects.toThrow('cycle failed');
      expect(await agentB.withAccountLock('****4141', async () => 1)).toEqual({ status: 'ran', value: 1 });
    });

    it('is released by the server when the holding connection dies', async () => {
      const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
      await admin.connect();
      try {
        const outcome = await agentA.withAccountLock('****4141', async () => {
          // The lock is visible in pg_locks under the documented key.
          const held = await admin.query(
            `select count(*)::int as n from pg_locks
              where locktype = 'advisory' and granted and classid = ($1::int)::oid and objid = ($2::int)::oid`,
            [ADVISORY_LOCK_NAMESPACE, advisoryLockKey('****4141')],
          );
          expect(held.rows[0].n).toBe(1);
          // Simulate a crash of agent A: its lock connection disappears.
          await admin.query(
            `select pg_terminate_backend(pid) from pg_stat_activity
              where datname = $1 and application_name = 'magnus-sync-lock:agent-a'`,
            [db.name],
          );
          return agentB.withAccountLock('****4141', async () => 'taken over');
        });
        expect(outcome).toEqual({ status: 'ran', value: { status: 'ran', value: 'taken over' } });
      } finally {
        await admin.end();
      }
    });
  });

  describe('NOTIFY', () => {
    let listener: pg.Client;
    const received: Array<{ channel: string; payload: unknown }> = [];

    beforeAll(async () => {
      listener = new pg.Client({ connectionString: db.url });
      await listener.connect();
      listener.on('notification', (n) =>
        received.push({ channel: n.channel, payload: JSON.parse(n.payload ?? 'null') }),
      );
      await listener.query(`listen ${NOTIFY_CHANNEL}`);
    });
    afterAll(async () => {
      await listener?.end();
    });

    async function until(predicate: () => boolean): Promise<void> {
      for (let i = 0; i < 200 && !predicate(); i++) await new Promise((r) => setTimeout(r, 10));
    }

    it('reaches a listener on commit, not before and never after a rollback', async () => {
      const payload = (streams: string[]) => ({
        event: 'data_changed' as const,
        accounts: ['****4141'],
        streams,
        rowsWritten: 3,
        at: AT.toISOString(),
        runId: 7,
        agentId: 'agent-a',
      });
      await expect(
        agentA.transaction(async (trx) => {
          await agentA.notify(trx, payload(['rolled-back']));
          throw new Error('stream failed');
        }),
      ).rejects.toThrow('stream failed');

      await agentA.transaction(async (trx) => {
        await agentA.notify(trx, payload(['positions']));
        await listener.query('select 1');
        expect(received).toEqual([]);
      });
      await until(() => received.length > 0);
      // Notifications arrive in commit order: had the rolled-back one been sent, it would be first.
      expect(received).toEqual([{ channel: 'magnus_sync', payload: payload(['positions']) }]);
    });
  });

  it('cancels statements that run past the statement timeout', async () => {
    const store = await openStore({ kind: 'postgres', url: db.url }, { statementTimeoutMs: 50 });
    try {
      await expect(store.knex.raw('select pg_sleep(2)')).rejects.toThrow(/statement timeout/);
    } finally {
      await store.close();
    }
  });

  it('never shows a database password in errors or logs', async () => {
    const secret = 's3cr%40t-pw';
    const url = new URL(db.url);
    url.username = 'nobody_here';
    url.password = secret;
    const logger = collectingLogger();
    const error = await openStore({ kind: 'postgres', url: url.toString() }, { logger }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StoreOpenError);
    const message = (error as Error).message;
    expect(message).toContain(
      'Could not connect to the PostgreSQL server at postgres://nobody_here:***@127.0.0.1:5432/',
    );
    expect(message).toContain('role "nobody_here" does not exist');
    for (const text of [message, (error as Error).stack ?? '', JSON.stringify(logger.records)]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain('s3cr@t-pw');
    }

    const refused = await openStore({ kind: 'postgres', url: `postgres://u:${secret}@127.0.0.1:1/x` }).catch(
      (e: unknown) => e,
    );
    expect((refused as Error).message).toMatch(
      /^Could not connect to the PostgreSQL server at postgres:\/\/u:\*\*\*@127\.0\.0\.1:1\/x: /,
    );
    await expect(openStore({ kind: 'postgres', url: 'mysql://x@y/z' })).rejects.toThrow(
      'Database URL must start with postgres:// or postgresql://.',
    );
    expect(redactUrl('postgres://me:pw@h:5432/db?password=pw2&sslmode=require')).toBe(
      'postgres://me:***@h:5432/db?password=***&sslmode=require',
    );
  });

  it('tests a connection without saving anything', async () => {
    const ok = await testPostgresConnection(db.url);
    expect(ok.ok).toBe(true);
    expect(ok.message).toMatch(/^Connected to PostgreSQL 15\.\d+ at postgres:\/\//);
    const bad = await testPostgresConnection('postgres://someone:hunter2@127.0.0.1:5432/no_such_db_here');
    expect(bad.ok).toBe(false);
    expect(bad.message).not.toContain('hunter2');
    expect(bad.message).toContain('postgres://someone:***@127.0.0.1:5432/no_such_db_here');
  });

  describe('dashboard indexes with a year of 5-minute snapshots for two accounts', () => {
    beforeAll(async () => {
      for (const key of ['****4141', '****9999']) {
        await agentA.knex.raw(
          `insert into portfolio_snapshots (account_number, taken_at, equity, market_value, cash, buying_power,
                                            stock_value, options_value, previous_close_equity)
           select ?, t, 10000 + (extract(epoch from t)::bigint % 997), 8000, 2000, 2000, 7500, 500, 9900
             from generate_series(timestamptz '2025-03-02 15:00:00+00', timestamptz '2026-03-02 15:00:00+00',
                                  interval '5 minutes') as t`,
          [key],
        );
      }
      // As autovacuum would by now: statistics, and a visibility map for index-only scans.
      await agentA.knex.raw('vacuum analyze portfolio_snapshots');
    });

    async function plan(sql: string, bindings: unknown[]): Promise<string> {
      const result = await agentA.knex.raw(`explain (format json) ${sql}`, bindings as never);
      return JSON.stringify(result.rows[0]['QUERY PLAN']);
    }

    it('reads the latest snapshot and chart ranges through the (account, time) index', async () => {
      const count = await agentA.knex('portfolio_snapshots').count({ n: '*' }).first();
      expect(count?.n).toBe(2 * 105_121);

      const latest = await plan(
        'select * from portfolio_snapshots where account_number = ? order by taken_at desc limit 1',
        ['****4141'],
      );
      expect(latest).toContain('portfolio_snapshots_account_time_idx');
      expect(latest).not.toContain('Seq Scan');
      const week = await plan(
        `select distinct on (bucket) floor(extract(epoch from taken_at) / 1213) as bucket, taken_at, equity
           from portfolio_snapshots where account_number = ? and taken_at >= ? and taken_at <= ?
          order by bucket, taken_at desc`,
        ['****4141', '2026-02-23T15:00:00Z', '2026-03-02T15:00:00Z'],
      );
      // The index bounds the scan (index-only or bitmap, as the planner likes); never the whole table.
      expect(week).toContain('portfolio_snapshots_account_time_idx');
      expect(week).not.toContain('Seq Scan');

      // Timing is reported, not asserted (the machine is shared): see docs/schema.md.
      const now = new Date('2026-03-02T15:00:00Z');
      const timings: Record<string, number> = {};
      for (const [name, run] of Object.entries({
        latest: () => agentA.snapshots.latest(agentA.knex, '****4141'),
        dashboard: () => agentA.dashboard({ accountKey: '****4141', now }),
        chart1D: () => agentA.chart({ accountKey: '****4141', range: '1D', now }),
        chart1W: () => agentA.chart({ accountKey: '****4141', range: '1W', now }),
        chart1M: () => agentA.chart({ accountKey: '****4141', range: '1M', now }),
      })) {
        await run();
        const began = performance.now();
        for (let i = 0; i < 10; i++) await run();
        timings[name] = Number(((performance.now() - began) / 10).toFixed(2));
      }
      console.info('PostgreSQL reads over 210k snapshots (ms per call):', timings);
      const month = await agentA.chart({ accountKey: '****4141', range: '1M', now });
      expect(month.points.length).toBeLessThanOrEqual(500);
      expect(month.points.at(-1)?.t).toBe(now.toISOString());
    });
  });

  it('writes a snapshot per cycle for each agent’s account without clashing', async () => {
    await agentB.transaction((trx) =>
      agentB.snapshots.insert(trx, snapshot('****9999', '2027-01-01T00:00:00Z')),
    );
    expect((await agentA.snapshots.latest(agentA.knex, '****9999'))?.takenAt).toBe(
      '2027-01-01T00:00:00.000Z',
    );
  });
});
