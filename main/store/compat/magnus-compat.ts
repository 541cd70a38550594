/**
 * Installs, refreshes or removes the Magnus compatibility layer (schema `magnus_compat`, see
 * magnus-sql.ts and docs/magnus-compat.md) for one dashboard role, in one transaction. Idempotent:
 * run it again after an upgrade or to change the account. The CLI (`magnus-sync magnus-compat`) and,
 * later, the desktop settings call installMagnusCompat; it never throws for a problem a user can fix,
 * it returns { ok: false, problem, message } with one line saying what to do.
 */
import type { Knex } from 'knex';
import { isAccountKey } from '../../domain/account-references.js';
import { describeError } from '../../util/errors.js';
import { type Logger, silentLogger } from '../../util/logger.js';
import { redactMessage } from '../config.js';
import { openPostgresDatabase } from '../database.js';
import {
  COMPAT_LAYER_VERSION,
  COMPAT_SCHEMA,
  COMPAT_VIEWS,
  DASHBOARD_BALANCES,
  dashboardBalancesTable,
  dropCoveredDashboardBalances,
  dropFeedTriggers,
  dropLayerObjects,
  feedTrigger,
  guardDashboardBalances,
  ident,
  type LayerTarget,
  literal,
  portfolioBalancesView,
  positionsView,
  protectSyncedBalances,
  refillSyncedBalances,
  roleNameProblem,
  SYNCED_BALANCES,
  syncedBalancesTable,
  tradeHistoryView,
} from './magnus-sql.js';

export { roleNameProblem };

export interface MagnusCompatOptions {
  /** The dashboard's login role: it gets read access, its own balances table and its search_path. */
  role: string;
  /** Masked key of the account Magnus sees; default the broker's default account. */
  account?: string | null;
  /** Take the layer away instead. */
  remove?: boolean;
  logger?: Logger;
}

export type MagnusCompatProblem = 'input' | 'rights' | 'state' | 'connect';

export type MagnusCompatResult =
  | {
      ok: true;
      action: 'installed';
      role: string;
      account: string;
      database: string;
      /** Where the dashboard's queries resolve first: magnus_compat, then our tables' schema. */
      searchPath: string[];
      /** Rows the dashboard had written for dates the sync now covers (dropped). */
      replacedDashboardRows: number;
      message: string;
    }
  | {
      ok: true;
      action: 'removed';
      role: string;
      database: string;
      /** Tables of the dashboard's own left in magnus_compat (then the schema is kept). */
      keptObjects: string[];
      message: string;
    }
  | { ok: false; problem: MagnusCompatProblem; message: string };

/** A problem the user can fix; its message is one line, safe to show. */
class CompatProblem extends Error {
  override readonly name = 'CompatProblem';
  constructor(
    readonly problem: MagnusCompatProblem,
    message: string,
  ) {
    super(message);
  }
}

function inputProblems(options: MagnusCompatOptions): string | null {
  const role = roleNameProblem(options.role);
  if (role) return role;
  if (options.account != null && !isAccountKey(options.account))
    return `--account must be a masked key such as ****4141, not "${options.account}".`;
  return null;
}

/**
 * Sets up (or with `remove`, takes away) the compatibility layer. `target` is an open knex on the
 * PostgreSQL database or its URL (opened and closed here; the password never reaches a message).
 */
export async function installMagnusCompat(
  target: Knex | string,
  options: MagnusCompatOptions,
): Promise<MagnusCompatResult> {
  const invalid = inputProblems(options);
  if (invalid) return { ok: false, problem: 'input', message: invalid };
  const logger = options.logger ?? silentLogger;
  const url = typeof target === 'string' ? target : null;
  const knex =
    typeof target === 'string'
      ? openPostgresDatabase(
          target,
          { maxConnections: 1, applicationName: 'magnus-sync magnus-compat' },
          logger,
        )
      : target;
  try {
    const result = await knex.transaction((trx) =>
      options.remove
        ? removeLayer(trx, options.role)
        : installLayer(trx, options.role, options.account ?? null),
    );
    logger.info(result.message);
    return result;
  } catch (error) {
    if (error instanceof CompatProblem) return { ok: false, problem: error.problem, message: error.message };
    const described = describeError(error);
    const code = typeof described.code === 'string' ? described.code : undefined;
    const message = redactMessage(described.message, url).split('\n')[0] ?? 'unknown error';
    logger.warn('magnus-compat failed', { error: { ...described, message } });
    if (code === '42501') return { ok: false, problem: 'rights', message: `Permission denied: ${message}` };
    // Node's socket errors (ECONNREFUSED, ENOTFOUND, …) and PostgreSQL's connection, login and
    // unknown-database errors.
    const connect =
      code === undefined ||
      /^E[A-Z]+$/.test(code) ||
      code.startsWith('08') ||
      code.startsWith('28') ||
      code === '3D000';
    return {
      ok: false,
      problem: connect ? 'connect' : 'state',
      message: connect ? `Cannot reach the database: ${message}` : message,
    };
  } finally {
    if (typeof target === 'string') await knex.destroy();
  }
}

// ---- what is there -----------------------------------------------------------------------------

interface Situation {
  me: string;
  superuser: boolean;
  database: string;
  dataSchema: string;
  roleExists: boolean;
  /** The installer has the role's privileges (a member that inherits) — needed to own a child of its table. */
  actsForRole: boolean;
  memberOfRole: boolean;
  canCreateSchema: boolean;
  schemaOwner: string | null;
  dataOwner: string;
  missingTableRights: string[];
}

async function rows<T>(trx: Knex.Transaction, sql: string, bindings: readonly unknown[] = []): Promise<T[]> {
  const result = (await trx.raw(sql, bindings as Knex.RawBinding[])) as { rows: T[] };
  return result.rows;
}

async function run(trx: Knex.Transaction, statements: readonly string[]): Promise<void> {
  for (const sql of statements) await trx.raw(sql);
}

const DATA_TABLES = [
  'trade_history',
  'positions',
  'portfolio_snapshots',
  'daily_portfolio_balances',
] as const;

async function situation(trx: Knex.Transaction, role: string): Promise<Situation> {
  const [base] = await rows<{
    me: string;
    superuser: boolean;
    database: string;
    can_create: boolean;
    role_exists: boolean;
    schema_owner: string | null;
  }>(
    trx,
    `select current_user as me,
            (select rolsuper from pg_roles where rolname = current_user) as superuser,
            current_database() as database,
            has_database_privilege(current_database(), 'CREATE') as can_create,
            exists (select 1 from pg_roles where rolname = ?) as role_exists,
            (select pg_get_userbyid(nspowner) from pg_namespace where nspname = ?) as schema_owner`,
    [role, COMPAT_SCHEMA],
  );
  if (!base) throw new Error('the database did not answer');
  const schemas = await rows<{ nspname: string }>(
    trx,
    `select n.nspname from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relname = 'magnus_migrations' and c.relkind = 'r'
      order by (n.nspname = current_schema()) desc, n.nspname`,
  );
  const dataSchema = schemas[0]?.nspname;
  if (!dataSchema)
    throw new CompatProblem(
      'state',
      `Database "${base.database}" has no Magnus Sync tables yet: run magnus-sync --once with this database first.`,
    );
  const tables = await rows<{
    name: string;
    owner: string | null;
    can_select: boolean;
    can_trigger: boolean;
  }>(
    trx,
    `select t.name, pg_get_userbyid(c.relowner) as owner,
            coalesce(has_table_privilege(c.oid, 'SELECT'), false) as can_select,
            coalesce(has_table_privilege(c.oid, 'TRIGGER'), false) as can_trigger
       from unnest(?::text[]) as t(name)
       left join pg_class c on c.oid = to_regclass(format('%I.%I', ?::text, t.name))`,
    [DATA_TABLES, dataSchema],
  );
  const absent = tables.filter((t) => t.owner === null).map((t) => t.name);
  if (absent.length > 0)
    throw new CompatProblem(
      'state',
      `Schema ${dataSchema} lacks ${absent.join(', ')}: run magnus-sync --once with this database so its tables are up to date.`,
    );
  const missingTableRights = tables
    .filter((t) => !t.can_select || (t.name === DASHBOARD_BALANCES && !t.can_trigger))
    .map(
      (t) =>
        `${t.name === DASHBOARD_BALANCES ? 'SELECT, TRIGGER' : 'SELECT'} ON ${ident(dataSchema)}.${ident(t.name)}`,
    );
  let actsForRole = false;
  let memberOfRole = false;
  if (base.role_exists) {
    const [membership] = await rows<{ acts: boolean; member: boolean }>(
      trx,
      `select pg_has_role(current_user, ?, 'USAGE') as acts, pg_has_role(current_user, ?, 'MEMBER') as member`,
      [role, role],
    );
    actsForRole = membership?.acts ?? false;
    memberOfRole = membership?.member ?? false;
  }
  return {
    me: base.me,
    superuser: base.superuser,
    database: base.database,
    dataSchema,
    roleExists: base.role_exists,
    actsForRole: base.superuser || actsForRole,
    memberOfRole: base.superuser || memberOfRole,
    canCreateSchema: base.superuser || base.can_create,
    schemaOwner: base.schema_owner,
    dataOwner: tables.find((t) => t.name === DASHBOARD_BALANCES)?.owner ?? '',
    missingTableRights,
  };
}

/** One line: the grants an administrator must give, or nothing when the installer may go ahead. */
function requireRights(s: Situation, role: string, needs: { install: boolean }): void {
  if (!s.roleExists)
    throw new CompatProblem(
      'input',
      `Role "${role}" does not exist: create the dashboard's login first (CREATE ROLE ${ident(role)} LOGIN PASSWORD '…').`,
    );
  if (role === s.me || role === s.dataOwner)
    throw new CompatProblem(
      'input',
      `--grant must name the dashboard's own login, not "${role}", the role Magnus Sync runs as or writes as (its search_path would change).`,
    );
  if (s.schemaOwner !== null && s.schemaOwner !== s.me && !s.superuser)
    throw new CompatProblem(
      'rights',
      `Schema ${COMPAT_SCHEMA} belongs to "${s.schemaOwner}": run magnus-compat as "${s.schemaOwner}" or as a superuser.`,
    );
  const grants: string[] = [];
  if (!s.memberOfRole) grants.push(`GRANT ${ident(role)} TO ${ident(s.me)}`);
  else if (needs.install && !s.actsForRole) grants.push(`ALTER ROLE ${ident(s.me)} INHERIT`);
  if (needs.install) {
    if (s.schemaOwner === null && !s.canCreateSchema)
      grants.push(`GRANT CREATE ON DATABASE ${ident(s.database)} TO ${ident(s.me)}`);
    if (!s.superuser)
      for (const right of s.missingTableRights) grants.push(`GRANT ${right} TO ${ident(s.me)}`);
  }
  if (grants.length > 0)
    throw new CompatProblem(
      'rights',
      `"${s.me}" may not set up the Magnus dashboard compatibility for "${role}"; a database administrator must run: ${grants.join('; ')};`,
    );
}

async function chooseAccount(
  trx: Knex.Transaction,
  dataSchema: string,
  wanted: string | null,
): Promise<string> {
  const accounts = await rows<{ account_number: string; is_default: boolean | null }>(
    trx,
    `select account_number, is_default from ${ident(dataSchema)}.trading_accounts order by account_number`,
  );
  const keys = accounts.map((a) => a.account_number);
  if (wanted !== null) {
    if (keys.includes(wanted)) return wanted;
    throw new CompatProblem(
      'input',
      keys.length === 0
        ? `Account ${wanted} is not in this database (it has no account yet): run magnus-sync --once first.`
        : `Account ${wanted} is not in this database; it has ${keys.join(', ')}.`,
    );
  }
  const defaults = accounts.filter((a) => a.is_default === true).map((a) => a.account_number);
  if (defaults.length === 1) return defaults[0] as string;
  if (keys.length === 1) return keys[0] as string;
  if (keys.length === 0)
    throw new CompatProblem('state', 'This database has no account yet: run magnus-sync --once first.');
  throw new CompatProblem(
    'input',
    `No single default account here: pick the one Magnus should see with --account (${keys.join(', ')}).`,
  );
}

interface TableState {
  relname: string;
  owner: string;
  inherits_dashboard: boolean;
}

async function balanceTables(trx: Knex.Transaction): Promise<Map<string, TableState>> {
  const found = await rows<TableState>(
    trx,
    `select c.relname, pg_get_userbyid(c.relowner) as owner,
            exists (select 1 from pg_inherits i
                     where i.inhrelid = c.oid
                       and i.inhparent = to_regclass(format('%I.%I', ?::text, ?::text))) as inherits_dashboard
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = ? and c.relname in (?, ?)`,
    [COMPAT_SCHEMA, DASHBOARD_BALANCES, COMPAT_SCHEMA, DASHBOARD_BALANCES, SYNCED_BALANCES],
  );
  return new Map(found.map((t) => [t.relname, t]));
}

/**
 * The dashboard's table and the synced child must both be the layer's own, or both be absent. A
 * table someone else made under one of these names is never trusted (nor written by the installer).
 */
function checkBalanceTables(
  tables: Map<string, TableState>,
  role: string,
  installer: string,
): 'create' | 'reuse' {
  const dashboard = tables.get(DASHBOARD_BALANCES);
  const synced = tables.get(SYNCED_BALANCES);
  if (!dashboard && !synced) return 'create';
  const removeHint = `run magnus-sync magnus-compat --remove --grant ${dashboard?.owner ?? role} first`;
  if (dashboard && dashboard.owner !== role)
    throw new CompatProblem(
      'state',
      `${COMPAT_SCHEMA} is set up for role "${dashboard.owner}", not "${role}": ${removeHint}.`,
    );
  if (!dashboard || !synced?.inherits_dashboard || synced.owner !== installer)
    throw new CompatProblem(
      'state',
      `${COMPAT_SCHEMA}.${DASHBOARD_BALANCES} was not made by magnus-compat (or was changed): ${removeHint}.`,
    );
  return 'reuse';
}

// ---- install / remove -------------------------------------------------------------------------

async function asRole(trx: Knex.Transaction, role: string, statements: readonly string[]): Promise<void> {
  await trx.raw(`set local role ${ident(role)}`);
  await run(trx, statements);
  await trx.raw('reset role');
}

async function installLayer(
  trx: Knex.Transaction,
  role: string,
  wantedAccount: string | null,
): Promise<MagnusCompatResult> {
  const s = await situation(trx, role);
  requireRights(s, role, { install: true });
  const account = await chooseAccount(trx, s.dataSchema, wantedAccount);
  const target: LayerTarget = { dataSchema: s.dataSchema, account };
  // From here on nothing resolves through a search path (every name is qualified), and a lock held
  // by a dashboard session makes the command fail instead of waiting forever.
  await run(trx, ['set local search_path = pg_catalog, pg_temp', "set local lock_timeout = '15s'"]);
  const schema = ident(COMPAT_SCHEMA);
  const dashboard = ident(role);
  await run(trx, [
    `create schema if not exists ${schema}`,
    `grant usage, create on schema ${schema} to ${dashboard}`,
    tradeHistoryView(target),
    positionsView(target),
    portfolioBalancesView(target),
    ...COMPAT_VIEWS.map((view) => `grant select on ${schema}.${ident(view)} to ${dashboard}`),
  ]);
  // The installer owns the schema; its owner (or a superuser) may be someone else on a re-run.
  const installer = s.schemaOwner ?? s.me;
  if (checkBalanceTables(await balanceTables(trx), role, installer) === 'create') {
    await asRole(trx, role, dashboardBalancesTable());
    await run(trx, syncedBalancesTable());
  }
  await asRole(trx, role, [
    ...guardDashboardBalances(),
    `alter role ${dashboard} in database ${ident(s.database)} set search_path = ${schema}, ${ident(s.dataSchema)}`,
  ]);
  await run(trx, [...protectSyncedBalances(), ...feedTrigger(target), ...refillSyncedBalances(target)]);
  const [dropped] = await rows<{ removed: number }>(trx, dropCoveredDashboardBalances());
  const note = { tool: 'magnus-sync magnus-compat', version: COMPAT_LAYER_VERSION, role, account };
  await trx.raw(`comment on schema ${schema} is ${literal(JSON.stringify(note))}`);
  const replaced = Number(dropped?.removed ?? 0);
  const searchPath = [COMPAT_SCHEMA, s.dataSchema];
  return {
    ok: true,
    action: 'installed',
    role,
    account,
    database: s.database,
    searchPath,
    replacedDashboardRows: replaced,
    message:
      `Magnus dashboard compatibility is set up in database ${s.database} for role ${role} and account ${account}: ` +
      `connect the dashboard as ${role} (search_path ${searchPath.join(', ')}).` +
      (replaced > 0
        ? ` ${replaced} balance row(s) the dashboard had written for synced dates were replaced.`
        : ''),
  };
}

async function removeLayer(trx: Knex.Transaction, role: string): Promise<MagnusCompatResult> {
  const s = await situation(trx, role);
  requireRights(s, role, { install: false });
  await run(trx, ['set local search_path = pg_catalog, pg_temp', "set local lock_timeout = '15s'"]);
  await run(trx, dropFeedTriggers(s.dataSchema));
  let keptObjects: string[] = [];
  if (s.schemaOwner !== null) {
    await run(trx, dropLayerObjects());
    await trx.raw('savepoint drop_schema');
    try {
      await trx.raw(`drop schema ${ident(COMPAT_SCHEMA)}`);
    } catch (error) {
      if ((error as { code?: string }).code !== '2BP01') throw error;
      // The dashboard made tables of its own there (e.g. Magnus's portfolio_balance_history): keep them.
      await trx.raw('rollback to savepoint drop_schema');
      const left = await rows<{ name: string }>(
        trx,
        `select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
          where n.nspname = ? and c.relkind in ('r', 'p', 'v', 'm', 'f') order by 1`,
        [COMPAT_SCHEMA],
      );
      keptObjects = left.map((r) => r.name);
      await trx.raw(`comment on schema ${ident(COMPAT_SCHEMA)} is null`);
    }
  }
  if (keptObjects.length === 0)
    await asRole(trx, role, [`alter role ${ident(role)} in database ${ident(s.database)} reset search_path`]);
  return {
    ok: true,
    action: 'removed',
    role,
    database: s.database,
    keptObjects,
    message:
      keptObjects.length === 0
        ? `Magnus dashboard compatibility removed from database ${s.database}; ${role}'s search_path is back to the default.`
        : `Magnus dashboard compatibility removed from database ${s.database}; ${COMPAT_SCHEMA} and ${role}'s search_path were kept for the dashboard's own tables (${keptObjects.join(', ')}).`,
  };
}
