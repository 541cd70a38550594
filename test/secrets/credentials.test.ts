import { describe, expect, it } from 'vitest';
import {
  CredentialsInputError,
  clearCredentials,
  credentialsView,
  loadCredentials,
  saveCredentials,
} from '../../main/secrets/credentials.js';
import { KEYCHAIN_PROBLEMS } from '../../main/secrets/keychain-store.js';
import { MemorySecretStore } from '../../main/secrets/memory-store.js';
import type { SecretName, SecretStore } from '../../main/secrets/secret-store.js';
import { TotpSecretError } from '../../main/secrets/totp.js';

const ENV = {
  ROBINHOOD_USERNAME: ' env@example.com ',
  ROBINHOOD_PASSWORD: 'env-password',
  ROBINHOOD_TOTP_SECRET: 'jbsw y3dp ehpk 3pxp',
};

describe('loadCredentials', () => {
  it('returns nothing when neither the store nor the environment has a complete login', async () => {
    const secrets = new MemorySecretStore();
    await secrets.set('robinhood.username', 'only-user');
    expect(await loadCredentials({ secrets, env: { ROBINHOOD_USERNAME: 'u' } })).toEqual({
      credentials: null,
      source: null,
    });
  });

  it('prefers a complete login in the store over the environment', async () => {
    const secrets = new MemorySecretStore();
    await saveCredentials(secrets, { username: 'jane@example.com', password: 'pw' });
    expect(await loadCredentials({ secrets, env: ENV })).toEqual({
      credentials: { username: 'jane@example.com', password: 'pw', totpSecret: null },
      source: 'keychain',
    });
  });

  it('falls back to ROBINHOOD_* variables, normalising the TOTP secret', async () => {
    expect(await loadCredentials({ secrets: new MemorySecretStore(), env: ENV })).toEqual({
      credentials: { username: 'env@example.com', password: 'env-password', totpSecret: 'JBSWY3DPEHPK3PXP' },
      source: 'environment',
    });
  });

  it('accepts ROBINHOOD_MFA_CODE as the TOTP secret (the original tool named it so)', async () => {
    const env = {
      ROBINHOOD_USERNAME: 'u@example.com',
      ROBINHOOD_PASSWORD: 'p',
      ROBINHOOD_MFA_CODE: 'JBSWY3DPEHPK3PXP',
    };
    const loaded = await loadCredentials({ secrets: new MemorySecretStore(), env });
    expect(loaded.credentials?.totpSecret).toBe('JBSWY3DPEHPK3PXP');
    // ROBINHOOD_TOTP_SECRET wins when both are set.
    const both = { ...env, ROBINHOOD_TOTP_SECRET: 'KRSXG5CTMVRXEZLU' };
    expect(
      (await loadCredentials({ secrets: new MemorySecretStore(), env: both })).credentials?.totpSecret,
    ).toBe('KRSXG5CTMVRXEZLU');
  });

  it('names the variable, never its value, when the TOTP variable is not a secret', async () => {
    const env = { ROBINHOOD_USERNAME: 'u', ROBINHOOD_PASSWORD: 'p', ROBINHOOD_MFA_CODE: '482913' };
    const error = await loadCredentials({ secrets: new MemorySecretStore(), env }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TotpSecretError);
    expect((error as Error).message).toMatch(/^ROBINHOOD_MFA_CODE is not usable: .*one-time code/);
    expect((error as Error).message).not.toContain('482913');
  });
});

describe('saveCredentials', () => {
  it('stores every field and normalises the TOTP secret', async () => {
    const secrets = new MemorySecretStore();
    await saveCredentials(secrets, {
      username: '  jane@example.com ',
      password: ' spaces kept ',
      totpSecret: 'otpauth://totp/RH?secret=jbswy3dpehpk3pxp',
    });
    expect(await secrets.get('robinhood.username')).toBe('jane@example.com');
    expect(await secrets.get('robinhood.password')).toBe(' spaces kept ');
    expect(await secrets.get('robinhood.totpSecret')).toBe('JBSWY3DPEHPK3PXP');
  });

  it('changes only the given fields, and removes the TOTP secret on null', async () => {
    const secrets = new MemorySecretStore();
    await saveCredentials(secrets, {
      username: 'a@example.com',
      password: 'one',
      totpSecret: 'JBSWY3DPEHPK3PXP',
    });
    await saveCredentials(secrets, { password: 'two', totpSecret: null });
    expect(await secrets.get('robinhood.username')).toBe('a@example.com');
    expect(await secrets.get('robinhood.password')).toBe('two');
    expect(await secrets.get('robinhood.totpSecret')).toBeNull();
  });

  it('stores nothing when one field is invalid, and says which, without the value', async () => {
    const secrets = new MemorySecretStore();
    await saveCredentials(secrets, { username: 'old@example.com', password: 'old' });
    const error = await saveCredentials(secrets, {
      username: 'new@example.com',
      password: 'new',
      totpSecret: 'NOT-BASE32-981!',
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CredentialsInputError);
    expect(Object.keys((error as CredentialsInputError).errors)).toEqual(['totpSecret']);
    expect((error as Error).message).not.toContain('981');
    expect(await secrets.get('robinhood.username')).toBe('old@example.com');
    expect(await secrets.get('robinhood.password')).toBe('old');

    const empty = (await saveCredentials(secrets, { username: '  ' }).catch(
      (e: unknown) => e,
    )) as CredentialsInputError;
    expect(empty.errors).toEqual({ username: 'Username must not be empty.' });
    const nothing = (await saveCredentials(secrets, {}).catch((e: unknown) => e)) as CredentialsInputError;
    expect(nothing.errors).toEqual({ form: 'Nothing to save.' });
  });

  it('puts back what it already wrote when the store fails half-way', async () => {
    const inner = new MemorySecretStore();
    await saveCredentials(inner, { username: 'old@example.com', password: 'old' });
    const failing: SecretStore = {
      kind: 'keychain',
      get: (name) => inner.get(name),
      delete: (name) => inner.delete(name),
      set: async (name: SecretName, value: string) => {
        if (name === 'robinhood.password' && value === 'new') throw new Error('keychain locked');
        await inner.set(name, value);
      },
    };
    await expect(saveCredentials(failing, { username: 'new@example.com', password: 'new' })).rejects.toThrow(
      'keychain locked',
    );
    expect(await inner.get('robinhood.username')).toBe('old@example.com');
    expect(await inner.get('robinhood.password')).toBe('old');
  });
});

describe('clearCredentials and credentialsView', () => {
  it('forgets the login and its session, keeps the device token, and shows only booleans', async () => {
    const secrets = new MemorySecretStore();
    await saveCredentials(secrets, {
      username: 'a@example.com',
      password: 'pw',
      totpSecret: 'JBSWY3DPEHPK3PXP',
    });
    await secrets.set('robinhood.tokens', '{}');
    await secrets.set('robinhood.deviceToken', '3f2a9c1e-7b4d-4e21-9a0c-5d6e7f8a9b0c');

    const available = { available: true } as const;
    expect(await credentialsView({ secrets, env: ENV, keychain: available })).toEqual({
      keychainAvailable: false, // a memory store is not the keychain
      keychainProblem: null,
      usernameStored: true,
      passwordStored: true,
      totpSecretStored: true,
      fromEnvironment: false,
    });

    await clearCredentials(secrets);
    for (const name of [
      'robinhood.username',
      'robinhood.password',
      'robinhood.totpSecret',
      'robinhood.tokens',
    ] as const) {
      expect(await secrets.get(name)).toBeNull();
    }
    expect(await secrets.get('robinhood.deviceToken')).not.toBeNull();

    const missing = { available: false, problem: KEYCHAIN_PROBLEMS.noSecretService } as const;
    const view = await credentialsView({ secrets, env: ENV, keychain: missing });
    expect(view).toEqual({
      keychainAvailable: false,
      keychainProblem: KEYCHAIN_PROBLEMS.noSecretService,
      usernameStored: false,
      passwordStored: false,
      totpSecretStored: false,
      fromEnvironment: true,
    });
    expect(JSON.stringify(view)).not.toContain('env-password');
  });
});
