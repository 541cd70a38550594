/**
 * What the keychain probe tells a user when there is no usable keychain. Each case starts a real
 * child process in a real broken environment: no D-Bus at all, a D-Bus session without a Secret
 * Service, a locked keyring, a keyring without a default collection.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  describeKeychainError,
  KEYCHAIN_PROBLEMS,
  type KeychainStatus,
} from '../../main/secrets/keychain-store.js';
import { skipUnless } from '../helpers/env.js';

const probeScript = fileURLToPath(new URL('./fixtures/probe-child.ts', import.meta.url));
const service = `Magnus Sync probe test ${process.pid}`;
const temp = mkdtempSync(join(tmpdir(), 'magnus-probe-test-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

/** The environment of this process minus every hint of a desktop session. */
function bareEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  for (const key of [
    'DBUS_SESSION_BUS_ADDRESS',
    'DISPLAY',
    'WAYLAND_DISPLAY',
    'MAGNUS_TEST_KEYRING',
    'GNOME_KEYRING_CONTROL',
  ]) {
    if (!(key in extra)) delete env[key];
  }
  return env;
}

function lastJsonLine(stdout: string): KeychainStatus {
  const line = stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(line) as KeychainStatus;
}

function probeIn(env: NodeJS.ProcessEnv): KeychainStatus {
  const r = spawnSync(process.execPath, ['--import', 'tsx', probeScript, service], { encoding: 'utf8', env });
  expect(r.status, r.stderr).toBe(0);
  return lastJsonLine(r.stdout);
}

/** Runs `shell` inside a fresh private D-Bus session whose keyring files live in `home`. */
function inSession(home: string, shell: string, config?: string): KeychainStatus {
  const args = [...(config ? [`--config-file=${config}`] : []), '--', 'sh', '-c', shell];
  const r = spawnSync('dbus-run-session', args, {
    encoding: 'utf8',
    // Services the bus starts on demand inherit this environment: keep their files in `home`.
    env: bareEnv({ HOME: home, XDG_RUNTIME_DIR: home, XDG_DATA_HOME: join(home, 'data') }),
    timeout: 30_000,
  });
  expect(r.status, r.stderr).toBe(0);
  return lastJsonLine(r.stdout);
}

const probeCommand = `"${process.execPath}" --import tsx "${probeScript}" "${service}"`;
const hasSessionTools =
  spawnSync('sh', ['-c', 'command -v dbus-run-session && command -v gnome-keyring-daemon'], {
    stdio: 'ignore',
  }).status === 0;

describe('probeKeychain without a usable keychain', () => {
  it('explains that there is no D-Bus session when the variable is unset', () => {
    expect(probeIn(bareEnv())).toEqual({ available: false, problem: KEYCHAIN_PROBLEMS.noDbus });
  });

  it('makes the store fail with the same sentence, never with the value', () => {
    const storeScript = fileURLToPath(new URL('./fixtures/store-child.ts', import.meta.url));
    const r = spawnSync(process.execPath, ['--import', 'tsx', storeScript, service], {
      encoding: 'utf8',
      env: bareEnv(),
    });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.trim())).toEqual({
      ok: false,
      isKeychainError: true,
      message: KEYCHAIN_PROBLEMS.noDbus,
    });
    expect(r.stdout + r.stderr).not.toContain('child-secret-value');
  });

  it('explains that there is no D-Bus session when the variable points nowhere', () => {
    const status = probeIn(bareEnv({ DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(temp, 'no-such-bus')}` }));
    expect(status).toEqual({ available: false, problem: KEYCHAIN_PROBLEMS.noDbus });
    expect(KEYCHAIN_PROBLEMS.noDbus).toMatch(
      /^No keychain is available: .*Magnus Sync will not store credentials\.$/,
    );
  });

  describe.skipIf(skipUnless(hasSessionTools, 'dbus-run-session and gnome-keyring'))(
    'in a D-Bus session',
    () => {
      it('explains that no Secret Service is running when none can be started', () => {
        // A session bus that knows no services at all, as on a machine without gnome-keyring or KWallet.
        const config = join(temp, 'bare-session.conf');
        writeFileSync(
          config,
          `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>session</type><listen>unix:tmpdir=${temp}</listen><auth>EXTERNAL</auth>
<policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/><allow own="*"/></policy>
</busconfig>`,
        );
        const home = mkdtempSync(join(temp, 'home-'));
        expect(inSession(home, probeCommand, config)).toEqual({
          available: false,
          problem: KEYCHAIN_PROBLEMS.noSecretService,
        });
      });

      it('explains that the keyring is locked when it cannot be unlocked', () => {
        const home = mkdtempSync(join(temp, 'home-'));
        // First session: create the login keyring (unlocked), which the probe can use.
        expect(
          inSession(
            home,
            `printf pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null; ${probeCommand}`,
          ),
        ).toEqual({ available: true });
        // Second session: the same keyring, started without its password and without a display
        // for the unlock prompt.
        expect(
          inSession(
            home,
            `gnome-keyring-daemon --start --components=secrets </dev/null >/dev/null 2>&1; ${probeCommand}`,
          ),
        ).toEqual({ available: false, problem: KEYCHAIN_PROBLEMS.locked });
      });

      it('explains that there is no default keyring to store into', () => {
        const home = mkdtempSync(join(temp, 'home-'));
        // gnome-keyring started on demand by the bus, never given a password: no login keyring exists.
        expect(inSession(home, probeCommand)).toEqual({
          available: false,
          problem: KEYCHAIN_PROBLEMS.noDefaultKeyring,
        });
      });
    },
  );
});

describe('describeKeychainError', () => {
  it('maps nested library errors and falls back to a sentence with the first line of the reason', () => {
    const nested = new Error('Platform failure: DBus error: x', {
      cause: new Error('Failed to connect to socket /run/user/0/bus: Connection refused'),
    });
    expect(describeKeychainError(nested)).toBe(KEYCHAIN_PROBLEMS.noDbus);
    expect(describeKeychainError(new Error('Something odd\nsecond line'))).toBe(
      'The keychain could not be used (Something odd). Magnus Sync will not store credentials.',
    );
  });
});
