/**
 * Secrets never leak: a full run of the built CLI with real credentials in a real keychain (the
 * private Secret Service of `npm test`), then every byte of the data folder (embedded database,
 * settings file, logs), a JSON export of every table and the command's output are scanned for the
 * password, the TOTP secret, the access and refresh tokens and the full account numbers.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearCredentials, KeychainSecretStore, keychainTokenStore } from '../../main/secrets/index.js';
import { keyringSessionAvailable, skipUnless } from '../helpers/env.js';
import { baseEnv, ensureBuilt, runCli } from '../reliability/helpers/cli.js';
import { buildScenario, type Simulator, startSimulator } from '../simulator-tools/index.js';

const skip = skipUnless(keyringSessionAvailable(), 'a private Secret Service (MAGNUS_TEST_KEYRING=1)');
const PASSWORD = 'Pw-9f3c2b71-never-log-me';
const TOTP = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(path)));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

/** Its own keychain service, so no other test's stored login answers for this one. */
const SCAN_SERVICE = `Magnus Sync scan ${process.pid}`;

describe.skipIf(skip)('secret scan after a full run with the keychain', () => {
  let sim: Simulator;
  let home: string;
  beforeAll(async () => {
    ensureBuilt();
    sim = await startSimulator({
      latencyMs: 0,
      scenario: buildScenario({
        seed: 5,
        now: new Date(Date.now() - 3_600_000),
        users: [{ username: 'scan@example.com', password: PASSWORD, totpSecret: TOTP, flow: 'mfa' }],
        accounts: [{ stocks: 4, optionLegs: 2, stockOrders: 20, optionOrders: 4, dividends: 1 }],
      }),
    });
    home = await mkdtemp(join(tmpdir(), 'magnus-scan-'));
  });
  afterAll(async () => {
    await clearCredentials(new KeychainSecretStore({ service: SCAN_SERVICE })).catch(() => undefined);
    await sim?.close();
    await rm(home, { recursive: true, force: true });
  });

  it('finds no password, TOTP secret, token or full account number anywhere on disk or in the output', async () => {
    const dataDir = join(home, 'data');
    const env = baseEnv({
      HOME: home,
      XDG_CONFIG_HOME: home,
      MAGNUS_KEYCHAIN_SERVICE: SCAN_SERVICE,
    });
    const common = ['--api-url', sim.url, '--data-dir', dataDir];
    const login = await runCli(['login', ...common], env, `scan@example.com\n${PASSWORD}\n${TOTP}\n`);
    expect(login.code, login.stderr).toBe(0);
    const once = await runCli(['--once', '--json', ...common], env);
    expect(once.code, once.stderr).toBe(0);
    expect(JSON.parse(once.stdout.trim().split('\n').at(-1)!)).toMatchObject({ status: 'success' });
    const exported = await runCli(['export', '--format', 'json', '--data-dir', dataDir], env);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout.length).toBeGreaterThan(100);

    const tokens = await keychainTokenStore(new KeychainSecretStore({ service: SCAN_SERVICE })).load();
    expect(tokens?.accessToken).toBeTruthy();
    const secrets: Record<string, string> = {
      password: PASSWORD,
      'TOTP secret': TOTP,
      'access token': tokens!.accessToken,
      ...(tokens?.refreshToken ? { 'refresh token': tokens.refreshToken } : {}),
    };
    for (const a of sim.state.accounts)
      secrets[`account number ${a.accountNumber.slice(-4)}`] = a.accountNumber;

    const haystacks: Array<[string, string]> = [
      ['login output', login.stdout + login.stderr],
      ['sync output', once.stdout + once.stderr],
      ['export (every table)', exported.stdout],
    ];
    const files = await filesUnder(dataDir);
    expect(files.some((f) => f.endsWith('settings.json') || f.includes('/logs/'))).toBe(true);
    expect(files.some((f) => f.includes('pgdata'))).toBe(true);
    for (const file of files) haystacks.push([file, (await readFile(file)).toString('latin1')]);

    const leaks: string[] = [];
    for (const [where, text] of haystacks)
      for (const [what, value] of Object.entries(secrets))
        if (text.includes(value)) leaks.push(`${what} in ${where}`);
    expect(leaks).toEqual([]);
  }, 120_000); // three CLI runs, each opening the embedded store: over 30 s on a loaded machine
});

describe('secret scan after a full run without a keychain (credentials from the environment)', () => {
  it('finds no password, TOTP secret or full account number on disk or in the output', async () => {
    ensureBuilt();
    const sim = await startSimulator({
      latencyMs: 0,
      scenario: buildScenario({
        seed: 6,
        now: new Date(Date.now() - 3_600_000),
        users: [{ username: 'env@example.com', password: PASSWORD, totpSecret: TOTP, flow: 'mfa' }],
        accounts: [{ stocks: 4, optionLegs: 2, stockOrders: 20, optionOrders: 4, dividends: 1 }],
      }),
    });
    const home = await mkdtemp(join(tmpdir(), 'magnus-scan-env-'));
    try {
      const dataDir = join(home, 'data');
      const env = baseEnv({
        HOME: home,
        XDG_CONFIG_HOME: home,
        ROBINHOOD_USERNAME: 'env@example.com',
        ROBINHOOD_PASSWORD: PASSWORD,
        ROBINHOOD_TOTP_SECRET: TOTP,
      });
      delete env.DBUS_SESSION_BUS_ADDRESS;
      const once = await runCli(
        ['--once', '--json', '--verbose', '--api-url', sim.url, '--data-dir', dataDir],
        env,
      );
      expect(once.code, once.stderr).toBe(0);
      const exported = await runCli(['export', '--format', 'json', '--data-dir', dataDir], env);
      expect(exported.code, exported.stderr).toBe(0);
      const secrets: Record<string, string> = { password: PASSWORD, 'TOTP secret': TOTP };
      for (const a of sim.state.accounts)
        secrets[`account number ${a.accountNumber.slice(-4)}`] = a.accountNumber;
      const haystacks: Array<[string, string]> = [
        ['sync output (verbose)', once.stdout + once.stderr],
        ['export (every table)', exported.stdout],
      ];
      const files = await filesUnder(dataDir);
      expect(files.some((f) => f.includes('pgdata'))).toBe(true);
      for (const file of files) haystacks.push([file, (await readFile(file)).toString('latin1')]);
      const leaks: string[] = [];
      for (const [where, text] of haystacks)
        for (const [what, value] of Object.entries(secrets))
          if (text.includes(value)) leaks.push(`${what} in ${where}`);
      expect(leaks).toEqual([]);
    } finally {
      await sim.close();
      await rm(home, { recursive: true, force: true });
    }
    // A first sync through the built CLI (broker history included) on a shared machine.
  }, 120_000);
});
