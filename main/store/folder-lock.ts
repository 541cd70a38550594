/**
 * One process per embedded data folder. PGlite itself does not stop two processes from opening
 * the same folder (which corrupts it), so the store takes a lock first.
 *
 * proper-lockfile keeps `<pgdata>.lock` fresh while we live; a lock nobody refreshes for `staleMs`
 * is taken over. On top of that we record our pid next to it, so a lock left by a process that was
 * killed on this machine is recovered at once instead of after the stale period.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import lockfile from 'proper-lockfile';
import { errorMeta } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { StoreOpenError } from './config.js';

/** How long a lock nobody refreshed counts as held (see lockDataFolder). */
const DEFAULT_STALE_MS = 120_000;

export interface FolderLock {
  release(): Promise<void>;
}

interface Owner {
  pid: number;
  host: string;
  since: string;
}

function ownerPath(folder: string): string {
  return `${folder}.owner.json`;
}

function readOwner(folder: string): Owner | null {
  try {
    const parsed = JSON.parse(readFileSync(ownerPath(folder), 'utf8')) as Partial<Owner>;
    if (typeof parsed.pid !== 'number' || typeof parsed.host !== 'string') return null;
    return { pid: parsed.pid, host: parsed.host, since: String(parsed.since ?? '') };
  } catch {
    return null;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isAbandoned(owner: Owner | null): boolean {
  return owner !== null && owner.host === hostname() && owner.pid !== process.pid && !processAlive(owner.pid);
}

function lockedMessage(dataDir: string, owner: Owner | null): string {
  const who = owner
    ? `pid ${owner.pid}${owner.host === hostname() ? '' : ` on ${owner.host}`}`
    : 'pid unknown';
  return (
    `The embedded database in ${dataDir} is in use by another Magnus Sync process (${who}). ` +
    'Quit that process first, or use a different data folder.'
  );
}

/**
 * Locks `folder` (created if missing). `dataDir` is only used in the message shown to the user.
 */
export async function lockDataFolder(
  folder: string,
  dataDir: string,
  options: { staleMs?: number; logger: Logger },
): Promise<FolderLock> {
  mkdirSync(folder, { recursive: true });
  // Generous on purpose: PGlite runs on this thread and blocks it for seconds at a time (creating
  // the database, a large history import), and a lock not refreshed meanwhile would look abandoned
  // to a second opener. A dead owner on this machine is recognised by its pid at once anyway.
  const stale = Math.max(options.staleMs ?? DEFAULT_STALE_MS, 2000);
  const attempt = () =>
    lockfile.lock(folder, {
      stale,
      realpath: false,
      retries: 0,
      onCompromised: (error) => {
        // Another process took the folder over (we were frozen longer than the stale period).
        // Nothing safe is left to do but say so loudly; the next write will likely fail.
        options.logger.error('Lost the lock on the embedded database folder', {
          folder,
          ...errorMeta(error),
        });
      },
    });

  let unlock: () => Promise<void>;
  try {
    unlock = await attempt();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
    const owner = readOwner(folder);
    if (!isAbandoned(owner)) throw new StoreOpenError(lockedMessage(dataDir, owner), 'locked');
    // A process that took the lock a moment ago may not have written its pid yet: look again.
    await new Promise((resolve) => setTimeout(resolve, 250));
    const again = readOwner(folder);
    if (!isAbandoned(again) || again?.since !== owner?.since) {
      throw new StoreOpenError(lockedMessage(dataDir, again), 'locked');
    }
    options.logger.warn('Recovering the embedded database lock left by a process that no longer runs', {
      pid: owner?.pid,
    });
    rmSync(`${folder}.lock`, { recursive: true, force: true });
    try {
      unlock = await attempt();
    } catch (again) {
      if ((again as NodeJS.ErrnoException).code !== 'ELOCKED') throw again;
      throw new StoreOpenError(lockedMessage(dataDir, readOwner(folder)), 'locked');
    }
  }

  const owner: Owner = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  writeFileSync(ownerPath(folder), `${JSON.stringify(owner)}\n`);

  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      const current = readOwner(folder);
      if (current?.pid === process.pid && existsSync(ownerPath(folder)))
        rmSync(ownerPath(folder), { force: true });
      try {
        await unlock();
      } catch (error) {
        // Already released or compromised: nothing of ours is left to remove.
        options.logger.debug('Folder lock was already released', errorMeta(error));
      }
    },
  };
}
