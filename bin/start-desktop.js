#!/usr/bin/env node
/**
 * `npm start` (after `node build.mjs`): runs the tray app in Electron with dist/main/index.js.
 *
 * Electron 45 has no install script: `npm install` leaves node_modules/electron without its binary,
 * which is downloaded from GitHub on the first `require('electron')`. This script never requires
 * it; it looks for the binary itself (MAGNUS_ELECTRON, ELECTRON_OVERRIDE_DIST_PATH, or
 * node_modules/electron/dist). When node_modules/electron has none, it runs Electron's own
 * installer (node_modules/electron/install.js) once, unless ELECTRON_SKIP_BINARY_DOWNLOAD is set.
 * Only when that fails does it say why and run the headless engine with its web status page
 * instead: `magnus-sync sync --serve 127.0.0.1:0` (plus --demo / --data-dir when given).
 *
 * On Linux distributions that restrict unprivileged user namespaces (Ubuntu 24.04 and later),
 * Electron aborts with the SUID sandbox error; this script recognises that exit and prints the
 * remedy (see docs/desktop.md).
 */
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const ELECTRON_PACKAGE_DIR = join(root, 'node_modules', 'electron');

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
  electronDir = ELECTRON_PACKAGE_DIR,
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
      installable: true,
      reason:
        'node_modules/electron has no binary (Electron 45 downloads it from GitHub on first use, which failed or never ran)',
    };
  }
  const path = join(electronDir, 'dist', relative);
  return isExecutable(path) ? { path } : { path: null, installable: true, reason: `${path} is missing` };
}

/** npm's reading of a boolean environment variable: set and not "0"/"false"/"". */
function envFlag(value) {
  return value !== undefined && !['', '0', 'false'].includes(value.trim().toLowerCase());
}

/**
 * The Electron executable, downloading it first when node_modules/electron has none: runs
 * Electron's installer (install.js, what `npx install-electron` runs) once and looks again.
 * `runInstaller(electronDir)` returns { ok, why }; by default it runs install.js in a child
 * Node with the output shown to the user.
 */
export function ensureElectron({
  env = process.env,
  platform = process.platform,
  electronDir = ELECTRON_PACKAGE_DIR,
  runInstaller = runElectronInstaller,
  log = (line) => console.error(line),
} = {}) {
  const found = findElectron({ env, platform, electronDir });
  if (found.path || !found.installable) return found;
  if (envFlag(env.ELECTRON_SKIP_BINARY_DOWNLOAD)) {
    return {
      path: null,
      reason: `${found.reason}; ELECTRON_SKIP_BINARY_DOWNLOAD is set, so it was not downloaded`,
    };
  }
  log(
    "start-desktop: the Electron binary is not installed yet; downloading it (once) with Electron's installer…",
  );
  const installed = runInstaller(electronDir, env);
  if (!installed.ok) {
    return { path: null, reason: `${found.reason}; Electron's installer failed: ${installed.why}` };
  }
  const again = findElectron({ env, platform, electronDir });
  return again.path ? again : { path: null, reason: `Electron's installer finished but ${again.reason}` };
}

function runElectronInstaller(electronDir, env) {
  const installer = join(electronDir, 'install.js');
  if (!existsSync(installer)) return { ok: false, why: `${installer} does not exist` };
  const result = spawnSync(process.execPath, [installer], { cwd: electronDir, env, stdio: 'inherit' });
  if (result.error) return { ok: false, why: result.error.message };
  if (result.status !== 0) {
    return {
      ok: false,
      why: result.signal
        ? `it was stopped by ${result.signal}`
        : `it exited with code ${result.status} (its output is above; is GitHub reachable?)`,
    };
  }
  return { ok: true };
}

/**
 * Chromium's abort when its sandbox cannot start: the SUID helper is not root-owned 4755, which on
 * Ubuntu 24.04+ means AppArmor denies the unprivileged user namespaces the sandbox uses instead.
 */
export function isSandboxAbort(stderr) {
  return (
    stderr.includes('The SUID sandbox helper binary was found, but is not configured correctly') ||
    stderr.includes('No usable sandbox!')
  );
}

/** What to tell the user after a sandbox abort of `electronPath`. */
export function sandboxRemedy(electronPath) {
  const sandbox = join(dirname(electronPath), 'chrome-sandbox');
  return [
    "start-desktop: Electron stopped because Chromium's sandbox cannot start here.",
    '  This Linux restricts unprivileged user namespaces (Ubuntu 24.04 and later do, through AppArmor).',
    '  Remedy, one of:',
    `    - let the sandbox helper run as root:  sudo chown root:root '${sandbox}' && sudo chmod 4755 '${sandbox}'`,
    '    - or install the .deb package (`npm run dist`), which installs an AppArmor profile for the app;',
    '    - or allow user namespaces for everyone: sudo sysctl kernel.apparmor_restrict_unprivileged_userns=0',
    '  (docs/desktop.md, "Linux sandbox", explains each.)',
  ].join('\n');
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

/**
 * Runs a child and exits with its code. `onExit(stderrTail)` may print a hint first: stderr is
 * passed through as it comes and its last 64 KiB kept for that.
 */
function run(command, args, onExit) {
  const child = spawn(command, args, {
    cwd: root,
    stdio: ['inherit', 'inherit', onExit ? 'pipe' : 'inherit'],
  });
  let stderrTail = '';
  child.stderr?.on('data', (chunk) => {
    process.stderr.write(chunk);
    stderrTail = (stderrTail + chunk.toString('utf8')).slice(-65_536);
  });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => {
    const finish = () => {
      onExit?.(stderrTail);
      process.exit(code ?? (signal ? 1 : 0));
    };
    // Let the last of stderr arrive; a helper process that inherited the pipe must not hold us.
    if (!child.stderr || child.stderr.readableEnded) finish();
    else {
      child.stderr.once('end', finish);
      setTimeout(finish, 500);
    }
  });
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
  const electron = ensureElectron();
  if (electron.path) {
    run(electron.path, [entry, ...args], (stderr) => {
      if (isSandboxAbort(stderr)) console.error(sandboxRemedy(electron.path));
    });
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
