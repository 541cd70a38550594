/**
 * Headless settings: a JSON file (conf) in the data folder, validated with the shared schema.
 * Invalid stored data falls back to the defaults with a warning instead of stopping the sync.
 * A file that is not JSON at all (a trailing comma from a hand edit) is moved aside and replaced
 * by the defaults: see openMovingAsideUnreadable, which the desktop store uses too.
 */
import { existsSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import Conf from 'conf';
import { DEFAULT_SETTINGS, type Settings, settingsSchema } from '../../shared/settings.js';
import { errorMeta } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import type { SettingsStore } from './runtime-types.js';

/** A settings file that did not parse, and where it was moved. */
export interface UnreadableSettings {
  /** The file that did not parse (now gone; the defaults are used). */
  file: string;
  /** Where its content was kept: <file>.unreadable-<UTC time>. */
  movedTo: string;
  /** The parser's one-line reason. */
  reason: string;
}

/** A time stamp that is valid in file names on every OS (no colons). */
export function fileTimeStamp(at: Date): string {
  return at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

/**
 * Opens a store backed by `file`. When it refuses because the file is not JSON (conf and
 * electron-store throw a SyntaxError), the file is renamed to `<file>.unreadable-<time>` and the
 * store opened again, on the defaults; `onUnreadable` is told. Any other error is thrown.
 */
export function openMovingAsideUnreadable<T>(o: {
  file: string;
  open: () => T;
  logger: Logger;
  onUnreadable?: (problem: UnreadableSettings) => void;
  now?: () => Date;
}): T {
  try {
    return o.open();
  } catch (error) {
    if (!(error instanceof Error) || error.name !== 'SyntaxError') throw error;
    const movedTo = `${o.file}.unreadable-${fileTimeStamp(o.now?.() ?? new Date())}`;
    renameSync(o.file, movedTo);
    const problem: UnreadableSettings = {
      file: o.file,
      movedTo,
      reason: error.message.split('\n')[0] ?? 'not valid JSON',
    };
    o.logger.warn('the settings file could not be read; it was moved aside and the defaults are used', {
      file: o.file,
      movedTo,
      ...errorMeta(error),
    });
    o.onUnreadable?.(problem);
    return o.open();
  }
}

export function fileSettingsStore(options: {
  dataDir: string;
  logger: Logger;
  onUnreadable?: (problem: UnreadableSettings) => void;
}): SettingsStore {
  // conf creates the data folder when constructed: a settings file that does not exist yet is read
  // as the defaults without it, so a run that ends on a configuration error writes nothing.
  const file = join(options.dataDir, 'settings.json');
  let opened: Conf<{ settings?: unknown }> | null = null;
  const conf = () =>
    (opened ??= openMovingAsideUnreadable({
      file,
      logger: options.logger,
      ...(options.onUnreadable ? { onUnreadable: options.onUnreadable } : {}),
      open: () =>
        new Conf<{ settings?: unknown }>({
          cwd: options.dataDir,
          configName: 'settings',
          projectName: 'magnus-sync',
          // Written atomically by conf; readable by the user, no secret inside.
        }),
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
