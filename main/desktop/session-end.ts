/**
 * The OS ending the session: the store must close cleanly, as it does on Quit.
 *
 * - Windows does not emit `before-quit` at logoff, restart or shutdown. It asks every top-level
 *   window first (WM_QUERYENDSESSION → BrowserWindow 'query-session-end'), then tells them
 *   (WM_ENDSESSION → 'session-end', which cannot be refused). A tray app may have no window, so
 *   app.ts keeps one hidden window just to hear these. On the question we hold the session
 *   (`preventDefault`) while the engine is still running and start the normal quit; Windows lets
 *   the shutdown continue once we exit. On the final notice we start the quit if not yet started.
 * - macOS and Linux: powerMonitor 'shutdown'. Electron delays the shutdown when the handler calls
 *   `preventDefault`, and asks the app to quit promptly: we start the normal quit.
 *
 * "The normal quit" is app.quit(): its `before-quit` runs the QuitCoordinator (the runtime stops
 * within its bound, the store closes), then the app exits.
 */
import type { Logger } from '../util/logger.js';

/** What the OS hands the handlers (Electron's WindowSessionEndEvent / the shutdown Event). */
export interface SessionEndEvent {
  preventDefault(): void;
  reasons?: readonly string[];
}

export interface SessionEndSource {
  on(event: 'query-session-end' | 'session-end', listener: (event: SessionEndEvent) => void): unknown;
}

/** Electron passes the event although its typings declare a listener without arguments. */
export interface ShutdownSource {
  on(event: 'shutdown', listener: (event?: SessionEndEvent) => void): unknown;
}

export interface SessionEndOptions {
  platform: NodeJS.Platform;
  /** Windows: a (hidden) window that receives the session-end messages; created only there. */
  sessionWindow(): SessionEndSource;
  /** macOS/Linux: Electron's powerMonitor. */
  powerMonitor: ShutdownSource;
  /** Starts the normal quit (app.quit()). */
  quit(): void;
  /** True once the runtime has stopped (nothing left to lose). */
  isStopped(): boolean;
  logger: Logger;
}

export function watchSessionEnd(o: SessionEndOptions): void {
  const ending = (what: string, event: SessionEndEvent | undefined, hold: boolean) => {
    const stopped = o.isStopped();
    if (hold && !stopped) event?.preventDefault();
    o.logger.info(`${what}: quitting so the store closes cleanly`, {
      reasons: event?.reasons?.join(',') ?? '',
      held: hold && !stopped,
    });
    if (!stopped) o.quit();
  };
  if (o.platform === 'win32') {
    const window = o.sessionWindow();
    window.on('query-session-end', (event) => ending('the Windows session is ending', event, true));
    window.on('session-end', (event) => ending('the Windows session ended', event, false));
  } else if (o.platform === 'darwin' || o.platform === 'linux') {
    o.powerMonitor.on('shutdown', (event) => ending('the system is shutting down', event, true));
  }
}
