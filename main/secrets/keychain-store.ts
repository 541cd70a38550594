/**
 * Secrets in the OS keychain through @napi-rs/keyring: macOS Keychain, Windows Credential Manager,
 * and on Linux the Secret Service (gnome-keyring, KWallet) over D-Bus.
 *
 * On Linux the entries are pinned to the Secret Service: by default the library silently falls back
 * to the kernel keyring (keyutils), which forgets everything at logout and is not what the user
 * manages as "the keychain". When no keychain can be used we say so in plain words and store
 * nothing anywhere: there is no file fallback.
 *
 * The library is a native binding, loaded on first use rather than at import: a binding that does
 * not load (an installer built for another processor, a damaged install) makes the keychain
 * unavailable with that reason instead of stopping the app before anything shows.
 */
import { randomUUID } from 'node:crypto';
import type { AsyncEntry, EntryOptions } from '@napi-rs/keyring';
import { errorMessage } from '../util/errors.js';
import type { SecretName, SecretStore } from './secret-store.js';
import { checkSecretName, checkSecretValue } from './secret-store.js';

export const DEFAULT_KEYCHAIN_SERVICE = 'Magnus Sync';

/**
 * MAGNUS_KEYCHAIN_SERVICE files the secrets under another keychain service: a second profile on one
 * machine (two logins), or a test that must not see the user's items. Read the same way by the
 * desktop app and the CLI.
 */
export function keychainServiceOf(env: NodeJS.ProcessEnv): string {
  const value = env.MAGNUS_KEYCHAIN_SERVICE?.trim();
  return value ? value : DEFAULT_KEYCHAIN_SERVICE;
}

const ENTRY_OPTIONS: EntryOptions = { linux: { store: 'secret-service' } };
/** The item the probe writes and removes again; outside the SecretName list on purpose. */
const PROBE_ENTRY = 'magnus-sync.probe';

export type KeychainStatus = { available: true } | { available: false; problem: string };

const WILL_NOT_STORE = 'Magnus Sync will not store credentials.';
export const KEYCHAIN_PROBLEMS = {
  noDbus:
    'No keychain is available: this session has no D-Bus session bus, so no Secret Service ' +
    `(gnome-keyring or KWallet) can be reached. ${WILL_NOT_STORE}`,
  noSecretService: `No keychain is available: no Secret Service (gnome-keyring or KWallet) is running in this session. ${WILL_NOT_STORE}`,
  locked:
    'The keychain is locked and could not be unlocked (the unlock prompt was dismissed or cannot be ' +
    'shown here). Unlock your login keyring and try again; until then Magnus Sync will not store credentials.',
  noDefaultKeyring:
    'The keychain has no default keyring to keep items in. Create one (for example in "Passwords and ' +
    'Keys") and try again; until then Magnus Sync will not store credentials.',
  ambiguous:
    'The keychain holds more than one Magnus Sync item for the same secret (another program wrote ' +
    'one). Remove the duplicates in your keychain manager and try again.',
  mismatch: `The keychain did not give back what was stored in it. ${WILL_NOT_STORE}`,
  aborted: `The keychain did not answer (the request was cancelled). ${WILL_NOT_STORE}`,
  noLibrary:
    'No keychain is available: the keychain library of Magnus Sync could not be loaded on this ' +
    `computer (the installer may be for another processor type; reinstalling may help). ${WILL_NOT_STORE}`,
} as const;

/** The part of @napi-rs/keyring this module uses. */
export interface KeyringBinding {
  AsyncEntry: new (service: string, name: string, options?: EntryOptions) => AsyncEntry;
}
/** Loads the keyring library; tests pass another to see a load failure. */
export type KeyringLoader = () => Promise<KeyringBinding>;

const loadNapiKeyring: KeyringLoader = () => import('@napi-rs/keyring');
/** One load per loader: a binding that failed to load will not load later in the same process. */
const loaded = new WeakMap<KeyringLoader, Promise<KeyringBinding>>();

/** An error thrown while loading the library, as opposed to one from the keychain itself. */
class KeyringLoadError extends Error {
  override readonly name = 'KeyringLoadError';
}

function loadKeyring(loader: KeyringLoader): Promise<KeyringBinding> {
  let binding = loaded.get(loader);
  if (!binding) {
    binding = loader().catch((error: unknown) => {
      throw new KeyringLoadError(errorMessage(error), { cause: error });
    });
    loaded.set(loader, binding);
  }
  return binding;
}

/** Maps an error of the keychain library to a sentence a user understands. */
export function describeKeychainError(error: unknown): string {
  if (error instanceof KeyringLoadError) return KEYCHAIN_PROBLEMS.noLibrary;
  const text = errorText(error).toLowerCase();
  if (text.includes('abort')) return KEYCHAIN_PROBLEMS.aborted;
  if (
    text.includes('autolaunch') ||
    text.includes('dbus_session_bus_address') ||
    text.includes('failed to connect to socket') ||
    text.includes('connection refused') ||
    text.includes('unable to autolaunch')
  ) {
    return KEYCHAIN_PROBLEMS.noDbus;
  }
  if (
    text.includes('org.freedesktop.secrets was not provided') ||
    text.includes('serviceunknown') ||
    text.includes('service unknown') ||
    text.includes('name has no owner') ||
    text.includes('accessdenied')
  ) {
    return KEYCHAIN_PROBLEMS.noSecretService;
  }
  if (text.includes('unlock prompt') || text.includes('locked') || text.includes('prompt was dismissed')) {
    return KEYCHAIN_PROBLEMS.locked;
  }
  // gnome-keyring answers this way when there is no default collection ("login") to write to.
  if (text.includes('no result found')) return KEYCHAIN_PROBLEMS.noDefaultKeyring;
  if (text.includes('ambiguous')) return KEYCHAIN_PROBLEMS.ambiguous;
  const firstLine = errorMessage(error).split('\n')[0]?.trim() || 'unknown error';
  return `The keychain could not be used (${firstLine}). ${WILL_NOT_STORE}`;
}

/** An error from the keychain; its message is the user-facing problem and never holds a secret. */
export class KeychainError extends Error {
  override readonly name = 'KeychainError';
  readonly problem: string;
  constructor(problem: string, options?: { cause?: unknown }) {
    super(problem, options);
    this.problem = problem;
  }
}

export interface KeychainSecretStoreOptions {
  /** The keychain service the items are filed under; tests use a unique one per run. */
  service?: string;
  /** Where the keyring library comes from (default: @napi-rs/keyring, loaded on first use). */
  loadKeyring?: KeyringLoader;
}

export class KeychainSecretStore implements SecretStore {
  readonly kind = 'keychain' as const;
  readonly service: string;
  private readonly loader: KeyringLoader;

  constructor(options: KeychainSecretStoreOptions = {}) {
    const service = options.service ?? DEFAULT_KEYCHAIN_SERVICE;
    if (service.trim() === '') throw new TypeError('The keychain service name must not be empty.');
    this.service = service;
    this.loader = options.loadKeyring ?? loadNapiKeyring;
  }

  async get(name: SecretName): Promise<string | null> {
    checkSecretName(name);
    return keychainCall(async () => (await openEntry(this.loader, this.service, name)).getPassword());
  }

  async set(name: SecretName, value: string): Promise<void> {
    checkSecretName(name);
    checkSecretValue(name, value);
    await keychainCall(async () => (await openEntry(this.loader, this.service, name)).setPassword(value));
  }

  async delete(name: SecretName): Promise<void> {
    checkSecretName(name);
    await keychainCall(async () => (await openEntry(this.loader, this.service, name)).deletePassword());
  }
}

/**
 * Checks that the keychain can be used now, by writing, reading back and removing a throw-away
 * item. Reading alone is not enough: a locked keyring, or one without a default collection,
 * answers reads with "nothing stored" and only fails on the first write.
 */
export async function probeKeychain(
  service: string = DEFAULT_KEYCHAIN_SERVICE,
  options: { signal?: AbortSignal; loadKeyring?: KeyringLoader } = {},
): Promise<KeychainStatus> {
  const { signal } = options;
  try {
    const entry = await openEntry(options.loadKeyring ?? loadNapiKeyring, service, PROBE_ENTRY);
    const marker = randomUUID();
    await entry.setPassword(marker, signal);
    const readBack = await entry.getPassword(signal);
    await entry.deletePassword(signal);
    if (readBack !== marker) return { available: false, problem: KEYCHAIN_PROBLEMS.mismatch };
    return { available: true };
  } catch (error) {
    return { available: false, problem: describeKeychainError(error) };
  }
}

async function openEntry(loader: KeyringLoader, service: string, name: string): Promise<AsyncEntry> {
  const { AsyncEntry } = await loadKeyring(loader);
  // The constructor already talks to D-Bus on Linux and throws when there is none.
  return new AsyncEntry(service, name, ENTRY_OPTIONS);
}

async function keychainCall<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw new KeychainError(describeKeychainError(error), { cause: error });
  }
}

/** The message of the error and of every cause: the library nests the D-Bus reason. */
function errorText(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 5; depth++) {
    parts.push(errorMessage(current));
    current = current instanceof Error ? current.cause : undefined;
  }
  return parts.join(' | ');
}
