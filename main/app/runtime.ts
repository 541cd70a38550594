/**
 * The runtime: everything a host (the Electron shell, or the headless CLI and web server) runs,
 * wired together under plain Node. It owns the store, the broker connection, the engine and the
 * cycle runner, implements every call of the contract and pushes its events.
 *
 * Data flows one way: broker → cycle runner → store (one transaction per stream) → engine status
 * and `dataChanged` → the host's transport → windows.
 */
import type { Handlers } from '../../shared/contract.js';
import type {
  Capabilities,
  ClosedTradesView,
  Dashboard,
  SyncStatus,
  SyncTrigger,
  TradePeriod,
} from '../../shared/models.js';
import {
  applySettingsPatch,
  type FieldErrors,
  type Settings,
  type SettingsPatch,
  type SettingsView,
} from '../../shared/settings.js';
import type { FetchLike } from '../broker/robinhood/index.js';
import { nyDate } from '../domain/market-time.js';
import { classifyError, SyncCycleRunner } from '../engine/cycle.js';
import { type CycleOutcome, failedCycle, type HistoryMode } from '../engine/cycle-types.js';
import { SyncEngine, type Timers } from '../engine/engine.js';
import { createLogger, Redactor, type RootLogger } from '../logging/index.js';
import {
  CredentialsInputError,
  clearCredentials,
  clearDatabasePassword,
  credentialsView,
  DatabaseUrlError,
  DEFAULT_KEYCHAIN_SERVICE,
  databasePasswordStored,
  KeychainSecretStore,
  type KeychainStatus,
  MemorySecretStore,
  probeKeychain,
  type SecretStore,
  saveCredentials,
  splitDatabaseUrl,
  storeDatabasePassword,
} from '../secrets/index.js';
import type { Simulator, SimulatorOptions } from '../simulator/index.js';
import {
  describeLocation,
  openStore,
  type Store,
  type StoreConfig,
  testPostgresConnection,
} from '../store/index.js';
import { type Clock, systemClock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { ApprovalWatcher, errorOutcome, outcomeOf } from './auth-flow.js';
import { type Connection, type ConnectionOptions, createConnection } from './broker-connection.js';
import {
  type EmbeddedDatabaseChoice,
  embeddedDatabaseView,
  revealEmbeddedPassword,
  setUpMagnusCompat,
} from './embedded-database.js';
import { createEventBus } from './event-bus.js';
import { externalUrlProblem } from './external-url.js';
import { EngineMetrics } from './metrics.js';
import { dataPaths } from './paths.js';
import type { EventBus, HealthReport, PlatformHooks, Runtime, SettingsStore } from './runtime-types.js';
import { effectiveDataDir, sameStore, storeConfigFor } from './store-config.js';
import { appVersion } from './version.js';

export const DEFAULT_REQUESTS_PER_MINUTE = 60;
/** /healthz allows two missed intervals plus this grace before it reports unhealthy. */
export const HEALTH_GRACE_SECONDS = 60;
// The desktop main process needs the link check without loading the runtime.
export { EXTERNAL_URL_HOSTS, externalUrlProblem } from './external-url.js';

export interface RuntimeOptions {
  host: 'desktop' | 'headless';
  /** The host's default data folder (embedded database, logs); settings.dataDir overrides it. */
  dataDir: string;
  settings: SettingsStore;
  platform?: PlatformHooks;
  /** Default: the OS keychain, probed at start; a memory store when it is unavailable. */
  secrets?: SecretStore;
  /** The keychain service the secrets are filed under (default "Magnus Sync"); one per profile. */
  keychainService?: string;
  /** Skip the keychain probe and take this status (tests that pass their own secrets). */
  keychainStatus?: KeychainStatus;
  logger?: RootLogger;
  redactor?: Redactor;
  clock?: Clock;
  timers?: Timers;
  env?: NodeJS.ProcessEnv;
  /** Sync the built-in simulator instead of Robinhood (no credentials needed). */
  demo?:
    | boolean
    | (Partial<Omit<SimulatorOptions, 'scenario'>> & { scenario?: SimulatorOptions['scenario'] });
  /** --database: a PostgreSQL URL that wins over the settings (not saved). */
  databaseUrl?: string;
  /** --api-url: the broker's base URL (a simulator in tests). */
  apiUrl?: string;
  fetch?: FetchLike;
  requestsPerMinute?: number;
  /** Client tuning for tests and benchmarks (timeouts, retries, burst). */
  brokerTuning?: ConnectionOptions['tuning'];
  /** PostgreSQL statement timeout for the store. */
  statementTimeoutMs?: number;
  agentId?: string;
}

export interface AppRuntime extends Runtime {
  readonly logDir: string;
  readonly logger: Logger;
  readonly redactor: Redactor;
  /** The open store (after start / prepare), else null. */
  store(): Store | null;
  /** The demo simulator, when running in demo mode. */
  simulator(): Simulator | null;
  /** Opens everything without scheduling (the CLI's --once and login commands). */
  prepare(): Promise<void>;
  /** Runs one cycle now (preparing first); resolves with its outcome. */
  syncOnce(trigger?: SyncTrigger, historyMode?: HistoryMode): Promise<CycleOutcome>;
  /** The broker connection (after prepare). */
  connection(): Connection;
  /** Every finished cycle. */
  onCycle(listener: (outcome: CycleOutcome) => void): () => void;
}

export function createRuntime(options: RuntimeOptions): AppRuntime {
  return new AppRuntimeImpl(options);
}

class AppRuntimeImpl implements AppRuntime {
  readonly handlers: Handlers;
  readonly events: EventBus;
  readonly capabilities: Capabilities;
  readonly logDir: string;
  readonly logger: RootLogger;
  readonly redactor: Redactor;

  private readonly o: RuntimeOptions;
  private readonly clock: Clock;
  private readonly env: NodeJS.ProcessEnv;
  private readonly demo: boolean;
  private readonly requestsPerMinute: number;
  private readonly metricsRegistry = new EngineMetrics();
  private readonly engine: SyncEngine;
  private readonly approval: ApprovalWatcher;
  private readonly ownsLogger: boolean;

  private secrets: SecretStore;
  private keychain: KeychainStatus = { available: false, problem: 'The keychain was not checked yet.' };
  private keychainChecked: Promise<void> | null = null;
  private readonly keychainService: string;
  private currentStore: Store | null = null;
  private storeConfig: StoreConfig | null = null;
  /** Where the store is (or is being opened), without a password; for messages. */
  private storeLocation = '';
  private runner: SyncCycleRunner | null = null;
  private conn: Connection | null = null;
  private sim: Simulator | null = null;
  private inflight: Promise<CycleOutcome> | null = null;
  private preparing: Promise<void> | null = null;
  private started = false;
  private stopping: Promise<void> | null = null;

  constructor(options: RuntimeOptions) {
    this.o = options;
    this.clock = options.clock ?? systemClock;
    this.env = options.env ?? process.env;
    this.demo = Boolean(options.demo);
    this.requestsPerMinute = options.requestsPerMinute ?? DEFAULT_REQUESTS_PER_MINUTE;
    this.redactor = options.redactor ?? new Redactor();
    this.logDir = dataPaths(effectiveDataDir(options.settings.get(), options.dataDir)).logDir;
    this.ownsLogger = !options.logger;
    this.logger =
      options.logger ??
      createLogger({ logDir: this.logDir, redactor: this.redactor, console: options.host === 'headless' });
    this.keychainService = options.keychainService ?? DEFAULT_KEYCHAIN_SERVICE;
    this.secrets = options.secrets ?? new KeychainSecretStore({ service: this.keychainService });
    this.events = createEventBus(this.logger);
    this.capabilities = {
      desktop: options.host === 'desktop',
      canOpenLogFolder: Boolean(options.platform?.openPath),
      canLaunchAtLogin: Boolean(options.platform?.setLaunchAtLogin),
      canEditCredentials: !this.demo,
    };
    const settings = options.settings.get();
    this.engine = new SyncEngine({
      runner: { run: (request) => this.runCycle(request) },
      syncIntervalSeconds: settings.syncIntervalSeconds,
      tradeHistoryIntervalSeconds: settings.tradeHistoryIntervalSeconds,
      rateLimitPerMinute: this.requestsPerMinute,
      demo: this.demo,
      clock: this.clock,
      logger: this.logger,
      ...(options.timers ? { timers: options.timers } : {}),
    });
    this.approval = new ApprovalWatcher({
      connection: () => this.connection(),
      clock: this.clock,
      logger: this.logger,
      onApproved: () => this.engine.authResolved(),
      onFailed: (message) => this.engine.requireAuth({ kind: 'credentials', message }),
    });
    this.engine.on('status', (status) => this.onStatus(status));
    this.engine.on('cycle', (outcome) => void this.onCycleFinished(outcome));
    this.handlers = this.createHandlers();
  }

  // ---- lifecycle -------------------------------------------------------------------------------

  status(): SyncStatus {
    return this.engine.status();
  }

  store(): Store | null {
    return this.currentStore;
  }

  simulator(): Simulator | null {
    return this.sim;
  }

  connection(): Connection {
    if (!this.conn) throw new Error('The runtime is not prepared yet.');
    return this.conn;
  }

  onCycle(listener: (outcome: CycleOutcome) => void): () => void {
    return this.engine.on('cycle', listener);
  }

  prepare(): Promise<void> {
    this.preparing ??= this.doPrepare().catch((error: unknown) => {
      this.preparing = null;
      throw error;
    });
    return this.preparing;
  }

  /**
   * Decides once where secrets go: the OS keychain when it works, else (and in the demo) memory.
   * Every handler that reads or writes a secret waits for this first.
   */
  private keychainReady(): Promise<void> {
    this.keychainChecked ??= (async () => {
      if (this.demo) {
        this.secrets = this.o.secrets ?? new MemorySecretStore();
        this.keychain = this.o.keychainStatus ?? { available: true };
        return;
      }
      this.keychain = this.o.keychainStatus ?? (await probeKeychain(this.keychainService));
      if (!this.keychain.available && !this.o.secrets) {
        this.logger.warn('the OS keychain is unavailable; nothing will be stored', {
          reason: this.keychain.problem,
        });
        this.secrets = new MemorySecretStore();
      }
    })();
    return this.keychainChecked;
  }

  private async doPrepare(): Promise<void> {
    await this.keychainReady();
    // The store first: when it cannot be opened (another agent owns the embedded database), that is
    // the one thing to say, before anything else started.
    await this.openStoreFor(this.o.settings.get());
    if (this.demo) {
      if (!this.sim) {
        const { startSimulator, demoScenario } = await import('../simulator/index.js');
        const demo = typeof this.o.demo === 'object' ? this.o.demo : {};
        this.sim = await startSimulator({ latencyMs: 0, ...demo, scenario: demo.scenario ?? demoScenario() });
        this.logger.info('demo mode: syncing the built-in simulator', { url: this.sim.url });
      }
    }
    this.conn ??= await this.buildConnection();
  }

  async start(trigger: SyncTrigger = 'startup'): Promise<void> {
    if (this.started) return;
    this.started = true;
    try {
      await this.prepare();
    } catch (error) {
      // The engine still starts so the windows can show what is wrong; cycles report it.
      this.logger.error('the runtime could not be prepared', { error });
    }
    this.engine.start(trigger);
    if (this.conn && this.conn.credentialsSource === null) {
      this.engine.requireAuth({
        kind: 'credentials',
        message: 'Enter your Robinhood username and password in Settings to start syncing.',
      });
    }
  }

  syncOnce(trigger: SyncTrigger = 'cli', historyMode: HistoryMode = 'if-due'): Promise<CycleOutcome> {
    return this.prepare().then(() => this.engine.syncNow(trigger, historyMode));
  }

  stop(): Promise<void> {
    this.stopping ??= this.doStop();
    return this.stopping;
  }

  private async doStop(): Promise<void> {
    await this.approval.stop();
    await this.engine.stop();
    await this.inflight?.catch(() => undefined);
    await this.currentStore?.close().catch((error: unknown) => {
      this.logger.warn('closing the store failed', { error });
    });
    this.currentStore = null;
    await this.sim?.close();
    this.sim = null;
    if (this.ownsLogger) await this.logger.close();
  }

  suspend(): void {
    this.engine.suspend();
  }

  resume(reason: 'resume' | 'clock-jump'): void {
    this.engine.wake(reason);
  }

  networkRestored(): void {
    this.engine.networkRestored();
  }

  health(): HealthReport {
    const status = this.engine.status();
    const maxAgeSeconds = 2 * status.syncIntervalSeconds + HEALTH_GRACE_SECONDS;
    const last = status.lastSuccessAt ? Date.parse(status.lastSuccessAt) : null;
    const ageSeconds = last === null ? null : Math.max(0, (this.clock.now().getTime() - last) / 1000);
    return {
      healthy: ageSeconds !== null && ageSeconds <= maxAgeSeconds,
      state: status.state,
      lastSuccessAt: status.lastSuccessAt,
      ageSeconds: ageSeconds === null ? null : Math.round(ageSeconds),
      maxAgeSeconds,
    };
  }

  metrics(): Promise<{ contentType: string; body: string }> {
    return this.metricsRegistry.render();
  }

  // ---- cycles ----------------------------------------------------------------------------------

  private runCycle(request: Parameters<SyncCycleRunner['run']>[0]): Promise<CycleOutcome> {
    const run = (async () => {
      const startedAt = this.clock.now();
      try {
        await this.prepare();
      } catch (error) {
        // E.g. the database is unreachable at start: a failed cycle with the reason, retried later.
        return this.unpreparedOutcome(request.trigger, startedAt, error);
      }
      const runner = this.runner;
      if (!runner) return this.unpreparedOutcome(request.trigger, startedAt, new Error('no store'));
      return runner.run(request);
    })();
    this.inflight = run;
    return run.finally(() => {
      if (this.inflight === run) this.inflight = null;
    });
  }

  private unpreparedOutcome(trigger: SyncTrigger, startedAt: Date, error: unknown): CycleOutcome {
    const finishedAt = this.clock.now();
    const classified = classifyError(error, this.storeLocation);
    this.logger.warn(`sync cycle failed: ${classified.message}`, { kind: classified.kind });
    return failedCycle(trigger, startedAt, finishedAt, classified);
  }

  private onStatus(status: SyncStatus): void {
    this.metricsRegistry.recordStatus(status);
    this.events.emit('status', status);
    if (status.state === 'needs-auth' && status.authPrompt?.kind === 'approval') this.approval.start();
  }

  private async onCycleFinished(outcome: CycleOutcome): Promise<void> {
    this.metricsRegistry.recordCycle(outcome);
    if (outcome.accounts.length > 0) {
      this.events.emit('dataChanged', { accounts: outcome.accounts, at: outcome.finishedAt.toISOString() });
      await this.recordPositionCounts().catch((error: unknown) => {
        this.logger.debug('could not count positions for the metrics', { error });
      });
    }
  }

  private async recordPositionCounts(): Promise<void> {
    const store = this.currentStore;
    if (!store) return;
    const rows = (await store
      .knex('positions')
      .select('account_number', 'asset_type')
      .count({ n: '*' })
      .groupBy('account_number', 'asset_type')) as Array<{
      account_number: string;
      asset_type: string;
      n: string | number;
    }>;
    const byAccount = new Map<string, { stock: number; option: number }>();
    for (const row of rows) {
      const entry = byAccount.get(row.account_number) ?? { stock: 0, option: 0 };
      entry[row.asset_type === 'option' ? 'option' : 'stock'] = Number(row.n);
      byAccount.set(row.account_number, entry);
    }
    for (const [account, n] of byAccount) this.metricsRegistry.setPositions(account, n.stock, n.option);
  }

  // ---- store and broker ------------------------------------------------------------------------

  private async buildConnection(): Promise<Connection> {
    const sim = this.sim;
    const user = sim?.state.users[0];
    return createConnection({
      apiUrl: sim?.url ?? this.o.apiUrl ?? 'https://api.robinhood.com',
      secrets: this.secrets,
      env: sim ? {} : this.env,
      redactor: this.redactor,
      logger: this.logger,
      clock: this.clock,
      requestsPerMinute: this.requestsPerMinute,
      ...(this.o.fetch ? { fetch: this.o.fetch } : {}),
      ...(this.o.brokerTuning ? { tuning: this.o.brokerTuning } : {}),
      ...(user
        ? {
            fixedCredentials: {
              username: user.username,
              password: user.password,
              totpSecret: user.totpSecret ?? null,
            },
          }
        : {}),
    });
  }

  /** Opens the store the settings name and swaps it in; the previous one closes after its cycle. */
  private async openStoreFor(settings: Settings): Promise<void> {
    const config = await storeConfigFor({
      settings,
      defaultDataDir: this.o.dataDir,
      databaseUrl: this.o.databaseUrl,
      demo: this.demo,
      secrets: this.secrets,
    });
    if (this.storeConfig && sameStore(this.storeConfig, config)) return;
    this.storeLocation = describeLocation(config);
    const store = await openStore(config, {
      logger: this.logger,
      ...(this.o.agentId ? { agentId: this.o.agentId } : {}),
      ...(this.o.statementTimeoutMs ? { statementTimeoutMs: this.o.statementTimeoutMs } : {}),
    });
    const previous = this.currentStore;
    this.currentStore = store;
    this.storeConfig = config;
    this.runner = new SyncCycleRunner({
      store,
      connection: () => this.connection(),
      broker: this.demo ? 'demo' : 'robinhood',
      clock: this.clock,
      logger: this.logger,
      tradeHistoryIntervalSeconds: () => this.o.settings.get().tradeHistoryIntervalSeconds,
      onAccountKey: (full, key) => this.redactor.registerAccountNumber(full, key),
      ...(this.o.agentId ? { agentId: this.o.agentId } : {}),
    });
    if (previous) {
      await this.inflight?.catch(() => undefined);
      await previous.close();
      this.logger.info('switched database', { location: store.location });
    }
  }

  private async reconnect(): Promise<void> {
    this.conn = await this.buildConnection();
  }

  // ---- handlers --------------------------------------------------------------------------------

  private settingsView(): Promise<SettingsView> {
    return this.viewOf(this.o.settings.get());
  }

  private async viewOf(settings: Settings): Promise<SettingsView> {
    await this.keychainReady();
    const dataDir = effectiveDataDir(settings, this.o.dataDir);
    return {
      settings,
      databasePasswordStored: await databasePasswordStored(this.secrets).catch(() => false),
      effectiveDataDir: dataDir,
      logDir: this.logDir,
    };
  }

  /** The desktop app's own window may see the embedded database password; the web page may not. */
  private async embeddedChoice(): Promise<EmbeddedDatabaseChoice> {
    await this.keychainReady();
    return {
      settings: this.o.settings.get(),
      defaultDataDir: this.o.dataDir,
      demo: this.demo,
      secrets: this.secrets,
      canReveal: this.o.host === 'desktop',
    };
  }

  private async credentials() {
    await this.keychainReady();
    return credentialsView({
      secrets: this.secrets,
      env: this.demo ? {} : this.env,
      keychain: this.keychain,
    });
  }

  private async emptyDashboard(): Promise<Dashboard> {
    return {
      accounts: [],
      scope: 'account',
      account: null,
      snapshot: null,
      stocks: [],
      options: [],
      positionsAsOf: null,
    };
  }

  private async updateSettings(
    patch: SettingsPatch,
  ): Promise<{ ok: true; view: SettingsView } | { ok: false; errors: FieldErrors }> {
    await this.keychainReady();
    const current = this.o.settings.get();
    const applied = applySettingsPatch(current, patch);
    if (!applied.ok) return applied;
    let next = applied.settings;

    // A PostgreSQL URL's password goes to the keychain; the settings keep the URL without it.
    let databasePassword: string | null = null;
    if (patch.database?.kind === 'postgres') {
      try {
        const split = splitDatabaseUrl(patch.database.url);
        databasePassword = split.password;
        next = { ...next, database: { kind: 'postgres', url: split.url } };
      } catch (error) {
        const message = error instanceof DatabaseUrlError ? error.message : 'Database URL is not valid.';
        return { ok: false, errors: { database: message } };
      }
      if (databasePassword && !this.keychain.available) {
        return {
          ok: false,
          errors: {
            database: `The password cannot be kept safely: ${this.keychain.problem ?? 'the keychain is unavailable'}. Use a URL without a password (e.g. with a .pgpass file).`,
          },
        };
      }
    }

    // Try the new database before saving anything: a setting that cannot sync is not saved.
    const databaseChanged =
      JSON.stringify(next.database) !== JSON.stringify(current.database) ||
      next.dataDir !== current.dataDir ||
      databasePassword !== null;
    if (databaseChanged && !this.o.databaseUrl && !this.demo) {
      if (next.database.kind === 'postgres') {
        const url = databasePassword
          ? patch.database?.kind === 'postgres'
            ? patch.database.url
            : next.database.url
          : await storeConfigFor({
              settings: next,
              defaultDataDir: this.o.dataDir,
              demo: false,
              secrets: this.secrets,
            }).then((c) => (c.kind === 'postgres' ? c.url : ''));
        const probe = await testPostgresConnection(url);
        if (!probe.ok) return { ok: false, errors: { database: probe.message } };
      }
    }

    if (next.launchAtLogin !== current.launchAtLogin) {
      const hook = this.o.platform?.setLaunchAtLogin;
      if (!hook)
        return {
          ok: false,
          errors: { launchAtLogin: 'Launch at login is only available in the desktop app.' },
        };
      try {
        await hook(next.launchAtLogin);
      } catch (error) {
        this.logger.warn('launch at login could not be changed', { error });
        return { ok: false, errors: { launchAtLogin: 'The login item could not be changed; see the log.' } };
      }
    }

    try {
      if (patch.database?.kind === 'postgres') {
        if (databasePassword) await storeDatabasePassword(this.secrets, patch.database.url);
      } else if (patch.database?.kind === 'embedded') {
        await clearDatabasePassword(this.secrets).catch(() => undefined);
      }
    } catch (error) {
      this.logger.warn('the database password could not be stored', { error });
      return { ok: false, errors: { database: 'The password could not be stored in the keychain.' } };
    }

    this.o.settings.set(next);
    this.engine.setIntervals(next.syncIntervalSeconds, next.tradeHistoryIntervalSeconds);
    if (databaseChanged && !this.o.databaseUrl && !this.demo && this.currentStore) {
      try {
        await this.openStoreFor(next);
      } catch (error) {
        this.logger.error('the new database could not be opened', { error });
      }
    }
    const view = await this.viewOf(next);
    this.events.emit('settingsChanged', view);
    return { ok: true, view };
  }

  private createHandlers(): Handlers {
    const now = () => this.clock.now();
    return {
      getState: async () => {
        const store = this.currentStore;
        return {
          version: appVersion(),
          capabilities: this.capabilities,
          status: this.engine.status(),
          dashboard: store ? await store.dashboard({ now: now() }) : await this.emptyDashboard(),
          stats: store
            ? await store.stats({ rateLimitPerMinute: this.requestsPerMinute })
            : emptyStats(this.requestsPerMinute),
          settings: await this.settingsView(),
          credentials: await this.credentials(),
        };
      },
      getDashboard: async ({ accountKey }) => {
        const store = this.currentStore;
        if (!store) return this.emptyDashboard();
        return store.dashboard({ ...(accountKey ? { accountKey } : {}), now: now() });
      },
      getChart: async ({ accountKey, range }) => {
        const store = this.currentStore;
        if (!store) return { accountKey, range, source: 'snapshots', points: [] };
        return store.chart({ accountKey, range, now: now() });
      },
      getClosedTrades: async ({ accountKey, period, symbol }) => {
        const store = this.currentStore;
        if (!store) return emptyClosedTrades(accountKey, period, symbol ?? null, now());
        return store.closedTrades({ accountKey, period, symbol: symbol ?? null, now: now() });
      },
      getStats: async () => {
        const store = this.currentStore;
        return store
          ? store.stats({ rateLimitPerMinute: this.requestsPerMinute })
          : emptyStats(this.requestsPerMinute);
      },
      syncNow: async () => {
        const status = this.engine.status();
        if (status.state === 'needs-auth') {
          return { accepted: false, message: status.authPrompt?.message ?? 'Log in first (Settings).' };
        }
        void this.engine.syncNow('manual');
        return {
          accepted: true,
          message: status.state === 'syncing' ? 'A sync is already running.' : 'Sync started.',
        };
      },
      pause: async () => {
        this.engine.pause();
        return this.engine.status();
      },
      resume: async () => {
        this.engine.resume();
        return this.engine.status();
      },
      getSettings: () => this.settingsView(),
      updateSettings: (patch) => this.updateSettings(patch),
      getCredentials: () => this.credentials(),
      setCredentials: async (input) => {
        if (this.demo) return { ok: false, errors: { form: 'The demo needs no credentials.' } };
        await this.keychainReady();
        if (!this.keychain.available) {
          return {
            ok: false,
            errors: {
              form: `Nothing was stored: ${this.keychain.problem ?? 'the keychain is unavailable'}.`,
            },
          };
        }
        try {
          const before = await this.secrets.get('robinhood.username');
          await saveCredentials(this.secrets, input);
          if (input.username !== undefined && before !== null && before !== input.username.trim()) {
            await this.secrets.delete('robinhood.tokens');
          }
        } catch (error) {
          if (error instanceof CredentialsInputError) return { ok: false, errors: error.errors };
          this.logger.warn('credentials could not be stored', { error });
          return {
            ok: false,
            errors: { form: 'The keychain refused to store the credentials; see the log.' },
          };
        }
        await this.reconnect();
        const credentials = await this.credentials();
        this.events.emit('credentialsChanged', credentials);
        if (this.engine.status().authPrompt?.kind === 'credentials') this.engine.authResolved();
        return { ok: true, credentials };
      },
      clearCredentials: async () => {
        await this.keychainReady();
        if (!this.demo) {
          await this.conn?.session.logout().catch((error: unknown) => {
            this.logger.info('logout at the broker failed; forgetting the tokens anyway', { error });
          });
          await clearCredentials(this.secrets);
          await this.reconnect();
          this.engine.requireAuth({
            kind: 'credentials',
            message: 'Enter your Robinhood username and password in Settings to start syncing.',
          });
        }
        const credentials = await this.credentials();
        this.events.emit('credentialsChanged', credentials);
        return credentials;
      },
      testLogin: async () => {
        try {
          await this.prepare();
          const outcome = outcomeOf(await this.connection().session.login({ force: true }));
          this.afterLogin(outcome.result);
          return outcome;
        } catch (error) {
          return errorOutcome(error, this.currentStore?.location ?? '');
        }
      },
      submitVerificationCode: async ({ code }) => {
        try {
          await this.prepare();
          const session = this.connection().session;
          if (!session.pendingPrompt) {
            return { result: 'error', message: 'No verification is pending. Use Test login first.' };
          }
          const outcome = outcomeOf(await session.submitCode(code));
          this.afterLogin(outcome.result);
          return outcome;
        } catch (error) {
          return errorOutcome(error, this.currentStore?.location ?? '');
        }
      },
      testDatabase: async ({ url }) => {
        const complete = await this.withStoredPasswordIfMissing(url);
        return testPostgresConnection(complete);
      },
      getEmbeddedDatabase: async () => embeddedDatabaseView(await this.embeddedChoice()),
      revealEmbeddedDatabasePassword: async () => {
        const choice = await this.embeddedChoice();
        if (choice.canReveal)
          this.logger.info('the embedded database password was shown in the settings window');
        return revealEmbeddedPassword(choice);
      },
      setUpMagnusCompat: async (request) =>
        setUpMagnusCompat(await this.embeddedChoice(), request, this.logger, (secret) =>
          this.redactor.register(secret),
        ),
      openLogFolder: async () => {
        const open = this.o.platform?.openPath;
        if (!open) return { ok: false, message: `The logs are in ${this.logDir}.` };
        return open(this.logDir);
      },
      openExternal: async ({ url }) => {
        const problem = externalUrlProblem(url);
        if (problem) return { ok: false, message: problem };
        const open = this.o.platform?.openExternal;
        if (!open) return { ok: false, message: 'Opening links is only available in the desktop app.' };
        await open(url);
        return { ok: true, message: 'Opened in your browser.' };
      },
    };
  }

  private afterLogin(result: 'ok' | 'needs-code' | 'needs-approval' | 'error'): void {
    if (result === 'ok') {
      this.engine.authResolved();
    } else if (result === 'needs-approval') {
      this.engine.requireAuth({ kind: 'approval', message: 'Approve the login in the Robinhood app.' });
    }
  }

  /** Test connection with the stored password when the URL has none and names the saved server. */
  private async withStoredPasswordIfMissing(url: string): Promise<string> {
    const saved = this.o.settings.get().database;
    try {
      const split = splitDatabaseUrl(url);
      if (split.password || saved.kind !== 'postgres' || saved.url !== split.url) return url;
      const config = await storeConfigFor({
        settings: this.o.settings.get(),
        defaultDataDir: this.o.dataDir,
        demo: false,
        secrets: this.secrets,
      });
      return config.kind === 'postgres' ? config.url : url;
    } catch {
      return url;
    }
  }
}

function emptyStats(rateLimitPerMinute: number) {
  return {
    cycles: 0,
    successes: 0,
    failures: 0,
    partials: 0,
    successRate: null,
    averageDurationMs: null,
    averageRequests: null,
    maxRequests: null,
    rateLimitPerMinute,
    recentRuns: [],
  };
}

function emptyClosedTrades(
  accountKey: string,
  period: TradePeriod,
  symbol: string | null,
  now: Date,
): ClosedTradesView {
  const zero = { today: '0', month: '0', year: '0', all: '0' };
  return {
    accountKey,
    asOf: nyDate(now),
    realized: zero,
    dividends: zero,
    period,
    symbol,
    trades: [],
    tradeCount: 0,
    filteredRealized: '0',
    receivedDividends: [],
    symbols: [],
  };
}
