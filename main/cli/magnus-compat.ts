/**
 * `magnus-sync magnus-compat --grant ROLE [--account KEY] [--remove]`: sets up (or removes) the
 * schema the original Magnus dashboard reads, logged in as ROLE (main/store/compat/). The database is
 * --database, else the PostgreSQL server in the settings (its password from the keychain); the
 * embedded database cannot be shared with another program.
 */
import type { Writable } from 'node:stream';
import { fileSettingsStore } from '../app/settings-file.js';
import { storeConfigFor } from '../app/store-config.js';
import type { RootLogger } from '../logging/index.js';
import { KeychainSecretStore, MemorySecretStore, probeKeychain } from '../secrets/index.js';
import { installMagnusCompat, type MagnusCompatResult } from '../store/compat/magnus-compat.js';
import type { Logger, LogMeta } from '../util/logger.js';
import { type CliCommand, EXIT } from './args.js';

export interface MagnusCompatContext {
  dataDir: string;
  logger: RootLogger;
  stdout: Writable;
  stderr: Writable;
  keychainService: string;
  /** Registers a secret (the database password) so that logs and messages never show it. */
  registerSecret(secret: string | null): void;
}

type MagnusCompatCommand = Extract<CliCommand, { command: 'magnus-compat' }>;

/**
 * The command's answer is its one line (stdout, or stderr for a problem); what the database client
 * and the core log on the way goes to the debug log (shown with --verbose).
 */
function debugOnly(logger: Logger): Logger {
  const debug = (message: string, meta?: LogMeta) => logger.debug(message, meta);
  return { debug, info: debug, warn: debug, error: debug };
}

async function databaseUrl(command: MagnusCompatCommand, ctx: MagnusCompatContext): Promise<string | null> {
  if (command.database) return command.database;
  const settings = fileSettingsStore({ dataDir: ctx.dataDir, logger: ctx.logger }).get();
  if (settings.database.kind !== 'postgres') return null;
  const keychain = await probeKeychain(ctx.keychainService);
  const secrets = keychain.available
    ? new KeychainSecretStore({ service: ctx.keychainService })
    : new MemorySecretStore();
  const config = await storeConfigFor({ settings, defaultDataDir: ctx.dataDir, demo: false, secrets });
  return config.kind === 'postgres' ? config.url : null;
}

export async function magnusCompatCommand(
  command: MagnusCompatCommand,
  ctx: MagnusCompatContext,
): Promise<number> {
  const url = await databaseUrl(command, ctx);
  if (url === null) {
    ctx.stderr.write(
      'magnus-sync: magnus-compat needs a PostgreSQL server (--database URL): the embedded database cannot be opened by another program.\n',
    );
    return EXIT.usage;
  }
  ctx.registerSecret(new URL(url).password || null);
  const result: MagnusCompatResult = await installMagnusCompat(url, {
    role: command.grant,
    account: command.account,
    remove: command.remove,
    logger: debugOnly(ctx.logger),
  });
  if (command.json) {
    (result.ok ? ctx.stdout : ctx.stderr).write(`${JSON.stringify(result)}\n`);
  } else if (result.ok) {
    ctx.stdout.write(`${result.message}\n`);
  } else {
    ctx.stderr.write(`magnus-sync: ${result.message}\n`);
  }
  return result.ok ? EXIT.ok : EXIT.usage;
}
