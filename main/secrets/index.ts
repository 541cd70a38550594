export type {
  Credentials,
  CredentialsSource,
  CredentialsUpdate,
  Environment,
  LoadedCredentials,
} from './credentials.js';
export {
  CredentialsInputError,
  clearCredentials,
  credentialsView,
  loadCredentials,
  saveCredentials,
} from './credentials.js';
export {
  clearDatabasePassword,
  DatabaseUrlError,
  databasePasswordStored,
  splitDatabaseUrl,
  storeDatabasePassword,
  withStoredDatabasePassword,
} from './database-password.js';
export { getOrCreateDeviceToken } from './device-token.js';
export type { KeychainSecretStoreOptions, KeychainStatus } from './keychain-store.js';
export {
  DEFAULT_KEYCHAIN_SERVICE,
  KeychainSecretStore,
  keychainServiceOf,
  probeKeychain,
} from './keychain-store.js';
export { MemorySecretStore } from './memory-store.js';
export type { SecretName, SecretStore } from './secret-store.js';
export type { StoredTokens, TokenStore } from './token-store.js';
export { keychainTokenStore } from './token-store.js';
export { TotpSecretError } from './totp.js';
