/**
 * The app's place in the desktop, wired to Electron in one call from app.ts: the application menu
 * (app-menu.ts), the macOS Dock icon (dock.ts) and the OS ending the session (session-end.ts).
 * The decisions live in those modules, tested under Node; this file only connects them.
 */
import { app, BrowserWindow, Menu, powerMonitor } from 'electron';
import type { Logger } from '../util/logger.js';
import { applicationMenu } from './app-menu.js';
import { DockVisibility } from './dock.js';
import { watchSessionEnd } from './session-end.js';

/** Call once, before the first window opens. `isStopped`: the runtime has stopped (QuitCoordinator). */
export function integrateWithOs(o: { isStopped(): boolean; logger: Logger }): void {
  const menu = applicationMenu({ platform: process.platform, isPackaged: app.isPackaged, appName: app.name });
  if (menu !== 'default') Menu.setApplicationMenu(menu && Menu.buildFromTemplate(menu));

  if (process.platform === 'darwin' && app.dock) {
    const dock = new DockVisibility(app.dock);
    app.on('browser-window-created', (_event, win) => dock.track(win));
    dock.start();
  }

  watchSessionEnd({
    platform: process.platform,
    // Never shown (and so not counted by the Dock policy): it only receives the session messages.
    sessionWindow: () =>
      new BrowserWindow({ show: false, skipTaskbar: true, webPreferences: { sandbox: true } }),
    powerMonitor: { on: (name, listener) => powerMonitor.on(name, listener) },
    quit: () => app.quit(),
    isStopped: o.isStopped,
    logger: o.logger,
  });
}
