/**
 * Which database the runtime opens: the command line's --database, else the settings (a PostgreSQL
 * URL gets its password back from the keychain), else the embedded server of the data folder. The
 * demo keeps its own embedded server so demo rows never mix with a real account's.
 *
 * The embedded server's password lives in the keychain when there is one; otherwise (and for the
 * demo) in a 0600 file in its data folder.
 */
import { join } from 'node:path';
import type { Settings } from '../../shared/settings.js';
import { type SecretStore, withStoredDatabasePassword } from '../secrets/index.js';
import { type EmbeddedPasswordVault, filePasswordVault, type StoreConfig } from '../store/index.js';

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
  if (choice.demo) return embeddedConfig(join(dataDir, 'demo'), null);
  const database = choice.settings.database;
  if (database.kind === 'postgres') {
    return { kind: 'postgres', url: await withStoredDatabasePassword(choice.secrets, database.url) };
  }
  return embeddedConfig(dataDir, choice.secrets);
}

/** The embedded store of `dataDir`; its password in `secrets` when they are the keychain. */
export function embeddedConfig(dataDir: string, secrets: SecretStore | null): StoreConfig {
  const passwordVault =
    secrets?.kind === 'keychain' ? keychainPasswordVault(secrets) : filePasswordVault(dataDir);
  return { kind: 'embedded', dataDir, passwordVault };
}

export function keychainPasswordVault(secrets: SecretStore): EmbeddedPasswordVault {
  return {
    where: 'keychain',
    read: () => secrets.get('database.embeddedPassword'),
    write: (password) => secrets.set('database.embeddedPassword', password),
  };
}

/** True when two configurations open the same database. */
export function sameStore(a: StoreConfig, b: StoreConfig): boolean {
  if (a.kind === 'embedded' && b.kind === 'embedded') return a.dataDir === b.dataDir;
  if (a.kind === 'postgres' && b.kind === 'postgres') return a.url === b.url;
  return false;
}
