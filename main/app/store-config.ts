/**
 * Which database the runtime opens: the command line's --database, else the settings (a PostgreSQL
 * URL gets its password back from the keychain), else the embedded one in the data folder. The demo
 * keeps its own embedded database so demo rows never mix with a real account's.
 */
import { join } from 'node:path';
import type { Settings } from '../../shared/settings.js';
import { type SecretStore, withStoredDatabasePassword } from '../secrets/index.js';
import type { StoreConfig } from '../store/index.js';

export interface StoreChoice {
  settings: Settings;
  /** The host's default data folder (used when settings.dataDir is null). */
  defaultDataDir: string;
  /** --database on the command line; wins over the settings. */
  databaseUrl?: string | undefined;
  demo: boolean;
  secrets: SecretStore;
}

export function effectiveDataDir(settings: Settings, defaultDataDir: string): string {
  return settings.dataDir ?? defaultDataDir;
}

export async function storeConfigFor(choice: StoreChoice): Promise<StoreConfig> {
  if (choice.databaseUrl) return { kind: 'postgres', url: choice.databaseUrl };
  const dataDir = effectiveDataDir(choice.settings, choice.defaultDataDir);
  if (choice.demo) return { kind: 'embedded', dataDir: join(dataDir, 'demo') };
  const database = choice.settings.database;
  if (database.kind === 'postgres') {
    return { kind: 'postgres', url: await withStoredDatabasePassword(choice.secrets, database.url) };
  }
  return { kind: 'embedded', dataDir };
}

/** True when two configurations open the same database. */
export function sameStore(a: StoreConfig, b: StoreConfig): boolean {
  if (a.kind === 'embedded' && b.kind === 'embedded') return a.dataDir === b.dataDir;
  if (a.kind === 'postgres' && b.kind === 'postgres') return a.url === b.url;
  return false;
}
