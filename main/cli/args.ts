/**
 * Parses and validates the `magnus-sync` command line. Every flag is checked here, before anything
 * is opened or written; a problem becomes one clear UsageError (exit code 2).
 */
import { parseArgs } from 'node:util';
import { postgresUrlProblem, SYNC_INTERVAL_BOUNDS, TRADE_INTERVAL_BOUNDS } from '../../shared/settings.js';
import { isAccountKey } from '../domain/account-references.js';
import { roleNameProblem } from '../store/compat/magnus-sql.js';
import { errorMessage } from '../util/errors.js';

export const EXIT = { ok: 0, cycleFailed: 1, usage: 2, needsUser: 3 } as const;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface CommonOptions {
  /** PostgreSQL URL (may carry a password; never logged). */
  database: string | null;
  dataDir: string | null;
  apiUrl: string | null;
  demo: boolean;
  json: boolean;
  verbose: boolean;
}

export type CliCommand =
  | ({
      command: 'sync';
      once: boolean;
      interval: number | null;
      tradeInterval: number | null;
      serve: ServeAddress | null;
      /** Host names the status page answers to besides loopback (--allow-host, repeatable). */
      allowHosts: string[];
    } & CommonOptions)
  | ({ command: 'login' | 'logout' | 'status' | 'db-url' } & CommonOptions)
  | ({
      command: 'export';
      format: 'csv' | 'json';
      /** One dataset, or every one (JSON only: one object keyed by dataset). */
      dataset: ExportDatasetName | 'all';
      out: string | null;
    } & CommonOptions)
  | ({
      command: 'magnus-compat';
      /** The dashboard's login role. */
      grant: string;
      /** Masked account key; null = the broker's default account. */
      account: string | null;
      remove: boolean;
    } & CommonOptions)
  | { command: 'help' }
  | { command: 'version' };

export const EXPORT_DATASET_NAMES = ['positions', 'orders', 'trades', 'snapshots'] as const;
export type ExportDatasetName = (typeof EXPORT_DATASET_NAMES)[number];

export interface ServeAddress {
  host: string;
  port: number;
}

export const USAGE = `Usage:
  magnus-sync [--once] [--interval SECONDS] [--trade-interval SECONDS]
              [--database URL | --data-dir DIR] [--api-url URL] [--demo] [--json]
              [--serve HOST:PORT [--allow-host NAME]...]
  magnus-sync login | logout | status [--database URL | --data-dir DIR] [--api-url URL] [--json]
  magnus-sync export --format csv|json [--dataset NAME] [--out FILE] [--database URL | --data-dir DIR]
  magnus-sync magnus-compat --grant ROLE [--account KEY] [--remove] [--database URL]
  magnus-sync db-url [--data-dir DIR] [--demo]

Syncs a Robinhood account into PostgreSQL: every --interval seconds (default 300) the positions,
option positions with Greeks, balances and a portfolio snapshot; every --trade-interval seconds
(default 3600) the trade history.

Options:
  --once                 run one full cycle (trade history included), print a summary and exit
  --interval SECONDS     sync interval, ${SYNC_INTERVAL_BOUNDS.min}-${SYNC_INTERVAL_BOUNDS.max} (default 300)
  --trade-interval SECONDS  trade-history interval, ${TRADE_INTERVAL_BOUNDS.min}-${TRADE_INTERVAL_BOUNDS.max} (default 3600)
  --database URL         a PostgreSQL server, postgres://user[:password]@host:5432/db
  --data-dir DIR         folder of the embedded database and logs (default: the OS app-data folder)
  --api-url URL          another broker API base (e.g. a simulator); https unless on this machine
  --demo                 sync the built-in simulator (demo data, no credentials)
  --json                 machine-readable output (one JSON object per summary)
  --serve HOST:PORT      serve the status page, /healthz and /metrics (loopback unless you say otherwise)
  --allow-host NAME      a host name browsers use to reach --serve (repeatable); required to serve
                         on any address but loopback, e.g. --serve 0.0.0.0:8765 --allow-host nas.lan
  --verbose              debug logging on the console
  --help, --version

Commands:
  login                  store username, password and TOTP secret in the OS keychain and sign in
  logout                 revoke the session and remove stored credentials and tokens
  status                 print the last sync runs and what the store holds
  export                 write positions, orders, trades and snapshots as CSV or JSON
                         (--dataset positions|orders|trades|snapshots; JSON may export all at once)
  magnus-compat          let the original Magnus dashboard, logged in as ROLE, read this database
                         unchanged (schema magnus_compat; --account picks the account it sees,
                         --remove takes it away; see docs/magnus-compat.md)
  db-url                 print the connection URL of the embedded database (with its password),
                         e.g. psql "$(magnus-sync db-url)" while the app or the agent runs

Credentials come from the OS keychain (see login), else from ROBINHOOD_USERNAME,
ROBINHOOD_PASSWORD and ROBINHOOD_TOTP_SECRET (ROBINHOOD_MFA_CODE is accepted as the same secret).

Exit codes: 0 success, 1 the cycle failed, 2 usage or configuration error, 3 authentication needs you.`;

const SUBCOMMANDS = ['login', 'logout', 'status', 'export', 'magnus-compat', 'db-url'] as const;
type Subcommand = (typeof SUBCOMMANDS)[number];
const isSubcommand = (value: string): value is Subcommand =>
  (SUBCOMMANDS as readonly string[]).includes(value);

export function parseCli(argv: readonly string[]): CliCommand {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new UsageError(describeParseError(error));
  }
  const { values, positionals } = parsed;
  if (values.help) return { command: 'help' };
  if (values.version) return { command: 'version' };
  if (positionals.length > 1) throw new UsageError(`Unexpected argument "${positionals[1]}".`);
  // "magnus-sync sync ..." is the same as "magnus-sync ...".
  const first = positionals[0] === 'sync' ? undefined : positionals[0];
  if (first !== undefined && !isSubcommand(first)) {
    throw new UsageError(`Unknown command "${first}". Commands: ${SUBCOMMANDS.join(', ')}.`);
  }
  const sub = first;

  const common = commonOptions(values);
  const syncOnly = ['once', 'interval', 'trade-interval', 'serve', 'allow-host'] as const;
  const exportOnly = ['format', 'out', 'dataset'] as const;
  const compatOnly = ['grant', 'account', 'remove'] as const;
  for (const flag of compatOnly)
    if (values[flag] !== undefined && sub !== 'magnus-compat')
      throw new UsageError(`--${flag} belongs to the magnus-compat command.`);

  if (sub === undefined) {
    for (const flag of exportOnly)
      if (values[flag] !== undefined) throw new UsageError(`--${flag} belongs to the export command.`);
    return {
      command: 'sync',
      ...common,
      once: values.once ?? false,
      interval: intervalOption(values.interval, '--interval', SYNC_INTERVAL_BOUNDS),
      tradeInterval: intervalOption(values['trade-interval'], '--trade-interval', TRADE_INTERVAL_BOUNDS),
      ...serveOptions(values.serve, values['allow-host']),
    };
  }
  for (const flag of syncOnly) {
    if (values[flag] !== undefined) throw new UsageError(`--${flag} cannot be used with the ${sub} command.`);
  }
  if (sub === 'export') {
    if (values.format === undefined) throw new UsageError('export needs --format csv or --format json.');
    if (values.format !== 'csv' && values.format !== 'json') {
      throw new UsageError(`--format must be csv or json, not "${values.format}".`);
    }
    if (values.out !== undefined && values.out.trim() === '')
      throw new UsageError('--out needs a file name.');
    const dataset = values.dataset ?? 'all';
    if (dataset !== 'all' && !(EXPORT_DATASET_NAMES as readonly string[]).includes(dataset)) {
      throw new UsageError(`--dataset must be one of ${EXPORT_DATASET_NAMES.join(', ')}, not "${dataset}".`);
    }
    if (dataset === 'all' && values.format === 'csv') {
      throw new UsageError(
        `CSV exports one dataset at a time: add --dataset ${EXPORT_DATASET_NAMES.join('|')}.`,
      );
    }
    return {
      command: 'export',
      ...common,
      format: values.format,
      dataset: dataset as ExportDatasetName | 'all',
      out: values.out ?? null,
    };
  }
  for (const flag of exportOnly)
    if (values[flag] !== undefined) throw new UsageError(`--${flag} belongs to the export command.`);
  if (sub === 'magnus-compat') return { command: sub, ...common, ...magnusCompatOptions(values) };
  if (sub === 'db-url') {
    if (common.database !== null)
      throw new UsageError('db-url prints the embedded database URL; --database already is one.');
    if (common.apiUrl !== null) throw new UsageError('--api-url cannot be used with the db-url command.');
  }
  return { command: sub, ...common };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      once: { type: 'boolean' },
      interval: { type: 'string' },
      'trade-interval': { type: 'string' },
      database: { type: 'string' },
      'data-dir': { type: 'string' },
      'api-url': { type: 'string' },
      demo: { type: 'boolean' },
      json: { type: 'boolean' },
      serve: { type: 'string' },
      'allow-host': { type: 'string', multiple: true },
      format: { type: 'string' },
      out: { type: 'string' },
      dataset: { type: 'string' },
      grant: { type: 'string' },
      account: { type: 'string' },
      remove: { type: 'boolean' },
      verbose: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean' },
    },
  });
}

function describeParseError(error: unknown): string {
  const code = (error as { code?: string }).code;
  const message = errorMessage(error);
  const option = /'(-[^']*)'/.exec(message)?.[1];
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION')
    return `Unknown option ${option ?? ''}. Run magnus-sync --help.`.replace('  ', ' ');
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    return /argument missing/.test(message)
      ? `Option ${option?.split(' ')[0] ?? ''} needs a value.`
      : `Option ${option ?? ''} does not take a value.`;
  }
  return message.split('. ')[0] ?? 'Invalid arguments.';
}

function commonOptions(values: ReturnType<typeof parse>['values']): CommonOptions {
  const database = values.database ?? null;
  const dataDir = values['data-dir'] ?? null;
  const apiUrl = values['api-url'] ?? null;
  const demo = values.demo ?? false;
  if (database !== null && dataDir !== null) {
    throw new UsageError(
      'Use either --database (a PostgreSQL server) or --data-dir (the embedded database), not both.',
    );
  }
  if (database !== null) {
    const problem = postgresUrlProblem(database);
    if (problem) throw new UsageError(problem.replace(/^Database URL/, '--database'));
  }
  if (dataDir !== null && dataDir.trim() === '') throw new UsageError('--data-dir needs a folder.');
  if (apiUrl !== null) {
    if (demo) throw new UsageError('--demo runs its own simulator; it cannot be combined with --api-url.');
    const problem = apiUrlProblem(apiUrl);
    if (problem) throw new UsageError(problem);
  }
  return { database, dataDir, apiUrl, demo, json: values.json ?? false, verbose: values.verbose ?? false };
}

function magnusCompatOptions(values: ReturnType<typeof parse>['values']) {
  if (values.grant === undefined)
    throw new UsageError("magnus-compat needs --grant ROLE (the dashboard's login).");
  const roleProblem = roleNameProblem(values.grant);
  if (roleProblem) throw new UsageError(roleProblem);
  if (values.account !== undefined && !isAccountKey(values.account))
    throw new UsageError(`--account must be a masked key such as ****4141, not "${values.account}".`);
  if (values.demo) throw new UsageError('magnus-compat needs a PostgreSQL database, not the demo.');
  if (values['api-url'] !== undefined)
    throw new UsageError('--api-url cannot be used with the magnus-compat command.');
  return { grant: values.grant, account: values.account ?? null, remove: values.remove ?? false };
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_HOSTS.has(host.toLowerCase()) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Credentials are sent to this URL: plain http is only acceptable on this machine. */
export function apiUrlProblem(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `--api-url "${value}" is not a URL (expected e.g. https://api.robinhood.com).`;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return '--api-url must be an http(s) URL.';
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    return '--api-url must use https unless it points at this machine (credentials would travel in clear text).';
  }
  if (url.username || url.password) return '--api-url must not contain credentials.';
  if (url.search || url.hash) return '--api-url must be a base URL without a query or fragment.';
  return null;
}

function intervalOption(
  value: string | undefined,
  flag: string,
  bounds: { min: number; max: number },
): number | null {
  if (value === undefined) return null;
  if (!/^\d+$/.test(value.trim()))
    throw new UsageError(`${flag} must be a whole number of seconds, not "${value}".`);
  const seconds = Number(value);
  if (seconds < bounds.min || seconds > bounds.max) {
    throw new UsageError(`${flag} must be between ${bounds.min} and ${bounds.max} seconds.`);
  }
  return seconds;
}

/**
 * --serve on a loopback address needs nothing more. Any other address (0.0.0.0, a LAN address)
 * serves the network, where browsers send the machine's name in the Host header: those names must be
 * given with --allow-host, or every page but /healthz would answer 403.
 */
function serveOptions(
  serve: string | undefined,
  allowHost: string[] | undefined,
): { serve: ServeAddress | null; allowHosts: string[] } {
  const allowHosts = (allowHost ?? []).map((h) => h.trim());
  for (const name of allowHosts) {
    if (!/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/.test(name))
      throw new UsageError(`--allow-host must be a host name or address (optionally :port), not "${name}".`);
  }
  if (serve === undefined) {
    if (allowHosts.length > 0) throw new UsageError('--allow-host needs --serve.');
    return { serve: null, allowHosts };
  }
  const address = serveAddress(serve);
  if (!isLoopbackHost(address.host) && allowHosts.length === 0) {
    throw new UsageError(
      `--serve ${serve} listens on the network: add --allow-host NAME for each name browsers will use to reach it.`,
    );
  }
  return { serve: address, allowHosts };
}

export function serveAddress(value: string): ServeAddress {
  const match = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(value.trim());
  if (!match) throw new UsageError(`--serve must be HOST:PORT (e.g. 127.0.0.1:8765), not "${value}".`);
  const port = Number(match[2]);
  if (port > 65535) throw new UsageError(`--serve port must be between 0 and 65535.`);
  const host = match[1]!.startsWith('[') ? match[1]!.slice(1, -1) : match[1]!;
  return { host, port };
}
