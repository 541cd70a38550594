/**
 * The application menu. Electron installs a default one (View → Reload, Toggle Developer Tools,
 * with their Ctrl/Cmd+R and Ctrl+Shift+I / Alt+Cmd+I shortcuts) unless the app sets its own. The
 * packaged app has none on Windows and Linux (Menu.setApplicationMenu(null), which also removes the
 * menu bar from windows); on macOS, where a menu bar always exists and Cmd+C/V in text fields come
 * from the Edit menu's roles, a minimal one: app (About, Hide, Quit), Edit and Window. A
 * development run (not packaged) keeps Electron's default, DevTools included.
 */
import type { MenuItemConstructorOptions } from 'electron';

/** 'default': leave Electron's menu; null: no menu; otherwise the template to install. */
export type ApplicationMenuChoice = 'default' | null | MenuItemConstructorOptions[];

export function applicationMenu(o: {
  platform: NodeJS.Platform;
  isPackaged: boolean;
  appName: string;
}): ApplicationMenuChoice {
  if (!o.isPackaged) return 'default';
  if (o.platform !== 'darwin') return null;
  return [
    {
      label: o.appName,
      submenu: [
        { role: 'about' },
        { type: 'separator' },
        { role: 'hide' },
        { role: 'hideOthers' },
        { role: 'unhide' },
        { type: 'separator' },
        { role: 'quit' },
      ],
    },
    {
      label: 'Edit',
      submenu: [
        { role: 'undo' },
        { role: 'redo' },
        { type: 'separator' },
        { role: 'cut' },
        { role: 'copy' },
        { role: 'paste' },
        { role: 'selectAll' },
      ],
    },
    { label: 'Window', role: 'windowMenu' },
  ];
}
