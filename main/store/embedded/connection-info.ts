/**
 * How another program connects to a data folder's embedded server, read from the folder (its
 * state file, PostgreSQL's postmaster.pid) and the password vault, without starting anything:
 * what `magnus-sync db-url` prints and the settings window shows.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DATABASE, ROLE } from './initdb.js';
import type { EmbeddedPasswordVault } from './password.js';
import { readPostmasterPid } from './postmaster-pid.js';
import { processAlive } from './process.js';
import { embeddedUrl } from './server.js';
import { readState } from './state.js';

export interface EmbeddedConnectionInfo {
  host: '127.0.0.1';
  port: number;
  user: string;
  database: string;
  /** Null when the vault has none (the server was never started with this vault). */
  password: string | null;
  /** The full URL with the password; null without one. */
  url: string | null;
  /** Whether the server runs now (the URL only works while it does). */
  running: boolean;
}

/** Null when the folder has no embedded database yet. */
export async function embeddedConnectionInfo(
  dataDir: string,
  vault: EmbeddedPasswordVault,
): Promise<EmbeddedConnectionInfo | null> {
  const state = readState(dataDir);
  if (!state || !existsSync(join(dataDir, 'pgdata', 'PG_VERSION'))) return null;
  const live = readPostmasterPid(join(dataDir, 'pgdata'));
  const running = live !== null && live.status === 'ready' && processAlive(live.pid);
  const port = running && live ? live.port : state.port;
  const password = await vault.read();
  return {
    host: '127.0.0.1',
    port,
    user: ROLE,
    database: DATABASE,
    password,
    url: password ? embeddedUrl(port, password) : null,
    running,
  };
}
