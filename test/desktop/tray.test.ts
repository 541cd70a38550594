import { describe, expect, it, vi } from 'vitest';
import {
  ago,
  formatUsd,
  menuFor,
  statusLine,
  TOOLTIP_MAX,
  type TrayAction,
  TrayController,
  type TrayMenuItem,
  type TrayModel,
  toMenuTemplate,
  tooltipText,
  trayIconFile,
  until,
} from '../../main/desktop/tray.js';
import { createEventBus } from '../../main/runtime/event-bus.js';
import { silentLogger } from '../../main/util/logger.js';
import type { Handlers } from '../../shared/contract.js';
import type { SyncState } from '../../shared/models.js';
import { relativeTime } from '../../shared/relative-time.js';
import { DEFAULT_SETTINGS, type Settings } from '../../shared/settings.js';
import { minutesFrom, NOW, status } from './fixtures.js';

const opts = { now: NOW, launchAtLogin: false, canLaunchAtLogin: true, showAmounts: false, equity: null };
const labels = (m: TrayModel) => m.items.map((i) => (i.type === 'separator' ? '—' : i.label));
const item = (m: TrayModel, id: string) => m.items.find((i) => i.type !== 'separator' && i.id === id);

describe('menuFor', () => {
  it('starting (the engine has not answered yet): says so; Sync now and Pause wait for it', () => {
    const m = menuFor(status({ state: 'starting', nextRunAt: null }), opts);
    expect(item(m, 'status')).toMatchObject({ label: 'Starting…', enabled: false });
    expect(m.tooltip).toBe('Magnus Sync: Starting…');
    expect(item(m, 'sync-now')).toMatchObject({ enabled: false });
    expect(item(m, 'pause')).toMatchObject({ enabled: false });
    expect(item(m, 'open-status')).toMatchObject({ enabled: true });
    expect(item(m, 'open-settings')).toMatchObject({ enabled: true });
    expect(trayIconFile('starting', 'linux')).toBe('syncing.png');
    expect(trayIconFile('starting', 'darwin')).toBe('syncingTemplate.png');
  });

  it('idle: status row, the fixed items in order, and a tooltip with last and next sync', () => {
    const m = menuFor(status(), opts);
    expect(labels(m)).toEqual([
      'Synced 2 min ago · next in 3 min',
      '—',
      'Sync now',
      'Pause syncing',
      '—',
      'Open status window',
      'Settings…',
      'Launch at login',
      '—',
      'Quit Magnus Sync',
    ]);
    expect(item(m, 'status')).toMatchObject({ enabled: false });
    expect(m.tooltip).toBe('Magnus Sync: Synced 2 min ago · next in 3 min');
    expect(m.icon).toBe('idle');
  });

  it('paused offers Resume instead of Pause', () => {
    const m = menuFor(status({ state: 'paused', nextRunAt: null }), opts);
    expect(item(m, 'resume')).toMatchObject({ label: 'Resume syncing', enabled: true });
    expect(item(m, 'pause')).toBeUndefined();
    expect(m.items[0]).toMatchObject({ label: 'Paused · synced 2 min ago' });
    expect(m.icon).toBe('paused');
  });

  it('syncing shows the step and disables Sync now', () => {
    const m = menuFor(
      status({ state: 'syncing', progress: { step: 'Fetching option market data', completed: 3, total: 7 } }),
      opts,
    );
    expect(m.items[0]).toMatchObject({ label: 'Syncing: Fetching option market data (3/7)' });
    expect(item(m, 'sync-now')).toMatchObject({ enabled: false });
  });

  it('error shows the message and the retry; needs-auth the prompt and a log-in hint', () => {
    const err = menuFor(
      status({
        state: 'error',
        lastError: { message: 'Robinhood did not answer (timeout)', at: NOW.toISOString() },
      }),
      opts,
    );
    expect(err.items[0]).toMatchObject({ label: 'Robinhood did not answer (timeout) · next in 3 min' });
    expect(err.icon).toBe('error');
    const auth = menuFor(
      status({
        state: 'needs-auth',
        nextRunAt: null,
        authPrompt: { kind: 'code', challengeType: 'sms', message: 'Enter the code Robinhood sent by SMS.' },
      }),
      opts,
    );
    expect(auth.items[0]).toMatchObject({ label: 'Enter the code Robinhood sent by SMS.' });
    expect(item(auth, 'sync-now')).toMatchObject({ enabled: false });
    expect(item(auth, 'open-settings')).toMatchObject({ label: 'Settings… (log in)' });
  });

  it('offline, throttled, demo and never-synced lines', () => {
    expect(statusLine(status({ state: 'offline' }), NOW)).toBe('Offline · retries when the network returns');
    expect(statusLine(status({ throttledUntil: minutesFrom(NOW, 10) }), NOW)).toBe(
      'Rate-limited by the broker · resumes in 10 min',
    );
    expect(statusLine(status({ demo: true, lastSuccessAt: null }), NOW)).toBe(
      'Demo · Not synced yet · next in 3 min',
    );
  });

  it('Launch at login is a checkbox reflecting the setting, disabled where unsupported', () => {
    expect(item(menuFor(status(), { ...opts, launchAtLogin: true }), 'toggle-launch-at-login')).toMatchObject(
      {
        type: 'checkbox',
        checked: true,
        enabled: true,
      },
    );
    expect(
      item(menuFor(status(), { ...opts, canLaunchAtLogin: false }), 'toggle-launch-at-login'),
    ).toMatchObject({
      enabled: false,
    });
  });

  it('never shows an amount unless showAmounts is on', () => {
    const hidden = menuFor(status(), { ...opts, equity: '12345.678' });
    expect(JSON.stringify(hidden)).not.toMatch(/12[,]?345/);
    const shown = menuFor(status(), { ...opts, showAmounts: true, equity: '12345.675' });
    expect(shown.tooltip).toContain('Portfolio $12,345.68');
    expect(JSON.stringify(shown.items)).not.toContain('$');
  });

  it('says in the tooltip, in one line, what moves inside the running step', () => {
    const syncing = status({
      state: 'syncing',
      progress: {
        step: 'Trade history ****1234',
        completed: 5,
        total: 10,
        activity: { requests: 40, pages: 12, reachedDate: '2024-03-14', rateLimitWaitMs: 42_400 },
      },
    });
    expect(tooltipText(syncing, opts)).toBe(
      'Magnus Sync: Syncing: Trade history ****1234 (5/10) · 12 pages · 40 requests · back to 2024-03-14 · 42 s rate-limit wait',
    );
    expect(menuFor(syncing, opts).tooltip).toBe(tooltipText(syncing, opts));
    // Before anything moved in the step, and once the cycle is over, the line is the status alone.
    const { activity: _moved, ...step } = syncing.progress ?? { step: '', completed: 0, total: 0 };
    expect(tooltipText({ ...syncing, progress: step }, opts)).toBe(
      'Magnus Sync: Syncing: Trade history ****1234 (5/10)',
    );
    expect(tooltipText({ ...syncing, state: 'idle' }, opts)).not.toContain('pages');
    // One page, one request, under a second of waiting, no date yet.
    expect(
      tooltipText(
        status({
          state: 'syncing',
          progress: {
            step: 'Positions ****1234',
            completed: 2,
            total: 6,
            activity: { requests: 1, pages: 1, reachedDate: null, rateLimitWaitMs: 300 },
          },
        }),
        opts,
      ),
    ).toBe('Magnus Sync: Syncing: Positions ****1234 (2/6) · 1 page · 1 request · <1 s rate-limit wait');
  });

  it('keeps the amount when a long status line is cut to the Windows limit', () => {
    const long = 'x'.repeat(400);
    const tooltip = tooltipText(
      status({ state: 'error', lastError: { message: long, at: NOW.toISOString() } }),
      {
        ...opts,
        showAmounts: true,
        equity: '1000.5',
      },
    );
    expect(tooltip.length).toBeLessThanOrEqual(TOOLTIP_MAX);
    expect(tooltip.endsWith('…\nPortfolio $1,000.50')).toBe(true);
  });

  it('keeps the tooltip within the Windows limit', () => {
    const long = 'x'.repeat(400);
    const m = menuFor(status({ state: 'error', lastError: { message: long, at: NOW.toISOString() } }), opts);
    expect(m.tooltip.length).toBeLessThanOrEqual(TOOLTIP_MAX);
    expect((m.items[0] as { label: string }).label.length).toBeLessThanOrEqual(80);
  });
});

describe('time and money formatting', () => {
  it('ago / until', () => {
    expect(ago(minutesFrom(NOW, -0.5), NOW)).toBe('just now');
    expect(ago(minutesFrom(NOW, -1), NOW)).toBe('1 min ago');
    expect(ago(minutesFrom(NOW, -180), NOW)).toBe('3 h ago');
    expect(ago(minutesFrom(NOW, -3 * 24 * 60), NOW)).toBe('3 d ago');
    expect(until(minutesFrom(NOW, 0.5), NOW)).toBe('in <1 min');
    expect(until(minutesFrom(NOW, -1), NOW)).toBe('now');
    expect(until(minutesFrom(NOW, 90), NOW)).toBe('in 1 h 30 min');
    // One threshold with the windows (shared/relative-time.ts): 44 s is "just now" in both.
    expect(ago(minutesFrom(NOW, -44 / 60), NOW)).toBe(relativeTime(minutesFrom(NOW, -44 / 60), NOW));
    expect(ago(minutesFrom(NOW, -44 / 60), NOW)).toBe('just now');
  });

  it('formatUsd rounds half even and groups', () => {
    expect(formatUsd('1234567.125')).toBe('$1,234,567.12');
    expect(formatUsd('-29.0000')).toBe('-$29.00');
    expect(formatUsd('0.005')).toBe('$0.00');
    expect(formatUsd('abc')).toBeNull();
  });
});

describe('toMenuTemplate and icons', () => {
  it('wires every action but the status row', () => {
    const onAction = vi.fn<(a: TrayAction) => void>();
    const template = toMenuTemplate(menuFor(status(), opts).items, onAction);
    expect(template[0]?.click).toBeUndefined();
    for (const entry of template) entry.click?.();
    expect(onAction.mock.calls.map((c) => c[0])).toEqual([
      'sync-now',
      'pause',
      'open-status',
      'open-settings',
      'toggle-launch-at-login',
      'quit',
    ]);
  });

  it('picks template PNGs on macOS, .ico on Windows, PNG on Linux', () => {
    expect(trayIconFile('error', 'darwin')).toBe('errorTemplate.png');
    expect(trayIconFile('needs-auth', 'win32')).toBe('needs-auth.ico');
    expect(trayIconFile('syncing', 'linux')).toBe('syncing.png');
  });
});

describe('TrayController', () => {
  function setup(settings: Partial<Settings> = {}) {
    let current = status();
    let stored: Settings = { ...DEFAULT_SETTINGS, ...settings };
    const events = createEventBus(silentLogger);
    const handlers = {
      syncNow: vi.fn(async () => ({ message: 'Sync started.' })),
      pause: vi.fn(async () => current),
      resume: vi.fn(async () => current),
      getDashboard: vi.fn(async () => ({ snapshot: { equity: '1000.5' } })),
      updateSettings: vi.fn(async (patch: Partial<Settings>) => {
        stored = { ...stored, ...patch };
        return { ok: true as const, view: {} };
      }),
    } as unknown as Handlers;
    // Every call the controller makes on the host, in order.
    const menus: Array<{ items: TrayMenuItem[]; onAction: (a: TrayAction) => void }> = [];
    const tooltips: string[] = [];
    const icons: SyncState[] = [];
    const open = { status: vi.fn(), settings: vi.fn() };
    const quit = vi.fn();
    let tick: (() => void) | null = null;
    const controller = new TrayController({
      host: {
        setMenu: (items, onAction) => menus.push({ items, onAction }),
        setTooltip: (tooltip) => tooltips.push(tooltip),
        setIcon: (state) => icons.push(state),
      },
      runtime: { status: () => current, events, handlers },
      settings: () => stored,
      canLaunchAtLogin: true,
      open,
      quit,
      now: () => NOW,
      timers: {
        setInterval: (fn) => {
          tick = fn;
          return 1;
        },
        clearInterval: () => {
          tick = null;
        },
      },
      logger: silentLogger,
    });
    return {
      controller,
      events,
      handlers,
      menus,
      tooltips,
      icons,
      open,
      quit,
      setStatus: (s: typeof current) => {
        current = s;
        events.emit('status', s);
      },
      tick: () => tick?.(),
      stored: () => stored,
    };
  }

  it('rebuilds the menu on a status change, and only when the model changed', () => {
    const t = setup();
    t.controller.start();
    expect([t.menus.length, t.tooltips.length, t.icons]).toEqual([1, 1, ['idle']]);
    t.setStatus(status({ state: 'syncing' }));
    expect([t.menus.length, t.tooltips.length, t.icons]).toEqual([2, 2, ['idle', 'syncing']]);
    t.tick();
    t.events.emit('status', status({ state: 'syncing' }));
    expect([t.menus.length, t.tooltips.length, t.icons.length]).toEqual([2, 2, 2]);
    t.controller.stop();
    t.setStatus(status({ state: 'error' }));
    expect([t.menus.length, t.tooltips.length, t.icons.length]).toEqual([2, 2, 2]);
  });

  it('during an import, progress-only events update the tooltip and leave the menu alone', () => {
    const t = setup();
    t.controller.start();
    const importing = (completed: number, pages: number) =>
      status({
        state: 'syncing',
        progress: {
          step: 'Trade history',
          completed,
          total: 10,
          activity: { requests: pages + 1, pages, reachedDate: null, rateLimitWaitMs: 0 },
        },
      });
    t.setStatus(importing(5, 0));
    const before = { menus: t.menus.length, tooltips: t.tooltips.length };
    // Thirty pages within one step: the status row ("Trade history (5/10)") stays the same.
    for (let page = 1; page <= 30; page++) t.setStatus(importing(5, page));
    expect(t.menus.length - before.menus).toBe(0);
    expect(t.tooltips.length - before.tooltips).toBe(30);
    expect(t.tooltips.at(-1)).toContain('30 pages');
    expect(t.icons).toEqual(['idle', 'syncing']);
    // The next step changes the status row: one new menu.
    t.setStatus(importing(6, 30));
    expect(t.menus.length - before.menus).toBe(1);
    expect(t.menus.at(-1)?.items[0]).toMatchObject({ label: 'Syncing: Trade history (6/10)' });
  });

  it('runs the actions against the runtime handlers and host callbacks', async () => {
    const t = setup();
    t.controller.start();
    await t.controller.run('sync-now');
    await t.controller.run('pause');
    await t.controller.run('resume');
    await t.controller.run('open-status');
    await t.controller.run('open-settings');
    await t.controller.run('quit');
    expect(t.handlers.syncNow).toHaveBeenCalledWith({});
    expect(t.handlers.pause).toHaveBeenCalledOnce();
    expect(t.handlers.resume).toHaveBeenCalledOnce();
    expect(t.open.status).toHaveBeenCalledOnce();
    expect(t.open.settings).toHaveBeenCalledOnce();
    expect(t.quit).toHaveBeenCalledOnce();
  });

  it('Launch at login toggles through updateSettings and re-applies the checkbox', async () => {
    const t = setup();
    t.controller.start();
    await t.controller.run('toggle-launch-at-login');
    expect(t.handlers.updateSettings).toHaveBeenCalledWith({ launchAtLogin: true });
    const last = t.menus.at(-1)!;
    expect(last.items.find((i) => i.type === 'checkbox')).toMatchObject({ checked: true });
  });

  it('fetches the amount only when the user enabled it', async () => {
    const off = setup();
    off.controller.start();
    await new Promise((r) => setTimeout(r, 0));
    expect(off.handlers.getDashboard).not.toHaveBeenCalled();
    const on = setup({ showAmountsInTray: true });
    on.controller.start();
    await new Promise((r) => setTimeout(r, 0));
    expect(on.handlers.getDashboard).toHaveBeenCalled();
    expect(on.tooltips.at(-1)).toContain('$1,000.50');
  });

  it('a failing action is logged, not thrown', async () => {
    const t = setup();
    (t.handlers.syncNow as ReturnType<typeof vi.fn>).mockRejectedValueOnce(new Error('boom'));
    await expect(t.controller.run('sync-now')).resolves.toBeUndefined();
  });
});
