/**
 * The desktop app's settings: electron-store (ESM only, like our main process) with the schema.
 * A settings.json that is not JSON is moved aside and replaced by the defaults; `onUnreadable`
 * hears of it so the app can tell the user (unreadableSettingsNotice).
 */
import { join } from 'node:path';
import Store from 'electron-store';
import type { SettingsStore } from '../runtime/runtime-types.js';
import { openMovingAsideUnreadable, type UnreadableSettings } from '../runtime/settings-file.js';
import type { Logger } from '../util/logger.js';
import {
  openSettingsStore,
  SETTINGS_FILE_NAME,
  SETTINGS_KEY,
  type SettingsBacking,
  settingsJsonSchema,
} from './settings-adapter.js';

export function electronSettingsStore(o: {
  dataDir: string;
  logger: Logger;
  onUnreadable?: (problem: UnreadableSettings) => void;
}): SettingsStore {
  const file = join(o.dataDir, `${SETTINGS_FILE_NAME}.json`);
  return openSettingsStore({
    logger: o.logger,
    open: (withSchema): SettingsBacking => {
      const store = openMovingAsideUnreadable({
        file,
        logger: o.logger,
        ...(o.onUnreadable ? { onUnreadable: o.onUnreadable } : {}),
        open: () =>
          new Store<Record<string, unknown>>({
            cwd: o.dataDir,
            name: SETTINGS_FILE_NAME,
            clearInvalidConfig: false,
            ...(withSchema ? { schema: { [SETTINGS_KEY]: settingsJsonSchema() } as never } : {}),
          }),
      });
      return { get: (key) => store.get(key), set: (key, value) => store.set(key, value) };
    },
  });
}

/** What the desktop app shows when settings.json did not parse. */
export function unreadableSettingsNotice(problem: UnreadableSettings): { title: string; body: string } {
  return {
    title: 'Settings could not be read',
    body: `Magnus Sync started with the default settings. Your previous file was kept as ${problem.movedTo}.`,
  };
}
