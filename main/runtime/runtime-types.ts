/**
 * The seam between a host (the Electron shell in main/desktop/, or the headless CLI and web server)
 * and everything that runs under plain Node (engine, store, broker, secrets).
 *
 * A host creates one Runtime, exposes `handlers` and `events` over its transport (IPC or HTTP),
 * and forwards platform facts to it (suspend/resume, quit). The runtime never imports electron and
 * never knows whether a window exists.
 */
import type { EventName, Events, Handlers } from '../../shared/contract.js';
import type {
  Capabilities,
  IsoTime,
  LoginOutcome,
  SyncState,
  SyncStatus,
  SyncTrigger,
} from '../../shared/models.js';
import type { Settings } from '../../shared/settings.js';
import type { CycleOutcome, HistoryMode } from '../engine/cycle-types.js';
import type { Redactor } from '../logging/index.js';
import type { Simulator } from '../simulator/index.js';
import type { Store } from '../store/index.js';
import type { Logger } from '../util/logger.js';
import type { Connection } from './broker-connection.js';

/** Where settings persist: electron-store in the desktop app, a JSON file (conf) when headless. */
export interface SettingsStore {
  get(): Settings;
  set(next: Settings): void;
}

/** Things only the host can do; each is optional (the headless server has none of them). */
export interface PlatformHooks {
  /** Opens a folder in the OS file manager. */
  openPath?(path: string): Promise<{ ok: boolean; message: string }>;
  /** Opens an https URL in the user's browser (the desktop checks its allow-list first). */
  openExternal?(url: string): Promise<void>;
  /** Registers or removes the app as a login item. */
  setLaunchAtLogin?(enabled: boolean): Promise<void>;
}

export interface EventBus {
  on<E extends EventName>(name: E, listener: (payload: Events[E]) => void): () => void;
  emit<E extends EventName>(name: E, payload: Events[E]): void;
}

export interface Runtime {
  /** Every call of the contract; the host validates payloads and senders before calling these. */
  readonly handlers: Handlers;
  readonly events: EventBus;
  readonly capabilities: Capabilities;
  status(): SyncStatus;
  /** For GET /healthz: healthy while the last successful sync is recent. */
  health(): HealthReport;
  /** Prometheus text exposition of the engine's metrics (prom-client), for GET /metrics. */
  metrics(): Promise<{ contentType: string; body: string }>;
  /** Opens the store, checks credentials, schedules the first cycle at once. */
  start(trigger?: SyncTrigger): Promise<void>;
  /** Stops timers, finishes or rolls back the running cycle, closes the store. */
  stop(): Promise<void>;
  /** The machine is going to sleep: pause timers. */
  suspend(): void;
  /** The machine woke up (or the wall clock jumped): reschedule and sync now. */
  resume(reason: 'resume' | 'clock-jump'): void;
  /** Network came back (desktop: online event); retry at once when offline. */
  networkRestored(): void;
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
  /**
   * After a login answered needs-approval: waits on the runtime's own approval watcher (one poller,
   * its interval and timeout on the runtime's clock) and says how the login ended.
   */
  waitForApproval(): Promise<LoginOutcome>;
  /** Every finished cycle. */
  onCycle(listener: (outcome: CycleOutcome) => void): () => void;
}

export interface HealthReport {
  healthy: boolean;
  state: SyncState;
  lastSuccessAt: IsoTime | null;
  /** Seconds since the last successful sync, null before the first. */
  ageSeconds: number | null;
  /** Older than this is unhealthy (two sync intervals plus a grace period). */
  maxAgeSeconds: number;
}
