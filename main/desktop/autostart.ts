/**
 * Launch at login.
 * - macOS and Windows: Electron's login item (`app.setLoginItemSettings`), passed in as `LoginItems`.
 *   Windows starts us with `--hidden`; macOS reports `wasOpenedAtLogin` instead (args are ignored).
 * - Linux: `setLoginItemSettings` does nothing there, so we write an XDG autostart entry,
 *   `$XDG_CONFIG_HOME/autostart/magnus-sync.desktop`, that starts the app with `--hidden`.
 * Started at login → the app stays in the tray and opens no window.
 *
 * The OS entry is the truth: a user can remove it outside the app (System Settings → Login Items,
 * Task Manager → Startup, deleting the autostart file). At start the setting is reconciled with it
 * (reconcileLaunchAtLogin) rather than the entry being written again.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Logger } from '../util/logger.js';

export const HIDDEN_FLAG = '--hidden';
export const AUTOSTART_FILE_NAME = 'magnus-sync.desktop';

export interface LaunchCommand {
  command: string;
  args: string[];
}

/**
 * What starts this app: the AppImage file itself (its mount point changes every run), the packaged
 * executable, or in development the Electron binary plus our entry script.
 */
export function launchCommand(o: {
  execPath: string;
  isPackaged: boolean;
  appEntry: string;
  env: NodeJS.ProcessEnv;
}): LaunchCommand {
  if (o.env.APPIMAGE) return { command: o.env.APPIMAGE, args: [] };
  if (o.isPackaged) return { command: o.execPath, args: [] };
  return { command: o.execPath, args: [o.appEntry] };
}

const RESERVED = /[\s"'\\><~|&;$*?#()`]/;

/** One argument of an Exec key, quoted and escaped as the Desktop Entry spec asks. */
export function quoteExecArg(arg: string): string {
  if (/[\r\n]/.test(arg)) throw new Error('An Exec argument cannot contain a line break.');
  const percent = arg.replace(/%/g, '%%');
  if (arg !== '' && !RESERVED.test(arg)) return percent;
  // Inside quotes, " ` $ \ take a backslash; the string-value escaping then doubles every backslash.
  const quoted = percent.replace(/(["`$\\])/g, '\\$1');
  return `"${quoted.replace(/\\/g, '\\\\')}"`;
}

export function desktopEntry(o: { command: LaunchCommand; name?: string; comment?: string }): string {
  const exec = [o.command.command, ...o.command.args, HIDDEN_FLAG].map(quoteExecArg).join(' ');
  const oneLine = (s: string) => s.replace(/[\r\n]+/g, ' ');
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Version=1.0',
    `Name=${oneLine(o.name ?? 'Magnus Sync')}`,
    `Comment=${oneLine(o.comment ?? 'Keeps a Robinhood account mirrored into PostgreSQL')}`,
    `Exec=${exec}`,
    'Icon=magnus-sync',
    'Terminal=false',
    'NoDisplay=true',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

export function autostartFilePath(env: NodeJS.ProcessEnv = process.env, home = homedir()): string {
  const config = env.XDG_CONFIG_HOME?.startsWith('/') ? env.XDG_CONFIG_HOME : join(home, '.config');
  return join(config, 'autostart', AUTOSTART_FILE_NAME);
}

/** True when an autostart file's content would start the app (not disabled by the desktop). */
export function autostartEnabledIn(content: string): boolean {
  const lines = content.split(/\r?\n/).map((l) => l.trim());
  if (!lines.includes('[Desktop Entry]')) return false;
  if (lines.some((l) => /^Hidden\s*=\s*true$/i.test(l))) return false;
  if (lines.some((l) => /^X-GNOME-Autostart-enabled\s*=\s*false$/i.test(l))) return false;
  return lines.some((l) => l.startsWith('Exec='));
}

export class LinuxAutostart {
  constructor(
    private readonly file: string,
    private readonly command: LaunchCommand,
  ) {}

  async set(enabled: boolean): Promise<void> {
    if (!enabled) {
      await rm(this.file, { force: true });
      return;
    }
    await mkdir(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    await writeFile(tmp, desktopEntry({ command: this.command }), { mode: 0o644 });
    await rename(tmp, this.file);
  }

  async isEnabled(): Promise<boolean> {
    try {
      return autostartEnabledIn(await readFile(this.file, 'utf8'));
    } catch {
      return false;
    }
  }

  /** An enabled entry that starts another path (an AppImage that moved) is rewritten; nothing else. */
  async refresh(): Promise<boolean> {
    let content: string;
    try {
      content = await readFile(this.file, 'utf8');
    } catch {
      return false;
    }
    if (!autostartEnabledIn(content) || content === desktopEntry({ command: this.command })) return false;
    await this.set(true);
    return true;
  }
}

/** The part of Electron's `app` this module uses (macOS and Windows). */
export interface LoginItems {
  setLoginItemSettings(settings: { openAtLogin: boolean; path?: string; args?: string[] }): void;
  /** Windows compares `path` and `args` with the registered entry (defaults: execPath, no args). */
  getLoginItemSettings(options?: { path?: string; args?: string[] }): {
    openAtLogin: boolean;
    wasOpenedAtLogin?: boolean;
    /** Windows: false when the entry is disabled in Task Manager → Startup. */
    executableWillLaunchAtLogin?: boolean;
  };
}

export interface LaunchAtLogin {
  set(enabled: boolean): Promise<void>;
  /** What the OS will do at the next login. */
  isEnabled(): Promise<boolean>;
  /** Linux: rewrites an enabled entry whose command is out of date; true when it did. */
  refresh?(): Promise<boolean>;
}

export function createLaunchAtLogin(o: {
  platform: NodeJS.Platform;
  loginItems: LoginItems;
  command: LaunchCommand;
  autostartFile?: string;
}): LaunchAtLogin | null {
  if (o.platform === 'darwin') {
    return {
      set: async (enabled) => o.loginItems.setLoginItemSettings({ openAtLogin: enabled }),
      isEnabled: async () => o.loginItems.getLoginItemSettings().openAtLogin,
    };
  }
  if (o.platform === 'win32') {
    // The same path and arguments for writing and reading: Windows matches the entry by both.
    const entry = { path: o.command.command, args: [...o.command.args, HIDDEN_FLAG] };
    return {
      set: async (enabled) => o.loginItems.setLoginItemSettings({ openAtLogin: enabled, ...entry }),
      isEnabled: async () => {
        const state = o.loginItems.getLoginItemSettings(entry);
        return state.openAtLogin && state.executableWillLaunchAtLogin !== false;
      },
    };
  }
  if (o.platform === 'linux' || o.platform === 'freebsd' || o.platform === 'openbsd') {
    return new LinuxAutostart(o.autostartFile ?? autostartFilePath(), o.command);
  }
  return null;
}

/**
 * At start: the setting follows the OS entry (removed or added outside the app); the entry itself
 * is not written again, except a Linux entry whose command moved. Returns the state now in force.
 */
export async function reconcileLaunchAtLogin(o: {
  launchAtLogin: LaunchAtLogin;
  setting: boolean;
  saveSetting(enabled: boolean): void;
  logger: Logger;
}): Promise<boolean> {
  const enabled = await o.launchAtLogin.isEnabled();
  if (enabled !== o.setting) {
    o.logger.info('launch at login was changed outside the app; the setting follows the system', {
      enabled,
    });
    o.saveSetting(enabled);
  }
  if (enabled && (await o.launchAtLogin.refresh?.())) {
    o.logger.info('the login entry pointed at an old path; updated it');
  }
  return enabled;
}

/** Started by the login item or autostart entry: stay in the tray. */
export function startedAtLogin(o: {
  argv: readonly string[];
  platform: NodeJS.Platform;
  loginItems?: Pick<LoginItems, 'getLoginItemSettings'>;
}): boolean {
  if (o.argv.includes(HIDDEN_FLAG)) return true;
  if (o.platform === 'darwin' && o.loginItems) {
    try {
      return o.loginItems.getLoginItemSettings().wasOpenedAtLogin === true;
    } catch {
      return false;
    }
  }
  return false;
}
