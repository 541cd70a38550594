/**
 * bin/start-desktop.js (`npm start`): finds an Electron binary without triggering Electron's
 * download, launches it with dist/main/index.js, and otherwise explains why and runs the headless
 * engine with its web status page.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ESM script without type declarations
import { findElectron, headlessArgs } from '../../bin/start-desktop.js';

const root = join(import.meta.dirname, '../..');
const script = join(root, 'bin/start-desktop.js');
const work = mkdtempSync(join(tmpdir(), 'magnus-start-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

function stubElectron(dir: string, name = 'electron'): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\nprintf '%s\\n' "$@" > "${dir}/args.txt"\nexit 7\n`);
  chmodSync(path, 0o755);
  return path;
}

function runScript(args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, [script, ...args], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, out: () => stdout, err: () => stderr };
}

const cleanEnv = () => {
  const env = { ...process.env };
  delete env.MAGNUS_ELECTRON;
  delete env.ELECTRON_OVERRIDE_DIST_PATH;
  return env;
};

describe('findElectron', () => {
  it('MAGNUS_ELECTRON and ELECTRON_OVERRIDE_DIST_PATH win when executable', () => {
    const stub = stubElectron(join(work, 'override'));
    expect(findElectron({ env: { MAGNUS_ELECTRON: stub } })).toEqual({ path: stub });
    expect(findElectron({ env: { MAGNUS_ELECTRON: join(work, 'nope') } }).reason).toMatch(
      /not an executable/,
    );
    expect(
      findElectron({ env: { ELECTRON_OVERRIDE_DIST_PATH: join(work, 'override') }, platform: 'linux' }),
    ).toEqual({
      path: stub,
    });
  });

  it('reads node_modules/electron/path.txt, and says plainly when there is no binary', () => {
    const pkg = join(work, 'electron-pkg');
    mkdirSync(pkg, { recursive: true });
    expect(findElectron({ env: {}, electronDir: pkg }).reason).toMatch(/has no binary/);
    writeFileSync(join(pkg, 'path.txt'), 'electron');
    expect(findElectron({ env: {}, electronDir: pkg }).reason).toMatch(/missing/);
    const binary = stubElectron(join(pkg, 'dist'));
    expect(findElectron({ env: {}, electronDir: pkg })).toEqual({ path: binary });
    expect(findElectron({ env: {}, electronDir: join(work, 'absent') }).reason).toMatch(/not installed/);
  });

  it('passes only the flags the headless CLI understands', () => {
    expect(headlessArgs(['--hidden', '--demo', '--data-dir=/a', '--no-sandbox'])).toEqual([
      'sync',
      '--serve',
      '127.0.0.1:0',
      '--demo',
      '--data-dir',
      '/a',
    ]);
  });
});

const built = existsSync(join(root, 'dist/main/index.js')) && existsSync(join(root, 'dist/main/cli/main.js'));

describe.skipIf(!built)('npm start', () => {
  it('launches Electron with dist/main/index.js and our arguments, and returns its exit code', async () => {
    const dir = join(work, 'launch');
    stubElectron(dir);
    const run = runScript(['--hidden'], { ...cleanEnv(), MAGNUS_ELECTRON: join(dir, 'electron') });
    expect(await run.exited).toBe(7);
    expect(readFileSync(join(dir, 'args.txt'), 'utf8').trim().split('\n')).toEqual([
      join(root, 'dist/main/index.js'),
      '--hidden',
    ]);
  });

  it('without Electron: explains why and serves the headless status page', async () => {
    const dataDir = join(work, 'data');
    const run = runScript(['--demo', '--data-dir', dataDir, '--hidden'], {
      ...cleanEnv(),
      ELECTRON_OVERRIDE_DIST_PATH: join(work, 'no-electron-here'),
      MAGNUS_KEYCHAIN_SERVICE: 'Magnus Sync test start-desktop',
    });
    const deadline = Date.now() + 45_000;
    let url: string | undefined;
    while (!url && Date.now() < deadline && run.child.exitCode === null) {
      url = /Status page: (http:\/\/127\.0\.0\.1:\d+)\//.exec(run.out())?.[1];
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(run.err()).toContain('the Electron binary is unavailable, so the tray app cannot start');
    expect(run.err()).toContain('ELECTRON_OVERRIDE_DIST_PATH has no executable electron');
    expect(url, `${run.out()}\n${run.err()}`).toBeDefined();
    const health = await fetch(`${url}/healthz`);
    expect([200, 503]).toContain(health.status);
    expect(await health.json()).toHaveProperty('state');
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(0);
  }, 60_000);
});
