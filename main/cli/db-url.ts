/**
 * `magnus-sync db-url [--data-dir DIR] [--demo]`: one line, the connection URL of the embedded
 * database (user, password, host, port, database), for psql, a dashboard or a script. It starts
 * nothing: the URL works while the app or an agent runs the server.
 */
import { resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { fileSettingsStore } from '../runtime/settings-file.js';
import { storeConfigFor } from '../runtime/store-config.js';
import { KeychainSecretStore, MemorySecretStore, probeKeychain } from '../secrets/index.js';
import { embeddedConnectionInfo, filePasswordVault } from '../store/index.js';
import { silentLogger } from '../util/logger.js';
import { type CommonOptions, EXIT } from './args.js';

export interface DbUrlContext {
  dataDir: string;
  io: { stdout: Writable; stderr: Writable };
  keychainService: string;
}

export async function dbUrlCommand(command: CommonOptions, ctx: DbUrlContext): Promise<number> {
  const fail = (message: string) => {
    ctx.io.stderr.write(`magnus-sync: ${message}\n`);
    return EXIT.usage;
  };
  const settings = fileSettingsStore({ dataDir: ctx.dataDir, logger: silentLogger }).get();
  if (!command.demo && settings.database.kind === 'postgres')
    return fail('the settings use a PostgreSQL server, not the embedded database; connect to that server.');
  const keychain = command.demo ? null : await probeKeychain(ctx.keychainService);
  const secrets = keychain?.available
    ? new KeychainSecretStore({ service: ctx.keychainService })
    : new MemorySecretStore();
  const config = await storeConfigFor({ settings, defaultDataDir: ctx.dataDir, demo: command.demo, secrets });
  if (config.kind !== 'embedded') return fail('the settings do not use the embedded database.');
  const dataDir = resolve(config.dataDir);
  const info = await embeddedConnectionInfo(dataDir, config.passwordVault ?? filePasswordVault(dataDir));
  if (!info)
    return fail(
      `there is no embedded database in ${dataDir} yet; start the app or magnus-sync${command.demo ? ' --demo' : ''} once.`,
    );
  if (!info.url)
    return fail(
      `the password of the embedded database in ${dataDir} is not in ${keychain?.available ? 'the keychain' : 'its data folder'}; start the app or magnus-sync once to set one.`,
    );
  ctx.io.stdout.write(`${info.url}\n`);
  return EXIT.ok;
}
