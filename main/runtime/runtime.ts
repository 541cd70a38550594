/**
 * The runtime: everything a host (the Electron shell's engine process, or the headless CLI and web
 * server) runs, wired together under plain Node. It owns the engine, the keychain step, the store
 * switch and the broker connection, starts and stops them, serves the contract's handlers
 * (handlers.ts) and pushes its events.
 *
 * Data flows one way: broker → cycle runner → store (one transaction per stream) → engine status
 * and `dataChanged` → the host's transport → windows.
 */

import type { Handlers } from '../../shared/contract.js';
import type { Capabilities, LoginOutcome, SyncStatus, SyncTrigger } from '../../shared/models.js';
import { SyncCycleRunner } from '../engine/cycle.js';
import type { CycleOutcome, HistoryMode } from '../engine/cycle-types.js';
import { SyncEngine } from '../engine/engine.js';
import { createLogger, Redactor, type RootLogger } from '../logging/index.js';
import { DEFAULT_KEYCHAIN_SERVICE } from '../secrets/index.js';
import type { Simulator } from '../simulator/index.js';
import type { Store } from '../store/index.js';
import { type Clock, systemClock } from '../util/clock.js';
import { errorMeta } from '../util/errors.js';
import { ApprovalWatcher, approvalOutcome } from './auth-flow.js';
import { type Connection, connectionFor } from './broker-connection.js';
import { ENTER_CREDENTIALS } from './credential-handlers.js';
import { CycleSlot } from './cycle-slot.js';
import { createEventBus } from './event-bus.js';
import { createHandlers } from './handlers.js';
import { KeychainStep } from './keychain-step.js';
import { EngineMetrics, healthReport } from './metrics.js';
import { dataPaths } from './paths.js';
import type { RuntimeOptions, RuntimeParts } from './runtime-parts.js';
import type { AppRuntime, EventBus, HealthReport } from './runtime-types.js';
import { effectiveDataDir } from './store-config.js';
import { StoreSwitch } from './store-switch.js';

export type { RuntimeOptions } from './runtime-parts.js';
export type { AppRuntime } from './runtime-types.js';

export const DEFAULT_REQUESTS_PER_MINUTE = 60;

export function createRuntime(options: RuntimeOptions): AppRuntime {
  return new AppRuntimeImpl(options);
}

class AppRuntimeImpl implements AppRuntime, RuntimeParts {
  readonly handlers: Handlers;
  readonly events: EventBus;
  readonly capabilities: Capabilities;
  readonly logDir: string;
  readonly logger: RootLogger;
  readonly redactor: Redactor;
  readonly options: RuntimeOptions;
  readonly clock: Clock;
  readonly env: NodeJS.ProcessEnv;
  readonly demo: boolean;
  readonly requestsPerMinute: number;
  readonly engine: SyncEngine;
  readonly keychain: KeychainStep;
  readonly stores: StoreSwitch;

  private readonly metricsRegistry = new EngineMetrics();
  private readonly approval: ApprovalWatcher;
  private readonly ownsLogger: boolean;
  private conn: Connection | null = null;
  private sim: Simulator | null = null;
  private readonly cycles: CycleSlot;
  private preparing: Promise<void> | null = null;
  private started = false;
  private stopping: Promise<void> | null = null;

  constructor(options: RuntimeOptions) {
    this.options = options;
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
    this.cycles = new CycleSlot({
      prepare: () => this.prepare(),
      runner: () => this.stores.runner,
      storeLocation: () => this.stores.location,
      clock: this.clock,
      logger: this.logger,
    });
    this.keychain = new KeychainStep({
      demo: this.demo,
      service: options.keychainService ?? DEFAULT_KEYCHAIN_SERVICE,
      secrets: options.secrets,
      status: options.keychainStatus,
      logger: this.logger,
    });
    this.stores = new StoreSwitch({
      defaultDataDir: options.dataDir,
      databaseUrl: options.databaseUrl,
      demo: this.demo,
      agentId: options.agentId,
      statementTimeoutMs: options.statementTimeoutMs,
      logger: this.logger,
      secrets: () => this.keychain.secrets,
      runnerFor: (store) => this.runnerFor(store),
      idle: () => this.cycles.idle(),
    });
    this.events = createEventBus(this.logger);
    this.capabilities = {
      desktop: options.host === 'desktop',
      canOpenLogFolder: Boolean(options.platform?.openPath),
      canLaunchAtLogin: Boolean(options.platform?.setLaunchAtLogin),
      canEditCredentials: !this.demo,
    };
    const settings = options.settings.get();
    this.engine = new SyncEngine({
      runner: { run: (request) => this.cycles.run(request) },
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
    this.handlers = createHandlers(this);
  }

  // ---- start and stop --------------------------------------------------------------------------

  status(): SyncStatus {
    return this.engine.status();
  }

  store(): Store | null {
    return this.stores.current;
  }

  simulator(): Simulator | null {
    return this.sim;
  }

  connection(): Connection {
    if (!this.conn) throw new Error('The runtime is not prepared yet.');
    return this.conn;
  }

  waitForApproval(): Promise<LoginOutcome> {
    return this.approval.start().then(approvalOutcome);
  }

  connectionIfReady(): Connection | null {
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

  private async doPrepare(): Promise<void> {
    await this.keychain.ready();
    // The store first: when it cannot be opened (another agent owns the embedded database), that is
    // the one thing to say, before anything else started.
    await this.stores.openFor(this.options.settings.get());
    if (this.demo && !this.sim) {
      const { startSimulator, demoScenario } = await import('../simulator/index.js');
      const demo = typeof this.options.demo === 'object' ? this.options.demo : {};
      this.sim = await startSimulator({ latencyMs: 0, ...demo, scenario: demo.scenario ?? demoScenario() });
      this.logger.info('demo mode: syncing the built-in simulator', { url: this.sim.url });
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
      this.logger.error('the runtime could not be prepared', errorMeta(error));
    }
    this.engine.start(trigger);
    if (this.conn && this.conn.credentialsSource === null) {
      this.engine.requireAuth({ kind: 'credentials', message: ENTER_CREDENTIALS });
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
    await this.cycles.idle();
    await this.stores.close();
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
    return healthReport(this.engine.status(), this.clock.now());
  }

  metrics(): Promise<{ contentType: string; body: string }> {
    return this.metricsRegistry.render();
  }

  async reconnect(): Promise<void> {
    this.conn = await this.buildConnection();
  }

  // ---- cycles and the broker -------------------------------------------------------------------

  private onStatus(status: SyncStatus): void {
    this.metricsRegistry.recordStatus(status);
    this.events.emit('status', status);
    if (status.state === 'needs-auth' && status.authPrompt?.kind === 'approval') this.approval.start();
  }

  private async onCycleFinished(outcome: CycleOutcome): Promise<void> {
    this.metricsRegistry.recordCycle(outcome);
    if (outcome.accounts.length === 0) return;
    this.events.emit('dataChanged', { accounts: outcome.accounts, at: outcome.finishedAt.toISOString() });
    try {
      const counts = (await this.stores.current?.positionCounts()) ?? [];
      for (const c of counts) this.metricsRegistry.setPositions(c.account, c.stock, c.option);
    } catch (error) {
      this.logger.debug('could not count positions for the metrics', errorMeta(error));
    }
  }

  private runnerFor(store: Store): SyncCycleRunner {
    return new SyncCycleRunner({
      store,
      connection: () => this.connection(),
      broker: this.demo ? 'demo' : 'robinhood',
      clock: this.clock,
      logger: this.logger,
      tradeHistoryIntervalSeconds: () => this.options.settings.get().tradeHistoryIntervalSeconds,
      onAccountKey: (full, key) => this.redactor.registerAccountNumber(full, key),
      ...(this.options.agentId ? { agentId: this.options.agentId } : {}),
    });
  }

  private buildConnection(): Promise<Connection> {
    return connectionFor({
      simulator: this.sim,
      options: this.options,
      secrets: this.keychain.secrets,
      env: this.env,
      redactor: this.redactor,
      logger: this.logger,
      clock: this.clock,
      requestsPerMinute: this.requestsPerMinute,
    });
  }
}
