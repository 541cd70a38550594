/**
 * The SQL of the Magnus compatibility layer (schema `magnus_compat`): the shapes the original Magnus
 * dashboard reads, built over this product's own tables, which it never changes. See
 * docs/magnus-compat.md for the column-by-column mapping and the Magnus files it follows.
 *
 * Who owns what, and why:
 * - the schema, the views and `daily_portfolio_balances_synced` belong to the role that installs
 *   the layer (the one Magnus Sync writes as, or a superuser);
 * - `daily_portfolio_balances` belongs to the dashboard's role: Magnus runs `CREATE INDEX IF NOT
 *   EXISTS … ON daily_portfolio_balances` at start-up, which PostgreSQL allows only to the table's
 *   owner. Its balance tracker also writes that table.
 *
 * The synced rows live in a child table that inherits the dashboard's table, so Magnus reads them
 * through its own table while nothing the dashboard's role controls ever runs inside a sync: the
 * trigger on our `daily_portfolio_balances` writes only the child, which the installer owns (its
 * triggers and constraints are ours), and it never fails the sync.
 */

export const COMPAT_SCHEMA = 'magnus_compat';
/** Bumped when the layer's objects change shape; kept in the schema's comment. */
export const COMPAT_LAYER_VERSION = 1;

export const DASHBOARD_BALANCES = 'daily_portfolio_balances';
export const SYNCED_BALANCES = 'daily_portfolio_balances_synced';
export const COMPAT_VIEWS = ['trade_history', 'positions', 'portfolio_balances'] as const;
/** Triggers on the product's daily_portfolio_balances that feed the synced copy. */
export const FEED_TRIGGERS = ['magnus_compat_feed', 'magnus_compat_feed_delete'] as const;

/** A PostgreSQL identifier, quoted. */
export function ident(name: string): string {
  if (name.includes('\u0000')) throw new RangeError('an identifier cannot contain NUL');
  return `"${name.replaceAll('"', '""')}"`;
}

/** Why a role name cannot be used, or null. */
export function roleNameProblem(role: string): string | null {
  if (role.trim() === '') return 'The dashboard role must not be empty.';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(role)) return 'The dashboard role must not contain control characters.';
  if (Buffer.byteLength(role, 'utf8') > 63) return 'The dashboard role name is longer than 63 bytes.';
  if (role === 'public' || role.startsWith('pg_'))
    return `"${role}" is not a login role: name the role the dashboard connects as.`;
  return null;
}

/** A PostgreSQL string literal (standard_conforming_strings, the default since 9.1). */
export function literal(value: string): string {
  if (value.includes('\u0000')) throw new RangeError('a literal cannot contain NUL');
  return `'${value.replaceAll("'", "''")}'`;
}

const S = ident(COMPAT_SCHEMA);
const PARENT = `${S}.${ident(DASHBOARD_BALANCES)}`;
const CHILD = `${S}.${ident(SYNCED_BALANCES)}`;

/** Every function of the layer runs with this path, so nothing resolves to an object someone else made. */
const SAFE_PATH = 'set search_path = pg_catalog, pg_temp';

export interface LayerTarget {
  /** The schema holding Magnus Sync's tables (normally public). */
  dataSchema: string;
  /** Masked key of the one account Magnus sees. */
  account: string;
}

// ---- views (owned by the installer; the dashboard's role may only read them) -------------------

/**
 * Magnus's trade_history: the account's short option trades. Closed rows come from our FIFO trade
 * history; open rows from the open short option legs (Magnus's own table kept opened trades too).
 * Premiums and close prices are order totals in dollars; `id` is a stable integer taken from the
 * trade key (or position key), so it survives re-syncs.
 */
export function tradeHistoryView({ dataSchema, account }: LayerTarget): string {
  const data = ident(dataSchema);
  const acct = literal(account);
  return `create or replace view ${S}.trade_history as
with trades as (
  select
    ('x' || substr(t.trade_key, 1, 13))::bit(52)::bigint as id,
    t.symbol,
    case t.option_type when 'put' then 'cash_secured_put' else 'covered_call' end as strategy_type,
    t.open_date,
    t.strike_price,
    t.expiration_date,
    round(t.open_price * t.quantity * t.multiplier, 2) as premium_collected,
    t.quantity::integer as contracts,
    t.expiration_date - (t.open_date at time zone 'America/New_York')::date as dte_at_open,
    t.close_date,
    round(t.close_price * t.quantity * t.multiplier, 2) as close_price,
    case t.close_reason
      when 'closed' then 'early_close'
      when 'expired' then 'expiration'
      else 'assignment'
    end as close_reason,
    t.days_held,
    round(t.realized_pl, 2) as profit_loss,
    round(t.realized_pl_percent, 4) as profit_loss_percent,
    round(t.realized_pl_percent * 365 / greatest(t.days_held, 1), 4) as annualized_return,
    case when t.close_reason in ('assigned', 'exercised') then 'assigned' else 'closed' end as status,
    null::text as notes,
    t.first_seen_at as created_at,
    t.updated_at
  from ${data}.trade_history t
  where t.account_number = ${acct} and t.asset_type = 'option' and t.direction = 'short'
  union all
  select
    ('x' || substr(md5(p.account_number || '|' || p.position_key), 1, 13))::bit(52)::bigint,
    p.symbol,
    case p.option_type when 'put' then 'cash_secured_put' else 'covered_call' end,
    coalesce(p.opened_at, p.first_seen_at),
    p.strike_price,
    p.expiration_date,
    round(p.average_price * p.quantity * p.multiplier, 2),
    p.quantity::integer,
    p.expiration_date - (coalesce(p.opened_at, p.first_seen_at) at time zone 'America/New_York')::date,
    null::timestamptz,
    null::numeric,
    null::text,
    null::integer,
    null::numeric,
    null::numeric,
    null::numeric,
    'open',
    null::text,
    p.first_seen_at,
    p.synced_at
  from ${data}.positions p
  where p.account_number = ${acct} and p.asset_type = 'option' and p.direction = 'short'
)
select
  trades.*,
  -- The same values under the names the AVA assistant (src/ava/core/tools.py) and the financial
  -- assistant's dashboard connector (src/mfa/connectors/dashboard_connector.py) read.
  strategy_type as strategy,
  strike_price as strike,
  premium_collected as premium,
  contracts as quantity,
  expiration_date as expiration,
  (open_date at time zone 'America/New_York')::date as entry_date,
  (close_date at time zone 'America/New_York')::date as exit_date,
  close_reason as exit_reason,
  close_price as cost_to_close,
  profit_loss as realized_pnl
from trades`;
}

/**
 * Magnus's positions: the account's open positions. An option's prices are per contract in dollars
 * (Magnus takes Robinhood's option average_price as per contract); theta is the position's dollars
 * per day (positive when time decay earns money, as for a short option).
 */
export function positionsView({ dataSchema, account }: LayerTarget): string {
  return `create or replace view ${S}.positions as
select
  p.id,
  p.symbol,
  case when p.asset_type = 'stock' then 'stock' else p.option_type end as position_type,
  case
    when p.asset_type = 'stock' then 'stock'
    when p.strategy = 'short_put' then 'csp'
    when p.strategy = 'short_call' then 'cc'
    else coalesce(p.strategy, p.direction || '_' || p.option_type)
  end as strategy_type,
  p.direction,
  p.quantity,
  p.average_price * p.multiplier as average_price,
  p.average_price * p.multiplier as entry_price,
  p.last_price * p.multiplier as current_price,
  p.strike_price,
  p.expiration_date,
  p.market_value,
  p.unrealized_pl as unrealized_pnl,
  0::numeric as realized_pnl,
  case p.direction when 'short' then -1 else 1 end * p.theta * p.quantity * p.multiplier as theta,
  'open'::text as status,
  p.opened_at,
  null::timestamptz as closed_at
from ${ident(dataSchema)}.positions p
where p.account_number = ${literal(account)}`;
}

/**
 * portfolio_balances as the AVA assistant reads it: one row per portfolio snapshot (every sync).
 * `date` is the snapshot's time, so "order by date desc limit 1" is the latest balance.
 */
export function portfolioBalancesView({ dataSchema, account }: LayerTarget): string {
  return `create or replace view ${S}.portfolio_balances as
select
  s.id,
  s.equity as balance,
  s.taken_at as "timestamp",
  s.taken_at as date,
  s.cash,
  s.options_value,
  s.stock_value,
  s.equity as total_value,
  s.buying_power,
  null::text as notes
from ${ident(dataSchema)}.portfolio_snapshots s
where s.account_number = ${literal(account)}`;
}

// ---- daily_portfolio_balances -----------------------------------------------------------------

/**
 * The dashboard's table, with the columns of Magnus's start-up DDL (src/portfolio_balance_tracker.py)
 * plus `balance` (= ending_balance), which the AVA voice handler reads. Created as the dashboard's
 * role, with Magnus's own index, so its `CREATE … IF NOT EXISTS` at start-up finds both.
 */
export function dashboardBalancesTable(): string[] {
  return [
    `create table ${PARENT} (
      id serial primary key,
      date date unique not null,
      starting_balance decimal(12,2),
      ending_balance decimal(12,2) not null,
      daily_pl decimal(12,2),
      daily_pl_percent decimal(8,4),
      buying_power decimal(12,2),
      options_value decimal(12,2),
      stock_value decimal(12,2),
      cash_value decimal(12,2),
      total_positions integer,
      notes text,
      created_at timestamp default current_timestamp,
      updated_at timestamp default current_timestamp,
      balance numeric generated always as (ending_balance) stored
    )`,
    `create index if not exists idx_daily_balances_date on ${PARENT} (date desc)`,
  ];
}

/** The synced rows: a child of the dashboard's table, owned by the installer, one row per date. */
export function syncedBalancesTable(): string[] {
  return [
    `create table ${CHILD} (account_number text not null) inherits (${PARENT})`,
    `create unique index ${ident(`${SYNCED_BALANCES}_date_key`)} on ${CHILD} (date)`,
  ];
}

const BALANCE_COLUMNS = [
  'id',
  'date',
  'starting_balance',
  'ending_balance',
  'daily_pl',
  'daily_pl_percent',
  'buying_power',
  'options_value',
  'stock_value',
  'cash_value',
  'total_positions',
  'notes',
  'created_at',
  'updated_at',
  'account_number',
] as const;

/**
 * One of our daily rows in the dashboard's units (`row` is NEW in the trigger, a table alias in the
 * copy). A percentage too large for Magnus's decimal(8,4) becomes NULL instead of failing the row.
 */
function balanceValues(row: string): string {
  return [
    `${row}.id::integer`,
    `${row}.date`,
    `${row}.starting_balance`,
    `${row}.ending_balance`,
    `${row}.daily_pl`,
    `case when abs(${row}.daily_pl_percent) < 10000 then ${row}.daily_pl_percent end`,
    `${row}.buying_power`,
    `${row}.options_value`,
    `${row}.stock_value`,
    `${row}.cash_value`,
    `${row}.total_positions`,
    `${row}.notes`,
    `${row}.created_at`,
    `${row}.updated_at`,
    `${row}.account_number`,
  ].join(', ');
}

const UPDATE_FROM_EXCLUDED = BALANCE_COLUMNS.filter((c) => c !== 'date')
  .map((c) => `${c} = excluded.${c}`)
  .join(', ');

/** Fills the synced copy from scratch (run at every install: the account may have changed). */
export function refillSyncedBalances({ dataSchema, account }: LayerTarget): string[] {
  return [
    `truncate ${CHILD}`,
    `insert into ${CHILD} (${BALANCE_COLUMNS.join(', ')})
     select ${balanceValues('d')}
     from ${ident(dataSchema)}.daily_portfolio_balances d
     where d.account_number = ${literal(account)}`,
  ];
}

/**
 * The trigger on our daily_portfolio_balances (the selected account only) that keeps the synced
 * copy current. SECURITY DEFINER (the installer, who owns the copy), so any agent that writes our
 * table can feed it; an error here is reported as a warning and never rolls back the sync.
 */
export function feedTrigger({ dataSchema, account }: LayerTarget): string[] {
  const ours = `${ident(dataSchema)}.daily_portfolio_balances`;
  const acct = literal(account);
  return [
    `create or replace function ${S}.feed_daily_balance() returns trigger
     language plpgsql security definer ${SAFE_PATH} as $fn$
     begin
       begin
         if tg_op = 'DELETE' then
           delete from ${CHILD} where date = old.date;
         else
           insert into ${CHILD} (${BALANCE_COLUMNS.join(', ')})
           values (${balanceValues('new')})
           on conflict (date) do update set ${UPDATE_FROM_EXCLUDED};
         end if;
       exception when others then
         raise warning 'magnus_compat: the Magnus dashboard copy of daily_portfolio_balances was not updated (%); run magnus-sync magnus-compat again', sqlerrm;
       end;
       return null;
     end
     $fn$`,
    `revoke all on function ${S}.feed_daily_balance() from public`,
    `drop trigger if exists ${FEED_TRIGGERS[0]} on ${ours}`,
    `drop trigger if exists ${FEED_TRIGGERS[1]} on ${ours}`,
    `create trigger ${FEED_TRIGGERS[0]} after insert or update on ${ours}
     for each row when (new.account_number = ${acct}) execute function ${S}.feed_daily_balance()`,
    `create trigger ${FEED_TRIGGERS[1]} after delete on ${ours}
     for each row when (old.account_number = ${acct}) execute function ${S}.feed_daily_balance()`,
  ];
}

export function dropFeedTriggers(dataSchema: string): string[] {
  const ours = `${ident(dataSchema)}.daily_portfolio_balances`;
  return FEED_TRIGGERS.map((name) => `drop trigger if exists ${name} on ${ours}`);
}

/**
 * Synced rows cannot be changed or deleted through the dashboard's table (inheritance would let
 * the table's owner do that): an UPDATE or DELETE from anyone without rights on the copy itself is
 * skipped, so the dashboard's writes leave it as the sync wrote it.
 */
export function protectSyncedBalances(): string[] {
  return [
    `create or replace function ${S}.keep_synced_balance() returns trigger
     language plpgsql ${SAFE_PATH} as $fn$
     begin
       if not has_table_privilege(current_user, tg_relid, 'UPDATE') then
         return null;
       end if;
       if tg_op = 'DELETE' then
         return old;
       end if;
       return new;
     end
     $fn$`,
    `drop trigger if exists keep_synced_balance on ${CHILD}`,
    `create trigger keep_synced_balance before update or delete on ${CHILD}
     for each row execute function ${S}.keep_synced_balance()`,
  ];
}

/** The first day the sync has for the account: from then on the dates belong to the sync. */
const FIRST_SYNCED_DATE = `(select min(c.date) from ${PARENT} c where c.tableoid = to_regclass(${literal(`${COMPAT_SCHEMA}.${SYNCED_BALANCES}`)}))`;

/**
 * Created as the dashboard's role, on its own table. The balance tracker's writes for dates the
 * sync covers (the first synced day and later) are skipped, so there is one row per date and it is
 * the sync's; writes for earlier days (history Magnus recorded itself) go through.
 */
export function guardDashboardBalances(): string[] {
  return [
    `create or replace function ${S}.guard_dashboard_balance() returns trigger
     language plpgsql ${SAFE_PATH} as $fn$
     begin
       if new.date >= ${FIRST_SYNCED_DATE} then
         return null;
       end if;
       return new;
     end
     $fn$`,
    `drop trigger if exists guard_dashboard_balance on ${PARENT}`,
    `create trigger guard_dashboard_balance before insert or update on ${PARENT}
     for each row execute function ${S}.guard_dashboard_balance()`,
    // Removes the dashboard's own rows for dates the sync now covers (after a change of account).
    // SECURITY DEFINER as the dashboard's role: any trigger that role put on its table runs as that
    // role and cannot change roles (PostgreSQL forbids SET ROLE inside such a function).
    `create or replace function ${S}.drop_covered_dashboard_balances() returns bigint
     language plpgsql security definer ${SAFE_PATH} as $fn$
     declare removed bigint;
     begin
       delete from only ${PARENT} where date >= ${FIRST_SYNCED_DATE};
       get diagnostics removed = row_count;
       return removed;
     end
     $fn$`,
    `revoke all on function ${S}.drop_covered_dashboard_balances() from public`,
  ];
}

export function dropCoveredDashboardBalances(): string {
  return `select ${S}.drop_covered_dashboard_balances() as removed`;
}

/** Everything the layer made, for --remove (the schema itself goes only when nothing else is left). */
export function dropLayerObjects(): string[] {
  return [
    ...COMPAT_VIEWS.map((view) => `drop view if exists ${S}.${ident(view)}`),
    `drop table if exists ${CHILD}`,
    `drop table if exists ${PARENT}`,
    `drop function if exists ${S}.feed_daily_balance()`,
    `drop function if exists ${S}.keep_synced_balance()`,
    `drop function if exists ${S}.guard_dashboard_balance()`,
    `drop function if exists ${S}.drop_covered_dashboard_balances()`,
  ];
}
