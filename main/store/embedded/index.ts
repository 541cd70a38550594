/** The embedded PostgreSQL server: what the store, the app and the CLI use of it. */
export { binaryPackageName, locateBinaries, unpackedPath } from './binaries.js';
export { type EmbeddedConnectionInfo, embeddedConnectionInfo } from './connection-info.js';
export { DATABASE as EMBEDDED_DATABASE, ROLE as EMBEDDED_ROLE } from './initdb.js';
export { type EmbeddedPasswordVault, filePasswordVault, PASSWORD_FILE } from './password.js';
export {
  type EmbeddedServer,
  EmbeddedServerError,
  embeddedUrl,
  isPgliteFolder,
  startEmbeddedServer,
} from './server.js';
export { DEFAULT_PORT as EMBEDDED_DEFAULT_PORT } from './state.js';
