/**
 * The desktop app: Electron lifecycle and the wiring of runtime, windows, IPC, tray, notifications,
 * power events and the login item. The logic lives in the pure modules beside this one; this file
 * only connects them to Electron.
 *
 * - One instance per data folder: a second launch opens the status window of the first (some Linux
 *   desktops show no tray, so this keeps the window reachable).
 * - Started at login (--hidden, or macOS wasOpenedAtLogin): tray only, no window.
 * - Closing every window keeps the app syncing in the tray; Quit stops the engine first.
 * - The sync engine (main/runtime/runtime.ts) runs in its own process (Electron's utilityProcess,
 *   dist/main/engine-host/entry.js): database work never blocks the tray or a window. This process
 *   keeps the tray, windows, notifications and power events, and relays the contract to the engine
 *   (engine-supervisor.ts). The tray and a requested window show at once, "Starting" until the
 *   engine answers.
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  app,
  dialog,
  ipcMain,
  Menu,
  MessageChannelMain,
  type NativeImage,
  Notification,
  nativeImage,
  net,
  powerMonitor,
  session,
  shell,
  Tray,
  utilityProcess,
} from 'electron';
import type { SyncState } from '../../shared/models.js';
import { apiUrlProblem } from '../cli/args.js';
import type { EngineInit } from '../engine-host/protocol.js';
import type { RelayPort } from '../engine-host/relay.js';
import { APP_FOLDER_NAME, defaultDataDir } from '../runtime/paths.js';
import type { SettingsStore } from '../runtime/runtime-types.js';
import { keychainServiceOf } from '../secrets/keychain-store.js';
import { errorMeta } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import {
  createLaunchAtLogin,
  type LaunchAtLogin,
  launchCommand,
  reconcileLaunchAtLogin,
  startedAtLogin,
} from './autostart.js';
import { deferredLogger } from './deferred-logger.js';
import { desktopPaths } from './desktop-paths.js';
import { type EngineProcess, EngineSupervisor, type EngineSupervisorOptions } from './engine-supervisor.js';
import { checkingExternalLinks, externalUrlProblem } from './external-url.js';
import { forwardEvents, registerIpcHandlers } from './ipc.js';
import { initialWindow, parseDesktopArgs, QuitCoordinator } from './lifecycle.js';
import { NotificationPolicy } from './notifications.js';
import { integrateWithOs } from './os-integration.js';
import { ClockJumpDetector, NetworkWatcher, nodeTimers, PowerBridge, systemJumpClock } from './power.js';
import { electronSettingsStore, unreadableSettingsNotice } from './settings-store.js';
import { reportStartupFailure } from './startup-failure.js';
import {
  type TrayAction,
  TrayController,
  type TrayHost,
  type TrayModel,
  toMenuTemplate,
  trayIconFile,
} from './tray.js';
import { isOwnRendererUrl } from './window-policy.js';
import { guardWebContents, hardenSession, WindowManager } from './windows.js';

const here = dirname(fileURLToPath(import.meta.url));
/** Built layout (also inside app.asar): dist/main/desktop/*.js, dist/renderer/, resources/. */
export const DESKTOP_PATHS = desktopPaths(here);

const isAllowedExternal = (url: string) => externalUrlProblem(url) === null;

export function startDesktopApp(
  argv: readonly string[] = process.argv,
  env: NodeJS.ProcessEnv = process.env,
): void {
  const args = parseDesktopArgs(argv);
  const apiUrlError = args.apiUrl === null ? null : apiUrlProblem(args.apiUrl);
  if (apiUrlError) throw new Error(apiUrlError);
  app.setName(APP_FOLDER_NAME);
  // Windows shows toasts only for an app with an AppUserModelID (electron-builder.yml appId).
  if (process.platform === 'win32') app.setAppUserModelId('com.magnussync.desktop');
  const dataDir = resolve(args.dataDir ?? defaultDataDir(env));
  // Chromium's own files share the data folder the CLI uses; the single-instance lock is per folder.
  app.setPath('userData', dataDir);
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  const log = deferredLogger();
  // A window that is not ours (should one ever appear) gets the same navigation rules.
  app.on('web-contents-created', (_event, contents) =>
    guardWebContents(contents, { rendererDir: DESKTOP_PATHS.rendererDir, isAllowedExternal, logger: log }),
  );
  // Keep syncing in the tray when the last window closes.
  app.on('window-all-closed', () => undefined);
  // A terminal's Ctrl+C or a service manager's SIGTERM quits gracefully too.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => app.quit());

  app
    .whenReady()
    .then(() =>
      new DesktopApp({
        dataDir,
        demo: args.demo,
        hidden: args.hidden,
        apiUrl: args.apiUrl,
        argv,
        env,
        log,
      }).start(),
    )
    .catch((error: unknown) => {
      log.error('the desktop app could not start', errorMeta(error));
      console.error('Magnus Sync could not start:', error);
      reportStartupFailure({
        error,
        dataDir,
        showErrorBox: (title, text) => dialog.showErrorBox(title, text),
      });
      app.exit(1);
    });
}

interface DesktopAppOptions {
  dataDir: string;
  demo: boolean;
  hidden: boolean;
  apiUrl: string | null;
  argv: readonly string[];
  env: NodeJS.ProcessEnv;
  log: ReturnType<typeof deferredLogger>;
}

class DesktopApp {
  private engine!: EngineSupervisor;
  private windows!: WindowManager;
  private tray: Tray | null = null;
  private trayController: TrayController | null = null;
  private readonly disposers: Array<() => void> = [];

  constructor(private readonly o: DesktopAppOptions) {}

  async start(): Promise<void> {
    const { dataDir, log } = this.o;
    const settings = electronSettingsStore({
      dataDir,
      logger: log,
      onUnreadable: (problem) =>
        Notification.isSupported() && new Notification(unreadableSettingsNotice(problem)).show(),
    });
    const launchAtLogin = createLaunchAtLogin({
      platform: process.platform,
      loginItems: app,
      command: launchCommand({
        execPath: process.execPath,
        isPackaged: app.isPackaged,
        appEntry: DESKTOP_PATHS.entry,
        env: this.o.env,
      }),
    });
    const keychainService = keychainServiceOf(this.o.env);
    this.engine = new EngineSupervisor({
      spawn: forkEngine,
      init: () => ({
        dataDir,
        demo: this.o.demo,
        settings: settings.get(),
        ...(keychainService ? { keychainService } : {}),
        ...(this.o.apiUrl ? { apiUrl: this.o.apiUrl } : {}),
      }),
      hooks: platformHooks(launchAtLogin),
      saveSettings: (next) => settings.set(next),
      logger: consoleLogger,
    });
    const engine = this.engine;
    // Records of this process go to the engine's redacting log file.
    log.attach(engine.logSink);
    const logger: Logger = log;

    hardenSession(session.defaultSession);
    this.windows = new WindowManager({
      rendererDir: DESKTOP_PATHS.rendererDir,
      preloadPath: DESKTOP_PATHS.preload,
      iconPath: join(DESKTOP_PATHS.resources, 'icon.png'),
      isAllowedExternal,
      logger,
    });
    this.disposers.push(
      registerIpcHandlers({
        ipcMain,
        handlers: checkingExternalLinks(engine.handlers),
        isTrustedSender: (url) => isOwnRendererUrl(url, DESKTOP_PATHS.rendererDir),
        logger,
      }),
      forwardEvents(engine.events, (channel, payload) => this.windows.broadcast(channel, payload)),
    );

    this.startTray(settings, launchAtLogin !== null, logger);
    this.startNotifications(() => settings.get().notifications);
    this.startPower(logger);

    const quit = new QuitCoordinator({ stop: () => this.stop(), quit: () => app.quit(), logger });
    app.on('before-quit', (event) => quit.onBeforeQuit(event));
    integrateWithOs({ isStopped: () => quit.phase === 'stopped', logger });
    app.on('second-instance', () => this.windows.show('status'));
    app.on('activate', () => this.windows.show('status'));

    // The tray shows "Starting" and a requested window opens now; both follow the engine's status.
    engine.start();
    const atLogin =
      this.o.hidden || startedAtLogin({ argv: this.o.argv, platform: process.platform, loginItems: app });
    const first = initialWindow({ startedAtLogin: atLogin });
    if (first) this.windows.show(first);
    logger.info('desktop app started', { demo: this.o.demo, startedAtLogin: atLogin });

    // The setting follows the OS entry (the user may have removed it there); never re-registered.
    if (launchAtLogin) {
      await reconcileLaunchAtLogin({
        launchAtLogin,
        setting: settings.get().launchAtLogin,
        saveSetting: (enabled) => settings.set({ ...settings.get(), launchAtLogin: enabled }),
        logger,
      }).catch((error: unknown) => {
        logger.warn('the login item could not be read', errorMeta(error));
      });
    }
  }

  private async stop(): Promise<void> {
    for (const dispose of this.disposers.splice(0)) dispose();
    this.trayController?.stop();
    this.tray?.destroy();
    this.tray = null;
    await this.engine.stop();
  }

  private startTray(settings: SettingsStore, canLaunchAtLogin: boolean, logger: Logger): void {
    const images = new Map<SyncState, NativeImage>();
    const imageFor = (state: SyncState): NativeImage => {
      let image = images.get(state);
      if (!image) {
        image = nativeImage.createFromPath(
          join(DESKTOP_PATHS.resources, 'tray', trayIconFile(state, process.platform)),
        );
        if (process.platform === 'darwin') image.setTemplateImage(true);
        images.set(state, image);
      }
      return image;
    };
    const tray = new Tray(imageFor(this.engine.status().state));
    this.tray = tray;
    if (process.platform === 'darwin') tray.setIgnoreDoubleClickEvents(true);
    tray.on('click', () => this.windows.show('status'));
    // What the tray shows, for the end-to-end hooks below.
    const shown: TrayModel = { icon: this.engine.status().state, tooltip: '', items: [] };
    const host: TrayHost = {
      setMenu: (items, onAction) => {
        shown.items = items;
        // A new Menu every time: Linux (dbusmenu) does not pick up changes to an existing one.
        if (!tray.isDestroyed()) tray.setContextMenu(Menu.buildFromTemplate(toMenuTemplate(items, onAction)));
      },
      setTooltip: (tooltip) => {
        shown.tooltip = tooltip;
        if (!tray.isDestroyed()) tray.setToolTip(tooltip);
      },
      setIcon: (state) => {
        shown.icon = state;
        if (!tray.isDestroyed()) tray.setImage(imageFor(state));
      },
    };
    this.trayController = new TrayController({
      host,
      runtime: this.engine,
      settings: () => settings.get(),
      canLaunchAtLogin,
      open: { status: () => this.windows.show('status'), settings: () => this.windows.show('settings') },
      quit: () => app.quit(),
      now: () => new Date(),
      logger,
    });
    this.trayController.start();
    if (this.o.env.MAGNUS_E2E === '1') {
      // The end-to-end spec cannot click a tray icon: it drives the same controller from here.
      const controller = this.trayController;
      Object.assign(globalThis, {
        __magnusE2E: {
          trayAction: (action: TrayAction) => controller.run(action),
          trayModel: () => shown,
        },
      });
    }
  }

  private startNotifications(enabled: () => boolean): void {
    const policy = new NotificationPolicy();
    // Held until closed: a collected Notification loses its click handler on some platforms.
    const live = new Set<Notification>();
    this.disposers.push(
      this.engine.events.on('status', (status) => {
        const notice = policy.next(status, enabled());
        if (!notice || !Notification.isSupported()) return;
        const shown = new Notification({
          title: notice.title,
          body: notice.body,
          icon: join(DESKTOP_PATHS.resources, 'icon.png'),
        });
        live.add(shown);
        shown.on('click', () => this.windows.show(notice.opens));
        shown.on('close', () => live.delete(shown));
        shown.show();
      }),
    );
  }

  private startPower(logger: Logger): void {
    const bridge = new PowerBridge({ target: this.engine, clock: systemJumpClock });
    const detector = new ClockJumpDetector({
      clock: systemJumpClock,
      timers: nodeTimers,
      onJump: (jump) => {
        if (bridge.clockJumped())
          logger.info('wall clock jumped; syncing', { skewSeconds: Math.round(jump.skewMs / 1000) });
      },
    });
    const network = new NetworkWatcher({
      isOnline: () => net.isOnline(),
      timers: nodeTimers,
      onOnline: () => bridge.networkRestored(),
    });
    const onSuspend = () => bridge.suspend();
    const onResume = () => {
      detector.reset();
      bridge.resume();
    };
    powerMonitor.on('suspend', onSuspend);
    powerMonitor.on('resume', onResume);
    detector.start();
    network.start();
    this.disposers.push(() => {
      powerMonitor.removeListener('suspend', onSuspend);
      powerMonitor.removeListener('resume', onResume);
      detector.stop();
      network.stop();
    });
  }
}

/** The platform hooks the engine may ask this process to run. */
function platformHooks(launchAtLogin: LaunchAtLogin | null): EngineSupervisorOptions['hooks'] {
  return {
    openPath: async ({ path }) => {
      const problem = await shell.openPath(path);
      return problem ? { ok: false, message: problem } : { ok: true, message: 'Opened.' };
    },
    openExternal: async ({ url }) => {
      // The IPC layer checked the allow-list; check again: this process opens it.
      if (!isAllowedExternal(url)) throw new Error('this link may not be opened');
      await shell.openExternal(url);
      return null;
    },
    ...(launchAtLogin
      ? {
          setLaunchAtLogin: async ({ enabled }: { enabled: boolean }) => {
            await launchAtLogin.set(enabled);
            return null;
          },
        }
      : {}),
  };
}

/** Starts the engine process and hands it its configuration and the relay's port. */
function forkEngine(init: EngineInit): EngineProcess {
  const child = utilityProcess.fork(DESKTOP_PATHS.engineEntry, [], {
    serviceName: 'Magnus Sync engine',
    stdio: 'inherit',
  });
  const { port1, port2 } = new MessageChannelMain();
  child.postMessage(init, [port2]);
  return {
    port: port1 as unknown as RelayPort,
    get pid() {
      return child.pid;
    },
    kill: () => void child.kill(),
    onExit: (listener) => void child.on('exit', listener),
  };
}

/** What cannot wait for the engine's log file (relay problems, a crash) goes to stderr. */
const consoleLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: (message, meta) => console.warn(`Magnus Sync: ${message}`, meta ?? ''),
  error: (message, meta) => console.error(`Magnus Sync: ${message}`, meta ?? ''),
};
