/**
 * `magnus-sync`: the engine without Electron, for servers. Every flag is validated before anything
 * is opened (args.ts); the runtime is the same one the desktop app hosts.
 */
import { createWriteStream } from 'node:fs';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CallFailure } from '../../shared/call-result.js';
import type { LoginOutcome } from '../../shared/models.js';
import { tallyRuns } from '../../shared/run-tally.js';
import type { Settings } from '../../shared/settings.js';
import { classifyError } from '../engine/cycle-errors.js';
import { type CycleOutcome, failedCycle } from '../engine/cycle-types.js';
import { createHeldFileLogger, type HeldFileLogger, Redactor } from '../logging/index.js';
import { dataPaths, defaultDataDir } from '../runtime/paths.js';
import { type AppRuntime, createRuntime } from '../runtime/runtime.js';
import type { SettingsStore } from '../runtime/runtime-types.js';
import { fileSettingsStore } from '../runtime/settings-file.js';
import { storeConfigFor } from '../runtime/store-config.js';
import { appVersion } from '../runtime/version.js';
import {
  CredentialsInputError,
  KeychainSecretStore,
  keychainServiceOf,
  MemorySecretStore,
  probeKeychain,
  TotpSecretError,
} from '../secrets/index.js';
import { startWebServer } from '../server/web-server.js';
import { type ExportDataset, openStore, type Store, StoreOpenError } from '../store/index.js';
import { errorMeta } from '../util/errors.js';
import {
  type CliCommand,
  type CommonOptions,
  EXIT,
  EXPORT_DATASET_NAMES,
  parseCli,
  USAGE,
  UsageError,
} from './args.js';
import { dbUrlCommand } from './db-url.js';
import { loginDialogue } from './login-dialogue.js';
import { magnusCompatCommand } from './magnus-compat.js';
import { createPrompter } from './prompt.js';

export interface CliIo {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  env: NodeJS.ProcessEnv;
  /** Resolves when the process is asked to stop (SIGINT/SIGTERM); the daemon then shuts down. */
  stopSignal: Promise<string>;
}

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let command: CliCommand;
  try {
    command = parseCli(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`magnus-sync: ${error.message}\n`);
      return EXIT.usage;
    }
    throw error;
  }
  if (command.command === 'help') {
    io.stdout.write(`${USAGE}\n`);
    return EXIT.ok;
  }
  if (command.command === 'version') {
    io.stdout.write(`${appVersion()}\n`);
    return EXIT.ok;
  }

  const dataDir = command.dataDir ?? defaultDataDir(io.env);
  const redactor = new Redactor();
  if (command.database) redactor.register(new URL(command.database).password || null);
  // The log file opens once the configuration proved good: a configuration error writes nothing.
  const logger = createHeldFileLogger({
    logDir: dataPaths(dataDir).logDir,
    redactor,
    level: command.verbose ? 'debug' : 'info',
    console: command.json ? 'json' : true,
  });
  let code: number = EXIT.usage;
  try {
    code = await runCommand(command, { dataDir, logger, redactor, io });
    return code;
  } catch (error) {
    if (isConfigurationError(error)) return configurationError(error, { dataDir, logger, redactor, io });
    code = EXIT.cycleFailed;
    logger.error('magnus-sync failed unexpectedly', errorMeta(error));
    return code;
  } finally {
    if (code !== EXIT.usage) logger.openFile();
    await logger.close();
  }
}

function runCommand(command: Exclude<CliCommand, { command: 'help' | 'version' }>, ctx: Context) {
  switch (command.command) {
    case 'sync':
      return sync(command, ctx);
    case 'login':
      return login(command, ctx);
    case 'logout':
      return logout(command, ctx);
    case 'status':
      return status(command, ctx);
    case 'export':
      return exportCommand(command, ctx);
    case 'db-url':
      return dbUrlCommand(command, {
        dataDir: ctx.dataDir,
        io: ctx.io,
        keychainService: keychainServiceOf(ctx.io.env),
      });
    case 'magnus-compat':
      return magnusCompatCommand(command, {
        dataDir: ctx.dataDir,
        logger: ctx.logger,
        stdout: ctx.io.stdout,
        stderr: ctx.io.stderr,
        keychainService: keychainServiceOf(ctx.io.env),
        registerSecret: (secret) => ctx.redactor.register(secret),
      });
  }
}

interface Context {
  dataDir: string;
  logger: HeldFileLogger;
  redactor: Redactor;
  io: CliIo;
}

/** CLI flags win over the settings file for this run; a change from the web page is saved. */
function overlaySettings(base: SettingsStore, overrides: Partial<Settings>): SettingsStore {
  const active = { ...overrides };
  return {
    get: () => ({ ...base.get(), ...active }),
    set: (next) => {
      for (const key of Object.keys(active) as Array<keyof Settings>) {
        if (next[key] !== active[key]) delete active[key];
      }
      base.set(next);
    },
  };
}

function runtimeFor(
  command: CommonOptions & { interval?: number | null; tradeInterval?: number | null },
  ctx: Context,
): AppRuntime {
  const overrides: Partial<Settings> = {};
  if (command.interval) overrides.syncIntervalSeconds = command.interval;
  if (command.tradeInterval) overrides.tradeHistoryIntervalSeconds = command.tradeInterval;
  return createRuntime({
    host: 'headless',
    dataDir: ctx.dataDir,
    settings: overlaySettings(fileSettingsStore({ dataDir: ctx.dataDir, logger: ctx.logger }), overrides),
    logger: ctx.logger,
    redactor: ctx.redactor,
    env: ctx.io.env,
    keychainService: keychainServiceOf(ctx.io.env),
    demo: command.demo,
    ...(command.database ? { databaseUrl: command.database } : {}),
    ...(command.apiUrl ? { apiUrl: command.apiUrl } : {}),
  });
}

/** The --once summary; also what --json prints. */
export function summaryOf(outcome: CycleOutcome, demo = false) {
  return {
    /** 'success' or 'failed' (as the exit code says); run_status has the detail. */
    status: exitCodeOf(outcome) === EXIT.ok ? 'success' : 'failed',
    run_status: outcome.status,
    demo,
    trigger: outcome.trigger,
    accounts: outcome.counts.accounts,
    stock_positions: outcome.counts.stockPositions,
    option_positions: outcome.counts.optionPositions,
    orders: outcome.counts.orders,
    trades: outcome.counts.trades,
    api_requests: outcome.apiRequests,
    rows_written: outcome.rowsWritten,
    duration_ms: Math.round(outcome.durationMs),
    skipped_accounts: outcome.skippedAccounts,
    error: outcome.error ? { kind: outcome.error.kind, message: outcome.error.message } : null,
  };
}

function exitCodeOf(outcome: CycleOutcome): number {
  if (outcome.error?.kind === 'auth') return EXIT.needsUser;
  if (outcome.status === 'success' || outcome.status === 'skipped') return EXIT.ok;
  return EXIT.cycleFailed;
}

function printSummary(outcome: CycleOutcome, json: boolean, demo: boolean, out: Writable): void {
  const s = summaryOf(outcome, demo);
  if (json) {
    out.write(`${JSON.stringify(s)}\n`);
    return;
  }
  const lines = [
    `${demo ? 'DEMO DATA (built-in simulator, not your account). ' : ''}Sync ${s.run_status} in ${s.duration_ms} ms: ${s.accounts} account(s), ${s.stock_positions} stock and ${s.option_positions} option position(s), ${s.orders} order(s), ${s.trades} closed trade(s), ${s.api_requests} API request(s).`,
  ];
  if (s.skipped_accounts.length > 0) {
    lines.push(`Skipped ${s.skipped_accounts.join(', ')}: another agent is syncing this account.`);
  }
  if (s.error) lines.push(`Error (${s.error.kind}): ${s.error.message}`);
  out.write(`${lines.join('\n')}\n`);
}

async function sync(command: Extract<CliCommand, { command: 'sync' }>, ctx: Context): Promise<number> {
  const runtime = runtimeFor(command, ctx);
  if (command.once) {
    let stopped = false;
    void ctx.io.stopSignal.then(() => {
      stopped = true;
      void runtime.stop();
    });
    try {
      const startedAt = new Date();
      try {
        await runtime.prepare();
      } catch (error) {
        if (!isUnreachableStore(error)) return configurationError(error, ctx);
        // A database that is not up is a failed cycle (exit 1), not a configuration error.
        const outcome = failedCycle('cli', startedAt, new Date(), classifyError(error, ''));
        printSummary(outcome, command.json, command.demo, ctx.io.stdout);
        return EXIT.cycleFailed;
      }
      ctx.logger.openFile();
      const outcome = await runtime.syncOnce('cli', 'force');
      printSummary(outcome, command.json, command.demo, ctx.io.stdout);
      return stopped ? EXIT.cycleFailed : exitCodeOf(outcome);
    } finally {
      await runtime.stop();
    }
  }

  const outcomes: CycleOutcome[] = [];
  runtime.onCycle((outcome) => {
    outcomes.push(outcome);
    if (command.json) ctx.io.stdout.write(`${JSON.stringify(summaryOf(outcome, command.demo))}\n`);
  });
  // Nothing else need keep Node running between cycles (the engine's timer is unref'd and the pool
  // closes idle connections): the daemon holds the event loop open until it is told to stop.
  const keepAlive = setInterval(() => undefined, 3_600_000);
  let stopSignal: string | null = null;
  void ctx.io.stopSignal.then((signal) => {
    stopSignal = signal;
  });
  try {
    const ready = await prepareWhenReachable(runtime, ctx, () => stopSignal !== null);
    if (ready !== 'ready') {
      if (ready !== 'stopped') return configurationError(ready.error, ctx);
    } else {
      const server = command.serve
        ? await startWebServer({
            runtime,
            host: command.serve.host,
            port: command.serve.port,
            allowedHosts: command.allowHosts,
            logger: ctx.logger,
          })
        : null;
      if (server) {
        if (command.json)
          ctx.io.stdout.write(`${JSON.stringify({ serving: server.url, open: server.loginUrl })}\n`);
        else
          ctx.io.stdout.write(
            `Status page: ${server.loginUrl}\nHealth: ${server.url}/healthz  Metrics: ${server.url}/metrics (token required)\n`,
          );
      }
      await runtime.start('startup');
      await ctx.io.stopSignal;
      ctx.logger.info(`stopping (${stopSignal})`);
      await server?.close();
    }
    await runtime.stop();
  } finally {
    clearInterval(keepAlive);
  }
  const tally = tallyRuns(outcomes.map((o) => [o.status, 1] as const));
  const requests = outcomes.reduce((sum, o) => sum + o.apiRequests, 0);
  const summary = {
    cycles: tally.cycles,
    failures: tally.failures,
    interrupted: tally.interrupted,
    api_requests: requests,
  };
  ctx.io.stdout.write(
    command.json
      ? `${JSON.stringify({ stopped: stopSignal, ...summary })}\n`
      : `Stopped after ${summary.cycles} cycle(s), ${tally.failures} failed, ${tally.interrupted} interrupted, ${requests} API request(s).\n`,
  );
  return EXIT.ok;
}

/** The first wait for a database that is not up yet; doubled after each try up to the last. */
export const DATABASE_WAIT_SECONDS = { first: 1, max: 60 } as const;

/**
 * Opens the store, waiting for a database that is not reachable yet (an agent started before its
 * server) with a backoff from 1 s to 60 s, saying so each time. A configuration error ends the wait.
 */
async function prepareWhenReachable(
  runtime: AppRuntime,
  ctx: Context,
  stopped: () => boolean,
): Promise<'ready' | 'stopped' | { error: unknown }> {
  let waitSeconds: number = DATABASE_WAIT_SECONDS.first;
  for (;;) {
    try {
      await runtime.prepare();
      ctx.logger.openFile();
      return 'ready';
    } catch (error) {
      if (!isUnreachableStore(error)) return { error };
      ctx.logger.openFile();
      ctx.logger.warn(`the database is not reachable yet; retrying in ${waitSeconds} s`, errorMeta(error));
    }
    const woke = await Promise.race([
      new Promise<'timer'>((resolve) => setTimeout(() => resolve('timer'), waitSeconds * 1000)),
      ctx.io.stopSignal.then(() => 'stop' as const),
    ]);
    if (woke === 'stop' || stopped()) return 'stopped';
    waitSeconds = Math.min(DATABASE_WAIT_SECONDS.max, waitSeconds * 2);
  }
}

/** What a user fixes in the command line, the settings or the environment (exit 2, one line). */
function isConfigurationError(error: unknown): boolean {
  return (
    error instanceof UsageError ||
    error instanceof TotpSecretError ||
    error instanceof CredentialsInputError ||
    (error instanceof StoreOpenError && error.reason !== 'unreachable')
  );
}

function isUnreachableStore(error: unknown): boolean {
  return error instanceof StoreOpenError && error.reason === 'unreachable';
}

/** The error's own message when it is one of ours (already safe), else the classified one. */
function startupProblem(error: unknown, classified: string): string {
  if (
    error instanceof StoreOpenError ||
    error instanceof TotpSecretError ||
    error instanceof CredentialsInputError
  )
    return error.message;
  return classified;
}

/** A configuration problem found while opening: one line on stderr, exit 2. */
function configurationError(error: unknown, ctx: Context): number {
  const message = startupProblem(error, classifyError(error, '').message);
  ctx.io.stderr.write(`magnus-sync: ${ctx.redactor.redact(message)}\n`);
  return EXIT.usage;
}

async function login(command: CommonOptions, ctx: Context): Promise<number> {
  if (command.demo) throw new UsageError('The demo needs no login.');
  const keychain = await probeKeychain(keychainServiceOf(ctx.io.env));
  if (!keychain.available) {
    ctx.io.stderr.write(`magnus-sync: nothing was stored: ${keychain.problem}\n`);
    return EXIT.usage;
  }
  const prompter = createPrompter(ctx.io.stdin, ctx.io.stderr);
  const runtime = runtimeFor(command, ctx);
  try {
    const username = (await prompter.ask('Robinhood username (e-mail): ')).trim();
    const password = await prompter.askSecret('Password: ');
    const totp = (
      await prompter.askSecret('TOTP secret from your authenticator setup (empty if none): ')
    ).trim();
    try {
      await runtime.handlers.setCredentials({
        username,
        password,
        ...(totp ? { totpSecret: totp } : {}),
      });
    } catch (error) {
      if (!(error instanceof CallFailure)) throw error;
      const why = error.fields ? Object.values(error.fields).join(' ') : error.message;
      ctx.io.stderr.write(`magnus-sync: nothing was stored: ${why}\n`);
      return EXIT.usage;
    }
    let outcome: LoginOutcome;
    try {
      outcome = await loginDialogue({
        handlers: runtime.handlers,
        waitForApproval: () => runtime.waitForApproval(),
        prompter,
        stderr: ctx.io.stderr,
      });
    } catch (error) {
      if (!(error instanceof CallFailure)) throw error;
      ctx.io.stdout.write(`${error.message}\n`);
      return EXIT.needsUser;
    }
    ctx.io.stdout.write(`${outcome.message}\n`);
    return EXIT.ok;
  } finally {
    prompter.close();
    await runtime.stop();
  }
}

async function logout(command: CommonOptions, ctx: Context): Promise<number> {
  const runtime = runtimeFor(command, ctx);
  try {
    await runtime.prepare();
    const view = await runtime.handlers.clearCredentials({});
    ctx.io.stdout.write(
      view.usernameStored || view.passwordStored
        ? 'Some credentials could not be removed from the keychain.\n'
        : 'Logged out: the session was revoked and the stored credentials and tokens were removed.\n',
    );
    return EXIT.ok;
  } finally {
    await runtime.stop();
  }
}

/**
 * status and export read the store only: no broker, no keychain beyond the database password.
 * When an agent or the app owns the embedded database, they read through its running server.
 */
async function openReadStore(command: CommonOptions, ctx: Context): Promise<Store> {
  const settings = fileSettingsStore({ dataDir: ctx.dataDir, logger: ctx.logger }).get();
  const service = keychainServiceOf(ctx.io.env);
  const keychain = command.database || command.demo ? null : await probeKeychain(service);
  const secrets = keychain?.available ? new KeychainSecretStore({ service }) : new MemorySecretStore();
  const config = await storeConfigFor({
    settings,
    defaultDataDir: ctx.dataDir,
    databaseUrl: command.database ?? undefined,
    demo: command.demo,
    secrets,
  });
  return openStore(config, { logger: ctx.logger, readOnly: true });
}

async function status(command: CommonOptions, ctx: Context): Promise<number> {
  const store = await openReadStore(command, ctx);
  try {
    const stats = await store.stats({ rateLimitPerMinute: 60, recentLimit: 10 });
    const dashboard = await store.dashboard({ now: new Date() });
    if (command.json) {
      ctx.io.stdout.write(
        `${JSON.stringify({
          database: store.location,
          accounts: dashboard.accounts,
          stats,
        })}\n`,
      );
      return EXIT.ok;
    }
    const out: string[] = [`Database: ${store.location}`];
    out.push(
      `Cycles: ${stats.cycles} (${stats.successes} ok, ${stats.failures} failed, ${stats.partials} partial, ${stats.interrupted} interrupted)` +
        (stats.averageRequests === null
          ? ''
          : `, ${stats.averageRequests.toFixed(1)} API requests per cycle`),
    );
    out.push(
      `Quarantined items: ${stats.quarantined}` +
        (stats.quarantined > 0 ? ' (broker items that could not be read; kept in quarantined_items)' : ''),
    );
    for (const account of dashboard.accounts)
      out.push(
        `Account ${account.accountKey} (${account.broker}, ${account.accountType}), updated ${account.updatedAt ?? 'never'}`,
      );
    for (const run of stats.recentRuns) {
      out.push(
        `  ${run.startedAt}  ${run.status.padEnd(7)}  ${String(run.apiRequests).padStart(3)} req  ${run.durationMs} ms${run.error ? `  ${run.error}` : ''}`,
      );
    }
    ctx.io.stdout.write(`${out.join('\n')}\n`);
    return EXIT.ok;
  } finally {
    await store.close();
  }
}

async function exportCommand(
  command: Extract<CliCommand, { command: 'export' }>,
  ctx: Context,
): Promise<number> {
  const store = await openReadStore(command, ctx);
  try {
    const datasets: ExportDataset[] =
      command.dataset === 'all' ? [...EXPORT_DATASET_NAMES] : [command.dataset];
    const chunks = async function* () {
      if (command.format === 'csv' || datasets.length === 1) {
        yield* store.exportData(datasets[0]!, command.format);
        return;
      }
      yield '{';
      for (const [i, dataset] of datasets.entries()) {
        yield `${i ? ',' : ''}${JSON.stringify(dataset)}:`;
        yield* store.exportData(dataset, 'json');
      }
      yield '}\n';
    };
    if (command.out) await pipeline(Readable.from(chunks()), createWriteStream(command.out));
    else for await (const chunk of chunks()) ctx.io.stdout.write(chunk);
    return EXIT.ok;
  } finally {
    await store.close();
  }
}
