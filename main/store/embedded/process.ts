/** Whether a process runs, and whether it is a PostgreSQL server. */
import { readFileSync } from 'node:fs';

/** True for a running process (a zombie, finished but not yet reaped, is not running). */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (process.platform !== 'linux') return true;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Linux: whether the process runs the postgres binary; elsewhere we cannot tell and say yes. */
export function isPostgresProcess(pid: number): boolean {
  if (process.platform !== 'linux') return processAlive(pid);
  try {
    const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] ?? '';
    return /(^|\/)postgres(\.exe)?$/.test(command);
  } catch {
    return false;
  }
}
