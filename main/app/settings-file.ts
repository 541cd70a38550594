/**
 * Headless settings: a JSON file (conf) in the data folder, validated with the shared schema.
 * Invalid stored data falls back to the defaults with a warning instead of stopping the sync.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Conf from 'conf';
import { DEFAULT_SETTINGS, type Settings, settingsSchema } from '../../shared/settings.js';
import type { Logger } from '../util/logger.js';
import type { SettingsStore } from './runtime-types.js';

export function fileSettingsStore(options: { dataDir: string; logger: Logger }): SettingsStore {
  // conf creates the data folder when constructed: a settings file that does not exist yet is read
  // as the defaults without it, so a run that ends on a configuration error writes nothing.
  const file = join(options.dataDir, 'settings.json');
  let opened: Conf<{ settings?: unknown }> | null = null;
  const conf = () =>
    (opened ??= new Conf<{ settings?: unknown }>({
      cwd: options.dataDir,
      configName: 'settings',
      projectName: 'magnus-sync',
      // Written atomically by conf; readable by the user, no secret inside.
    }));
  return {
    get(): Settings {
      const stored = opened || existsSync(file) ? conf().get('settings') : undefined;
      if (stored === undefined) return DEFAULT_SETTINGS;
      const parsed = settingsSchema.safeParse({ ...DEFAULT_SETTINGS, ...(stored as object) });
      if (parsed.success) return parsed.data;
      options.logger.warn('settings file is invalid; using the defaults', {
        problems: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
      });
      return DEFAULT_SETTINGS;
    },
    set(next: Settings): void {
      conf().set('settings', settingsSchema.parse(next));
    },
  };
}

/** Settings that live only in memory (demo runs, tests). */
export function memorySettingsStore(initial: Settings = DEFAULT_SETTINGS): SettingsStore {
  let current = initial;
  return {
    get: () => current,
    set: (next) => {
      current = settingsSchema.parse(next);
    },
  };
}
