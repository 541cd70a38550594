/**
 * The embedded PostgreSQL server's lifecycle, with real processes: first start, another client
 * reading and listening, stop with the agent (close and SIGTERM), recovery after the agent is
 * killed (server left running, or a stale postmaster.pid), a taken port, a second agent, a 0.1
 * PGlite folder, and a full disk.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { choosePort } from '../../main/store/embedded/port.js';
import { readPostmasterPid } from '../../main/store/embedded/postmaster-pid.js';
import { processAlive } from '../../main/store/embedded/process.js';
import {
  embeddedConnectionInfo,
  filePasswordVault,
  openStore,
  type Store,
  StoreOpenError,
} from '../../main/store/index.js';
import { appliedMigrations } from '../../main/store/migrate.js';
import { collectingLogger } from '../../main/util/logger.js';
import { account } from './fixtures.js';

const AT = new Date('2026-03-02T15:00:00Z');
const dirs: string[] = [];

function newDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'magnus-embedded-'));
  dirs.push(dir);
  return dir;
}

/** A server listening on `port`, or null when something else already does. */
function listenOn(port: number): Promise<Server | null> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(null));
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

/** A new data folder whose server will start on `port` (the remembered port of embedded-server.json). */
function dirWithPort(port: number): string {
  const dir = newDir();
  writeFileSync(join(dir, 'embedded-server.json'), JSON.stringify({ port }));
  return dir;
}

function postmasterPid(dir: string): number {
  const info = readPostmasterPid(join(dir, 'pgdata'));
  if (!info) throw new Error(`no postmaster.pid in ${dir}`);
  return info.pid;
}

async function waitUntil(predicate: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function startHolder(dir: string): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'hold-embedded-store.ts'), dir],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return new Promise((resolve, reject) => {
    let stderr = '';
    child.stderr?.on('data', (chunk) => {
      stderr += String(chunk);
    });
    child.stdout?.on('data', (chunk) => {
      if (String(chunk).includes('ready')) resolve(child);
    });
    child.on('exit', (code) => reject(new Error(`holder exited with ${code}: ${stderr}`)));
  });
}

function exited(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.on('exit', () => resolve());
    child.kill(signal);
  });
}

async function clientFor(dir: string): Promise<pg.Client> {
  const info = await embeddedConnectionInfo(dir, filePasswordVault(dir));
  if (!info?.url) throw new Error('no connection info');
  const client = new pg.Client({ connectionString: info.url });
  await client.connect();
  return client;
}

afterAll(() => {
  for (const dir of dirs) {
    // A test that failed half-way may have left a server: stop it before removing its folder.
    const left = readPostmasterPid(join(dir, 'pgdata'));
    if (left && processAlive(left.pid)) process.kill(left.pid, 'SIGINT');
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('embedded server: first start and another client', () => {
  let dir: string;
  let store: Store | null = null;
  beforeAll(async () => {
    dir = newDir();
    store = await openStore({ kind: 'embedded', dataDir: dir });
  });
  afterAll(async () => {
    await store?.close();
  });

  it('creates the database, migrates it, and keeps the password in a 0600 file when no keychain is given', async () => {
    expect(store?.kind).toBe('embedded');
    expect(store?.location).toBe(`embedded database in ${dir}`);
    expect(existsSync(join(dir, 'pgdata', 'PG_VERSION'))).toBe(true);
    expect(await appliedMigrations(store!.knex)).toContain('0001_initial');
    expect(statSync(join(dir, 'embedded-password')).mode & 0o777).toBe(0o600);
    const state = JSON.parse(readFileSync(join(dir, 'embedded-server.json'), 'utf8')) as { port: number };
    expect(state.port).toBe(readPostmasterPid(join(dir, 'pgdata'))?.port);
  });

  it('listens on loopback only, without a Unix socket, and refuses a wrong password', async () => {
    const client = await clientFor(dir);
    try {
      const listen = await client.query('show listen_addresses');
      expect(listen.rows[0].listen_addresses).toBe('127.0.0.1');
      const socket = await client.query('show unix_socket_directories');
      expect(socket.rows[0].unix_socket_directories).toBe('');
      const who = await client.query('select current_user, current_database()');
      expect(who.rows[0]).toEqual({ current_user: 'magnus', current_database: 'magnus_sync' });
    } finally {
      await client.end();
    }
    const port = readPostmasterPid(join(dir, 'pgdata'))?.port;
    const wrong = new pg.Client({
      host: '127.0.0.1',
      port,
      user: 'magnus',
      password: 'not-the-password',
      database: 'magnus_sync',
    });
    await expect(wrong.connect()).rejects.toMatchObject({ code: '28P01' });
    await wrong.end().catch(() => undefined);
  });

  it('lets another client read the rows the store wrote and LISTEN to magnus_sync', async () => {
    await store!.transaction((trx) => store!.accounts.upsert(trx, [account('****5151')], AT));
    const client = await clientFor(dir);
    try {
      const rows = await client.query(
        "select account_type from trading_accounts where account_number = '****5151'",
      );
      expect(rows.rows).toEqual([{ account_type: 'margin' }]);
      await client.query('listen magnus_sync');
      const heard = new Promise<string>((resolve) =>
        client.on('notification', (n) => resolve(n.payload ?? '')),
      );
      await store!.transaction((trx) =>
        store!.notify(trx, {
          event: 'data_changed',
          accounts: ['****5151'],
          streams: ['positions'],
          rowsWritten: 1,
          at: AT.toISOString(),
        }),
      );
      expect(JSON.parse(await heard)).toMatchObject({ accounts: ['****5151'], streams: ['positions'] });
    } finally {
      await client.end();
    }
  });

  it('stops the server when the store closes, and starts it again with the data on the next open', async () => {
    const pid = postmasterPid(dir);
    await store!.close();
    store = null;
    expect(processAlive(pid)).toBe(false);
    expect(existsSync(join(dir, 'pgdata', 'postmaster.pid'))).toBe(false);
    const again = await openStore({ kind: 'embedded', dataDir: dir });
    try {
      expect((await again.accounts.get(again.knex, '****5151'))?.accountType).toBe('margin');
    } finally {
      await again.close();
    }
  });
});

describe('embedded server: the agent process', () => {
  const children: ChildProcess[] = [];
  afterEach(async () => {
    // Graceful, so that an agent still holding its server stops it.
    for (const child of children.splice(0)) await exited(child, 'SIGTERM');
  });

  it('stops with the agent on SIGTERM: no postgres process is left', async () => {
    const dir = newDir();
    const holder = await startHolder(dir);
    children.push(holder);
    const pid = postmasterPid(dir);
    expect(processAlive(pid)).toBe(true);
    await exited(holder, 'SIGTERM');
    expect(holder.exitCode).toBe(0);
    expect(processAlive(pid)).toBe(false);
  });

  it('after the agent is killed with -9, the next start adopts the server it left, with the committed data', async () => {
    const dir = newDir();
    const holder = await startHolder(dir);
    children.push(holder);
    const pid = postmasterPid(dir);
    await exited(holder, 'SIGKILL');
    expect(processAlive(pid)).toBe(true);
    const logger = collectingLogger();
    const store = await openStore({ kind: 'embedded', dataDir: dir }, { logger });
    try {
      expect(logger.records.some((r) => r.level === 'warn' && /adopting/.test(r.message))).toBe(true);
      expect(await store.knex('sync_state').where({ stream: 'child' })).toHaveLength(1);
    } finally {
      await store.close();
    }
    expect(processAlive(pid)).toBe(false);
  });

  it('after the agent and its server are killed with -9, the stale postmaster.pid is recovered from', async () => {
    const dir = newDir();
    const holder = await startHolder(dir);
    children.push(holder);
    const pid = postmasterPid(dir);
    await exited(holder, 'SIGKILL');
    process.kill(pid, 'SIGKILL');
    await waitUntil(() => !processAlive(pid), 10_000, 'the killed server to go');
    expect(existsSync(join(dir, 'pgdata', 'postmaster.pid'))).toBe(true);
    const store = await openStore({ kind: 'embedded', dataDir: dir });
    try {
      expect(await store.knex('sync_state').where({ stream: 'child' })).toHaveLength(1);
      expect(postmasterPid(dir)).not.toBe(pid);
    } finally {
      await store.close();
    }
  });

  it('refuses a second agent in one line, while a read-only opener uses the running server', async () => {
    const dir = newDir();
    const holder = await startHolder(dir);
    children.push(holder);
    const attempt = openStore({ kind: 'embedded', dataDir: dir });
    await expect(attempt).rejects.toBeInstanceOf(StoreOpenError);
    await expect(openStore({ kind: 'embedded', dataDir: dir })).rejects.toThrow(
      `Another Magnus Sync instance (pid ${holder.pid}) owns the embedded database in ${dir}; quit it first, or use another data folder.`,
    );
    const pid = postmasterPid(dir);
    const reader = await openStore({ kind: 'embedded', dataDir: dir }, { readOnly: true });
    try {
      expect(await reader.knex('sync_state').where({ stream: 'child' })).toHaveLength(1);
    } finally {
      await reader.close();
    }
    // The reader did not stop the owner's server.
    expect(processAlive(pid)).toBe(true);
  });
});

describe('embedded server: its surroundings', () => {
  it('picks another port when the remembered one is taken, and remembers it', async () => {
    const dir = newDir();
    const first = await openStore({ kind: 'embedded', dataDir: dir });
    const port = readPostmasterPid(join(dir, 'pgdata'))!.port;
    await first.transaction((trx) => first.accounts.upsert(trx, [account('****6161')], AT));
    await first.close();
    const squatter: Server = createServer();
    await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve));
    try {
      const second = await openStore({ kind: 'embedded', dataDir: dir });
      try {
        const now = readPostmasterPid(join(dir, 'pgdata'))!.port;
        expect(now).not.toBe(port);
        expect(JSON.parse(readFileSync(join(dir, 'embedded-server.json'), 'utf8'))).toEqual({ port: now });
        expect((await second.accounts.get(second.knex, '****6161'))?.accountType).toBe('margin');
      } finally {
        await second.close();
      }
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });

  it('starts the server again when it dies under a running agent, on the same port', async () => {
    // A port of its own: other suites' servers start at 55432 and could take it while this one is down.
    const dir = dirWithPort(await choosePort(0));
    const logger = collectingLogger();
    const store = await openStore({ kind: 'embedded', dataDir: dir }, { logger });
    try {
      const before = readPostmasterPid(join(dir, 'pgdata'))!;
      process.kill(before.pid, 'SIGKILL');
      await waitUntil(
        () => {
          const now = readPostmasterPid(join(dir, 'pgdata'));
          return now !== null && now.pid !== before.pid && now.status === 'ready';
        },
        30_000,
        'the server to run again',
      );
      expect(readPostmasterPid(join(dir, 'pgdata'))!.port).toBe(before.port);
      await store.transaction((trx) => store.accounts.upsert(trx, [account('****7171')], AT));
      expect((await store.accounts.get(store.knex, '****7171'))?.accountType).toBe('margin');
      expect(logger.records.some((r) => r.level === 'warn' && /stopped unexpectedly/.test(r.message))).toBe(
        true,
      );
    } finally {
      await store.close();
    }
  });

  it('a server that died waits for its port while another program holds it, then the agent writes again', async () => {
    const port = await choosePort(0);
    const dir = dirWithPort(port);
    const logger = collectingLogger();
    const store = await openStore({ kind: 'embedded', dataDir: dir }, { logger });
    let squatter: Server | null = null;
    try {
      // Kill the server and take its port before the agent's watch (once a second) restarts it; if
      // the watch was quicker, kill the new server and try again.
      let first = 0;
      for (let attempt = 1; squatter === null; attempt++) {
        first = postmasterPid(dir);
        process.kill(first, 'SIGKILL');
        await waitUntil(() => !processAlive(first), 10_000, 'the server to die');
        squatter = await listenOn(port);
        if (squatter === null) {
          if (attempt === 5) throw new Error(`the port ${port} could not be taken in 5 attempts`);
          await waitUntil(
            () => readPostmasterPid(join(dir, 'pgdata'))?.status === 'ready',
            30_000,
            'a restart',
          );
        }
      }
      await waitUntil(
        () => logger.records.some((r) => r.level === 'error' && /could not be started again/.test(r.message)),
        30_000,
        'the failed restart',
      );
      const failure = logger.records.find((r) => /could not be started again/.test(r.message));
      expect(String(failure?.meta?.error)).toContain(`port ${port} is taken by another program`);
      expect(processAlive(postmasterPid(dir))).toBe(false);
      await new Promise((resolve) => squatter?.close(resolve));
      squatter = null;
      await waitUntil(
        () => {
          const now = readPostmasterPid(join(dir, 'pgdata'));
          return now !== null && now.pid !== first && now.status === 'ready';
        },
        30_000,
        'the server to run again',
      );
      expect(readPostmasterPid(join(dir, 'pgdata'))!.port).toBe(port);
      expect(JSON.parse(readFileSync(join(dir, 'embedded-server.json'), 'utf8'))).toEqual({ port });
      await store.transaction((trx) => store.accounts.upsert(trx, [account('****7272')], AT));
      expect((await store.accounts.get(store.knex, '****7272'))?.accountType).toBe('margin');
    } finally {
      if (squatter) await new Promise((resolve) => squatter?.close(resolve));
      await store.close();
    }
  });

  it('sets a new password when the stored one was lost, keeping the data', async () => {
    const dir = newDir();
    const first = await openStore({ kind: 'embedded', dataDir: dir });
    await first.transaction((trx) => first.accounts.upsert(trx, [account('****8181')], AT));
    await first.close();
    const old = readFileSync(join(dir, 'embedded-password'), 'utf8');
    rmSync(join(dir, 'embedded-password'));
    const logger = collectingLogger();
    const again = await openStore({ kind: 'embedded', dataDir: dir }, { logger });
    try {
      expect(readFileSync(join(dir, 'embedded-password'), 'utf8')).not.toBe(old);
      expect((await again.accounts.get(again.knex, '****8181'))?.accountType).toBe('margin');
      expect(logger.records.some((r) => r.level === 'warn' && /password was lost/.test(r.message))).toBe(
        true,
      );
    } finally {
      await again.close();
    }
  });

  it('reports a 0.1 (PGlite) data folder in one message and leaves it untouched', async () => {
    const dir = newDir();
    mkdirSync(join(dir, 'pgdata', 'base'), { recursive: true });
    writeFileSync(join(dir, 'pgdata', 'PG_VERSION'), '17\n');
    writeFileSync(join(dir, 'pgdata', 'base', 'data'), 'pglite pages');
    await expect(openStore({ kind: 'embedded', dataDir: dir })).rejects.toThrow(
      `${join(dir, 'pgdata')} holds a database written by Magnus Sync 0.1 (PGlite), which this version cannot open; it was left untouched.`,
    );
    expect(readFileSync(join(dir, 'pgdata', 'base', 'data'), 'utf8')).toBe('pglite pages');
    expect(existsSync(join(dir, 'embedded-server.json'))).toBe(false);
    expect(existsSync(join(dir, 'embedded-server.owner'))).toBe(false);
  });

  it('on a full disk: a clear error, and usable again once space is freed', async () => {
    const mount = newDir();
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=96m', 'tmpfs', mount], { stdio: 'pipe' });
    } catch (error) {
      throw new Error(`this test mounts a small tmpfs and needs root: ${(error as Error).message}`);
    }
    const logger = collectingLogger();
    let store: Store | null = null;
    try {
      store = await openStore({ kind: 'embedded', dataDir: mount }, { logger });
      const s = store;
      // Leave about nothing free.
      try {
        execFileSync('dd', ['if=/dev/zero', `of=${join(mount, 'filler')}`, 'bs=1M'], { stdio: 'pipe' });
      } catch {
        // dd stops with "No space left on device": that is the point.
      }
      const write = () =>
        s.knex.raw(
          "insert into sync_state (account_number, stream, updated_at, cursor) select '*', 'fill-' || g, now(), jsonb_build_object('x', repeat('x', 2000)) from generate_series(1, 20000) g",
        );
      await expect(write()).rejects.toThrow(/No space left on device|could not (extend|write)/);
      rmSync(join(mount, 'filler'));
      // The server may have stopped (PostgreSQL stops when it cannot write its log): it is restarted.
      let done = false;
      const deadline = Date.now() + 60_000;
      while (!done && Date.now() < deadline) {
        try {
          await s.knex.raw(
            "insert into sync_state (account_number, stream, updated_at) values ('*', 'after-full', now())",
          );
          done = true;
        } catch {
          await new Promise((r) => setTimeout(r, 500));
        }
      }
      expect(done).toBe(true);
      expect(await s.knex('sync_state').where({ stream: 'after-full' })).toHaveLength(1);
    } finally {
      await store?.close();
      execFileSync('umount', ['-l', mount]);
    }
  }, 120_000);
});
