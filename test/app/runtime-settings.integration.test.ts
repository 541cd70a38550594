/**
 * The runtime's settings, credentials and link handlers: invalid input gets a clear message per
 * field and changes nothing; a database password goes to the keychain, never into the settings.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Redactor } from '../../main/logging/index.js';
import { dispatch } from '../../main/runtime/dispatch.js';
import { type AppRuntime, createRuntime } from '../../main/runtime/runtime.js';
import type { PlatformHooks } from '../../main/runtime/runtime-types.js';
import { memorySettingsStore } from '../../main/runtime/settings-file.js';
import { MemorySecretStore } from '../../main/secrets/index.js';
import type { CallName } from '../../shared/call-names.js';
import { DEFAULT_SETTINGS } from '../../shared/settings.js';
import { silentRootLogger } from '../helpers/loggers.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';

const cleanups: Array<() => Promise<void>> = [];

/** A call as every transport makes it: through the one dispatcher, answered with a CallResult. */
function call(runtime: AppRuntime, name: CallName, payload: unknown) {
  return dispatch(runtime.handlers, name, payload, { logger: silentRootLogger(), via: 'test' });
}
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(options: { keychain?: boolean; platform?: PlatformHooks } = {}) {
  const dataDir = await mkdtemp(join(tmpdir(), 'magnus-rt-'));
  const settings = memorySettingsStore(DEFAULT_SETTINGS);
  const secrets = new MemorySecretStore();
  const runtime: AppRuntime = createRuntime({
    host: 'headless',
    dataDir,
    settings,
    secrets,
    keychainStatus:
      options.keychain === false
        ? { available: false, problem: 'No Secret Service is running (test).' }
        : { available: true },
    logger: silentRootLogger(),
    redactor: new Redactor(),
    env: {},
    ...(options.platform ? { platform: options.platform } : {}),
  });
  cleanups.push(async () => {
    await runtime.stop();
    await rm(dataDir, { recursive: true, force: true });
  });
  return { runtime, settings, secrets, dataDir };
}

describe('updateSettings', () => {
  it('rejects invalid values field by field and saves nothing', async () => {
    const { runtime, settings } = await setup();
    const result = await call(runtime, 'updateSettings', {
      syncIntervalSeconds: 5,
      tradeHistoryIntervalSeconds: 1e9,
    });
    expect(result).toMatchObject({
      ok: false,
      error: {
        code: 'invalid-request',
        fields: {
          syncIntervalSeconds: expect.stringMatching(/between 60 and 86400/),
          tradeHistoryIntervalSeconds: expect.stringMatching(/between 300 and 604800/),
        },
      },
    });
    expect(settings.get()).toEqual(DEFAULT_SETTINGS);
  });

  it('applies valid intervals to the engine at once and pushes settingsChanged', async () => {
    const { runtime, settings } = await setup();
    const seen: unknown[] = [];
    runtime.events.on('settingsChanged', (v) => seen.push(v));
    const result = await call(runtime, 'updateSettings', { syncIntervalSeconds: 120 });
    expect(result).toMatchObject({ ok: true, value: { settings: { syncIntervalSeconds: 120 } } });
    expect(settings.get().syncIntervalSeconds).toBe(120);
    expect(runtime.status().syncIntervalSeconds).toBe(120);
    expect(seen).toHaveLength(1);
  });

  it('refuses launch at login where the host cannot do it', async () => {
    const { runtime, settings } = await setup();
    const result = await call(runtime, 'updateSettings', { launchAtLogin: true });
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'invalid-request', fields: { launchAtLogin: expect.stringMatching(/desktop app/) } },
    });
    expect(settings.get().launchAtLogin).toBe(false);
  });

  it('asks the host to register the login item', async () => {
    const calls: boolean[] = [];
    const { runtime, settings } = await setup({
      platform: { setLaunchAtLogin: async (enabled) => void calls.push(enabled) },
    });
    expect((await call(runtime, 'updateSettings', { launchAtLogin: true })).ok).toBe(true);
    expect(calls).toEqual([true]);
    expect(settings.get().launchAtLogin).toBe(true);
  });

  describe('PostgreSQL URL', () => {
    let db: TestDatabase;
    it('keeps the password in the keychain and the URL without it', async () => {
      db = await createTestDatabase('rtsettings');
      cleanups.push(() => db.drop());
      const { runtime, settings, secrets } = await setup();
      const url = new URL(db.url);
      url.password = 'pa55-w0rd-secret';
      const view = await runtime.handlers.updateSettings({
        database: { kind: 'postgres', url: url.toString() },
      });
      const saved = settings.get().database;
      expect(saved.kind).toBe('postgres');
      expect(JSON.stringify(settings.get())).not.toContain('pa55-w0rd-secret');
      expect(await secrets.get('database.password')).toBe('pa55-w0rd-secret');
      expect(view.databasePasswordStored).toBe(true);
      expect(JSON.stringify(view)).not.toContain('pa55-w0rd-secret');
    });

    it('does not save a database it cannot reach, and the message has no password', async () => {
      const { runtime, settings } = await setup();
      const result = await call(runtime, 'updateSettings', {
        database: { kind: 'postgres', url: 'postgres://me:hunter2-secret@127.0.0.1:1/nowhere' },
      });
      expect(result).toMatchObject({
        ok: false,
        error: { code: 'invalid-request', fields: { database: expect.any(String) } },
      });
      expect(JSON.stringify(result)).not.toContain('hunter2-secret');
      expect(settings.get().database).toEqual({ kind: 'embedded' });
    });

    it('will not take a password when there is no keychain to keep it', async () => {
      const { runtime, settings } = await setup({ keychain: false });
      const result = await call(runtime, 'updateSettings', {
        database: { kind: 'postgres', url: 'postgres://me:hunter2@127.0.0.1:5432/x' },
      });
      expect(result).toMatchObject({
        ok: false,
        error: {
          code: 'invalid-request',
          fields: { database: expect.stringMatching(/cannot be kept safely/) },
        },
      });
      expect(settings.get().database).toEqual({ kind: 'embedded' });
    });
  });
});

describe('credentials', () => {
  it('stores nothing and says why when the keychain is unavailable', async () => {
    const { runtime, secrets } = await setup({ keychain: false });
    const result = await call(runtime, 'setCredentials', {
      username: 'me@example.com',
      password: 'pw-123456',
    });
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'refused', message: expect.stringMatching(/No Secret Service/) },
    });
    expect(await secrets.get('robinhood.username')).toBeNull();
  });

  it('stores valid fields and reports only that they are stored', async () => {
    const { runtime, secrets } = await setup();
    const result = await call(runtime, 'setCredentials', {
      username: 'me@example.com',
      password: 'pw-123456',
    });
    expect(result).toMatchObject({ ok: true, value: { usernameStored: true, passwordStored: true } });
    expect(JSON.stringify(result)).not.toContain('pw-123456');
    expect(await secrets.get('robinhood.password')).toBe('pw-123456');
  });

  it('rejects an invalid TOTP secret without storing the other fields', async () => {
    const { runtime, secrets } = await setup();
    const result = await call(runtime, 'setCredentials', {
      username: 'me@example.com',
      password: 'pw-123456',
      totpSecret: 'not base32 !!',
    });
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'invalid-request', fields: { totpSecret: expect.any(String) } },
    });
    expect(await secrets.get('robinhood.username')).toBeNull();
  });
});

describe('links and health', () => {
  it('opens a link through the host, and says so where there is no browser to open it', async () => {
    const opened: string[] = [];
    const desktop = await setup({ platform: { openExternal: async (url) => void opened.push(url) } });
    expect(await call(desktop.runtime, 'openExternal', { url: 'https://robinhood.com/account' })).toEqual({
      ok: true,
      value: { message: 'Opened in your browser.' },
    });
    expect(opened).toEqual(['https://robinhood.com/account']);
    const headless = await setup();
    expect(await call(headless.runtime, 'openExternal', { url: 'https://robinhood.com/' })).toMatchObject({
      ok: false,
      error: { code: 'refused', message: 'Opening links is only available in the desktop app.' },
    });
  });

  it('is unhealthy before the first successful sync', async () => {
    const { runtime } = await setup();
    expect(runtime.health()).toMatchObject({ healthy: false, lastSuccessAt: null, maxAgeSeconds: 660 });
  });
});
