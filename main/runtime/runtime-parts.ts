/**
 * What the runtime is made of, as its handler modules see it: the options a host passes, and the
 * parts the runtime built from them (engine, keychain step, store switch, broker connection).
 * Handlers get these injected, so each handler module depends on the parts, not on the runtime.
 */
import type { Capabilities } from '../../shared/models.js';
import type { FetchLike } from '../broker/robinhood/index.js';
import type { SyncEngine, Timers } from '../engine/engine.js';
import type { Redactor, RootLogger } from '../logging/index.js';
import type { KeychainStatus, SecretStore } from '../secrets/index.js';
import type { SimulatorOptions } from '../simulator/index.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import type { Connection, ConnectionOptions } from './broker-connection.js';
import type { KeychainStep } from './keychain-step.js';
import type { EventBus, PlatformHooks, SettingsStore } from './runtime-types.js';
import type { StoreSwitch } from './store-switch.js';

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

export interface RuntimeParts {
  readonly options: RuntimeOptions;
  readonly demo: boolean;
  readonly env: NodeJS.ProcessEnv;
  readonly capabilities: Capabilities;
  readonly requestsPerMinute: number;
  readonly logDir: string;
  readonly logger: Logger;
  readonly redactor: Redactor;
  readonly clock: Clock;
  readonly engine: SyncEngine;
  readonly events: EventBus;
  readonly keychain: KeychainStep;
  readonly stores: StoreSwitch;
  /** Opens the store and the broker connection (once). */
  prepare(): Promise<void>;
  /** The broker connection; throws before `prepare`. */
  connection(): Connection;
  /** The broker connection when there is one (no throw). */
  connectionIfReady(): Connection | null;
  /** Builds the broker connection again (after the credentials changed). */
  reconnect(): Promise<void>;
}
