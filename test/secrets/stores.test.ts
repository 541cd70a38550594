import { describe, expect, it } from 'vitest';
import {
  deriveDeviceToken,
  getOrCreateDeviceToken,
  isDeviceToken,
  readMachineId,
} from '../../main/secrets/device-token.js';
import { MemorySecretStore } from '../../main/secrets/memory-store.js';
import { SECRET_NAMES, type SecretName } from '../../main/secrets/secret-store.js';
import { keychainTokenStore, type StoredTokens } from '../../main/secrets/token-store.js';
import { collectingLogger } from '../../main/util/logger.js';

const SESSION: StoredTokens = {
  accessToken: 'eyJhbGciOiJFUzI1NiJ9.eyJleHAiOjF9.c2ln',
  refreshToken: 'r3fr3sh-0123456789abcdefghijklmn',
  expiresAt: '2026-12-28T17:38:29.000Z',
  tokenType: 'Bearer',
  scope: 'internal',
};

describe('MemorySecretStore', () => {
  it('round-trips every secret name and rejects unknown names and empty values', async () => {
    const store = new MemorySecretStore();
    expect(store.kind).toBe('memory');
    for (const name of SECRET_NAMES) await store.set(name, `v-${name}`);
    for (const name of SECRET_NAMES) expect(await store.get(name)).toBe(`v-${name}`);
    for (const name of SECRET_NAMES) await store.delete(name);
    for (const name of SECRET_NAMES) expect(await store.get(name)).toBeNull();
    await expect(store.get('robinhood.pin' as SecretName)).rejects.toThrow(/Unknown secret name/);
    await expect(store.set('database.password', '')).rejects.toThrow(/non-empty/);
  });
});

describe('keychainTokenStore', () => {
  it('saves, loads and clears the session', async () => {
    const secrets = new MemorySecretStore();
    const tokens = keychainTokenStore(secrets);
    expect(await tokens.load()).toBeNull();
    await tokens.save(SESSION);
    expect(await tokens.load()).toEqual(SESSION);
    await tokens.clear();
    expect(await tokens.load()).toBeNull();
    expect(await secrets.get('robinhood.tokens')).toBeNull();
  });

  it('refuses to store an invalid session, naming the fields only', async () => {
    const secrets = new MemorySecretStore();
    const bad = { ...SESSION, expiresAt: 'tomorrow', accessToken: '' };
    await expect(keychainTokenStore(secrets).save(bad)).rejects.toThrow(
      'Refusing to store an invalid Robinhood session (invalid: accessToken, expiresAt).',
    );
    expect(await secrets.get('robinhood.tokens')).toBeNull();
  });

  it.each([
    ['not JSON', '{"accessToken":"leaky-token-value-1",'],
    ['missing fields', JSON.stringify({ accessToken: 'leaky-token-value-1', tokenType: 'Bearer' })],
    [
      'a wrong type',
      JSON.stringify({ ...SESSION, accessToken: 'leaky-token-value-1', expiresAt: 1795888534 }),
    ],
  ])('treats an entry with %s as absent and logs without its content', async (_what, raw) => {
    const secrets = new MemorySecretStore();
    await secrets.set('robinhood.tokens', raw);
    const logger = collectingLogger();
    expect(await keychainTokenStore(secrets, { logger }).load()).toBeNull();
    expect(logger.records).toHaveLength(1);
    expect(logger.records[0]).toMatchObject({ level: 'warn', meta: { entry: 'robinhood.tokens' } });
    expect(JSON.stringify(logger.records)).not.toContain('leaky-token-value-1');
  });
});

describe('getOrCreateDeviceToken without a keychain', () => {
  it('derives a UUID-shaped token from the login and the machine, the same after a restart', async () => {
    const a = await getOrCreateDeviceToken({
      secrets: new MemorySecretStore(),
      username: 'Jane@Example.com',
      machineId: 'm-1',
    });
    const b = await getOrCreateDeviceToken({
      secrets: new MemorySecretStore(),
      username: 'jane@example.com ',
      machineId: 'm-1',
    });
    expect(isDeviceToken(a)).toBe(true);
    expect(b).toBe(a);
    expect(a).toBe(deriveDeviceToken('jane@example.com', 'm-1'));
    expect(a).not.toContain('jane');
  });

  it('differs per login and per machine', async () => {
    const base = deriveDeviceToken('jane@example.com', 'm-1');
    expect(deriveDeviceToken('john@example.com', 'm-1')).not.toBe(base);
    expect(deriveDeviceToken('jane@example.com', 'm-2')).not.toBe(base);
  });

  it('reads the machine id of this host when none is given, and keeps the token in memory', async () => {
    const secrets = new MemorySecretStore();
    const token = await getOrCreateDeviceToken({ secrets, username: 'jane@example.com' });
    expect(token).toBe(deriveDeviceToken('jane@example.com', readMachineId()));
    expect(readMachineId()).not.toBe('');
    expect(await secrets.get('robinhood.deviceToken')).toBe(token);
  });

  it('needs a username to derive from', async () => {
    await expect(getOrCreateDeviceToken({ secrets: new MemorySecretStore(), username: ' ' })).rejects.toThrow(
      /username is needed/,
    );
  });
});
