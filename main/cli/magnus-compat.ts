/**
 * `magnus-sync magnus-compat --grant ROLE [--account KEY] [--remove]`: sets up (or removes) the
 * schema the original Magnus dashboard reads, logged in as ROLE (main/store/compat/). The database is
 * --database, else the PostgreSQL server in the settings (its password from the keychain), else the
 * embedded server of the data folder: there ROLE is created as a login when missing, and the URL
 * the dashboard connects with is printed.
 */

import { resolve } from 'node:path';
import type { Writable } from 'node:stream';
import type { RootLogger } from '../logging/index.js';
import { fileSettingsStore } from '../runtime/settings-file.js';
import { storeConfigFor } from '../runtime/store-config.js';
import { KeychainSecretStore, MemorySecretStore, probeKeychain } from '../secrets/index.js';
import { magnusCompatOnEmbedded } from '../store/compat/embedded.js';
import { installMagnusCompat, type MagnusCompatResult } from '../store/compat/magnus-compat.js';
import { filePasswordVault } from '../store/index.js';
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

type Target =
  | { kind: 'postgres'; url: string }
  | { kind: 'embedded'; dataDir: string; vault: ReturnType<typeof filePasswordVault> };

async function target(command: MagnusCompatCommand, ctx: MagnusCompatContext): Promise<Target> {
  if (command.database) return { kind: 'postgres', url: command.database };
  const settings = fileSettingsStore({ dataDir: ctx.dataDir, logger: ctx.logger }).get();
  const keychain = await probeKeychain(ctx.keychainService);
  const secrets = keychain.available
    ? new KeychainSecretStore({ service: ctx.keychainService })
    : new MemorySecretStore();
  const config = await storeConfigFor({ settings, defaultDataDir: ctx.dataDir, demo: false, secrets });
  if (config.kind === 'postgres') return { kind: 'postgres', url: config.url };
  const dataDir = resolve(config.dataDir);
  return { kind: 'embedded', dataDir, vault: config.passwordVault ?? filePasswordVault(dataDir) };
}

export async function magnusCompatCommand(
  command: MagnusCompatCommand,
  ctx: MagnusCompatContext,
): Promise<number> {
  const where = await target(command, ctx);
  let result: MagnusCompatResult;
  let dashboard: string | null = null;
  if (where.kind === 'embedded') {
    ({ result, dashboardUrl: dashboard } = await magnusCompatOnEmbedded({
      dataDir: where.dataDir,
      vault: where.vault,
      role: command.grant,
      account: command.account,
      remove: command.remove,
      logger: debugOnly(ctx.logger),
      registerSecret: (secret) => ctx.registerSecret(secret),
    }));
  } else {
    ctx.registerSecret(new URL(where.url).password || null);
    result = await installMagnusCompat(where.url, {
      role: command.grant,
      account: command.account,
      remove: command.remove,
      logger: debugOnly(ctx.logger),
    });
  }
  if (command.json) {
    (result.ok ? ctx.stdout : ctx.stderr).write(
      `${JSON.stringify(dashboard ? { ...result, dashboardUrl: dashboard } : result)}\n`,
    );
  } else if (result.ok) {
    ctx.stdout.write(`${result.message}\n`);
    // The dashboard's URL is the answer the user asked for (like db-url): shown, never logged.
    if (dashboard)
      ctx.stdout.write(
        `The dashboard connects with: ${dashboard}${new URL(dashboard).password ? '' : ' (with the password the role already has)'}\n`,
      );
  } else {
    ctx.stderr.write(`magnus-sync: ${result.message}\n`);
  }
  return result.ok ? EXIT.ok : EXIT.usage;
}
