/**
 * bin/start-desktop.js (`npm start`) as a user's first run meets it, in child processes: a copy of
 * the script in a stand-in checkout whose node_modules/electron has no binary yet (as npm install
 * leaves Electron 45), a stand-in Electron installer (records each run; downloads a stand-in
 * binary or fails) and a stand-in headless CLI (records its arguments).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const repo = join(import.meta.dirname, '../..');
const work = mkdtempSync(join(tmpdir(), 'magnus-start-int-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

/** What the stand-in Electron binary does when run. */
type BinaryBehaviour = 'exit-5' | 'sandbox-abort';

const BINARY: Record<BinaryBehaviour, string> = {
  'exit-5': 'exit 5',
  // What Chromium prints on Ubuntu 24.04 before it aborts with SIGTRAP.
  'sandbox-abort':
    'echo "[1:1:FATAL:setuid_sandbox_host.cc(163)] The SUID sandbox helper binary was found, but is not configured correctly. Rather than run without sandboxing I\'m aborting now. You need to make sure that $0-sandbox is owned by root and has mode 4755." >&2\nkill -TRAP $$',
};

/**
 * A checkout with bin/start-desktop.js, a built entry, a stand-in headless CLI and an electron
 * package without binary. The installer either "downloads" a binary that behaves as asked, or fails.
 */
function checkout(o: { installer: 'downloads' | 'fails'; binary?: BinaryBehaviour }): string {
  const root = mkdtempSync(join(work, 'root-'));
  mkdirSync(join(root, 'bin'));
  copyFileSync(join(repo, 'bin/start-desktop.js'), join(root, 'bin/start-desktop.js'));
  writeFileSync(join(root, 'package.json'), '{"type":"module"}');
  mkdirSync(join(root, 'dist/main'), { recursive: true });
  writeFileSync(join(root, 'dist/main/index.js'), '');
  writeFileSync(
    join(root, 'bin/magnus-sync.js'),
    `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(join(root, 'headless-args.json'))}, JSON.stringify(process.argv.slice(2)));\n`,
  );
  const electron = join(root, 'node_modules/electron');
  mkdirSync(electron, { recursive: true });
  const script = `#!/bin/sh\nprintf '%s\\n' "$@" > "$(dirname "$0")/args.txt"\n${BINARY[o.binary ?? 'exit-5']}\n`;
  writeFileSync(
    join(electron, 'install.js'),
    [
      "const fs = require('node:fs');",
      "const path = require('node:path');",
      "fs.appendFileSync(path.join(__dirname, 'installer-runs.txt'), 'run\\n');",
      o.installer === 'fails'
        ? "console.error('HTTPError: connect ETIMEDOUT github.com'); process.exit(1);"
        : [
            "fs.mkdirSync(path.join(__dirname, 'dist'), { recursive: true });",
            `fs.writeFileSync(path.join(__dirname, 'dist', 'electron'), ${JSON.stringify(script)}, { mode: 0o755 });`,
            "fs.writeFileSync(path.join(__dirname, 'path.txt'), 'electron');",
          ].join('\n'),
    ].join('\n'),
  );
  // CommonJS, as the real package is (the stand-in checkout itself is "type": "module").
  writeFileSync(join(electron, 'package.json'), '{"name":"electron","version":"45.5.0","type":"commonjs"}');
  return root;
}

function start(root: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const base = { ...process.env };
  delete base.MAGNUS_ELECTRON;
  delete base.ELECTRON_OVERRIDE_DIST_PATH;
  delete base.ELECTRON_SKIP_BINARY_DOWNLOAD;
  const child = spawn(process.execPath, [join(root, 'bin/start-desktop.js'), ...args], {
    cwd: root,
    env: { ...base, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  child.stdout.resume();
  return new Promise<{ code: number | null; stderr: string }>((resolve) =>
    child.on('exit', (code) => resolve({ code, stderr })),
  );
}

const installerRuns = (root: string) => {
  const file = join(root, 'node_modules/electron/installer-runs.txt');
  return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').length : 0;
};

describe('npm start on a fresh install (Electron binary not downloaded yet)', () => {
  it('runs Electron’s installer once, then starts the downloaded Electron with our entry', async () => {
    const root = checkout({ installer: 'downloads' });
    const run = await start(root, ['--demo']);
    expect(run.code, run.stderr).toBe(5);
    expect(installerRuns(root)).toBe(1);
    expect(
      readFileSync(join(root, 'node_modules/electron/dist/args.txt'), 'utf8').trim().split('\n'),
    ).toEqual([join(root, 'dist/main/index.js'), '--demo']);
    expect(existsSync(join(root, 'headless-args.json'))).toBe(false);

    // The second start finds the binary: no second download.
    expect((await start(root, [])).code).toBe(5);
    expect(installerRuns(root)).toBe(1);
  });

  it('when the installer fails: says why, and runs the headless engine instead', async () => {
    const root = checkout({ installer: 'fails' });
    const run = await start(root, ['--demo', '--hidden']);
    expect(run.code, run.stderr).toBe(0);
    expect(installerRuns(root)).toBe(1);
    expect(run.stderr).toContain("Electron's installer failed: it exited with code 1");
    expect(run.stderr).toContain('HTTPError: connect ETIMEDOUT github.com');
    expect(JSON.parse(readFileSync(join(root, 'headless-args.json'), 'utf8'))).toEqual([
      'sync',
      '--serve',
      '127.0.0.1:0',
      '--demo',
    ]);
  });

  it('ELECTRON_SKIP_BINARY_DOWNLOAD=1: no download, headless with that reason', async () => {
    const root = checkout({ installer: 'downloads' });
    const run = await start(root, [], { ELECTRON_SKIP_BINARY_DOWNLOAD: '1' });
    expect(run.code, run.stderr).toBe(0);
    expect(installerRuns(root)).toBe(0);
    expect(run.stderr).toContain('ELECTRON_SKIP_BINARY_DOWNLOAD is set');
    expect(existsSync(join(root, 'headless-args.json'))).toBe(true);
  });
});

describe('npm start where Chromium’s sandbox cannot start (Ubuntu 24.04+)', () => {
  it('recognises the SUID sandbox abort and prints the remedy, exiting non-zero', async () => {
    const root = checkout({ installer: 'downloads', binary: 'sandbox-abort' });
    const run = await start(root, []);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('The SUID sandbox helper binary was found');
    const sandbox = join(root, 'node_modules/electron/dist/chrome-sandbox');
    expect(run.stderr).toContain(`sudo chown root:root '${sandbox}' && sudo chmod 4755 '${sandbox}'`);
    expect(run.stderr).toContain('kernel.apparmor_restrict_unprivileged_userns=0');
    expect(existsSync(join(root, 'headless-args.json'))).toBe(false);
  });

  it('prints no remedy for an ordinary failure of Electron', async () => {
    const root = checkout({ installer: 'downloads', binary: 'exit-5' });
    const run = await start(root, []);
    expect(run.code).toBe(5);
    expect(run.stderr).not.toContain('sandbox');
  });
});
