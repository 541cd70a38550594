/**
 * <dataDir>/embedded-server.json: what the next start needs to know, written by the app (never
 * the password): the port the server listens on. Its presence also marks a data folder created by
 * this version (0.1's PGlite folders never had it).
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const DEFAULT_PORT = 55432;
export const STATE_FILE = 'embedded-server.json';

export interface ServerState {
  port: number;
}

export function statePath(dataDir: string): string {
  return join(dataDir, STATE_FILE);
}

export function readState(dataDir: string): ServerState | null {
  try {
    const parsed = JSON.parse(readFileSync(statePath(dataDir), 'utf8')) as Partial<ServerState>;
    const port = Number(parsed.port);
    return Number.isInteger(port) && port > 0 && port < 65536 ? { port } : null;
  } catch {
    return null;
  }
}

export function writeState(dataDir: string, state: ServerState): void {
  const file = statePath(dataDir);
  writeFileSync(`${file}.tmp`, `${JSON.stringify(state)}\n`);
  renameSync(`${file}.tmp`, file);
}
