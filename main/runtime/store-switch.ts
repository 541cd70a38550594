/**
 * Store switching: opens the store the settings name (the embedded server, or a PostgreSQL URL),
 * swaps it in with a cycle runner of its own, and closes the previous one once its running cycle
 * finished. Opening the store that is already open does nothing.
 */
import type { Settings } from '../../shared/settings.js';
import type { SyncCycleRunner } from '../engine/cycle.js';
import type { SecretStore } from '../secrets/index.js';
import { describeLocation, openStore, type Store, type StoreConfig } from '../store/index.js';
import { errorMeta } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { sameStore, storeConfigFor } from './store-config.js';

export interface StoreSwitchOptions {
  defaultDataDir: string;
  /** --database: a PostgreSQL URL that wins over the settings. */
  databaseUrl?: string | undefined;
  demo: boolean;
  agentId?: string | undefined;
  statementTimeoutMs?: number | undefined;
  logger: Logger;
  secrets(): SecretStore;
  /** The cycle runner that writes to this store. */
  runnerFor(store: Store): SyncCycleRunner;
  /** Resolves when the running cycle (if any) finished; the previous store closes after it. */
  idle(): Promise<void>;
}

export class StoreSwitch {
  private store: Store | null = null;
  private config: StoreConfig | null = null;
  private cycleRunner: SyncCycleRunner | null = null;
  private where = '';

  constructor(private readonly o: StoreSwitchOptions) {}

  /** The open store, else null. */
  get current(): Store | null {
    return this.store;
  }

  /** The runner of the open store, else null. */
  get runner(): SyncCycleRunner | null {
    return this.cycleRunner;
  }

  /** Where the store is (or is being opened), without a password; for messages. */
  get location(): string {
    return this.where;
  }

  /** Opens the store the settings name and swaps it in; the previous one closes after its cycle. */
  async openFor(settings: Settings): Promise<void> {
    const config = await storeConfigFor({
      settings,
      defaultDataDir: this.o.defaultDataDir,
      databaseUrl: this.o.databaseUrl,
      demo: this.o.demo,
      secrets: this.o.secrets(),
    });
    if (this.config && sameStore(this.config, config)) return;
    this.where = describeLocation(config);
    const store = await openStore(config, {
      logger: this.o.logger,
      ...(this.o.agentId ? { agentId: this.o.agentId } : {}),
      ...(this.o.statementTimeoutMs ? { statementTimeoutMs: this.o.statementTimeoutMs } : {}),
    });
    const previous = this.store;
    this.store = store;
    this.config = config;
    this.cycleRunner = this.o.runnerFor(store);
    if (previous) {
      await this.o.idle();
      await previous.close();
      this.o.logger.info('switched database', { location: store.location });
    }
  }

  async close(): Promise<void> {
    await this.store?.close().catch((error: unknown) => {
      this.o.logger.warn('closing the store failed', errorMeta(error));
    });
    this.store = null;
  }
}
