/**
 * Where Magnus Sync keeps its files. The default data folder is the one Electron uses as userData
 * for the app ("<appData>/Magnus Sync"), so the desktop app and `magnus-sync` share the embedded
 * database, settings and logs (one of them runs the embedded server; the other is told so, and
 * read-only commands use the running server).
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

export const APP_FOLDER_NAME = 'Magnus Sync';

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', APP_FOLDER_NAME);
  if (platform === 'win32')
    return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), APP_FOLDER_NAME);
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), APP_FOLDER_NAME);
}

export interface DataPaths {
  dataDir: string;
  /** The embedded database's folder lives inside: <dataDir>/pgdata. */
  logDir: string;
  /** Headless settings (the desktop app's electron-store uses the same file name). */
  settingsFile: string;
}

export function dataPaths(dataDir: string): DataPaths {
  return { dataDir, logDir: join(dataDir, 'logs'), settingsFile: join(dataDir, 'settings.json') };
}
