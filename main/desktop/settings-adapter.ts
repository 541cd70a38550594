/**
 * Settings on top of a key-value store (electron-store in the desktop app): the settings object is
 * kept under the key "settings" of <dataDir>/settings.json, the same file and layout the headless
 * CLI uses (main/runtime/settings-file.ts), so both hosts share one set of settings.
 *
 * The store validates writes against a JSON Schema derived from the shared zod schema. A file the
 * schema rejects is not cleared: the app starts on the defaults (with a warning) and the next save
 * replaces it, as the headless host does.
 */
import { z } from 'zod';
import { DEFAULT_SETTINGS, type Settings, settingsSchema } from '../../shared/settings.js';
import type { SettingsStore } from '../runtime/runtime-types.js';
import { errorMeta } from '../util/errors.js';
import type { Logger } from '../util/logger.js';

export const SETTINGS_KEY = 'settings';
export const SETTINGS_FILE_NAME = 'settings';

export interface SettingsBacking {
  get(key: typeof SETTINGS_KEY): unknown;
  set(key: typeof SETTINGS_KEY, value: unknown): void;
}

/** JSON Schema (2020-12, as conf's Ajv reads it) of the settings value; fields may be missing. */
export function settingsJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(settingsSchema, { unrepresentable: 'any' }) as Record<string, unknown>;
  const { $schema: _dialect, required: _required, ...rest } = schema;
  return rest;
}

export function settingsStoreOver(backing: SettingsBacking, logger: Logger): SettingsStore {
  let warned = false;
  return {
    get(): Settings {
      const stored = backing.get(SETTINGS_KEY);
      if (stored === undefined || stored === null || typeof stored !== 'object') return DEFAULT_SETTINGS;
      const parsed = settingsSchema.safeParse({ ...DEFAULT_SETTINGS, ...(stored as object) });
      if (parsed.success) return parsed.data;
      if (!warned) {
        warned = true;
        logger.warn('settings file is invalid; using the defaults until the next save', {
          problems: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
        });
      }
      return DEFAULT_SETTINGS;
    },
    set(next: Settings): void {
      backing.set(SETTINGS_KEY, settingsSchema.parse(next));
      warned = false;
    },
  };
}

/**
 * Opens the store with its schema; when the file on disk violates it (the store refuses to open),
 * opens it without the schema and falls back to the defaults as above.
 */
export function openSettingsStore(o: {
  open(withSchema: boolean): SettingsBacking;
  logger: Logger;
}): SettingsStore {
  let backing: SettingsBacking;
  try {
    backing = o.open(true);
  } catch (error) {
    o.logger.warn('settings file does not match the schema; starting on the defaults', errorMeta(error));
    backing = o.open(false);
  }
  return settingsStoreOver(backing, o.logger);
}
