/**
 * The Magnus compatibility layer end to end, on a fresh PostgreSQL database: the real command
 * (bin/magnus-sync.js) syncs a simulator account with hand-made trades as an agent role, then sets
 * up magnus_compat for a separate login; Magnus's own SQL (test/fixtures/magnus/queries.ts, taken
 * from its code) runs verbatim as that login, start-up DDL included, with literal expected values.
 * Also: Magnus's balance tracker writing its table, the sync feeding it, two accounts, re-runs,
 * --remove, and the rights cases (member of the role, superuser, no rights).
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import knexFactory from 'knex';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tradingDayOf } from '../../main/domain/market-time.js';
import { CATALOG } from '../../main/simulator/catalog.js';
import { Rng } from '../../main/simulator/random.js';
import { dateToMs, fridayAfter, fridayBefore, isoDate, MS_PER_DAY } from '../../main/simulator/time.js';
import { installMagnusCompat } from '../../main/store/compat/magnus-compat.js';
import { pgTypes } from '../../main/store/database.js';
import { openStore } from '../../main/store/index.js';
import { MAGNUS_QUERIES, type MagnusQuery } from '../fixtures/magnus/queries.js';
import {
  createTestDatabase,
  createTestRole,
  PG_ADMIN_URL,
  type TestDatabase,
  type TestRole,
} from '../helpers/postgres.js';
import {
  DEFAULT_USER,
  type Scenario,
  ScenarioBuilder,
  type Simulator,
  startSimulator,
} from '../simulator-tools/index.js';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/magnus-sync.js');
const MAIN = '****4141';
const OTHER = '****0042';

// ---- the account: a short put closed early, a short call expired, a short put assigned ----------

/** Dates anchored on a Friday one to two weeks back, so days held and days to expiry are fixed. */
function magnusScenario(): Scenario {
  const seed = 4141;
  const b = new ScenarioBuilder(new Rng(seed), new Date(), seed);
  b.addUser({ ...DEFAULT_USER });
  const listing = (symbol: string) => b.addInstrument(CATALOG.find((c) => c.symbol === symbol)!);
  const [AAPL, TSLA, KO, MSFT] = ['AAPL', 'TSLA', 'KO', 'MSFT'].map(listing) as [
    ReturnType<typeof listing>,
    ReturnType<typeof listing>,
    ReturnType<typeof listing>,
    ReturnType<typeof listing>,
  ];
  const main = b.addAccount({
    accountNumber: '5QR24141',
    type: 'margin',
    brokerageAccountType: 'individual',
    cash: '25000.0000',
  });
  const other = b.addAccount({
    accountNumber: '7XK30042',
    type: 'margin',
    brokerageAccountType: 'individual',
    cash: '9000.0000',
  });
  const friday = dateToMs(fridayBefore(b.nowMs, 1));
  const day = (offset: number) => b.marketTime(friday + offset * MS_PER_DAY);
  const single = (
    account: typeof main,
    option: ReturnType<typeof b.optionInstrument>,
    side: 'buy' | 'sell',
    effect: 'open' | 'close',
    price: string,
    quantity: number,
    at: number,
    strategy: string,
  ) =>
    b.optionOrder({
      account,
      legs: [{ option, side, effect, price }],
      quantity,
      at,
      outcome: 'filled',
      strategy,
    });

  // Short put closed early: sold Monday, bought back two weeks later (14 days held, 25 days to expiry).
  const aaplPut = b.optionInstrument(AAPL, isoDate(friday + 7 * MS_PER_DAY), '200', 'put');
  single(main, aaplPut, 'sell', 'open', '2.50', 1, day(-18), 'short_put');
  single(main, aaplPut, 'buy', 'close', '0.80', 1, day(-4), 'short_put');
  // Short call held to expiry, expired worthless (21 days).
  const tslaCall = b.optionInstrument(TSLA, isoDate(friday - 7 * MS_PER_DAY), '300', 'call');
  single(main, tslaCall, 'sell', 'open', '1.20', 1, day(-28), 'short_call');
  b.optionEvent({
    account: main,
    option: tslaCall,
    side: 'short',
    type: 'expiration',
    quantity: 1,
    underlyingPrice: '281.5000',
  });
  // Short put assigned: 100 KO shares at 60.
  const koPut = b.optionInstrument(KO, isoDate(friday - 14 * MS_PER_DAY), '60', 'put');
  single(main, koPut, 'sell', 'open', '0.82', 1, day(-44), 'short_put');
  b.optionEvent({
    account: main,
    option: koPut,
    side: 'short',
    type: 'assignment',
    quantity: 1,
    underlyingPrice: '58.4000',
  });
  // Still open: a short MSFT put, and 10 AAPL shares.
  const msftPut = b.optionInstrument(MSFT, fridayAfter(b.nowMs, 3), '380', 'put');
  single(main, msftPut, 'sell', 'open', '3.10', 1, day(0), 'short_put');
  b.stockOrder({
    account: main,
    instrument: AAPL,
    side: 'buy',
    quantity: '10',
    at: day(-30),
    outcome: 'filled',
    price: '190.25',
    type: 'limit',
  });
  // The other account: its own short put closed early (2 contracts).
  single(other, aaplPut, 'sell', 'open', '4.00', 2, day(-18), 'short_put');
  single(other, aaplPut, 'buy', 'close', '1.00', 2, day(-4), 'short_put');
  return b.build();
}

// ---- plumbing ---------------------------------------------------------------------------------

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

let home: string;
let sim: Simulator;
let db: TestDatabase;
let agent: TestRole;
let dash: TestRole;
let outsider: TestRole;
const scenario = magnusScenario();

function run(args: string[]): Promise<Result> {
  const user = scenario.users[0]!;
  return new Promise((done) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: home,
      env: {
        PATH: process.env.PATH,
        HOME: home,
        XDG_CONFIG_HOME: join(home, 'config'),
        MAGNUS_KEYCHAIN_SERVICE: `Magnus Sync compat test ${process.pid}`,
        ROBINHOOD_USERNAME: user.username,
        ROBINHOOD_PASSWORD: user.password,
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

const compat = (url: string, ...extra: string[]) =>
  run(['magnus-compat', '--database', url, '--grant', dash.name, ...extra]);

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, types: pgTypes });
  await client.connect();
  return client;
}

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = await connect(url);
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** psycopg2's %s placeholders, bound in order as node-postgres's $1, $2, … */
function bind(sql: string): string {
  let n = 0;
  return sql.replace(/%s/g, () => `$${++n}`);
}

function query(id: string): MagnusQuery {
  const found = MAGNUS_QUERIES.find((q) => q.id === id);
  if (!found) throw new Error(`no Magnus query ${id}`);
  return found;
}

async function magnus(client: pg.Client, id: string, params: unknown[] = []) {
  return (await client.query(bind(query(id).sql), params)).rows as Record<string, unknown>[];
}

const dashUrl = () => dash.urlFor(db);
const agentUrl = () => agent.urlFor(db);
/** The day the sync files today's balance under: the New York trading day (a weekend is Friday's). */
const today = () => tradingDayOf(new Date());
const daysBack = (n: number) => new Date(Date.now() - n * MS_PER_DAY).toISOString().slice(0, 10);

async function ourBalances(account: string) {
  return withClient(agentUrl(), async (c) => {
    const r = await c.query(
      'select date, ending_balance, round(ending_balance, 2) as cents from daily_portfolio_balances where account_number = $1 order by date',
      [account],
    );
    return r.rows as Array<{ date: string; ending_balance: string; cents: string }>;
  });
}

beforeAll(async () => {
  if (!process.env.MAGNUS_TEST_RUN_ID) {
    execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'pipe' });
  }
  home = await mkdtemp(join(tmpdir(), 'magnus-compat-'));
  [agent, dash, outsider] = await Promise.all([
    createTestRole('agent'),
    createTestRole('dash'),
    createTestRole('outsider'),
  ]);
  db = await createTestDatabase('compat');
  await withClient(PG_ADMIN_URL, async (c) => {
    await c.query(`grant "${dash.name}" to "${agent.name}"`);
    await c.query(`alter database "${db.name}" owner to "${agent.name}"`);
  });
  sim = await startSimulator({ scenario, latencyMs: 0 });
  // The days below stand for the account's history; the broker's own portfolio history (which a
  // first sync reads) is left out so the expected days stay these.
  sim.inject({
    kind: 'status',
    status: 404,
    match: { path: /^\/portfolios\/historicals\// },
    times: Infinity,
  });
  const synced = await run(['--once', '--json', '--api-url', sim.url, '--database', agentUrl()]);
  if (synced.code !== 0) throw new Error(`sync failed: ${synced.stderr}`);
  // Three earlier days, as if the account had been synced for a while.
  const store = await openStore({ kind: 'postgres', url: agentUrl() });
  try {
    await store.knex.transaction(async (trx) => {
      for (const [account, base] of [
        [MAIN, 30000],
        [OTHER, 9000],
      ] as const) {
        const days = [3, 2, 1].map((n, i) => ({
          date: daysBack(n + 7),
          endingBalance: String(base + i * 100),
        }));
        await store.dailyBalances.backfill(trx, account, days, new Date());
      }
    });
  } finally {
    await store.close();
  }
}, 180_000);

afterAll(async () => {
  await sim?.close();
  await db?.drop();
  for (const role of [outsider, dash, agent]) await role?.drop();
  await rm(home, { recursive: true, force: true });
});

// ---- the tests --------------------------------------------------------------------------------

describe('magnus-sync magnus-compat', () => {
  it('without rights says in one line what an administrator must grant, and changes nothing', async () => {
    const r = await compat(outsider.urlFor(db));
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(
      `a database administrator must run: GRANT "${dash.name}" TO "${outsider.name}"`,
    );
    expect(lines[0]).toContain(`GRANT CREATE ON DATABASE "${db.name}" TO "${outsider.name}"`);
    const schemas = await withClient(agentUrl(), (c) =>
      c.query("select 1 from pg_namespace where nspname = 'magnus_compat'"),
    );
    expect(schemas.rowCount).toBe(0);
  }, 30_000);

  it('refuses the role Magnus Sync writes as, an unknown role and an unknown account', async () => {
    const self = await run(['magnus-compat', '--database', agentUrl(), '--grant', agent.name]);
    expect(self.code).toBe(2);
    expect(self.stderr).toContain("must name the dashboard's own login");
    const unknown = await run(['magnus-compat', '--database', agentUrl(), '--grant', `${dash.name}_x`]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('does not exist');
    const unreachable = await compat('postgres://agent:s3cret-pw@127.0.0.1:1/magnus');
    expect(unreachable.code).toBe(2);
    expect(unreachable.stderr.trim().split('\n')).toHaveLength(1);
    expect(unreachable.stderr).toContain('Cannot reach the database');
    expect(unreachable.stderr).not.toContain('s3cret-pw');
    const account = await compat(agentUrl(), '--account', '****9999');
    expect(account.code).toBe(2);
    expect(account.stderr.trim()).toBe(
      `magnus-sync: Account ****9999 is not in this database; it has ${OTHER}, ${MAIN}.`,
    );
  }, 30_000);

  it('run by a member of the role: Magnus start-up DDL and every read query succeed as the dashboard login', async () => {
    const r = await compat(agentUrl());
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`for role ${dash.name} and account ${MAIN}`);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toBe('');
    await withClient(dashUrl(), async (c) => {
      expect((await c.query('show search_path')).rows[0].search_path).toBe('magnus_compat, public');
      for (const q of MAGNUS_QUERIES.filter((x) => x.kind === 'startup-ddl')) {
        await c.query(q.sql); // twice, as every start of the dashboard does
        await c.query(q.sql);
      }
      const open = await magnus(c, 'manager.openTrades');
      const anyId = open[0]?.id;
      const closed = await magnus(c, 'manager.closedTrades', [
        'AAPL',
        daysBack(365),
        new Date().toISOString(),
        100,
      ]);
      const early = closed.find((t) => t.close_reason === 'early_close')!;
      expect(early.id).toEqual(expect.any(Number));
      const params: Record<string, unknown[]> = {
        'sync.dedupCheck': [
          early.symbol,
          early.strike_price,
          early.expiration_date,
          early.open_date,
          early.close_date,
        ],
        'sync.closedTrades': [daysBack(365)],
        'tracker.previousEnding': [today()],
        'tracker.balanceHistory': [daysBack(90)],
        'tracker.summaryStats': [daysBack(30)],
        'tracker.periodStart': [daysBack(30)],
        'tracker.periodEnd': [daysBack(30)],
        'manager.openTradeById': [anyId],
        'manager.closedTrades': ['AAPL', daysBack(365), new Date().toISOString(), 100],
        'manager.tradeById': [anyId],
        'avaTools.tradeHistoryBySymbol': ['AAPL', 10],
        'avaTools.tradeHistory': [10],
        'avaIntegration.previousBalance': [today()],
        'avaIntegration.balanceHistory': [new Date(Date.now() - 30 * MS_PER_DAY).toISOString()],
        'mfaDashboard.tradeHistory': [daysBack(365), new Date().toISOString(), 'AAPL', 10],
      };
      const reads = MAGNUS_QUERIES.filter((q) => q.kind === 'read' && !q.id.startsWith('autoRecorder.'));
      expect(reads.length).toBeGreaterThanOrEqual(30);
      for (const q of reads) {
        await expect(c.query(bind(q.sql), params[q.id] ?? []), q.id).resolves.toBeDefined();
      }
      expect(await magnus(c, 'sync.dedupCheck', params['sync.dedupCheck']!)).toEqual([{ id: early.id }]);
    });
  }, 60_000);

  it('shows closed trades in Magnus units: order totals in dollars, its P/L, early_close and expiration', async () => {
    await withClient(dashUrl(), async (c) => {
      const closed = await magnus(c, 'sync.closedTrades', [daysBack(365)]);
      const pick = (t: Record<string, unknown>) => ({
        symbol: t.symbol,
        strategy_type: t.strategy_type,
        strike_price: t.strike_price,
        premium_collected: t.premium_collected,
        contracts: t.contracts,
        close_price: t.close_price,
        close_reason: t.close_reason,
        days_held: t.days_held,
        profit_loss: t.profit_loss,
        status: t.status,
      });
      // Assigned trades are status 'assigned', which this query (status = 'closed') leaves out.
      expect(closed.map(pick).sort((a, b) => String(a.symbol).localeCompare(String(b.symbol)))).toEqual([
        {
          symbol: 'AAPL',
          strategy_type: 'cash_secured_put',
          strike_price: '200.0000',
          premium_collected: '250.00',
          contracts: 1,
          close_price: '80.00',
          close_reason: 'early_close',
          days_held: 14,
          profit_loss: '169.94',
          status: 'closed',
        },
        {
          symbol: 'TSLA',
          strategy_type: 'covered_call',
          strike_price: '300.0000',
          premium_collected: '120.00',
          contracts: 1,
          close_price: '0.00',
          close_reason: 'expiration',
          days_held: 21,
          profit_loss: '119.97',
          status: 'closed',
        },
      ]);
      const all = await magnus(c, 'manager.closedTrades', [
        'KO',
        daysBack(365),
        new Date().toISOString(),
        100,
      ]);
      expect(
        all.map((t) => [
          t.symbol,
          t.premium_collected,
          t.close_price,
          t.close_reason,
          t.status,
          t.profit_loss,
        ]),
      ).toEqual([['KO', '82.00', '0.00', 'assignment', 'assigned', '81.97']]);
      const aapl = (
        await magnus(c, 'manager.closedTrades', ['AAPL', daysBack(365), new Date().toISOString(), 100])
      )[0]!;
      expect(aapl).toMatchObject({ profit_loss_percent: '67.9760', annualized_return: '1772.2314' });
      expect((await c.query("select dte_at_open from trade_history where symbol = 'AAPL'")).rows).toEqual([
        { dte_at_open: 25 },
      ]);
      const [stats] = await magnus(c, 'manager.tradeStats');
      expect(stats).toMatchObject({
        total_trades: 3,
        total_pl: '371.88',
        winning_trades: 3,
        best_trade: '169.94',
      });
      const open = await magnus(c, 'manager.openTrades');
      expect(
        open.map((t) => [t.symbol, t.strike_price, t.premium_collected, t.contracts, t.strategy_type]),
      ).toEqual([['MSFT', '380.0000', '310.00', 1, 'cash_secured_put']]);
      // The same trade under the AVA assistant's and the financial assistant's column names.
      const ava = await magnus(c, 'avaTools.tradeHistoryBySymbol', ['AAPL', 10]);
      expect(ava).toEqual([
        expect.objectContaining({
          strategy: 'cash_secured_put',
          premium: '250.00',
          quantity: 1,
          exit_reason: 'early_close',
          profit_loss: '169.94',
        }),
      ]);
      const mfa = await magnus(c, 'mfaDashboard.tradeHistory', [
        daysBack(365),
        new Date().toISOString(),
        'AAPL',
        10,
      ]);
      expect(mfa).toEqual([
        expect.objectContaining({
          premium_collected: '250.00',
          cost_to_close: '80.00',
          realized_pnl: '169.94',
        }),
      ]);
      // The last sync time the Positions page shows is a time, not an error.
      expect((await magnus(c, 'sync.lastSyncTime'))[0]!.max).toBeInstanceOf(Date);
    });
  }, 30_000);

  it('daily_portfolio_balances: one row per date, the selected account only, in dollars', async () => {
    const ours = await ourBalances(MAIN);
    expect(ours.length).toBe(4);
    await withClient(dashUrl(), async (c) => {
      const history = await magnus(c, 'tracker.balanceHistory', [daysBack(90)]);
      expect(history.map((r) => [r.date, r.ending_balance])).toEqual(
        [...ours].reverse().map((r) => [r.date, r.cents]),
      );
      expect(new Set(history.map((r) => r.date)).size).toBe(history.length);
      const [latest] = await magnus(c, 'tracker.latestBalance');
      expect(latest).toMatchObject({ date: ours.at(-1)!.date, ending_balance: ours.at(-1)!.cents });
      const [stats] = await magnus(c, 'tracker.summaryStats', [daysBack(30)]);
      expect(stats).toMatchObject({ trading_days: 4 });
      const [voice] = await magnus(c, 'avaVoice.latestBalance');
      expect(voice).toMatchObject({ balance: ours.at(-1)!.cents });
      // The other account's 9000-dollar history is not there.
      expect(history.map((r) => r.ending_balance)).not.toContain('9000.00');
    });
  }, 30_000);

  it('positions and portfolio_balances in the units Magnus reads', async () => {
    const expected = await withClient(agentUrl(), async (c) => {
      const snapshot = await c.query(
        'select equity from portfolio_snapshots where account_number = $1 order by taken_at desc limit 1',
        [MAIN],
      );
      const msft = await c.query(
        "select last_price * multiplier as per_contract, theta * quantity * multiplier as theta from positions where account_number = $1 and symbol = 'MSFT'",
        [MAIN],
      );
      return {
        equity: snapshot.rows[0].equity as string,
        msft: msft.rows[0] as { per_contract: string; theta: string },
      };
    });
    await withClient(dashUrl(), async (c) => {
      const voice = await magnus(c, 'avaVoice.positions');
      const bySymbol = new Map(voice.map((r) => [r.ticker, r]));
      const values = (symbol: string) =>
        ['quantity', 'average_buy_price'].map((k) => Number(bySymbol.get(symbol)?.[k]));
      expect(values('AAPL')).toEqual([10, 190.25]);
      expect(values('KO')).toEqual([100, 60]);
      expect(values('MSFT')).toEqual([1, 310]); // per contract
      expect(Number(bySymbol.get('MSFT')?.current_price)).toBe(Number(expected.msft.per_contract));
      expect((await magnus(c, 'avaOmnipresent.openPositions'))[0]).toEqual({ count: 3 });
      // Magnus's positions status is 'open' (database_schema.sql); the financial assistant's connector
      // counts 'active' ones, so it finds none: it runs, and reads 0 (docs/magnus-compat.md).
      expect((await magnus(c, 'mfaDashboard.activePositions'))[0]).toEqual({ count: 0 });
      expect((await magnus(c, 'mfaDashboard.theta'))[0]).toEqual({ total_theta: '0' });
      // Theta in dollars per day: a short put earns its decay.
      const theta = await c.query("select theta from positions where symbol = 'MSFT'");
      expect(Number(theta.rows[0].theta)).toBeCloseTo(-Number(expected.msft.theta), 6);
      expect(Number(theta.rows[0].theta)).toBeGreaterThan(0);
      expect((await magnus(c, 'mfaDashboard.latestBalance'))[0]).toMatchObject({ balance: expected.equity });
      expect((await magnus(c, 'avaOmnipresent.latestBalance'))[0]).toMatchObject({
        total_value: expected.equity,
      });
    });
  }, 30_000);

  it("Magnus's balance tracker still writes its table, and never changes ours or the synced days", async () => {
    const before = await withClient(agentUrl(), (c) =>
      c.query('select * from daily_portfolio_balances order by account_number, date').then((r) => r.rows),
    );
    const ours = await ourBalances(MAIN);
    const synced = ours.at(-1)!;
    const earlier = daysBack(60);
    await withClient(dashUrl(), async (c) => {
      const write = (date: string, ending: number) =>
        magnus(c, 'tracker.recordDailyBalance', [date, ending, ending, 0, 0, 1, 2, 3, 4, 5, 'by Magnus']);
      await write(synced.date, 1.0); // a day the sync has: skipped, the sync's row stays
      await write(earlier, 4242.5); // a day before the sync began: Magnus's own row
      await magnus(c, 'tracker.deleteBalance', [ours[0]!.date]);
      await c.query('update daily_portfolio_balances set ending_balance = 1'); // not Magnus's, but possible
      const history = await magnus(c, 'tracker.balanceHistory', [daysBack(90)]);
      expect(history.map((r) => [r.date, r.ending_balance])).toEqual([
        ...[...ours].reverse().map((r) => [r.date, r.cents]),
        [earlier, '1.00'],
      ]);
      // Magnus's auto balance recorder (positions page) makes and writes its own table.
      await magnus(c, 'autoRecorder.createTable');
      await magnus(c, 'autoRecorder.recordBalance', [30100.5, 1000, 30100.5, 500]);
      expect((await magnus(c, 'autoRecorder.latestBalance'))[0]).toMatchObject({ total_balance: '30100.50' });
      // The dashboard's login cannot write the product's own tables at all.
      await expect(
        c.query("delete from public.daily_portfolio_balances where date = '2000-01-01'"),
      ).rejects.toThrow(/permission denied/);
    });
    const after = await withClient(agentUrl(), (c) =>
      c.query('select * from daily_portfolio_balances order by account_number, date').then((r) => r.rows),
    );
    expect(after).toEqual(before);
  }, 30_000);

  it('the sync keeps the dashboard copy current (through the store, in the same transaction)', async () => {
    const store = await openStore({ kind: 'postgres', url: agentUrl() });
    try {
      await store.knex.transaction(async (trx) => {
        await store.dailyBalances.backfill(
          trx,
          MAIN,
          [{ date: daysBack(13), endingBalance: '29000.1234' }],
          new Date(),
        );
        await store.dailyBalances.backfill(
          trx,
          OTHER,
          [{ date: daysBack(13), endingBalance: '8000' }],
          new Date(),
        );
        await trx('daily_portfolio_balances')
          .where({ account_number: MAIN, date: today() })
          .update({ ending_balance: '31234.5678', updated_at: new Date().toISOString() });
      });
    } finally {
      await store.close();
    }
    await withClient(dashUrl(), async (c) => {
      const history = await magnus(c, 'tracker.balanceHistory', [daysBack(90)]);
      const byDate = new Map(history.map((r) => [r.date, r.ending_balance]));
      expect(byDate.get(daysBack(13))).toBe('29000.12');
      expect(byDate.get(today())).toBe('31234.57');
      expect(history.map((r) => r.ending_balance)).not.toContain('8000.00');
      // The day before the first synced one is still Magnus's own (60 days back).
      expect(byDate.get(daysBack(60))).toBe('1.00');
    });
  }, 30_000);

  it("nothing the dashboard's login puts on its table runs as Magnus Sync's role, in a sync or a re-run", async () => {
    await withClient(dashUrl(), async (c) => {
      await c.query('create table spy_log (who text, note text)');
      await c.query(`create function spy() returns trigger language plpgsql as $$
        begin
          begin
            reset role; -- would turn a SET ROLE session back into Magnus Sync's role
            insert into magnus_compat.spy_log values (current_user, 'reset role worked');
          exception when others then
            insert into magnus_compat.spy_log values (current_user, sqlerrm);
          end;
          return coalesce(new, old);
        end $$`);
      await c.query(
        'create trigger spy before insert or update or delete on daily_portfolio_balances for each row execute function spy()',
      );
      // A duplicate of a synced day, past the guard (the dashboard owns its table and may do this).
      await c.query('alter table daily_portfolio_balances disable trigger guard_dashboard_balance');
      await magnus(c, 'tracker.recordDailyBalance', [
        today(),
        5,
        5,
        0,
        0,
        null,
        null,
        null,
        null,
        null,
        'dup',
      ]);
    });
    const store = await openStore({ kind: 'postgres', url: agentUrl() });
    try {
      await store.knex.transaction((trx) =>
        store.dailyBalances.backfill(trx, MAIN, [{ date: daysBack(14), endingBalance: '28000' }], new Date()),
      );
    } finally {
      await store.close();
    }
    const rerun = await compat(agentUrl());
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rerun.stdout).toContain(
      '1 balance row(s) the dashboard had written for synced dates were replaced',
    );
    await withClient(dashUrl(), async (c) => {
      const log = (await c.query('select who, note from spy_log')).rows;
      // It fired for the dashboard's own insert and for the re-run's clean-up: as the dashboard's
      // role both times, and the clean-up could not change roles. The sync's write never reached it.
      expect(log).toEqual([
        { who: dash.name, note: 'reset role worked' },
        { who: dash.name, note: 'cannot set parameter "role" within security-definer function' },
      ]);
      const history = await magnus(c, 'tracker.balanceHistory', [daysBack(90)]);
      expect(history.filter((r) => r.date === today())).toHaveLength(1);
      expect(history.find((r) => r.date === daysBack(14))?.ending_balance).toBe('28000.00');
      await c.query('drop trigger spy on daily_portfolio_balances');
      await c.query('drop function spy()');
      await c.query('drop table spy_log');
    });
  }, 60_000);

  it('is idempotent, and --account switches what Magnus sees without mixing accounts', async () => {
    const objects = () =>
      withClient(agentUrl(), (c) =>
        c
          .query(
            "select count(*)::int as n from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'magnus_compat'",
          )
          .then((r) => r.rows[0].n as number),
      );
    const count = await objects();
    const again = await compat(agentUrl());
    expect(again.code, again.stderr).toBe(0);
    expect(await objects()).toBe(count);

    const other = await compat(agentUrl(), '--account', OTHER);
    expect(other.code, other.stderr).toBe(0);
    const otherBalances = await ourBalances(OTHER);
    await withClient(dashUrl(), async (c) => {
      const closed = await magnus(c, 'sync.closedTrades', [daysBack(365)]);
      expect(
        closed.map((t) => [t.symbol, t.premium_collected, t.close_price, t.profit_loss, t.contracts]),
      ).toEqual([['AAPL', '800.00', '200.00', '599.88', 2]]);
      const history = await magnus(c, 'tracker.balanceHistory', [daysBack(90)]);
      // The other account's days, and Magnus's own day before them, which is older than any.
      expect(history.map((r) => r.ending_balance)).toEqual([
        ...[...otherBalances].reverse().map((r) => r.cents),
        '1.00',
      ]);
      expect((await magnus(c, 'avaOmnipresent.openPositions'))[0]).toEqual({ count: 0 });
    });
    const back = await compat(agentUrl());
    expect(back.code, back.stderr).toBe(0);
    await withClient(dashUrl(), async (c) => {
      expect(
        (await magnus(c, 'sync.closedTrades', [daysBack(365)])).map((t) => t.premium_collected).sort(),
      ).toEqual(['120.00', '250.00']);
    });
  }, 60_000);

  it('a superuser may run it too (here through the function the settings will call)', async () => {
    const knex = knexFactory({ client: 'pg', connection: db.url, pool: { min: 0, max: 1 } });
    try {
      const result = await installMagnusCompat(knex, { role: dash.name });
      expect(result).toMatchObject({
        ok: true,
        action: 'installed',
        account: MAIN,
        searchPath: ['magnus_compat', 'public'],
      });
      const owners = await knex.raw(
        "select relname, pg_get_userbyid(relowner) as owner from pg_class where relnamespace = 'magnus_compat'::regnamespace and relname like 'daily_portfolio_balances%' and relkind = 'r' order by 1",
      );
      expect(owners.rows).toEqual([
        { relname: 'daily_portfolio_balances', owner: dash.name },
        { relname: 'daily_portfolio_balances_synced', owner: agent.name },
      ]);
      const bad = await installMagnusCompat(knex, { role: dash.name, account: 'not-a-key' });
      expect(bad).toMatchObject({ ok: false, problem: 'input' });
    } finally {
      await knex.destroy();
    }
  }, 30_000);

  it('--remove takes the layer away, keeps the dashboard’s own tables, and leaves ours as they were', async () => {
    const ours = async () =>
      withClient(agentUrl(), (c) =>
        c
          .query(
            "select (select count(*) from trade_history) + (select count(*) from daily_portfolio_balances) as n, (select count(*) from pg_trigger where tgname like 'magnus_compat%') as triggers",
          )
          .then((r) => r.rows[0] as { n: number; triggers: number }),
      );
    const before = await ours();
    expect(before.triggers).toBe(2);
    const kept = await compat(agentUrl(), '--remove');
    expect(kept.code, kept.stderr).toBe(0);
    expect(kept.stdout).toContain('kept for the dashboard');
    expect(kept.stdout).toContain('portfolio_balance_history');
    await withClient(dashUrl(), async (c) => {
      await expect(c.query(bind(query('sync.lastSyncTime').sql))).rejects.toThrow();
      await c.query('drop table portfolio_balance_history');
    });
    const gone = await compat(agentUrl(), '--remove');
    expect(gone.code, gone.stderr).toBe(0);
    expect(gone.stdout).toContain('search_path is back to the default');
    await withClient(dashUrl(), async (c) => {
      expect((await c.query('show search_path')).rows[0].search_path).toBe('"$user", public');
    });
    expect(await ours()).toEqual({ n: before.n, triggers: 0 });
    expect(
      (
        await withClient(agentUrl(), (c) =>
          c.query("select 1 from pg_namespace where nspname = 'magnus_compat'"),
        )
      ).rowCount,
    ).toBe(0);
  }, 60_000);
});
