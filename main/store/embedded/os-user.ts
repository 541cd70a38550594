/**
 * PostgreSQL refuses to run as root. When the app runs as root (servers, containers, CI) the server
 * runs as the OS user `postgres` instead, created when missing, and owns its data folder; every
 * folder above it must let that user through (search permission, not read).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from '../../util/logger.js';

export interface ServerUser {
  uid: number;
  gid: number;
}

export const SERVER_OS_USER = 'postgres';

function lookUp(name: string): ServerUser | null {
  try {
    const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8', stdio: 'pipe' }).trim());
    const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8', stdio: 'pipe' }).trim());
    return Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid } : null;
  } catch {
    return null;
  }
}

/** null when this process is not root (the server then runs as we do). */
export function serverUser(logger: Logger): ServerUser | null {
  if (process.platform === 'win32' || process.getuid?.() !== 0) return null;
  const found = lookUp(SERVER_OS_USER);
  if (found) return found;
  logger.warn(`running as root: creating the OS user "${SERVER_OS_USER}" for the embedded database server`);
  try {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', SERVER_OS_USER], {
      stdio: 'pipe',
    });
  } catch (error) {
    throw new Error(
      `PostgreSQL cannot run as root and the OS user "${SERVER_OS_USER}" could not be created (${(error as Error).message.split('\n')[0]}).`,
    );
  }
  const created = lookUp(SERVER_OS_USER);
  if (!created) throw new Error(`The OS user "${SERVER_OS_USER}" was created but cannot be found.`);
  return created;
}

/** Gives `user` the folder, and search permission on each folder above it that lacks it. */
export function handOver(folder: string, user: ServerUser, logger: Logger): void {
  chownSync(folder, user.uid, user.gid);
  let parent = dirname(folder);
  while (parent !== dirname(parent)) {
    const mode = statSync(parent).mode;
    if ((mode & 0o001) === 0) {
      chmodSync(parent, mode | 0o001);
      logger.warn('gave other users search permission on a folder above the embedded database', {
        folder: parent,
      });
    }
    parent = dirname(parent);
  }
}
