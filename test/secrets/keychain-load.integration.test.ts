/**
 * A keychain library whose native binding does not load (an installer built for another processor,
 * a damaged install): the keychain is unavailable with a plain reason, and nothing crashes.
 *
 * The broken library is the real @napi-rs/keyring package copied without its per-platform binding,
 * so loading it throws the library's own "Cannot find native binding" error.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  KEYCHAIN_PROBLEMS,
  KeychainError,
  KeychainSecretStore,
  type KeyringBinding,
  probeKeychain,
} from '../../main/secrets/keychain-store.js';

const repo = join(import.meta.dirname, '../..');
const work = mkdtempSync(join(tmpdir(), 'magnus-keyring-load-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** node_modules/@napi-rs/keyring under `root`, without any platform package beside it. */
function keyringWithoutBinding(root: string): string {
  const dir = join(root, 'node_modules/@napi-rs/keyring');
  mkdirSync(dir, { recursive: true });
  for (const file of ['index.js', 'package.json']) {
    copyFileSync(join(repo, 'node_modules/@napi-rs/keyring', file), join(dir, file));
  }
  return dir;
}

const envWithoutOverride = () => {
  const env = { ...process.env };
  delete env.NAPI_RS_NATIVE_LIBRARY_PATH;
  return env;
};

describe('keychain library without its native binding', () => {
  const dir = keyringWithoutBinding(join(work, 'in-process'));
  const loadBroken = async () => createRequire(import.meta.url)(join(dir, 'index.js')) as KeyringBinding;

  it('the copy really fails to load, with the library’s own error', async () => {
    await expect(loadBroken()).rejects.toThrow(/Cannot find native binding/);
  });

  it('probe: unavailable, with the reason in plain words', async () => {
    expect(await probeKeychain('Magnus Sync load test', { loadKeyring: loadBroken })).toEqual({
      available: false,
      problem: KEYCHAIN_PROBLEMS.noLibrary,
    });
  });

  it('store: each call fails with a KeychainError carrying that reason', async () => {
    const store = new KeychainSecretStore({ service: 'Magnus Sync load test', loadKeyring: loadBroken });
    for (const call of [
      () => store.get('robinhood.username'),
      () => store.set('robinhood.username', 'someone'),
      () => store.delete('robinhood.username'),
    ]) {
      const error = await call().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(KeychainError);
      expect((error as KeychainError).problem).toBe(KEYCHAIN_PROBLEMS.noLibrary);
    }
  });
});

describe('a process whose keychain binding is missing', () => {
  it('imports the keychain module and reports the keychain unavailable instead of crashing', () => {
    // The secrets modules as the app ships them, next to the broken library.
    const root = join(work, 'child');
    keyringWithoutBinding(root);
    mkdirSync(join(root, 'secrets'), { recursive: true });
    mkdirSync(join(root, 'util'), { recursive: true });
    for (const file of ['secrets/keychain-store.ts', 'secrets/secret-store.ts', 'util/errors.ts']) {
      copyFileSync(join(repo, 'main', file), join(root, file));
    }
    writeFileSync(join(root, 'package.json'), '{"type":"module"}');
    writeFileSync(
      join(root, 'probe.ts'),
      "import { probeKeychain } from './secrets/keychain-store.js';\nconsole.log(JSON.stringify(await probeKeychain('Magnus Sync load test')));\n",
    );
    const tsx = createRequire(import.meta.url).resolve('tsx');
    const r = spawnSync(process.execPath, ['--import', tsx, join(root, 'probe.ts')], {
      cwd: root,
      encoding: 'utf8',
      env: envWithoutOverride(),
      timeout: 30_000,
    });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.trim().split('\n').at(-1) ?? 'null')).toEqual({
      available: false,
      problem: KEYCHAIN_PROBLEMS.noLibrary,
    });
  });
});
