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
  startedAtLogin,
} from '../../main/desktop/autostart.js';

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
