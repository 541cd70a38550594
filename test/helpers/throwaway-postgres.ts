/**
 * A PostgreSQL server of a test's own, to stop and restart while a sync runs (the shared server on
 * 5432 must stay up for everyone else). Debian's PostgreSQL 15 binaries, run as the OS user
 * `postgres` (the server refuses root) in a temporary folder, on a free loopback port, trust auth.
 * stop() ends the server and removes the folder; call it in afterAll.
 */
import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);
const BIN = '/usr/lib/postgresql/15/bin';
const OS_USER = 'postgres';

export interface ThrowawayPostgres {
  /** postgres://postgres@127.0.0.1:PORT/<database> */
  urlFor(database: string): string;
  createDatabase(name: string): Promise<string>;
  /** pg_ctl restart -m fast: every connection is closed, then the server comes back. */
  restart(): Promise<void>;
  /** The server's postmaster pid, or null when it is not running. */
  pid(): Promise<number | null>;
  stop(): Promise<void>;
}

export function throwawayPostgresAvailable(): boolean {
  return existsSync(join(BIN, 'initdb')) && existsSync('/usr/sbin/runuser') && process.getuid?.() === 0;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject()));
    });
  });
}

function asPostgres(command: string, args: string[]) {
  return run('/usr/sbin/runuser', ['-u', OS_USER, '--', join(BIN, command), ...args], { timeout: 60_000 });
}

export async function startThrowawayPostgres(): Promise<ThrowawayPostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'magnus-pg-'));
  const { uid, gid } = await run('id', ['-u', OS_USER]).then(async (u) => ({
    uid: Number(u.stdout.trim()),
    gid: Number((await run('id', ['-g', OS_USER])).stdout.trim()),
  }));
  chownSync(dir, uid, gid);
  const data = join(dir, 'data');
  const port = await freePort();
  await asPostgres('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8']);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
  const ctl = (action: string, extra: string[] = []) =>
    asPostgres('pg_ctl', [action, '-D', data, '-w', '-l', join(dir, 'server.log'), ...extra]);
  await ctl('start', ['-o', options]);
  const urlFor = (database: string) => `postgres://postgres@127.0.0.1:${port}/${database}`;
  let stopped = false;
  return {
    urlFor,
    async createDatabase(name) {
      const client = new pg.Client({ connectionString: urlFor('postgres') });
      await client.connect();
      try {
        await client.query(`create database ${pg.escapeIdentifier(name)}`);
      } finally {
        await client.end();
      }
      return urlFor(name);
    },
    async restart() {
      await ctl('restart', ['-m', 'fast', '-o', options]);
    },
    async pid() {
      const status = await ctl('status').catch(() => null);
      const match = status && /PID: (\d+)/.exec(status.stdout);
      return match ? Number(match[1]) : null;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await ctl('stop', ['-m', 'immediate']).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
