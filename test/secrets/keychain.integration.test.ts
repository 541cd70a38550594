/**
 * Against the real Secret Service: run through `MAGNUS_TEST_ONLY=integration node test/run-all.mjs
 * test/secrets`, which starts a private D-Bus session with an unlocked gnome-keyring.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { clearCredentials, loadCredentials, saveCredentials } from '../../main/secrets/credentials.js';
import { getOrCreateDeviceToken, isDeviceToken } from '../../main/secrets/device-token.js';
import { KeychainSecretStore, probeKeychain } from '../../main/secrets/keychain-store.js';
import { SECRET_NAMES, type SecretName } from '../../main/secrets/secret-store.js';
import { keychainTokenStore, type StoredTokens } from '../../main/secrets/token-store.js';
import { collectingLogger } from '../../main/util/logger.js';
import { keyringSessionAvailable, skipUnless } from '../helpers/env.js';

const skip = skipUnless(keyringSessionAvailable(), 'a Secret Service');
const runId = `${process.env.MAGNUS_TEST_RUN_ID ?? 'local'}-${randomUUID().slice(0, 8)}`;
const services: string[] = [];
function freshService(): string {
  const service = `Magnus Sync test ${runId} ${services.length + 1}`;
  services.push(service);
  return service;
}

/** What the keyring itself lists for a service (secret-tool talks to the same Secret Service). */
function keyringItems(service: string): string {
  const r = spawnSync('secret-tool', ['search', '--all', 'service', service], { encoding: 'utf8' });
  return `${r.stdout}\n${r.stderr}`;
}

afterAll(async () => {
  if (skip) return;
  for (const service of services) {
    const store = new KeychainSecretStore({ service });
    for (const name of SECRET_NAMES) await store.delete(name);
  }
});

describe.skipIf(skip)('KeychainSecretStore (real Secret Service)', () => {
  it('the probe reports the keychain as available in this session', async () => {
    expect(await probeKeychain(freshService())).toEqual({ available: true });
  });

  it('stores, reads and deletes every secret name', async () => {
    const service = freshService();
    const store = new KeychainSecretStore({ service });
    expect(store.kind).toBe('keychain');
    const values = new Map<SecretName, string>(
      SECRET_NAMES.map((name) => [name, `value of ${name} ${randomUUID()}`]),
    );

    for (const name of SECRET_NAMES) expect(await store.get(name)).toBeNull();
    for (const [name, value] of values) await store.set(name, value);
    for (const [name, value] of values) expect(await store.get(name)).toBe(value);

    await store.set('robinhood.password', 'replaced p@ss wörd');
    expect(await store.get('robinhood.password')).toBe('replaced p@ss wörd');

    for (const name of SECRET_NAMES) await store.delete(name);
    for (const name of SECRET_NAMES) expect(await store.get(name)).toBeNull();
    await store.delete('robinhood.password'); // deleting twice is fine
  });

  it('puts the items into the keyring itself, filed under the service and the secret name', async () => {
    const service = freshService();
    const store = new KeychainSecretStore({ service });
    await store.set('robinhood.username', 'jane@example.com');
    await store.set('database.password', 'pg-secret');

    const listed = keyringItems(service);
    expect(listed).toContain(`attribute.service = ${service}`);
    expect(listed).toContain('attribute.username = robinhood.username');
    expect(listed).toContain('attribute.username = database.password');
    expect(listed).not.toContain('attribute.username = robinhood.password');

    await store.delete('robinhood.username');
    expect(keyringItems(service)).not.toContain('attribute.username = robinhood.username');
    expect(keyringItems(service)).toContain('attribute.username = database.password');
  });

  it('keeps services apart', async () => {
    const a = new KeychainSecretStore({ service: freshService() });
    const b = new KeychainSecretStore({ service: freshService() });
    await a.set('robinhood.username', 'alice');
    expect(await b.get('robinhood.username')).toBeNull();
    expect(await a.get('robinhood.username')).toBe('alice');
  });

  it('rejects unknown names and empty values, storing nothing', async () => {
    const service = freshService();
    const store = new KeychainSecretStore({ service });
    await expect(store.set('robinhood.pin' as SecretName, 'x')).rejects.toThrow(/Unknown secret name/);
    await expect(store.set('robinhood.password', '')).rejects.toThrow(/non-empty/);
    expect(keyringItems(service)).not.toContain('attribute.service');
  });

  it('round-trips the session tokens and treats a corrupt entry as absent without logging it', async () => {
    const service = freshService();
    const store = new KeychainSecretStore({ service });
    const logger = collectingLogger();
    const tokens = keychainTokenStore(store, { logger });
    const session: StoredTokens = {
      accessToken: 'eyJhbGciOiJFUzI1NiJ9.eyJleHAiOjF9.c2ln',
      refreshToken: 'r3fr3sh-0123456789abcdefghijklmn',
      expiresAt: '2026-12-28T17:38:29.000Z',
      tokenType: 'Bearer',
      scope: 'internal',
    };
    expect(await tokens.load()).toBeNull();
    await tokens.save(session);
    expect(await tokens.load()).toEqual(session);
    expect(JSON.parse((await store.get('robinhood.tokens')) ?? 'null')).toEqual(session);

    const corrupt = '{"accessToken":"half-written-token-value","refreshToken":';
    await store.set('robinhood.tokens', corrupt);
    expect(await tokens.load()).toBeNull();
    expect(logger.records).toHaveLength(1);
    expect(logger.records[0]?.level).toBe('warn');
    expect(JSON.stringify(logger.records)).not.toContain('half-written-token-value');

    await tokens.clear();
    expect(await store.get('robinhood.tokens')).toBeNull();
  });

  it('keeps one device token across store instances (a restart)', async () => {
    const service = freshService();
    const first = await getOrCreateDeviceToken({
      secrets: new KeychainSecretStore({ service }),
      username: 'jane',
    });
    const second = await getOrCreateDeviceToken({
      secrets: new KeychainSecretStore({ service }),
      username: 'jane',
    });
    expect(isDeviceToken(first)).toBe(true);
    expect(second).toBe(first);
    expect(await new KeychainSecretStore({ service }).get('robinhood.deviceToken')).toBe(first);
    const other = await getOrCreateDeviceToken({
      secrets: new KeychainSecretStore({ service: freshService() }),
      username: 'jane',
    });
    expect(other).not.toBe(first);
  });

  it('saves credentials into the keychain and loads them before the environment', async () => {
    const service = freshService();
    const store = new KeychainSecretStore({ service });
    const env = { ROBINHOOD_USERNAME: 'env-user', ROBINHOOD_PASSWORD: 'env-pass' };
    expect((await loadCredentials({ secrets: store, env })).source).toBe('environment');

    await saveCredentials(store, {
      username: 'jane@example.com',
      password: 'pw-1',
      totpSecret: 'jbsw y3dp ehpk 3pxp',
    });
    expect(await loadCredentials({ secrets: store, env })).toEqual({
      credentials: { username: 'jane@example.com', password: 'pw-1', totpSecret: 'JBSWY3DPEHPK3PXP' },
      source: 'keychain',
    });
    expect(await new KeychainSecretStore({ service }).get('robinhood.totpSecret')).toBe('JBSWY3DPEHPK3PXP');

    await clearCredentials(store);
    expect((await loadCredentials({ secrets: store, env })).source).toBe('environment');
    expect(keyringItems(service)).not.toContain('attribute.username = robinhood.password');
  });
});
