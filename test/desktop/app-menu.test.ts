/** The packaged app's menu: no Reload or DevTools anywhere; a minimal macOS menu; dev keeps Electron's. */
import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import { applicationMenu } from '../../main/desktop/app-menu.js';

const roles = (items: MenuItemConstructorOptions[]): string[] =>
  items.flatMap((i) => [
    ...(i.role ? [i.role] : []),
    ...(Array.isArray(i.submenu) ? roles(i.submenu as MenuItemConstructorOptions[]) : []),
  ]);

describe('applicationMenu', () => {
  it('packaged Windows and Linux: no menu at all (no Reload / DevTools shortcuts)', () => {
    for (const platform of ['win32', 'linux'] as const) {
      expect(applicationMenu({ platform, isPackaged: true, appName: 'Magnus Sync' })).toBeNull();
    }
  });

  it('packaged macOS: app, Edit and Window menus only', () => {
    const menu = applicationMenu({ platform: 'darwin', isPackaged: true, appName: 'Magnus Sync' });
    expect(Array.isArray(menu)).toBe(true);
    const template = menu as MenuItemConstructorOptions[];
    expect(template.map((i) => i.label)).toEqual(['Magnus Sync', 'Edit', 'Window']);
    const all = roles(template);
    for (const needed of ['quit', 'copy', 'paste', 'selectAll', 'windowMenu']) expect(all).toContain(needed);
    for (const banned of ['reload', 'forceReload', 'toggleDevTools', 'viewMenu', 'help', 'fileMenu']) {
      expect(all).not.toContain(banned);
    }
    expect(template.some((i) => i.accelerator)).toBe(false);
  });

  it('development runs keep Electron’s default menu', () => {
    expect(applicationMenu({ platform: 'linux', isPackaged: false, appName: 'x' })).toBe('default');
  });
});
