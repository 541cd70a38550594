/**
 * Desktop settings: the adapter over a key-value store, and the real electron-store 12 (with a fake
 * `electron` module, as it imports electron at the top) writing the same settings.json the headless
 * CLI reads.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  openSettingsStore,
  settingsJsonSchema,
  settingsStoreOver,
} from '../../main/desktop/settings-adapter.js';
import { electronSettingsStore } from '../../main/desktop/settings-store.js';
import { fileSettingsStore } from '../../main/runtime/settings-file.js';
import { collectingLogger } from '../../main/util/logger.js';
import { DEFAULT_SETTINGS } from '../../shared/settings.js';

vi.mock('electron', () => ({ default: { app: undefined, ipcMain: undefined, shell: undefined } }));

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});
const tempDir = async () => {
  const d = await mkdtemp(join(tmpdir(), 'magnus-settings-'));
  dirs.push(d);
  return d;
};

function mapBacking(initial?: unknown) {
  const map = new Map<string, unknown>(initial === undefined ? [] : [['settings', initial]]);
  return { map, get: (k: 'settings') => map.get(k), set: (k: 'settings', v: unknown) => void map.set(k, v) };
}

describe('settings adapter', () => {
  it('defaults when empty; merges defaults into a partial file; validates writes', () => {
    const logger = collectingLogger();
    expect(settingsStoreOver(mapBacking(), logger).get()).toEqual(DEFAULT_SETTINGS);
    const partial = settingsStoreOver(mapBacking({ syncIntervalSeconds: 120 }), logger);
    expect(partial.get()).toEqual({ ...DEFAULT_SETTINGS, syncIntervalSeconds: 120 });
    expect(() => partial.set({ ...DEFAULT_SETTINGS, syncIntervalSeconds: 1 })).toThrow();
    expect(partial.get().syncIntervalSeconds).toBe(120);
  });

  it('invalid stored settings fall back to the defaults with one warning', () => {
    const logger = collectingLogger();
    const store = settingsStoreOver(mapBacking({ syncIntervalSeconds: 'often' }), logger);
    expect(store.get()).toEqual(DEFAULT_SETTINGS);
    store.get();
    expect(logger.records.filter((r) => r.level === 'warn')).toHaveLength(1);
  });

  it('opens without the schema when the file violates it', () => {
    const logger = collectingLogger();
    const open = vi.fn((withSchema: boolean) => {
      if (withSchema)
        throw new Error('Config schema violation: `settings/syncIntervalSeconds` must be integer');
      return mapBacking({ syncIntervalSeconds: 'often' });
    });
    const store = openSettingsStore({ open, logger });
    expect(store.get()).toEqual(DEFAULT_SETTINGS);
    expect(open.mock.calls).toEqual([[true], [false]]);
    expect(logger.records[0]?.message).toMatch(/does not match the schema/);
  });

  it('the JSON schema mirrors the zod schema without requiring every field', () => {
    const schema = settingsJsonSchema();
    expect(schema).not.toHaveProperty('$schema');
    expect(schema).not.toHaveProperty('required');
    expect(schema).toMatchObject({
      type: 'object',
      additionalProperties: false,
      properties: { syncIntervalSeconds: { type: 'integer', minimum: 60, maximum: 86400 } },
    });
  });
});

describe('electron-store 12 on disk', () => {
  it('writes <dataDir>/settings.json that the headless CLI reads, and back', async () => {
    const dataDir = await tempDir();
    const desktop = electronSettingsStore({ dataDir, logger: collectingLogger() });
    expect(desktop.get()).toEqual(DEFAULT_SETTINGS);
    desktop.set({ ...DEFAULT_SETTINGS, syncIntervalSeconds: 900, showAmountsInTray: true });
    const file = JSON.parse(await readFile(join(dataDir, 'settings.json'), 'utf8'));
    expect(file.settings).toMatchObject({ syncIntervalSeconds: 900, showAmountsInTray: true });

    const headless = fileSettingsStore({ dataDir, logger: collectingLogger() });
    expect(headless.get()).toMatchObject({ syncIntervalSeconds: 900, showAmountsInTray: true });
    headless.set({ ...headless.get(), notifications: false });
    expect(electronSettingsStore({ dataDir, logger: collectingLogger() }).get()).toMatchObject({
      syncIntervalSeconds: 900,
      notifications: false,
    });
  });

  it('the store schema refuses an invalid write even past the adapter', async () => {
    const dataDir = await tempDir();
    const { default: Store } = await import('electron-store');
    const store = new Store<Record<string, unknown>>({
      cwd: dataDir,
      name: 'settings',
      schema: { settings: settingsJsonSchema() } as never,
    });
    expect(() => store.set('settings', { syncIntervalSeconds: 5 })).toThrow(/schema|must be >= 60/i);
  });

  it('a file that violates the schema is kept, and the app starts on the defaults', async () => {
    const dataDir = await tempDir();
    const path = join(dataDir, 'settings.json');
    await writeFile(path, JSON.stringify({ settings: { syncIntervalSeconds: 'often' } }));
    const logger = collectingLogger();
    const store = electronSettingsStore({ dataDir, logger });
    expect(store.get()).toEqual(DEFAULT_SETTINGS);
    expect(JSON.parse(await readFile(path, 'utf8')).settings.syncIntervalSeconds).toBe('often');
    expect(logger.records.some((r) => r.level === 'warn')).toBe(true);
    store.set({ ...DEFAULT_SETTINGS, syncIntervalSeconds: 600 });
    expect(JSON.parse(await readFile(path, 'utf8')).settings.syncIntervalSeconds).toBe(600);
  });
});
