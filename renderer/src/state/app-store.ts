/**
 * A window's view of the app: ONE getState snapshot at start, then pushed events only.
 * `status`, `settingsChanged` and `credentialsChanged` carry their new value; `dataChanged` makes
 * the store refetch the dashboard and statistics (and bumps `dataVersion` so the chart refetches).
 * There is no polling; after an event stream reconnects (events may have been missed) the
 * snapshot is loaded again.
 *
 * Plain TypeScript without the DOM, so it is tested against the in-memory runtime directly.
 */
import type { AppStateSnapshot } from '../../../shared/contract.js';
import type {
  Capabilities,
  CredentialsView,
  Dashboard,
  SyncStats,
  SyncStatus,
} from '../../../shared/models.js';
import type { SettingsView } from '../../../shared/settings.js';
import { CallFailure, type ConnectionState, messageOf, type RendererClient } from '../api/renderer-client.js';

export interface Notice {
  tone: 'info' | 'error';
  text: string;
}

export interface AppState {
  phase: 'loading' | 'ready' | 'failed';
  loadError: string | null;
  version: string;
  capabilities: Capabilities | null;
  status: SyncStatus | null;
  dashboard: Dashboard | null;
  stats: SyncStats | null;
  settings: SettingsView | null;
  credentials: CredentialsView | null;
  /** The account shown; null means "the first one". */
  selectedAccount: string | null;
  /** Grows with every dataChanged: components that fetch on their own (the chart) follow it. */
  dataVersion: number;
  connection: ConnectionState;
  notice: Notice | null;
  /** A call is running for this action (buttons show it and do not repeat it). */
  busy: ReadonlySet<'sync' | 'pause' | 'privacy'>;
}

export interface AppStoreOptions {
  /** The settings window needs no dashboard or statistics. */
  followData: boolean;
}

type Listener = (state: AppState) => void;

export class AppStore {
  #state: AppState = {
    phase: 'loading',
    loadError: null,
    version: '',
    capabilities: null,
    status: null,
    dashboard: null,
    stats: null,
    settings: null,
    credentials: null,
    selectedAccount: null,
    dataVersion: 0,
    connection: 'connected',
    notice: null,
    busy: new Set(),
  };
  readonly #listeners = new Set<Listener>();
  readonly #unsubscribe: Array<() => void> = [];
  #loading = false;
  /** Events that arrived while the snapshot was loading win over it. */
  #pending: Partial<Pick<AppState, 'status' | 'settings' | 'credentials'>> & { data?: boolean } = {};
  #refreshing: Promise<void> | null = null;
  #refreshAgain = false;

  constructor(
    readonly client: RendererClient,
    readonly options: AppStoreOptions,
  ) {}

  get state(): AppState {
    return this.#state;
  }

  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** A pushed update: held while the snapshot loads (applied after it), else applied now. */
  #apply(patch: Pick<Partial<AppState>, 'status' | 'settings' | 'credentials'>): void {
    if (this.#loading) Object.assign(this.#pending, patch);
    else this.#set(patch);
  }

  #set(patch: Partial<AppState>): void {
    this.#state = { ...this.#state, ...patch };
    for (const l of this.#listeners) l(this.#state);
  }

  /** Subscribes to every event first, then loads the snapshot, so nothing falls in between. */
  async start(): Promise<void> {
    const c = this.client;
    this.#unsubscribe.push(
      c.on('status', (status) => this.#apply({ status })),
      c.on('settingsChanged', (settings) => this.#apply({ settings })),
      c.on('credentialsChanged', (credentials) => this.#apply({ credentials })),
      c.on('dataChanged', () => {
        if (!this.options.followData) return;
        if (this.#loading) this.#pending.data = true;
        else void this.refreshData();
      }),
      c.onConnection((connection, reconnected) => {
        this.#set({ connection });
        if (reconnected && this.#state.phase !== 'loading') void this.load();
      }),
    );
    await this.load();
  }

  stop(): void {
    for (const off of this.#unsubscribe.splice(0)) off();
  }

  async load(): Promise<void> {
    this.#loading = true;
    this.#pending = {};
    let snapshot: AppStateSnapshot;
    try {
      snapshot = await this.client.call('getState', {});
    } catch (error) {
      this.#loading = false;
      this.#set({ phase: 'failed', loadError: messageOf(error) });
      return;
    }
    this.#loading = false;
    const pending = this.#pending;
    this.#pending = {};
    const selected = this.#state.selectedAccount;
    this.#set({
      phase: 'ready',
      loadError: null,
      version: snapshot.version,
      capabilities: snapshot.capabilities,
      status: pending.status ?? snapshot.status,
      settings: pending.settings ?? snapshot.settings,
      credentials: pending.credentials ?? snapshot.credentials,
      dashboard: snapshot.dashboard,
      stats: snapshot.stats,
      dataVersion: this.#state.dataVersion + 1,
    });
    // The snapshot shows the first account; a reload keeps the one the user chose.
    if (pending.data || (selected !== null && snapshot.dashboard.account?.accountKey !== selected)) {
      await this.refreshData();
    }
  }

  /** Refetches the dashboard (selected account) and statistics; overlapping requests coalesce. */
  refreshData(): Promise<void> {
    if (this.#refreshing) {
      this.#refreshAgain = true;
      return this.#refreshing;
    }
    const run = async () => {
      do {
        this.#refreshAgain = false;
        const accountKey = this.#state.selectedAccount ?? undefined;
        try {
          const [dashboard, stats] = await Promise.all([
            this.client.call('getDashboard', accountKey ? { accountKey } : {}),
            this.client.call('getStats', {}),
          ]);
          this.#set({ dashboard, stats, dataVersion: this.#state.dataVersion + 1 });
        } catch (error) {
          this.#set({ notice: { tone: 'error', text: `Could not refresh: ${messageOf(error)}` } });
        }
      } while (this.#refreshAgain);
    };
    this.#refreshing = run().finally(() => {
      this.#refreshing = null;
    });
    return this.#refreshing;
  }

  async selectAccount(accountKey: string): Promise<void> {
    if (accountKey === (this.#state.selectedAccount ?? this.#state.dashboard?.account?.accountKey)) return;
    this.#set({ selectedAccount: accountKey });
    await this.refreshData();
  }

  #busy(action: 'sync' | 'pause' | 'privacy', on: boolean): void {
    const busy = new Set(this.#state.busy);
    if (on) busy.add(action);
    else busy.delete(action);
    this.#set({ busy });
  }

  dismissNotice(): void {
    this.#set({ notice: null });
  }

  async syncNow(): Promise<void> {
    this.#busy('sync', true);
    try {
      await this.client.call('syncNow', {});
      this.#set({ notice: null });
    } catch (error) {
      // Refused (a login is needed first) is information, not an error.
      const tone = error instanceof CallFailure && error.code === 'refused' ? 'info' : 'error';
      this.#set({ notice: { tone, text: messageOf(error) } });
    } finally {
      this.#busy('sync', false);
    }
  }

  async setPaused(paused: boolean): Promise<void> {
    this.#busy('pause', true);
    try {
      const status = await this.client.call(paused ? 'pause' : 'resume', {});
      this.#set({ status, notice: null });
    } catch (error) {
      this.#set({ notice: { tone: 'error', text: messageOf(error) } });
    } finally {
      this.#busy('pause', false);
    }
  }

  /** Shows the change at once and keeps it only if the main process saved it. */
  async setPrivacy(privacyMode: boolean): Promise<void> {
    const before = this.#state.settings;
    if (!before) return;
    this.#set({ settings: { ...before, settings: { ...before.settings, privacyMode } } });
    this.#busy('privacy', true);
    try {
      this.#set({ settings: await this.client.call('updateSettings', { privacyMode }) });
    } catch (error) {
      const text =
        error instanceof CallFailure
          ? (error.fields?.privacyMode ?? error.fields?.form ?? error.message)
          : messageOf(error);
      this.#set({ settings: before, notice: { tone: 'error', text } });
    } finally {
      this.#busy('privacy', false);
    }
  }

  /** For the settings window: a saved view replaces the current one. */
  applySettings(settings: SettingsView): void {
    this.#set({ settings });
  }

  applyCredentials(credentials: CredentialsView): void {
    this.#set({ credentials });
  }
}
