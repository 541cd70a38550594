/**
 * A small Runtime for transport and UI tests: every handler of the contract backed by in-memory
 * data, a real event bus, a real prom-client registry. It records each call so tests can prove a
 * handler ran (or did not). The real runtime (engine + store) replaces it wherever a test needs the
 * engine itself; the transports cannot tell the difference.
 */
import { EventEmitter } from 'node:events';
import { Counter, Registry } from 'prom-client';
import type { EventBus, HealthReport, Runtime } from '../../main/runtime/runtime-types.js';
import { dec } from '../../main/util/money.js';
import { CallFailure } from '../../shared/call-result.js';
import {
  type AppStateSnapshot,
  type CallName,
  type CredentialField,
  credentialsInputSchema,
  type EventName,
  type Handlers,
} from '../../shared/contract.js';
import {
  ALL_ACCOUNTS,
  type Capabilities,
  type CredentialsView,
  type LoginOutcome,
  type SyncRunView,
  type SyncStats,
  type SyncStatus,
} from '../../shared/models.js';
import {
  applySettingsPatch,
  DEFAULT_SETTINGS,
  postgresUrlProblem,
  type Settings,
  type SettingsView,
} from '../../shared/settings.js';
import {
  type AccountInput,
  chartPoints,
  dashboardOf,
  samplePortfolio,
  snapshotView,
  tickPrices,
} from './sample-portfolio.js';

/** A PostgreSQL host the memory runtime cannot reach (its database probe fails). */
export const UNREACHABLE_HOST = 'unreachable.invalid';

export interface RecordedCall {
  name: CallName;
  request: unknown;
}

export interface MemoryRuntimeOptions {
  now?: () => Date;
  demo?: boolean;
  /** How long a "Sync now" cycle takes before it commits (null: stays syncing until completeSync()). */
  syncDurationMs?: number | null;
  capabilities?: Partial<Capabilities>;
  credentials?: Partial<CredentialsView>;
  /** What testLogin answers while credentials are stored. */
  loginOutcome?: LoginOutcome;
}

export interface MemoryRuntime extends Runtime {
  readonly events: EventBus & { listenerCount(name: EventName): number };
  readonly calls: RecordedCall[];
  readonly accounts: AccountInput[];
  /** Secrets given to setCredentials; kept only to prove they never leave. */
  readonly storedSecrets: Partial<Record<CredentialField, string>>;
  setStatus(patch: Partial<SyncStatus>): SyncStatus;
  /** Finishes a pending "Sync now" cycle: prices move, a run is recorded, events go out. */
  completeSync(): void;
  /** New data without a cycle: prices move and dataChanged is emitted. */
  changeData(factor?: string): void;
  settings(): Settings;
  callCount(name: CallName): number;
}

export function createEventBus(): EventBus & { listenerCount(name: EventName): number } {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  return {
    on(name, listener) {
      const wrapped = (payload: unknown) => listener(payload as never);
      emitter.on(name, wrapped);
      return () => emitter.off(name, wrapped);
    },
    emit(name, payload) {
      emitter.emit(name, payload);
    },
    listenerCount: (name) => emitter.listenerCount(name),
  };
}

const iso = (d: Date) => d.toISOString();

function sampleRuns(now: Date): SyncRunView[] {
  const runs: SyncRunView[] = [];
  for (let i = 0; i < 8; i++) {
    const finished = new Date(now.getTime() - (2 + i * 5) * 60_000);
    const failed = i === 3;
    const partial = i === 5;
    runs.push({
      id: 128 - i,
      startedAt: iso(new Date(finished.getTime() - (2000 + i * 130))),
      finishedAt: iso(finished),
      status: failed ? 'failed' : partial ? 'partial' : 'success',
      trigger: i === 6 ? 'manual' : 'schedule',
      streams: i === 2 ? ['account', 'history'] : ['account'],
      apiRequests: failed ? 3 : i === 2 ? 19 : 14,
      rowsWritten: failed ? 0 : 24 + i,
      durationMs: 2000 + i * 130,
      error: failed
        ? 'Robinhood answered 429 Too Many Requests; the next cycle waits 30 s.'
        : partial
          ? 'Option market data for 1 instrument was missing; kept the previous Greeks.'
          : null,
    });
  }
  return runs;
}

export function createMemoryRuntime(options: MemoryRuntimeOptions = {}): MemoryRuntime {
  const now = options.now ?? (() => new Date());
  const events = createEventBus();
  const calls: RecordedCall[] = [];
  const accounts = samplePortfolio();
  const storedSecrets: Partial<Record<CredentialField, string>> = {};
  const registry = new Registry();
  const callCounter = new Counter({
    name: 'magnus_test_calls_total',
    help: 'Calls answered by the in-test runtime',
    labelNames: ['call'],
    registers: [registry],
  });
  const capabilities: Capabilities = {
    desktop: false,
    canOpenLogFolder: false,
    canLaunchAtLogin: false,
    canEditCredentials: true,
    ...options.capabilities,
  };
  let settings: Settings = { ...DEFAULT_SETTINGS };
  let credentials: CredentialsView = {
    keychainAvailable: true,
    keychainProblem: null,
    usernameStored: true,
    passwordStored: true,
    totpSecretStored: false,
    fromEnvironment: false,
    ...options.credentials,
  };
  const started = now();
  let status: SyncStatus = {
    state: 'idle',
    demo: options.demo ?? false,
    progress: null,
    startedAt: iso(new Date(started.getTime() - 3_600_000)),
    lastSuccessAt: iso(new Date(started.getTime() - 120_000)),
    lastAttemptAt: iso(new Date(started.getTime() - 120_000)),
    lastError: null,
    nextRunAt: iso(new Date(started.getTime() + 180_000)),
    nextHistoryRunAt: iso(new Date(started.getTime() + 1_800_000)),
    throttledUntil: null,
    cycleCount: 128,
    errorCount: 1,
    consecutiveFailures: 0,
    lastCycleRequests: 14,
    rateLimitPerMinute: 60,
    syncIntervalSeconds: settings.syncIntervalSeconds,
    tradeHistoryIntervalSeconds: settings.tradeHistoryIntervalSeconds,
    authPrompt: null,
  };
  let runs = sampleRuns(started);
  let pendingSync: ReturnType<typeof setTimeout> | null = null;
  let syncing = false;
  let pendingChallenge = false;

  const settingsView = (): SettingsView => ({
    settings,
    databasePasswordStored: false,
    effectiveDataDir: '/home/trader/.local/share/magnus-sync',
    logDir: '/home/trader/.local/share/magnus-sync/logs',
  });

  const stats = (): SyncStats => {
    const partials = runs.filter((r) => r.status === 'partial').length;
    const successes = status.cycleCount - status.errorCount - partials;
    const requests = runs.map((r) => r.apiRequests);
    return {
      cycles: status.cycleCount,
      successes,
      failures: status.errorCount,
      partials,
      interrupted: 0,
      successRate: status.cycleCount ? successes / status.cycleCount : null,
      averageDurationMs: runs.length
        ? Math.round(runs.reduce((t, r) => t + r.durationMs, 0) / runs.length)
        : null,
      averageRequests: requests.length
        ? Math.round((requests.reduce((t, n) => t + n, 0) / requests.length) * 10) / 10
        : null,
      maxRequests: requests.length ? Math.max(...requests) : null,
      rateLimitPerMinute: status.rateLimitPerMinute,
      quarantined: 0,
      recentRuns: runs,
    };
  };

  const setStatus = (patch: Partial<SyncStatus>): SyncStatus => {
    status = { ...status, ...patch };
    events.emit('status', status);
    return status;
  };

  const changeData = (factor = '1.0040') => {
    tickPrices(accounts, factor);
    events.emit('dataChanged', { accounts: accounts.map((a) => a.summary.accountKey), at: iso(now()) });
  };

  const completeSync = () => {
    if (pendingSync) clearTimeout(pendingSync);
    pendingSync = null;
    if (!syncing) return;
    syncing = false;
    const finished = now();
    tickPrices(accounts, '1.0040');
    const run: SyncRunView = {
      id: (runs[0]?.id ?? 0) + 1,
      startedAt: iso(new Date(finished.getTime() - 1800)),
      finishedAt: iso(finished),
      status: 'success',
      trigger: 'manual',
      streams: ['account'],
      apiRequests: 13,
      rowsWritten: 22,
      durationMs: 1800,
      error: null,
    };
    runs = [run, ...runs].slice(0, 20);
    events.emit('dataChanged', { accounts: accounts.map((a) => a.summary.accountKey), at: iso(finished) });
    setStatus({
      state: 'idle',
      progress: null,
      lastSuccessAt: iso(finished),
      lastAttemptAt: iso(finished),
      nextRunAt: iso(new Date(finished.getTime() + settings.syncIntervalSeconds * 1000)),
      cycleCount: status.cycleCount + 1,
      consecutiveFailures: 0,
      lastCycleRequests: 13,
    });
  };

  const record = (name: CallName, request: unknown) => {
    calls.push({ name, request });
    callCounter.inc({ call: name });
  };

  const credentialsStored = () => credentials.usernameStored && credentials.passwordStored;

  const handlers: Handlers = {
    async getState(request) {
      record('getState', request);
      const snapshot: AppStateSnapshot = {
        version: '0.1.0-test',
        capabilities,
        status,
        dashboard: dashboardOf(accounts, undefined, now()),
        stats: stats(),
        settings: settingsView(),
        credentials,
      };
      return snapshot;
    },
    async getDashboard(request) {
      record('getDashboard', request);
      return dashboardOf(accounts, request.accountKey, now());
    },
    async getChart(request) {
      record('getChart', request);
      const end = now();
      const chosen =
        request.accountKey === ALL_ACCOUNTS
          ? accounts
          : accounts.filter((a) => a.summary.accountKey === request.accountKey);
      const account = chosen.length > 0;
      const equity = chosen
        .reduce((sum, a) => sum.plus(dec(snapshotView(a, end).equity)), dec('0'))
        .toFixed(4);
      return {
        accountKey: request.accountKey,
        range: request.range,
        source: request.range === '1D' || request.range === '1W' ? 'snapshots' : 'daily',
        points: account ? chartPoints(request.range, equity, end) : [],
      };
    },
    async getClosedTrades(request) {
      record('getClosedTrades', request);
      // The in-memory portfolio has no trade history: every sum is zero, every list empty.
      const zero = { today: '0', month: '0', year: '0', all: '0' };
      return {
        accountKey: request.accountKey,
        asOf: now().toISOString().slice(0, 10),
        realized: zero,
        dividends: zero,
        period: request.period,
        symbol: request.symbol ?? null,
        trades: [],
        tradeCount: 0,
        filteredRealized: '0',
        receivedDividends: [],
        symbols: [],
      };
    },
    async getStats(request) {
      record('getStats', request);
      return stats();
    },
    async syncNow(request) {
      record('syncNow', request);
      if (status.state === 'paused') throw CallFailure.refused('Syncing is paused; resume it first.');
      if (syncing) return { message: 'A sync is already running; joined it.' };
      syncing = true;
      setStatus({
        state: 'syncing',
        progress: { step: 'Fetching positions', completed: 2, total: 7 },
        nextRunAt: null,
        lastAttemptAt: iso(now()),
      });
      const duration = options.syncDurationMs === undefined ? 400 : options.syncDurationMs;
      if (duration !== null) pendingSync = setTimeout(completeSync, duration);
      return { message: 'Sync started.' };
    },
    async pause(request) {
      record('pause', request);
      return setStatus({ state: 'paused', nextRunAt: null, progress: null });
    },
    async resume(request) {
      record('resume', request);
      return setStatus({
        state: 'idle',
        nextRunAt: iso(new Date(now().getTime() + settings.syncIntervalSeconds * 1000)),
      });
    },
    async getSettings(request) {
      record('getSettings', request);
      return settingsView();
    },
    async updateSettings(request) {
      record('updateSettings', request);
      const result = applySettingsPatch(settings, request);
      if (!result.ok) throw CallFailure.invalid(result.errors);
      // As the real runtime does: a database it cannot reach is not saved.
      if (
        request.database?.kind === 'postgres' &&
        new URL(request.database.url).hostname === UNREACHABLE_HOST
      )
        throw CallFailure.invalid({ database: `Cannot connect to ${UNREACHABLE_HOST}:5432.` });
      settings = result.settings;
      events.emit('settingsChanged', settingsView());
      status = {
        ...status,
        syncIntervalSeconds: settings.syncIntervalSeconds,
        tradeHistoryIntervalSeconds: settings.tradeHistoryIntervalSeconds,
      };
      return settingsView();
    },
    async getCredentials(request) {
      record('getCredentials', request);
      return credentials;
    },
    async setCredentials(request) {
      record('setCredentials', { fields: Object.keys(request) });
      const parsed = credentialsInputSchema.safeParse(request);
      if (!parsed.success) throw CallFailure.invalid({ form: 'Invalid credentials.' });
      if (!credentials.keychainAvailable)
        throw CallFailure.refused(credentials.keychainProblem ?? 'The keychain is not available.');
      Object.assign(storedSecrets, parsed.data);
      credentials = {
        ...credentials,
        usernameStored: credentials.usernameStored || parsed.data.username !== undefined,
        passwordStored: credentials.passwordStored || parsed.data.password !== undefined,
        totpSecretStored: credentials.totpSecretStored || parsed.data.totpSecret !== undefined,
      };
      events.emit('credentialsChanged', credentials);
      return credentials;
    },
    async clearCredentials(request) {
      record('clearCredentials', request);
      for (const key of Object.keys(storedSecrets) as CredentialField[]) delete storedSecrets[key];
      credentials = { ...credentials, usernameStored: false, passwordStored: false, totpSecretStored: false };
      events.emit('credentialsChanged', credentials);
      return credentials;
    },
    async testLogin(request) {
      record('testLogin', request);
      if (!credentialsStored()) throw CallFailure.refused('Store a username and a password first.');
      const outcome = options.loginOutcome ?? { result: 'ok', message: 'Logged in to Robinhood.' };
      pendingChallenge = outcome.result === 'needs-code';
      return outcome;
    },
    async submitVerificationCode(request) {
      record('submitVerificationCode', { code: '(redacted)' });
      if (!pendingChallenge) throw CallFailure.refused('No verification is pending; test the login first.');
      if (request.code !== '123456') throw CallFailure.refused('That code was not accepted; try again.');
      pendingChallenge = false;
      setStatus({ state: 'idle', authPrompt: null });
      return { result: 'ok', message: 'Verified; logged in to Robinhood.' };
    },
    async testDatabase(request) {
      record('testDatabase', { url: '(redacted)' });
      const problem = postgresUrlProblem(request.url);
      if (problem) throw CallFailure.refused(problem);
      if (new URL(request.url).hostname === UNREACHABLE_HOST)
        throw CallFailure.refused(`Cannot connect to ${UNREACHABLE_HOST}:5432.`);
      return { message: 'Connected to PostgreSQL 16.4.' };
    },
    async getEmbeddedDatabase(request) {
      record('getEmbeddedDatabase', request);
      return {
        available: settings.database.kind === 'embedded',
        message:
          settings.database.kind === 'embedded'
            ? 'Running on 127.0.0.1:55432; the password is kept in the system keychain.'
            : 'The settings use a PostgreSQL server: dashboards connect to that server.',
        running: settings.database.kind === 'embedded',
        address: 'postgres://magnus@127.0.0.1:55432/magnus_sync',
        host: '127.0.0.1',
        port: 55432,
        user: 'magnus',
        database: 'magnus_sync',
        canReveal: false,
      };
    },
    async revealEmbeddedDatabasePassword(request) {
      record('revealEmbeddedDatabasePassword', request);
      throw CallFailure.refused('The password is shown only in the desktop app.');
    },
    async setUpMagnusCompat(request) {
      record('setUpMagnusCompat', request);
      throw CallFailure.refused('Set it up in the desktop app.');
    },
    async openLogFolder(request) {
      record('openLogFolder', request);
      throw CallFailure.refused('The headless server cannot open folders; the logs are in the data folder.');
    },
    async openExternal(request) {
      record('openExternal', request);
      throw CallFailure.refused('The headless server cannot open a browser.');
    },
  };

  const health = (): HealthReport => {
    const maxAgeSeconds = settings.syncIntervalSeconds * 2 + 120;
    const ageSeconds = status.lastSuccessAt
      ? Math.max(0, Math.round((now().getTime() - Date.parse(status.lastSuccessAt)) / 1000))
      : null;
    return {
      healthy: ageSeconds !== null && ageSeconds <= maxAgeSeconds && status.state !== 'needs-auth',
      state: status.state,
      lastSuccessAt: status.lastSuccessAt,
      ageSeconds,
      maxAgeSeconds,
    };
  };

  return {
    handlers,
    events,
    capabilities,
    calls,
    accounts,
    storedSecrets,
    status: () => status,
    health,
    metrics: async () => ({ contentType: registry.contentType, body: await registry.metrics() }),
    start: async () => {},
    stop: async () => {
      if (pendingSync) clearTimeout(pendingSync);
    },
    suspend: () => {},
    resume: () => {},
    networkRestored: () => {},
    setStatus,
    completeSync,
    changeData,
    settings: () => settings,
    callCount: (name) => calls.filter((c) => c.name === name).length,
  };
}
