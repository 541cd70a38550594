/**
 * The keychain step of the runtime: decides once where secrets go — the OS keychain when it works,
 * else (and in the demo) memory, so nothing is stored where it would not be safe. Every handler that
 * reads or writes a secret waits for `ready()` first.
 */

import {
  KeychainSecretStore,
  type KeychainStatus,
  MemorySecretStore,
  probeKeychain,
  type SecretStore,
} from '../secrets/index.js';
import { errorMeta } from '../util/errors.js';
import type { Logger } from '../util/logger.js';

export interface KeychainStepOptions {
  demo: boolean;
  /** The keychain service the secrets are filed under (one per profile). */
  service: string;
  /** A secret store to use instead of the keychain (tests). */
  secrets?: SecretStore | undefined;
  /** Skip the probe and take this status (tests that pass their own secrets). */
  status?: KeychainStatus | undefined;
  logger: Logger;
}

export class KeychainStep {
  private store: SecretStore;
  private current: KeychainStatus = { available: false, problem: 'The keychain was not checked yet.' };
  private checked: Promise<void> | null = null;

  constructor(private readonly o: KeychainStepOptions) {
    this.store = o.secrets ?? new KeychainSecretStore({ service: o.service });
  }

  /** Where secrets are kept (final once `ready()` resolved). */
  get secrets(): SecretStore {
    return this.store;
  }

  /** Whether the keychain works, and why not (final once `ready()` resolved). */
  get status(): KeychainStatus {
    return this.current;
  }

  ready(): Promise<void> {
    this.checked ??= this.check();
    return this.checked;
  }

  private async check(): Promise<void> {
    if (this.o.demo) {
      this.store = this.o.secrets ?? new MemorySecretStore();
      this.current = this.o.status ?? { available: true };
      return;
    }
    this.current = this.o.status ?? (await probeKeychain(this.o.service));
    if (!this.current.available && !this.o.secrets) {
      this.o.logger.warn(
        'the OS keychain is unavailable; nothing will be stored',
        errorMeta({ kind: 'keychain', message: this.current.problem ?? 'unavailable' }),
      );
      this.store = new MemorySecretStore();
    }
  }
}
