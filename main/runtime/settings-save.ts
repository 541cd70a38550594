/**
 * The settings window's save, in plain steps: validate the patch, keep a database password out of
 * the settings (it goes to the keychain), try a changed database before anything is saved, apply
 * launch at login, store the password, then save, apply the intervals and switch the store.
 * Nothing is saved unless every step succeeded; a step that fails says which field and why.
 */

import { CallFailure } from '../../shared/call-result.js';
import {
  applySettingsPatch,
  type Settings,
  type SettingsPatch,
  type SettingsView,
} from '../../shared/settings.js';
import {
  clearDatabasePassword,
  DatabaseUrlError,
  databasePasswordStored,
  type KeychainStatus,
  splitDatabaseUrl,
  storeDatabasePassword,
} from '../secrets/index.js';
import { testPostgresConnection } from '../store/index.js';
import { errorMeta } from '../util/errors.js';
import type { RuntimeParts } from './runtime-parts.js';
import { effectiveDataDir, storeConfigFor } from './store-config.js';

export async function saveSettings(p: RuntimeParts, patch: SettingsPatch): Promise<SettingsView> {
  await p.keychain.ready();
  const current = p.options.settings.get();
  const applied = applySettingsPatch(current, patch);
  if (!applied.ok) throw CallFailure.invalid(applied.errors);
  const { settings: next, password } = withoutPassword(applied.settings, patch, p.keychain.status);

  // Try the new database before saving anything: a setting that cannot sync is not saved.
  const switchesStore = databaseChanged(current, next, password) && !p.options.databaseUrl && !p.demo;
  if (switchesStore && next.database.kind === 'postgres') {
    const typed = password && patch.database?.kind === 'postgres' ? patch.database.url : null;
    const probe = await testPostgresConnection(typed ?? (await storedUrlOf(p, next)));
    if (!probe.ok) throw CallFailure.invalid({ database: probe.message });
  }
  if (next.launchAtLogin !== current.launchAtLogin) await applyLaunchAtLogin(p, next.launchAtLogin);
  await keepDatabasePassword(p, patch, password);

  p.options.settings.set(next);
  p.engine.setIntervals(next.syncIntervalSeconds, next.tradeHistoryIntervalSeconds);
  if (switchesStore && p.stores.current) {
    try {
      await p.stores.openFor(next);
    } catch (error) {
      p.logger.error('the new database could not be opened', errorMeta(error));
    }
  }
  const view = await settingsViewOf(p, next);
  p.events.emit('settingsChanged', view);
  return view;
}

export async function settingsViewOf(p: RuntimeParts, settings: Settings): Promise<SettingsView> {
  await p.keychain.ready();
  return {
    settings,
    databasePasswordStored: await databasePasswordStored(p.keychain.secrets).catch(() => false),
    effectiveDataDir: effectiveDataDir(settings, p.options.dataDir),
    logDir: p.logDir,
  };
}

/** Test connection with the stored password when the URL has none and names the saved server. */
export async function withStoredPasswordIfMissing(p: RuntimeParts, url: string): Promise<string> {
  const settings = p.options.settings.get();
  try {
    const split = splitDatabaseUrl(url);
    if (split.password || settings.database.kind !== 'postgres' || settings.database.url !== split.url)
      return url;
    return (await storedUrlOf(p, settings)) || url;
  } catch {
    return url;
  }
}

/** A PostgreSQL URL's password goes to the keychain; the settings keep the URL without it. */
function withoutPassword(
  settings: Settings,
  patch: SettingsPatch,
  keychain: KeychainStatus,
): { settings: Settings; password: string | null } {
  if (patch.database?.kind !== 'postgres') return { settings, password: null };
  let split: { url: string; password: string | null };
  try {
    split = splitDatabaseUrl(patch.database.url);
  } catch (error) {
    const message = error instanceof DatabaseUrlError ? error.message : 'Database URL is not valid.';
    throw CallFailure.invalid({ database: message });
  }
  if (split.password && !keychain.available) {
    throw CallFailure.invalid({
      database: `The password cannot be kept safely: ${keychain.problem ?? 'the keychain is unavailable'}. Use a URL without a password (e.g. with a .pgpass file).`,
    });
  }
  return {
    settings: { ...settings, database: { kind: 'postgres', url: split.url } },
    password: split.password,
  };
}

function databaseChanged(current: Settings, next: Settings, password: string | null): boolean {
  return (
    JSON.stringify(next.database) !== JSON.stringify(current.database) ||
    next.dataDir !== current.dataDir ||
    password !== null
  );
}

/** The settings' PostgreSQL URL with the password the keychain holds ("" on the embedded store). */
async function storedUrlOf(p: RuntimeParts, settings: Settings): Promise<string> {
  const config = await storeConfigFor({
    settings,
    defaultDataDir: p.options.dataDir,
    demo: false,
    secrets: p.keychain.secrets,
  });
  return config.kind === 'postgres' ? config.url : '';
}

async function applyLaunchAtLogin(p: RuntimeParts, enabled: boolean): Promise<void> {
  const hook = p.options.platform?.setLaunchAtLogin;
  if (!hook)
    throw CallFailure.invalid({ launchAtLogin: 'Launch at login is only available in the desktop app.' });
  try {
    await hook(enabled);
  } catch (error) {
    p.logger.warn('launch at login could not be changed', errorMeta(error));
    throw CallFailure.invalid({ launchAtLogin: 'The login item could not be changed; see the log.' });
  }
}

async function keepDatabasePassword(
  p: RuntimeParts,
  patch: SettingsPatch,
  password: string | null,
): Promise<void> {
  try {
    if (patch.database?.kind === 'postgres') {
      if (password) await storeDatabasePassword(p.keychain.secrets, patch.database.url);
    } else if (patch.database?.kind === 'embedded') {
      await clearDatabasePassword(p.keychain.secrets).catch(() => undefined);
    }
  } catch (error) {
    p.logger.warn('the database password could not be stored', errorMeta(error));
    throw CallFailure.invalid({ database: 'The password could not be stored in the keychain.' });
  }
}
