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
  ENV_MFA_CODE,
  ENV_PASSWORD,
  ENV_TOTP_SECRET,
  ENV_USERNAME,
  environmentCredentials,
  loadCredentials,
  saveCredentials,
} from './credentials.js';
export {
  clearDatabasePassword,
  DatabaseUrlError,
  databasePasswordStored,
  joinDatabaseUrl,
  splitDatabaseUrl,
  storeDatabasePassword,
  withStoredDatabasePassword,
} from './database-password.js';
export { deriveDeviceToken, getOrCreateDeviceToken, isDeviceToken, readMachineId } from './device-token.js';
export type { KeychainSecretStoreOptions, KeychainStatus } from './keychain-store.js';
export {
  DEFAULT_KEYCHAIN_SERVICE,
  describeKeychainError,
  KEYCHAIN_PROBLEMS,
  KeychainError,
  KeychainSecretStore,
  keychainServiceOf,
  probeKeychain,
} from './keychain-store.js';
export { MemorySecretStore } from './memory-store.js';
export type { SecretName, SecretStore } from './secret-store.js';
export { isSecretName, SECRET_NAMES } from './secret-store.js';
export type { StoredTokens, TokenStore } from './token-store.js';
export { keychainTokenStore, storedTokensSchema } from './token-store.js';
export { normalizeTotpSecret, TotpSecretError } from './totp.js';
