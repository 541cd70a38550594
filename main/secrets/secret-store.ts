/**
 * Where secrets live: the OS keychain, or (tests, and headless runs without a keychain) memory.
 * Nothing here ever writes a secret to a file.
 */

export const SECRET_NAMES = [
  'robinhood.username',
  'robinhood.password',
  'robinhood.totpSecret',
  /** JSON of StoredTokens (see token-store.ts). */
  'robinhood.tokens',
  'robinhood.deviceToken',
  'database.password',
  /** The embedded PostgreSQL server's password (generated at its first start). */
  'database.embeddedPassword',
] as const;
export type SecretName = (typeof SECRET_NAMES)[number];

export interface SecretStore {
  readonly kind: 'keychain' | 'memory';
  /** The stored value, or null when there is none. */
  get(name: SecretName): Promise<string | null>;
  set(name: SecretName, value: string): Promise<void>;
  /** Removes the value; removing a missing value is not an error. */
  delete(name: SecretName): Promise<void>;
}

export function isSecretName(name: unknown): name is SecretName {
  return typeof name === 'string' && (SECRET_NAMES as readonly string[]).includes(name);
}

/** Rejects names outside the closed list and empty values; the messages never include a value. */
export function checkSecretName(name: unknown): asserts name is SecretName {
  if (!isSecretName(name)) {
    throw new TypeError(`Unknown secret name; expected one of ${SECRET_NAMES.join(', ')}.`);
  }
}

export function checkSecretValue(name: SecretName, value: unknown): asserts value is string {
  if (typeof value !== 'string' || value === '') {
    throw new TypeError(`The value for ${name} must be a non-empty string.`);
  }
}
