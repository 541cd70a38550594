#!/usr/bin/env node
/**
 * `npm start` (after `node build.mjs`): runs the tray app in Electron with dist/main/index.js.
 *
 * Electron 45 downloads its binary the first time `require('electron')` runs, which fails on
 * machines that cannot reach GitHub. So this script never requires it: it looks for the binary
 * itself (MAGNUS_ELECTRON, ELECTRON_OVERRIDE_DIST_PATH, or node_modules/electron/dist). When there
 * is none, it says so and runs the headless engine with its web status page instead:
 * `magnus-sync sync --serve 127.0.0.1:0` (plus --demo / --data-dir when given).
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const DEFAULT_BINARY = {
  darwin: 'Electron.app/Contents/MacOS/Electron',
  win32: 'electron.exe',
};

function isExecutable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The Electron executable to run, or null with the reason there is none. Mirrors what
 * node_modules/electron/index.js does, minus its download.
 */
export function findElectron({
  env = process.env,
  platform = process.platform,
  electronDir = join(root, 'node_modules', 'electron'),
} = {}) {
  if (env.MAGNUS_ELECTRON) {
    return isExecutable(env.MAGNUS_ELECTRON)
      ? { path: env.MAGNUS_ELECTRON }
      : { path: null, reason: `MAGNUS_ELECTRON=${env.MAGNUS_ELECTRON} is not an executable file` };
  }
  const pathFile = join(electronDir, 'path.txt');
  const relative = existsSync(pathFile)
    ? readFileSync(pathFile, 'utf8').trim()
    : (DEFAULT_BINARY[platform] ?? 'electron');
  if (env.ELECTRON_OVERRIDE_DIST_PATH) {
    const path = join(env.ELECTRON_OVERRIDE_DIST_PATH, relative);
    return isExecutable(path)
      ? { path }
      : { path: null, reason: `ELECTRON_OVERRIDE_DIST_PATH has no executable ${relative}` };
  }
  if (!existsSync(electronDir)) return { path: null, reason: 'the electron package is not installed' };
  if (!existsSync(pathFile)) {
    return {
      path: null,
      reason:
        'node_modules/electron has no binary (Electron 45 downloads it from GitHub on first use, which failed or never ran)',
    };
  }
  const path = join(electronDir, 'dist', relative);
  return isExecutable(path) ? { path } : { path: null, reason: `${path} is missing` };
}

/** Of our desktop flags, the ones the headless CLI understands too (--hidden has no meaning there). */
export function headlessArgs(args) {
  const out = ['sync', '--serve', '127.0.0.1:0'];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--demo') out.push(arg);
    else if (arg.startsWith('--data-dir=')) out.push('--data-dir', arg.slice('--data-dir='.length));
    else if (arg === '--data-dir' && args[i + 1]) out.push('--data-dir', args[++i]);
  }
  return out;
}

function run(command, args) {
  const child = spawn(command, args, { cwd: root, stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
  child.on('error', (error) => {
    console.error(`start-desktop: could not start ${command}: ${error.message}`);
    process.exit(1);
  });
}

function main() {
  const args = process.argv.slice(2);
  const entry = join(root, 'dist', 'main', 'index.js');
  if (!existsSync(entry)) {
    console.error(
      'start-desktop: dist/main/index.js is missing; run `node build.mjs` (npm start does) first.',
    );
    process.exit(1);
  }
  const electron = findElectron();
  if (electron.path) {
    run(electron.path, [entry, ...args]);
    return;
  }
  const fallback = headlessArgs(args);
  console.error(
    [
      'start-desktop: the Electron binary is unavailable, so the tray app cannot start.',
      `  Why: ${electron.reason}.`,
      '  To get it: `npx install-electron --no` where GitHub is reachable, or point',
      '  ELECTRON_OVERRIDE_DIST_PATH (or MAGNUS_ELECTRON) at an unpacked Electron 45.',
      `Starting the headless engine with its web status page instead: magnus-sync ${fallback.join(' ')}`,
      '  (the status page address is printed below; Ctrl+C stops it).',
    ].join('\n'),
  );
  run(process.execPath, [join(root, 'bin', 'magnus-sync.js'), ...fallback]);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
