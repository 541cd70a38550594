/** The desktop app's settings: electron-store (ESM only, like our main process) with the schema. */
import Store from 'electron-store';
import type { SettingsStore } from '../app/runtime-types.js';
import type { Logger } from '../util/logger.js';
import {
  openSettingsStore,
  SETTINGS_FILE_NAME,
  SETTINGS_KEY,
  type SettingsBacking,
  settingsJsonSchema,
} from './settings-adapter.js';

export function electronSettingsStore(o: { dataDir: string; logger: Logger }): SettingsStore {
  return openSettingsStore({
    logger: o.logger,
    open: (withSchema): SettingsBacking => {
      const store = new Store<Record<string, unknown>>({
        cwd: o.dataDir,
        name: SETTINGS_FILE_NAME,
        clearInvalidConfig: false,
        ...(withSchema ? { schema: { [SETTINGS_KEY]: settingsJsonSchema() } as never } : {}),
      });
      return { get: (key) => store.get(key), set: (key, value) => store.set(key, value) };
    },
  });
}
