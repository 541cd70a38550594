import type { SecretName, SecretStore } from './secret-store.js';
import { checkSecretName, checkSecretValue } from './secret-store.js';

/**
 * Secrets held in this process only; gone when it exits. Used by tests and by headless runs on a
 * machine without a keychain, where credentials come from the environment and tokens must not
 * outlive the process.
 */
export class MemorySecretStore implements SecretStore {
  readonly kind = 'memory' as const;
  readonly #values = new Map<SecretName, string>();

  async get(name: SecretName): Promise<string | null> {
    checkSecretName(name);
    return this.#values.get(name) ?? null;
  }

  async set(name: SecretName, value: string): Promise<void> {
    checkSecretName(name);
    checkSecretValue(name, value);
    this.#values.set(name, value);
  }

  async delete(name: SecretName): Promise<void> {
    checkSecretName(name);
    this.#values.delete(name);
  }
}
