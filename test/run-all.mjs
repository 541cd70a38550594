#!/usr/bin/env node
/**
 * `npm test`: everything that proves the product works, in one command.
 *
 *  1. Runs inside a private D-Bus session with a headless, unlocked gnome-keyring (a real Secret
 *     Service for the keychain tests), when dbus-run-session and gnome-keyring are installed.
 *  2. Makes sure PostgreSQL answers on 127.0.0.1:5432 (starts the cluster when it may), gives this
 *     run a unique id, and drops every database the run created at the end.
 *  3. Checks: build, type-check, lint; then the vitest tiers, each reported on its own line: unit
 *     (`*.test.ts`, in-process, no database, child process or keychain) and integration
 *     (`*.integration.test.ts`); then Playwright (Chromium).
 *  4. Prints one final line: `N passed, N failed, N skipped` (checks count as tests).
 *
 * MAGNUS_TEST_STRICT=1 (set by .ci/run) turns "missing Chromium / keychain" skips into failures.
 * MAGNUS_TEST_ONLY=checks|unit|integration|e2e runs one part; extra arguments go to vitest (e.g. a file).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The vitest projects in vitest.config.mts, in the order they run. */
const VITEST_TIERS = ['unit', 'integration'];
/** What MAGNUS_TEST_ONLY may name. */
const PARTS = ['checks', ...VITEST_TIERS, 'e2e'];

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);
const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

// 1. A private keyring session: re-run this script inside dbus-run-session.
if (!process.env.MAGNUS_KEYRING_SESSION && has('dbus-run-session') && has('gnome-keyring-daemon')) {
  const child = spawn('dbus-run-session', ['--', process.execPath, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, MAGNUS_KEYRING_SESSION: '1' },
  });
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
} else {
  await main();
}

async function main() {
  const only = process.env.MAGNUS_TEST_ONLY;
  if (only && !PARTS.includes(only)) {
    console.error(`MAGNUS_TEST_ONLY must be one of ${PARTS.join(', ')} (got '${only}').`);
    process.exit(2);
  }
  const results = [];
  const record = (name, passed, failed, skipped) => results.push({ name, passed, failed, skipped });
  const runId = `${Date.now().toString(36)}${process.pid.toString(36)}`;
  process.env.MAGNUS_TEST_RUN_ID = runId;
  process.env.TZ = 'UTC';
  mkdirSync('test-results', { recursive: true });

  if (process.env.MAGNUS_KEYRING_SESSION === '1') startKeyring();
  await ensurePostgres();

  const extra = process.argv.slice(2);
  try {
    if (!only || only === 'checks') {
      for (const [name, cmd, args] of [
        ['build', 'npm', ['run', '-s', 'build']],
        ['typecheck', 'npm', ['run', '-s', 'typecheck']],
        ['lint', 'npx', ['biome', 'check', '.']],
      ]) {
        const ok = run(cmd, args).status === 0;
        record(`check: ${name}`, ok ? 1 : 0, ok ? 0 : 1, 0);
      }
    }
    for (const tier of VITEST_TIERS) {
      if (only && only !== tier) continue;
      const out = `test-results/vitest-${tier}.json`;
      rmSync(out, { force: true });
      run('npx', [
        'vitest',
        'run',
        `--project=${tier}`,
        '--reporter=default',
        '--reporter=json',
        `--outputFile.json=${out}`,
        // A file named on the command line may belong to the other tier: not an error here.
        ...(extra.length > 0 ? ['--passWithNoTests'] : []),
        ...extra,
      ]);
      record(`vitest: ${tier}`, ...countVitest(out));
    }
    if (!only || only === 'e2e') {
      const out = 'test-results/playwright.json';
      rmSync(out, { force: true });
      run('npx', ['playwright', 'test'], { PLAYWRIGHT_JSON_OUTPUT_NAME: out });
      record('playwright', ...countPlaywright(out));
      // The Electron spec: runs where an Electron binary exists, reports itself skipped here.
      const electronOut = join(root, 'test-results/playwright-electron.json');
      rmSync(electronOut, { force: true });
      run(
        'npx',
        ['playwright', 'test', '-c', 'test/e2e-electron/playwright.config.ts', '--reporter=list,json'],
        {
          PLAYWRIGHT_JSON_OUTPUT_NAME: electronOut,
        },
      );
      record('playwright: electron', ...countPlaywright(electronOut));
    }
  } finally {
    await dropRunDatabases(runId);
  }

  const total = results.reduce(
    (t, r) => ({ passed: t.passed + r.passed, failed: t.failed + r.failed, skipped: t.skipped + r.skipped }),
    { passed: 0, failed: 0, skipped: 0 },
  );
  console.log('\nSummary');
  for (const r of results)
    console.log(`  ${r.name.padEnd(21)} ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped`);
  console.log(`${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
  process.exitCode = total.failed > 0 || total.passed === 0 ? 1 : 0;
}

function run(cmd, args, env = {}) {
  console.log(`\n$ ${cmd} ${args.join(' ')}`);
  return spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
}

/** Starts gnome-keyring's Secret Service in this D-Bus session, unlocked, with its files in a temp folder. */
function startKeyring() {
  const home = mkdtempSync(join(tmpdir(), 'magnus-keyring-'));
  // The daemon dies with this D-Bus session; its files go with it.
  process.on('exit', () => rmSync(home, { recursive: true, force: true }));
  const r = spawnSync('gnome-keyring-daemon', ['--unlock', '--components=secrets'], {
    input: 'magnus-test-keyring',
    env: { ...process.env, HOME: home, XDG_DATA_HOME: join(home, 'data'), XDG_RUNTIME_DIR: home },
    encoding: 'utf8',
  });
  if (r.status === 0) {
    process.env.MAGNUS_TEST_KEYRING = '1';
    console.log('Keychain: headless gnome-keyring (Secret Service) started for this run.');
  } else {
    console.log(
      `Keychain: gnome-keyring did not start (${(r.stderr || '').trim()}); keychain tests will skip.`,
    );
  }
}

async function pgClient(database = 'postgres') {
  const { default: pg } = await import('pg');
  const base = process.env.MAGNUS_TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const url = new URL(base);
  url.pathname = `/${database}`;
  const client = new pg.Client({ connectionString: url.toString(), connectionTimeoutMillis: 3000 });
  await client.connect();
  return client;
}

async function ensurePostgres() {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const c = await pgClient();
      await c.end();
      return;
    } catch (error) {
      if (attempt === 0 && existsSync('/etc/postgresql') && process.getuid?.() === 0) {
        console.log(`PostgreSQL not reachable (${error.message}); starting the cluster.`);
        spawnSync(
          'sh',
          ['-c', 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql | head -1) main start'],
          {
            stdio: 'inherit',
          },
        );
      } else {
        console.log(`PostgreSQL not reachable (${error.message}); tests that need it will fail.`);
      }
    }
  }
}

async function dropRunDatabases(runId) {
  try {
    const c = await pgClient();
    const { rows } = await c.query('select datname from pg_database where datname like $1', [
      `magnus_t_${runId}_%`,
    ]);
    for (const { datname } of rows) await c.query(`drop database if exists "${datname}" with (force)`);
    // Login roles a test made (test/helpers/postgres.ts createTestRole) and did not drop.
    const roles = await c.query('select rolname from pg_roles where rolname like $1', [
      `magnus_t_${runId}_%`,
    ]);
    for (const { rolname } of roles.rows)
      await c.query(`drop role if exists "${rolname}"`).catch(() => undefined);
    await c.end();
    if (rows.length) console.log(`Dropped ${rows.length} test database(s) of this run.`);
  } catch {
    // PostgreSQL unreachable: nothing was created.
  }
}

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

function countVitest(file) {
  const r = readJson(file);
  if (!r) return [0, 1, 0]; // the runner itself failed
  const failedSuites = (r.testResults ?? []).filter(
    (s) => s.status === 'failed' && (s.assertionResults ?? []).length === 0,
  ).length;
  return [
    r.numPassedTests,
    r.numFailedTests + failedSuites,
    (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0),
  ];
}

function countPlaywright(file) {
  const r = readJson(file);
  if (!r) return [0, 1, 0];
  const s = r.stats ?? {};
  const errors = (r.errors ?? []).length;
  return [(s.expected ?? 0) + (s.flaky ?? 0), (s.unexpected ?? 0) + errors, s.skipped ?? 0];
}
