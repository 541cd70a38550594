/**
 * The tray: a pure model of the menu and tooltip for a status (`menuFor`), and a controller that
 * re-applies it on every change. Linux tray menus (StatusNotifierItem / dbusmenu) do not update in
 * place, so a changed menu means a whole new Menu; the controller therefore builds one only when
 * the menu items changed, and otherwise just sets the tooltip (during a history import the
 * progress text in the tooltip changes with every page, the menu only with every step).
 *
 * No electron import here: the host (app.ts) adapts Electron's Tray and Menu to `TrayHost`.
 */
import { CallFailure } from '../../shared/call-result.js';
import type { Handlers } from '../../shared/contract.js';
import type { Dashboard, SyncState, SyncStatus } from '../../shared/models.js';
import { activityLine } from '../../shared/progress-text.js';
import { relativeTime } from '../../shared/relative-time.js';
import type { Settings } from '../../shared/settings.js';
import type { EventBus } from '../runtime/runtime-types.js';
import { errorMeta } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { dec } from '../util/money.js';

export const APP_TITLE = 'Magnus Sync';
/** Windows truncates tray tooltips at 127 characters. */
export const TOOLTIP_MAX = 127;
const STATUS_ROW_MAX = 80;

export type TrayAction =
  | 'sync-now'
  | 'pause'
  | 'resume'
  | 'open-status'
  | 'open-settings'
  | 'toggle-launch-at-login'
  | 'quit';

/** A menu item as Electron's MenuItemConstructorOptions has it, minus the click handler. */
export type TrayMenuItem =
  | { type: 'normal'; id: TrayAction | 'status'; label: string; enabled: boolean }
  | { type: 'checkbox'; id: TrayAction; label: string; enabled: boolean; checked: boolean }
  | { type: 'separator' };

export interface TrayModel {
  icon: SyncState;
  tooltip: string;
  items: TrayMenuItem[];
}

export interface TrayMenuOptions {
  now: Date;
  launchAtLogin: boolean;
  canLaunchAtLogin: boolean;
  /** settings.showAmountsInTray; amounts appear nowhere in the tray without it. */
  showAmounts: boolean;
  /** Portfolio equity as a decimal string, when known. */
  equity: string | null;
}

export function menuFor(status: SyncStatus, opts: TrayMenuOptions): TrayModel {
  const line = statusLine(status, opts.now);
  const paused = status.state === 'paused';
  const waiting = status.state === 'needs-auth' || status.state === 'starting';
  const canSync = status.state !== 'syncing' && !waiting;
  const items: TrayMenuItem[] = [
    { type: 'normal', id: 'status', label: truncate(line, STATUS_ROW_MAX), enabled: false },
    { type: 'separator' },
    { type: 'normal', id: 'sync-now', label: 'Sync now', enabled: canSync },
    paused
      ? { type: 'normal', id: 'resume', label: 'Resume syncing', enabled: true }
      : { type: 'normal', id: 'pause', label: 'Pause syncing', enabled: !waiting },
    { type: 'separator' },
    { type: 'normal', id: 'open-status', label: 'Open status window', enabled: true },
    {
      type: 'normal',
      id: 'open-settings',
      label: status.state === 'needs-auth' ? 'Settings… (log in)' : 'Settings…',
      enabled: true,
    },
    {
      type: 'checkbox',
      id: 'toggle-launch-at-login',
      label: 'Launch at login',
      enabled: opts.canLaunchAtLogin,
      checked: opts.launchAtLogin,
    },
    { type: 'separator' },
    { type: 'normal', id: 'quit', label: 'Quit Magnus Sync', enabled: true },
  ];
  return { icon: status.state, tooltip: tooltipText(status, opts), items };
}

/**
 * The tooltip: the status line and, while a step is moving, what moves in it, in one line
 * ("Magnus Sync: Syncing: Trade history ****1234 (5/10) · 12 pages · 40 requests · back to
 * 2024-03-14 · 42 s rate-limit wait"); the portfolio amount on a second line when the
 * user opted in. At most TOOLTIP_MAX characters.
 */
export function tooltipText(
  status: SyncStatus,
  opts: Pick<TrayMenuOptions, 'now' | 'showAmounts' | 'equity'>,
): string {
  let line = `${APP_TITLE}: ${statusLine(status, opts.now)}`;
  const activity = status.state === 'syncing' ? status.progress?.activity : undefined;
  if (activity) line += ` · ${activityLine(activity)}`;
  const amount = opts.showAmounts && opts.equity !== null ? formatUsd(opts.equity) : null;
  const second = amount ? `\nPortfolio ${amount}` : '';
  return truncate(line, TOOLTIP_MAX - second.length) + second;
}

/** The one line that says what the engine is doing, e.g. "Synced 2 min ago · next in 3 min". */
export function statusLine(status: SyncStatus, now: Date): string {
  const prefix = status.demo ? 'Demo · ' : '';
  const next = status.nextRunAt ? ` · next ${until(status.nextRunAt, now)}` : '';
  const last = status.lastSuccessAt ? `synced ${ago(status.lastSuccessAt, now)}` : 'not synced yet';
  switch (status.state) {
    case 'syncing': {
      const p = status.progress;
      const detail = p ? `: ${p.step}${p.total > 0 ? ` (${p.completed}/${p.total})` : ''}` : '…';
      return `${prefix}Syncing${detail}`;
    }
    case 'starting':
      return `${prefix}Starting…`;
    case 'paused':
      return `${prefix}Paused · ${last}`;
    case 'needs-auth':
      return `${prefix}${status.authPrompt?.message ?? 'Log in needed: open Settings'}`;
    case 'offline':
      return `${prefix}Offline · retries when the network returns`;
    case 'error': {
      const message = status.lastError?.message ?? 'Sync failed';
      return `${prefix}${message}${next}`;
    }
    default: {
      if (status.throttledUntil && Date.parse(status.throttledUntil) > now.getTime()) {
        return `${prefix}Rate-limited by the broker · resumes ${until(status.throttledUntil, now)}`;
      }
      return `${prefix}${capitalize(last)}${next}`;
    }
  }
}

/** "just now", "1 min ago", "3 h ago", "2 d ago" (shared/relative-time.ts). */
export function ago(iso: string, now: Date): string {
  return relativeTime(iso, now);
}

/** "in <1 min", "in 3 min", "in 2 h"; "now" when due. */
export function until(iso: string, now: Date): string {
  return Date.parse(iso) <= now.getTime() ? 'now' : relativeTime(iso, now);
}

/** "$12,345.68" from a decimal string, rounded half even; null when it is not a number. */
export function formatUsd(value: string): string | null {
  let fixed: string;
  try {
    fixed = dec(value).toFixed(2);
  } catch {
    return null;
  }
  const negative = fixed.startsWith('-');
  const [whole = '0', cents = '00'] = (negative ? fixed.slice(1) : fixed).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${negative ? '-' : ''}$${grouped}.${cents}`;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

// ---- controller ----------------------------------------------------------------------------------

/**
 * What the controller needs from a real tray (app.ts wraps Electron's Tray and Menu). The
 * controller calls each only when its part of the model changed.
 */
export interface TrayHost {
  /** Replaces the context menu with a newly built one. */
  setMenu(items: TrayMenuItem[], onAction: (action: TrayAction) => void): void;
  setTooltip(tooltip: string): void;
  setIcon(state: SyncState): void;
}

export interface TrayControllerDeps {
  host: TrayHost;
  runtime: { status(): SyncStatus; readonly events: EventBus; readonly handlers: Handlers };
  settings: () => Settings;
  canLaunchAtLogin: boolean;
  open: { status(): void; settings(): void };
  quit(): void;
  now: () => Date;
  /** Relative times ("2 min ago") go stale: the model is recomputed this often. */
  refreshEveryMs?: number;
  timers?: { setInterval(fn: () => void, ms: number): unknown; clearInterval(handle: unknown): void };
  logger: Logger;
}

export class TrayController {
  /** The menu items, tooltip and icon last handed to the host ('' / null: nothing yet). */
  private shownMenu = '';
  private shownTooltip: string | null = null;
  private shownIcon: SyncState | null = null;
  private equity: string | null = null;
  private readonly unsubscribe: Array<() => void> = [];
  private interval: unknown = null;

  constructor(private readonly deps: TrayControllerDeps) {}

  start(): void {
    const { events } = this.deps.runtime;
    this.unsubscribe.push(
      events.on('status', () => this.refresh()),
      events.on('settingsChanged', () => void this.refreshAmount().then(() => this.refresh())),
      events.on('dataChanged', () => void this.refreshAmount().then(() => this.refresh())),
    );
    const timers = this.deps.timers ?? {
      setInterval: (fn: () => void, ms: number) => setInterval(fn, ms).unref(),
      clearInterval: (h: unknown) => clearInterval(h as NodeJS.Timeout),
    };
    this.interval = timers.setInterval(() => this.refresh(), this.deps.refreshEveryMs ?? 30_000);
    this.refresh();
    void this.refreshAmount().then(() => this.refresh());
  }

  stop(): void {
    for (const off of this.unsubscribe.splice(0)) off();
    if (this.interval !== null) {
      const timers = this.deps.timers ?? {
        clearInterval: (h: unknown) => clearInterval(h as NodeJS.Timeout),
      };
      timers.clearInterval(this.interval);
      this.interval = null;
    }
  }

  /** The model for now; each part goes to the host only when it differs from what it shows. */
  refresh(): void {
    const settings = this.deps.settings();
    const model = menuFor(this.deps.runtime.status(), {
      now: this.deps.now(),
      launchAtLogin: settings.launchAtLogin,
      canLaunchAtLogin: this.deps.canLaunchAtLogin,
      showAmounts: settings.showAmountsInTray,
      equity: settings.showAmountsInTray ? this.equity : null,
    });
    const { host } = this.deps;
    const menu = JSON.stringify(model.items);
    if (menu !== this.shownMenu) {
      this.shownMenu = menu;
      host.setMenu(model.items, (action) => void this.run(action));
    }
    if (model.tooltip !== this.shownTooltip) {
      this.shownTooltip = model.tooltip;
      host.setTooltip(model.tooltip);
    }
    if (model.icon !== this.shownIcon) {
      this.shownIcon = model.icon;
      host.setIcon(model.icon);
    }
  }

  /** Runs a menu action; a failing call is logged, never thrown into Electron's menu code. */
  async run(action: TrayAction): Promise<void> {
    const { handlers } = this.deps.runtime;
    try {
      switch (action) {
        case 'sync-now':
          // Refused while a login is needed: the tray already says so.
          await handlers.syncNow({}).catch((error: unknown) => {
            if (!(error instanceof CallFailure && error.code === 'refused')) throw error;
          });
          break;
        case 'pause':
          await handlers.pause({});
          break;
        case 'resume':
          await handlers.resume({});
          break;
        case 'open-status':
          this.deps.open.status();
          break;
        case 'open-settings':
          this.deps.open.settings();
          break;
        case 'toggle-launch-at-login': {
          try {
            await handlers.updateSettings({ launchAtLogin: !this.deps.settings().launchAtLogin });
          } catch (error) {
            if (!(error instanceof CallFailure)) throw error;
            this.deps.logger.warn('launch at login was not changed', {
              errors: error.fields ?? error.message,
            });
          }
          // The checkbox toggled itself in the native menu; put it back to the stored value.
          this.shownMenu = '';
          this.refresh();
          break;
        }
        case 'quit':
          this.deps.quit();
          break;
      }
    } catch (error) {
      this.deps.logger.error(`tray action ${action} failed`, errorMeta(error));
    }
  }

  /** Fetches the equity for the tooltip, only when the user opted in to amounts in the tray. */
  private async refreshAmount(): Promise<void> {
    if (!this.deps.settings().showAmountsInTray) {
      this.equity = null;
      return;
    }
    try {
      const dashboard: Dashboard = await this.deps.runtime.handlers.getDashboard({});
      this.equity = dashboard.snapshot?.equity ?? null;
    } catch (error) {
      this.deps.logger.debug('tray: no dashboard for the amount', errorMeta(error));
      this.equity = null;
    }
  }
}

/** The icon file for a state: template images on macOS, .ico on Windows, PNG elsewhere. */
export function trayIconFile(state: SyncState, platform: NodeJS.Platform): string {
  // Starting shows the busy (syncing) icon; its tooltip and status row say "Starting…".
  if (state === 'starting') return trayIconFile('syncing', platform);
  if (platform === 'darwin') return `${state}Template.png`;
  if (platform === 'win32') return `${state}.ico`;
  return `${state}.png`;
}

/** A menu template item as Menu.buildFromTemplate takes it (structural, no electron import). */
export interface MenuTemplateItem {
  type: 'normal' | 'checkbox' | 'separator';
  id?: string;
  label?: string;
  enabled?: boolean;
  checked?: boolean;
  click?: () => void;
}

/** The menu items as a template; every enabled item but the status row gets a click handler. */
export function toMenuTemplate(
  items: TrayMenuItem[],
  onAction: (action: TrayAction) => void,
): MenuTemplateItem[] {
  return items.map((item): MenuTemplateItem => {
    if (item.type === 'separator') return { type: 'separator' };
    const { id } = item;
    const base: MenuTemplateItem = { type: item.type, id, label: item.label, enabled: item.enabled };
    if (item.type === 'checkbox') base.checked = item.checked;
    if (id !== 'status') base.click = () => onAction(id);
    return base;
  });
}
