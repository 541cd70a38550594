/**
 * Where the desktop app finds its built files, from the folder of the compiled desktop modules
 * (dist/main/desktop, also inside app.asar): renderer pages, the bundled preload, icons, the entry.
 */
import { join, resolve } from 'node:path';

/** The same path outside app.asar (its .unpacked twin); unchanged when not packaged. */
export function unpackedPath(path: string): string {
  return path.replace(/([\\/])app\.asar([\\/])/, '$1app.asar.unpacked$2');
}

export interface DesktopPaths {
  rendererDir: string;
  preload: string;
  /** Icons are unpacked next to app.asar (electron-builder.yml): real files for the tray and libnotify. */
  resources: string;
  entry: string;
  /** The sync engine's process (utilityProcess.fork): dist/main/engine-host/entry.js. */
  engineEntry: string;
}

export function desktopPaths(moduleDir: string): DesktopPaths {
  return {
    rendererDir: resolve(moduleDir, '../../renderer'),
    preload: join(moduleDir, 'preload.cjs'),
    resources: unpackedPath(resolve(moduleDir, '../../../resources')),
    entry: resolve(moduleDir, '../index.js'),
    engineEntry: resolve(moduleDir, '../engine-host/entry.js'),
  };
}
