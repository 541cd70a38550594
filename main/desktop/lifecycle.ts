/**
 * Quitting: the first `before-quit` is held back until the runtime has stopped (the running cycle
 * finishes or rolls back, the store closes), then the app quits for real. A runtime that does not
 * stop within the timeout does not keep the app alive.
 */

import { errorMeta } from '../util/errors.js';
import type { Logger } from '../util/logger.js';

export const DEFAULT_STOP_TIMEOUT_MS = 15_000;

export interface QuitCoordinatorOptions {
  stop(): Promise<void>;
  /** Quits again once stopped (app.quit). */
  quit(): void;
  logger: Logger;
  timeoutMs?: number;
  setTimeout?: (fn: () => void, ms: number) => unknown;
}

export class QuitCoordinator {
  private state: 'running' | 'stopping' | 'stopped' = 'running';

  constructor(private readonly o: QuitCoordinatorOptions) {}

  get phase(): 'running' | 'stopping' | 'stopped' {
    return this.state;
  }

  /** For app.on('before-quit'). */
  onBeforeQuit(event: { preventDefault(): void }): void {
    if (this.state === 'stopped') return;
    event.preventDefault();
    if (this.state === 'stopping') return;
    this.state = 'stopping';
    void this.stopThenQuit();
  }

  private async stopThenQuit(): Promise<void> {
    const timeoutMs = this.o.timeoutMs ?? DEFAULT_STOP_TIMEOUT_MS;
    const schedule = this.o.setTimeout ?? ((fn, ms) => setTimeout(fn, ms).unref());
    let timedOut = false;
    const timeout = new Promise<void>((resolve) => {
      schedule(() => {
        timedOut = true;
        resolve();
      }, timeoutMs);
    });
    try {
      await Promise.race([this.o.stop(), timeout]);
      if (timedOut)
        this.o.logger.warn(`the sync engine did not stop within ${timeoutMs} ms; quitting anyway`);
    } catch (error) {
      this.o.logger.error('stopping the sync engine failed; quitting anyway', errorMeta(error));
    }
    this.state = 'stopped';
    this.o.quit();
  }
}

/** What a launch does: a login start stays in the tray; a manual one opens the status window. */
export function initialWindow(o: { startedAtLogin: boolean }): 'status' | null {
  return o.startedAtLogin ? null : 'status';
}

export interface DesktopArgs {
  /** Started by the login item / autostart entry. */
  hidden: boolean;
  /** Sync the built-in simulator (demo data). */
  demo: boolean;
  /** Another data folder (a second profile, or an end-to-end test). */
  dataDir: string | null;
  /** --api-url: the broker's base URL, as for magnus-sync (a simulator in tests); checked by the caller. */
  apiUrl: string | null;
}

/** Reads our flags out of Electron's argv, ignoring Chromium's and anything unknown. */
export function parseDesktopArgs(argv: readonly string[]): DesktopArgs {
  const args: DesktopArgs = { hidden: false, demo: false, dataDir: null, apiUrl: null };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--hidden') args.hidden = true;
    else if (arg === '--demo') args.demo = true;
    else if (arg.startsWith('--data-dir=')) args.dataDir = arg.slice('--data-dir='.length) || null;
    else if (arg === '--data-dir' && argv[i + 1] && !argv[i + 1]!.startsWith('--')) args.dataDir = argv[++i]!;
    else if (arg.startsWith('--api-url=')) args.apiUrl = arg.slice('--api-url='.length) || null;
  }
  return args;
}
