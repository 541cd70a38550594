/**
 * The embedded (PGlite) data folder: one process at a time, recovery from a crashed owner,
 * data and schema surviving a reopen.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockDataFolder } from '../../main/store/folder-lock.js';
import { openStore, type Store, StoreOpenError } from '../../main/store/index.js';
import { appliedMigrations } from '../../main/store/migrate.js';
import { collectingLogger, silentLogger } from '../../main/util/logger.js';
import { account } from './fixtures.js';

const AT = new Date('2026-03-02T15:00:00Z');

function startHolder(dir: string): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'hold-embedded-store.ts'), dir],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
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

function killed(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.on('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

describe('embedded database folder', () => {
  let dir: string;
  let first: Store | null = null;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'magnus-embedded-'));
    first = await openStore({ kind: 'embedded', dataDir: dir });
    await first.transaction((trx) => first!.accounts.upsert(trx, [account('****4141')], AT));
  });

  afterAll(async () => {
    await first?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lives in <dataDir>/pgdata and refuses a second opener with a clear message', async () => {
    expect(first?.kind).toBe('embedded');
    expect(first?.location).toBe(`embedded database in ${dir}`);
    const attempt = openStore({ kind: 'embedded', dataDir: dir });
    await expect(attempt).rejects.toBeInstanceOf(StoreOpenError);
    await expect(openStore({ kind: 'embedded', dataDir: dir })).rejects.toThrow(
      `The embedded database in ${dir} is in use by another Magnus Sync process (pid ${process.pid}).`,
    );
  });

  it('opens again after the first store closed, with its data and without re-running migrations', async () => {
    await first?.close();
    first = null;
    const again = await openStore({ kind: 'embedded', dataDir: dir });
    try {
      expect((await again.accounts.get(again.knex, '****4141'))?.accountType).toBe('margin');
      expect(await appliedMigrations(again.knex)).toEqual(['0001_initial', '0002_run_records']);
      await again.close();
      // Closing twice is harmless.
      await again.close();
    } finally {
      await again.close();
    }
  });

  it('is refused while another process holds it, and recovered once that process is killed', async () => {
    const holder = await startHolder(dir);
    try {
      await expect(openStore({ kind: 'embedded', dataDir: dir })).rejects.toThrow(
        `The embedded database in ${dir} is in use by another Magnus Sync process (pid ${holder.pid}).`,
      );
    } finally {
      await killed(holder);
    }
    const logger = collectingLogger();
    const recovered = await openStore({ kind: 'embedded', dataDir: dir }, { logger });
    try {
      expect(
        logger.records.some(
          (r) => r.level === 'warn' && /lock left by a process that no longer runs/.test(r.message),
        ),
      ).toBe(true);
      // What the killed process committed is there; the database opens cleanly after the crash.
      const rows = await recovered.knex('sync_state').where({ stream: 'child' });
      expect(rows).toHaveLength(1);
      expect((await recovered.accounts.get(recovered.knex, '****4141'))?.broker).toBe('demo');
    } finally {
      await recovered.close();
    }
  });
});

describe('folder lock', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'magnus-lock-'));
  });
  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
  });

  function foreignLock(folder: string, ageMs: number) {
    mkdirSync(folder, { recursive: true });
    mkdirSync(`${folder}.lock`);
    writeFileSync(`${folder}.owner.json`, JSON.stringify({ pid: 4242, host: 'another-machine', since: 'x' }));
    const when = new Date(Date.now() - ageMs);
    utimesSync(`${folder}.lock`, when, when);
  }

  it('names the owner on another machine while its lock is fresh', async () => {
    const folder = join(root, 'fresh', 'pgdata');
    foreignLock(folder, 0);
    await expect(lockDataFolder(folder, join(root, 'fresh'), { logger: silentLogger })).rejects.toThrow(
      '(pid 4242 on another-machine)',
    );
  });

  it('takes over a lock nobody refreshed within the stale period', async () => {
    const folder = join(root, 'stale', 'pgdata');
    foreignLock(folder, 60_000);
    const lock = await lockDataFolder(folder, join(root, 'stale'), { staleMs: 10_000, logger: silentLogger });
    await expect(lockDataFolder(folder, join(root, 'stale'), { logger: silentLogger })).rejects.toThrow(
      `(pid ${process.pid})`,
    );
    await lock.release();
    const again = await lockDataFolder(folder, join(root, 'stale'), { logger: silentLogger });
    await again.release();
  });
});
