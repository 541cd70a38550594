/**
 * Starts the built desktop app (dist/main/index.js, the real `startDesktopApp`) as its own Node
 * process with the Electron stand-in (electron-stand-in/), and gives a test what a user has: the
 * tray (icon, tooltip, menu; click an item), the windows (real Chromium pages, driven with
 * Playwright over the DevTools protocol), and what the stand-in saw (engine processes started and
 * ended, notifications, the app's exit).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';

export const ROOT = join(import.meta.dirname, '../..');
export const APP_ENTRY = join(ROOT, 'dist/main/index.js');
const REGISTER = join(import.meta.dirname, 'electron-stand-in/register.mjs');

/** The built files the harness runs; `npm run build` makes them. */
export function builtAppProblem(): string | null {
  for (const file of [
    'dist/main/index.js',
    'dist/main/engine-host/entry.js',
    'dist/main/desktop/preload.cjs',
  ]) {
    if (!existsSync(join(ROOT, file))) return `${file} is missing: run npm run build first.`;
  }
  return null;
}

export interface TrayItemReport {
  id: string | null;
  type: string;
  label: string;
  enabled: boolean;
  checked: boolean;
}
export interface TrayReport {
  icon: string | null;
  tooltip: string;
  menu: TrayItemReport[];
}
export interface StandInReport {
  standIn: string;
  [key: string]: unknown;
}

export interface LaunchOptions {
  dataDir: string;
  args?: string[];
  env?: Record<string, string>;
}

export class DesktopAppProcess {
  readonly reports: StandInReport[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly listeners = new Set<() => void>();
  private browser: Browser | null = null;

  private constructor(readonly child: ChildProcess) {
    child.on('message', (message: StandInReport) => {
      if (!message || typeof message.standIn !== 'string') return;
      this.reports.push(message);
      for (const listener of this.listeners) listener();
    });
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  static launch(o: LaunchOptions): DesktopAppProcess {
    const child = fork(APP_ENTRY, [`--data-dir=${o.dataDir}`, ...(o.args ?? [])], {
      execArgv: ['--import', REGISTER],
      env: { ...process.env, ...o.env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'advanced',
    });
    return new DesktopAppProcess(child);
  }

  /** Resolves with the first truthy value of `read`, checked now and after every report. */
  waitFor<T>(read: () => T | null | undefined | false, what: string, timeoutMs = 60_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const value = read();
        if (!value) return false;
        done();
        resolve(value);
        return true;
      };
      const timer = setTimeout(() => {
        done();
        reject(
          new Error(
            `timed out after ${timeoutMs} ms waiting for ${what}; last tray: ${JSON.stringify(this.tray())}`,
          ),
        );
      }, timeoutMs);
      const poll = setInterval(check, 250);
      const done = () => {
        clearTimeout(timer);
        clearInterval(poll);
        this.listeners.delete(check);
      };
      if (!check()) this.listeners.add(check);
    });
  }

  reportsOf(kind: string): StandInReport[] {
    return this.reports.filter((r) => r.standIn === kind);
  }

  tray(): TrayReport | null {
    const last = this.reportsOf('tray').at(-1);
    return last ? (last as unknown as TrayReport) : null;
  }

  waitForTray(
    predicate: (tray: TrayReport) => boolean,
    what: string,
    timeoutMs = 60_000,
  ): Promise<TrayReport> {
    return this.waitFor(
      () => {
        const tray = this.tray();
        return tray && predicate(tray) ? tray : null;
      },
      `the tray to show ${what}`,
      timeoutMs,
    );
  }

  /** Clicks a tray menu item; resolves once the app ran its click handler. */
  async clickTray(id: string): Promise<void> {
    const before = this.reportsOf('tray-clicked').length;
    this.child.send({ standIn: 'tray-click', id });
    const clicked = await this.waitFor(
      () => this.reportsOf('tray-clicked')[before],
      `the click on "${id}"`,
      10_000,
    );
    if (!clicked.clicked) throw new Error(`the tray item "${id}" is missing or disabled`);
  }

  /** Process ids of the engine processes the app started, in order. */
  enginePids(): number[] {
    return this.reportsOf('utility-spawn').map((r) => r.pid as number);
  }

  engineExit(pid: number): { code: number; signal: string | null } | null {
    const exit = this.reportsOf('utility-exit').find((r) => r.pid === pid);
    return exit ? { code: exit.code as number, signal: (exit.signal as string | null) ?? null } : null;
  }

  /** The window showing `file` (status.html / settings.html), once it loaded. */
  async page(file: string, timeoutMs = 60_000): Promise<Page> {
    await this.waitFor(
      () => this.reportsOf('window-loaded').some((r) => String(r.url).endsWith(`/${file}`)),
      `a window with ${file}`,
      timeoutMs,
    );
    const browser = await this.connect();
    const find = () =>
      browser
        .contexts()
        .flatMap((c) => c.pages())
        .find((p) => p.url().endsWith(`/${file}`));
    return this.waitFor(find, `the page of ${file}`, 10_000);
  }

  private async connect(): Promise<Browser> {
    if (this.browser?.isConnected()) return this.browser;
    const report = await this.waitFor(() => this.reportsOf('browser').at(-1), 'the browser');
    this.browser = await chromium.connectOverCDP(report.cdpUrl as string);
    return this.browser;
  }

  /** Ends the app if it still runs (a failed test), and the DevTools connection. */
  async close(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGKILL');
      await this.exited;
    }
    for (const pid of this.enginePids()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone, as it should be.
      }
    }
    await this.browser?.close().catch(() => undefined);
  }
}

/** True while a process with this id exists. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
