/**
 * The Robinhood login: username, password and (optional) authenticator secret.
 *
 * They come from the keychain when it holds a complete login, else from the environment
 * (ROBINHOOD_USERNAME, ROBINHOOD_PASSWORD, ROBINHOOD_TOTP_SECRET), which is how a headless server
 * without a keychain is configured. ROBINHOOD_MFA_CODE is read as the TOTP secret too: the original
 * Magnus tool used that name for the same value.
 */

import type { CredentialField } from '../../shared/contract.js';
import { credentialsInputSchema } from '../../shared/contract.js';
import type { CredentialsView } from '../../shared/models.js';
import type { KeychainStatus } from './keychain-store.js';
import type { SecretName, SecretStore } from './secret-store.js';
import { normalizeTotpSecret, TotpSecretError } from './totp.js';

export interface Credentials {
  username: string;
  password: string;
  /** Canonical base32, or null when the account has no authenticator app. */
  totpSecret: string | null;
}

export type CredentialsSource = 'keychain' | 'environment';

export interface LoadedCredentials {
  credentials: Credentials | null;
  source: CredentialsSource | null;
}

/** process.env or a test's stand-in. */
export type Environment = Readonly<Record<string, string | undefined>>;

export const ENV_USERNAME = 'ROBINHOOD_USERNAME';
export const ENV_PASSWORD = 'ROBINHOOD_PASSWORD';
export const ENV_TOTP_SECRET = 'ROBINHOOD_TOTP_SECRET';
/** The original tool's name for the TOTP secret. */
export const ENV_MFA_CODE = 'ROBINHOOD_MFA_CODE';

const NAMES = {
  username: 'robinhood.username',
  password: 'robinhood.password',
  totpSecret: 'robinhood.totpSecret',
} as const satisfies Record<CredentialField, SecretName>;

/** A credentials input that was rejected; `errors` is keyed like the setCredentials response. */
export class CredentialsInputError extends Error {
  override readonly name = 'CredentialsInputError';
  readonly errors: Partial<Record<CredentialField | 'form', string>>;
  constructor(errors: Partial<Record<CredentialField | 'form', string>>) {
    super(Object.values(errors).join(' '));
    this.errors = errors;
  }
}

export async function loadCredentials(options: {
  secrets: SecretStore;
  env: Environment;
}): Promise<LoadedCredentials> {
  const { secrets, env } = options;
  const [username, password, totpSecret] = await Promise.all([
    secrets.get(NAMES.username),
    secrets.get(NAMES.password),
    secrets.get(NAMES.totpSecret),
  ]);
  if (username && password) {
    return { credentials: { username, password, totpSecret: totpSecret || null }, source: 'keychain' };
  }
  const fromEnv = environmentCredentials(env);
  if (fromEnv) return { credentials: fromEnv, source: 'environment' };
  return { credentials: null, source: null };
}

/**
 * Credentials from ROBINHOOD_* variables, or null when username or password is missing. A TOTP
 * variable that is not a valid secret is an error (naming the variable, never its value): logging
 * in without it would only fail later in a less clear way.
 */
export function environmentCredentials(env: Environment): Credentials | null {
  const username = env[ENV_USERNAME]?.trim();
  const password = env[ENV_PASSWORD];
  if (!username || !password) return null;
  const totpVariable = env[ENV_TOTP_SECRET]?.trim()
    ? ENV_TOTP_SECRET
    : env[ENV_MFA_CODE]?.trim()
      ? ENV_MFA_CODE
      : null;
  let totpSecret: string | null = null;
  if (totpVariable) {
    try {
      totpSecret = normalizeTotpSecret(env[totpVariable] ?? '');
    } catch (error) {
      const reason = error instanceof TotpSecretError ? error.message : 'It is not a valid TOTP secret.';
      throw new TotpSecretError(`${totpVariable} is not usable: ${reason}`);
    }
  }
  return { username, password, totpSecret };
}

export interface CredentialsUpdate {
  username?: string;
  password?: string;
  /** A base32 secret or otpauth:// URI; null removes the stored secret. */
  totpSecret?: string | null;
}

/**
 * Stores the given fields. Every field is checked first and nothing is written when one is invalid.
 * The keychain has no transactions: when a write fails half-way, the fields already written are put
 * back as they were (best effort) and the keychain's error is raised.
 */
export async function saveCredentials(secrets: SecretStore, update: CredentialsUpdate): Promise<void> {
  const { totpSecret, ...rest } = update;
  const parsed = credentialsInputSchema.safeParse(totpSecret === null ? rest : update);
  if (!parsed.success) {
    const errors: Partial<Record<CredentialField | 'form', string>> = {};
    for (const issue of parsed.error.issues) {
      if (issue.code === 'unrecognized_keys') {
        errors.form ??= 'Only username, password and totpSecret can be saved.';
        continue;
      }
      const field = issue.path[0];
      const key: CredentialField | 'form' =
        field === 'username' || field === 'password' || field === 'totpSecret' ? field : 'form';
      errors[key] ??= issue.message;
    }
    throw new CredentialsInputError(errors);
  }

  const writes: Array<{ name: SecretName; value: string | null }> = [];
  if (parsed.data.username !== undefined) writes.push({ name: NAMES.username, value: parsed.data.username });
  if (parsed.data.password !== undefined) writes.push({ name: NAMES.password, value: parsed.data.password });
  if (totpSecret === null) {
    writes.push({ name: NAMES.totpSecret, value: null });
  } else if (parsed.data.totpSecret !== undefined) {
    try {
      writes.push({ name: NAMES.totpSecret, value: normalizeTotpSecret(parsed.data.totpSecret) });
    } catch (error) {
      const message = error instanceof TotpSecretError ? error.message : 'The TOTP secret is not valid.';
      throw new CredentialsInputError({ totpSecret: message });
    }
  }
  if (writes.length === 0) throw new CredentialsInputError({ form: 'Nothing to save.' });

  const previous = await Promise.all(
    writes.map(async (w) => ({ name: w.name, value: await secrets.get(w.name) })),
  );
  const done: typeof previous = [];
  try {
    for (const [i, w] of writes.entries()) {
      if (w.value === null) await secrets.delete(w.name);
      else await secrets.set(w.name, w.value);
      done.push(previous[i]!);
    }
  } catch (error) {
    for (const p of done.reverse()) {
      await (p.value === null ? secrets.delete(p.name) : secrets.set(p.name, p.value)).catch(() => undefined);
    }
    throw error;
  }
}

/**
 * Forgets the login: username, password, TOTP secret and the session tokens that belong to it.
 * The device token stays: it identifies this installation, not the login.
 */
export async function clearCredentials(secrets: SecretStore): Promise<void> {
  for (const name of [NAMES.username, NAMES.password, NAMES.totpSecret, 'robinhood.tokens'] as const) {
    await secrets.delete(name);
  }
}

/** What the settings window may know: which fields are stored, never their values. */
export async function credentialsView(options: {
  secrets: SecretStore;
  env: Environment;
  keychain: KeychainStatus;
}): Promise<CredentialsView> {
  const { secrets, env, keychain } = options;
  const [username, password, totpSecret] = await Promise.all([
    secrets.get(NAMES.username),
    secrets.get(NAMES.password),
    secrets.get(NAMES.totpSecret),
  ]);
  const keychainComplete = Boolean(username && password);
  const envComplete = Boolean(env[ENV_USERNAME]?.trim() && env[ENV_PASSWORD]);
  return {
    keychainAvailable: keychain.available && secrets.kind === 'keychain',
    keychainProblem: keychain.available ? null : keychain.problem,
    usernameStored: Boolean(username),
    passwordStored: Boolean(password),
    totpSecretStored: Boolean(totpSecret),
    fromEnvironment: !keychainComplete && envComplete,
  };
}
