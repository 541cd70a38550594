/**
 * Which agent owns the embedded server of a data folder: <dataDir>/embedded-server.owner holds the
 * owner's pid, created exclusively. The owner starts (or adopts) the server and stops it when it
 * quits; another agent on the same folder is refused, and read-only commands connect to the
 * running server instead. A file left by a process that no longer runs is taken over.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { processAlive } from './process.js';

export const OWNER_FILE = 'embedded-server.owner';

export interface OwnerRecord {
  pid: number;
  host: string;
  since: string;
}

export type OwnershipResult =
  | { status: 'owned'; release(): void; recoveredFrom: OwnerRecord | null }
  | { status: 'taken'; owner: OwnerRecord };

function ownerFile(dataDir: string): string {
  return join(dataDir, OWNER_FILE);
}

export function readOwner(dataDir: string): OwnerRecord | null {
  try {
    const parsed = JSON.parse(readFileSync(ownerFile(dataDir), 'utf8')) as Partial<OwnerRecord>;
    if (typeof parsed.pid !== 'number' || typeof parsed.host !== 'string') return null;
    return { pid: parsed.pid, host: parsed.host, since: String(parsed.since ?? '') };
  } catch {
    return null;
  }
}

function tryCreate(dataDir: string): boolean {
  const record: OwnerRecord = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  try {
    writeFileSync(ownerFile(dataDir), `${JSON.stringify(record)}\n`, { flag: 'wx' });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

/** A record of another host (a data folder on a network share) is never taken over. */
function abandoned(owner: OwnerRecord | null): boolean {
  if (owner === null) return true;
  return owner.host === hostname() && owner.pid !== process.pid && !processAlive(owner.pid);
}

export function takeOwnership(dataDir: string): OwnershipResult {
  let recoveredFrom: OwnerRecord | null = null;
  for (let attempt = 0; attempt < 3; attempt++) {
    if (tryCreate(dataDir)) {
      let released = false;
      return {
        status: 'owned',
        recoveredFrom,
        release() {
          if (released) return;
          released = true;
          if (readOwner(dataDir)?.pid === process.pid) rmSync(ownerFile(dataDir), { force: true });
        },
      };
    }
    const owner = readOwner(dataDir);
    if (owner?.pid === process.pid) return { status: 'taken', owner };
    if (!abandoned(owner)) return { status: 'taken', owner: owner as OwnerRecord };
    // A file being written right now reads as empty: give its writer a moment before taking over.
    if (owner === null && attempt === 0) {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
      continue;
    }
    recoveredFrom = owner;
    rmSync(ownerFile(dataDir), { force: true });
  }
  const owner = readOwner(dataDir);
  return { status: 'taken', owner: owner ?? { pid: 0, host: hostname(), since: '' } };
}
