import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  autostartEnabledIn,
  autostartFilePath,
  createLaunchAtLogin,
  desktopEntry,
  LinuxAutostart,
  launchCommand,
  quoteExecArg,
  reconcileLaunchAtLogin,
  startedAtLogin,
} from '../../main/desktop/autostart.js';
import { collectingLogger } from '../../main/util/logger.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describe('launch command', () => {
  it('AppImage file, packaged executable, or Electron plus our entry in development', () => {
    const base = { execPath: '/opt/x/magnus-sync', appEntry: '/src/dist/main/index.js' };
    expect(
      launchCommand({ ...base, isPackaged: true, env: { APPIMAGE: '/home/u/Magnus.AppImage' } }),
    ).toEqual({
      command: '/home/u/Magnus.AppImage',
      args: [],
    });
    expect(launchCommand({ ...base, isPackaged: true, env: {} })).toEqual({
      command: '/opt/x/magnus-sync',
      args: [],
    });
    expect(launchCommand({ ...base, isPackaged: false, env: {} })).toEqual({
      command: '/opt/x/magnus-sync',
      args: ['/src/dist/main/index.js'],
    });
  });
});

describe('.desktop content', () => {
  it('quotes Exec arguments as the Desktop Entry spec asks', () => {
    expect(quoteExecArg('/usr/bin/magnus')).toBe('/usr/bin/magnus');
    expect(quoteExecArg('/opt/Magnus Sync/magnus')).toBe('"/opt/Magnus Sync/magnus"');
    expect(quoteExecArg('a"b$c`d')).toBe('"a\\\\"b\\\\$c\\\\`d"');
    expect(quoteExecArg('back\\slash')).toBe('"back\\\\\\\\slash"');
    expect(quoteExecArg('100%')).toBe('100%%');
    expect(quoteExecArg('')).toBe('""');
    expect(() => quoteExecArg('a\nb')).toThrow(/line break/);
  });

  it('starts hidden, is not shown in menus, and is enabled for GNOME', () => {
    const text = desktopEntry({ command: { command: '/opt/Magnus Sync/magnus-sync', args: [] } });
    expect(text.split('\n')).toEqual(
      expect.arrayContaining([
        '[Desktop Entry]',
        'Type=Application',
        'Name=Magnus Sync',
        'Exec="/opt/Magnus Sync/magnus-sync" --hidden',
        'NoDisplay=true',
        'X-GNOME-Autostart-enabled=true',
      ]),
    );
    expect(text.startsWith('[Desktop Entry]\n')).toBe(true);
    expect(autostartEnabledIn(text)).toBe(true);
    expect(autostartEnabledIn(`${text}Hidden=true\n`)).toBe(false);
    expect(
      autostartEnabledIn(text.replace('X-GNOME-Autostart-enabled=true', 'X-GNOME-Autostart-enabled=false')),
    ).toBe(false);
  });

  it('lives in $XDG_CONFIG_HOME/autostart, else ~/.config/autostart', () => {
    expect(autostartFilePath({ XDG_CONFIG_HOME: '/x/cfg' }, '/home/u')).toBe(
      '/x/cfg/autostart/magnus-sync.desktop',
    );
    expect(autostartFilePath({ XDG_CONFIG_HOME: 'relative' }, '/home/u')).toBe(
      '/home/u/.config/autostart/magnus-sync.desktop',
    );
    expect(autostartFilePath({}, '/home/u')).toBe('/home/u/.config/autostart/magnus-sync.desktop');
  });
});

describe('LinuxAutostart on a real folder', () => {
  it('writes, reports and removes the entry', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'magnus-autostart-'));
    dirs.push(dir);
    const file = autostartFilePath({ XDG_CONFIG_HOME: dir });
    const auto = new LinuxAutostart(file, {
      command: '/usr/bin/electron',
      args: ['/app/dist/main/index.js'],
    });
    expect(await auto.isEnabled()).toBe(false);
    await auto.set(true);
    expect(await auto.isEnabled()).toBe(true);
    expect(await readFile(file, 'utf8')).toContain('Exec=/usr/bin/electron /app/dist/main/index.js --hidden');
    expect((await stat(file)).mode & 0o777).toBe(0o644);
    await writeFile(file, (await readFile(file, 'utf8')).replace('=true', '=true\nHidden=true'));
    expect(await auto.isEnabled()).toBe(false);
    await auto.set(false);
    await expect(stat(file)).rejects.toThrow();
    await auto.set(false); // idempotent
  });
});

describe('login items on macOS and Windows', () => {
  const loginItems = () => ({
    setLoginItemSettings: vi.fn(),
    getLoginItemSettings: vi.fn(() => ({ openAtLogin: true, wasOpenedAtLogin: true })),
  });

  it('Windows passes the executable and --hidden; macOS only openAtLogin', async () => {
    const win = loginItems();
    await createLaunchAtLogin({
      platform: 'win32',
      loginItems: win,
      command: { command: 'C:\\Magnus\\Magnus Sync.exe', args: [] },
    })?.set(true);
    expect(win.setLoginItemSettings).toHaveBeenCalledWith({
      openAtLogin: true,
      path: 'C:\\Magnus\\Magnus Sync.exe',
      args: ['--hidden'],
    });
    const mac = loginItems();
    const launch = createLaunchAtLogin({
      platform: 'darwin',
      loginItems: mac,
      command: { command: '/x', args: [] },
    });
    await launch?.set(false);
    expect(mac.setLoginItemSettings).toHaveBeenCalledWith({ openAtLogin: false });
    expect(await launch?.isEnabled()).toBe(true);
  });

  it('Linux uses the autostart file; unknown platforms have none', () => {
    const items = loginItems();
    expect(
      createLaunchAtLogin({ platform: 'linux', loginItems: items, command: { command: '/x', args: [] } }),
    ).toBeInstanceOf(LinuxAutostart);
    expect(
      createLaunchAtLogin({ platform: 'aix', loginItems: items, command: { command: '/x', args: [] } }),
    ).toBeNull();
    expect(items.setLoginItemSettings).not.toHaveBeenCalled();
  });

  it('started at login: --hidden anywhere, or macOS wasOpenedAtLogin', () => {
    expect(startedAtLogin({ argv: ['/x', '--hidden'], platform: 'linux' })).toBe(true);
    expect(startedAtLogin({ argv: ['/x'], platform: 'linux' })).toBe(false);
    expect(startedAtLogin({ argv: ['/x'], platform: 'darwin', loginItems: loginItems() })).toBe(true);
    expect(startedAtLogin({ argv: ['/x'], platform: 'win32', loginItems: loginItems() })).toBe(false);
  });
});

/**
 * Electron's Windows login items as documented: one Run entry per executable; reading compares the
 * given path and args (defaults: process.execPath, no args) with it; Task Manager can disable it.
 */
function windowsRunKey(execPath: string) {
  let entry: { path: string; args: string[] } | null = null;
  let approved = true;
  return {
    disableInTaskManager: () => {
      approved = false;
    },
    setLoginItemSettings(s: { openAtLogin: boolean; path?: string; args?: string[] }) {
      entry = s.openAtLogin ? { path: s.path ?? execPath, args: s.args ?? [] } : null;
    },
    getLoginItemSettings(o: { path?: string; args?: string[] } = {}) {
      const path = o.path ?? execPath;
      const args = o.args ?? [];
      const sameExe = entry !== null && entry.path === path;
      return {
        openAtLogin: sameExe && JSON.stringify(entry?.args) === JSON.stringify(args),
        executableWillLaunchAtLogin: sameExe && approved,
      };
    },
  };
}

describe('Windows: reading the login item back', () => {
  it('asks with the registered path and arguments, and sees a Task Manager disable', async () => {
    const runKey = windowsRunKey('C:\\Program Files\\Electron\\electron.exe');
    const launch = createLaunchAtLogin({
      platform: 'win32',
      loginItems: runKey,
      command: { command: 'C:\\Program Files\\Electron\\electron.exe', args: ['C:\\app\\index.js'] },
    })!;
    expect(await launch.isEnabled()).toBe(false);
    await launch.set(true);
    expect(await launch.isEnabled()).toBe(true);
    runKey.disableInTaskManager();
    expect(await launch.isEnabled()).toBe(false);
  });
});

describe('reconcileLaunchAtLogin (Linux autostart file on a real folder)', () => {
  const setup = async (command = '/opt/Magnus/magnus-sync') => {
    const dir = await mkdtemp(join(tmpdir(), 'magnus-reconcile-'));
    dirs.push(dir);
    const file = autostartFilePath({ XDG_CONFIG_HOME: dir });
    return { file, auto: new LinuxAutostart(file, { command, args: [] }) };
  };
  const reconcile = async (auto: LinuxAutostart, setting: boolean) => {
    const saved: boolean[] = [];
    const now = await reconcileLaunchAtLogin({
      launchAtLogin: auto,
      setting,
      saveSetting: (enabled) => saved.push(enabled),
      logger: collectingLogger(),
    });
    return { now, saved };
  };

  it('entry removed outside the app: the setting turns off and the entry stays gone', async () => {
    const { file, auto } = await setup();
    const r = await reconcile(auto, true);
    expect(r).toEqual({ now: false, saved: [false] });
    await expect(stat(file)).rejects.toThrow();
  });

  it('entry disabled by the desktop (Hidden=true): the setting turns off, the file is left alone', async () => {
    const { file, auto } = await setup();
    await auto.set(true);
    const disabled = `${await readFile(file, 'utf8')}Hidden=true\n`;
    await writeFile(file, disabled);
    expect(await reconcile(auto, true)).toEqual({ now: false, saved: [false] });
    expect(await readFile(file, 'utf8')).toBe(disabled);
  });

  it('entry added outside the app: the setting turns on', async () => {
    const { auto } = await setup();
    await auto.set(true);
    expect(await reconcile(auto, false)).toEqual({ now: true, saved: [true] });
  });

  it('enabled entry of a moved AppImage: rewritten with the new path; a current one untouched', async () => {
    const old = await setup('/home/u/Downloads/Magnus-0.1.0.AppImage');
    await old.auto.set(true);
    const moved = new LinuxAutostart(old.file, { command: '/home/u/Apps/Magnus.AppImage', args: [] });
    expect(await reconcile(moved, true)).toEqual({ now: true, saved: [] });
    expect(await readFile(old.file, 'utf8')).toContain('Exec=/home/u/Apps/Magnus.AppImage --hidden');
    const before = (await stat(old.file)).mtimeMs;
    await new Promise((r) => setTimeout(r, 20));
    expect(await reconcile(moved, true)).toEqual({ now: true, saved: [] });
    expect((await stat(old.file)).mtimeMs).toBe(before);
  });
});
