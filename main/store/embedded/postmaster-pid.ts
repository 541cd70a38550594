/**
 * PostgreSQL's own lock: <pgdata>/postmaster.pid, written by the running server. Its lines are
 * pid, data folder, start time, port, socket folder, listen address, shared memory key and status
 * ("starting", "ready", "stopping"); see PostgreSQL's src/include/utils/pidfile.h.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { isPostgresProcess } from './process.js';

export interface PostmasterInfo {
  pid: number;
  port: number;
  status: string;
}

export function readPostmasterPid(pgdata: string): PostmasterInfo | null {
  let text: string;
  try {
    text = readFileSync(join(pgdata, 'postmaster.pid'), 'utf8');
  } catch {
    return null;
  }
  const lines = text.split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0) return null;
  return { pid, port: Number.isInteger(port) ? port : 0, status: (lines[7] ?? '').trim() };
}

/** The server that runs on this folder, or null; a file its dead server left is removed. */
export function runningServer(pgdata: string): PostmasterInfo | null {
  const info = readPostmasterPid(pgdata);
  if (info === null) return null;
  if (isPostgresProcess(info.pid)) return info;
  // Left by a server that was killed: PostgreSQL would itself refuse to start if its pid now
  // belongs to an unrelated process, so it goes.
  rmSync(join(pgdata, 'postmaster.pid'), { force: true });
  return null;
}
