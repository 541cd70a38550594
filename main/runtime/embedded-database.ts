/**
 * The settings window's view of the embedded database: the address a dashboard connects to, and
 * its password on the user's request. The password is revealed only where the host allows it (the
 * desktop app's own window over IPC, never the headless web page). What cannot be done is refused
 * with a CallFailure whose message says why.
 */
import { resolve } from 'node:path';
import { CallFailure } from '../../shared/call-result.js';
import type { Handlers } from '../../shared/contract.js';
import type {
  EmbeddedDatabaseView,
  EmbeddedPasswordReveal,
  MagnusCompatSetup,
  Settings,
} from '../../shared/settings.js';
import type { SecretStore } from '../secrets/index.js';
import { magnusCompatOnEmbedded } from '../store/compat/embedded.js';
import { roleNameProblem } from '../store/compat/magnus-sql.js';
import { embeddedConnectionInfo, filePasswordVault } from '../store/index.js';
import type { Logger } from '../util/logger.js';
import type { RuntimeParts } from './runtime-parts.js';
import { storeConfigFor } from './store-config.js';

export interface EmbeddedDatabaseChoice {
  settings: Settings;
  defaultDataDir: string;
  demo: boolean;
  secrets: SecretStore;
  canReveal: boolean;
}

const NONE = { running: false, address: null, host: null, port: null, user: null, database: null };

async function connectionInfo(choice: EmbeddedDatabaseChoice) {
  const config = await storeConfigFor({ ...choice, databaseUrl: undefined });
  if (config.kind !== 'embedded') return { config, info: null };
  const dataDir = resolve(config.dataDir);
  const vault = config.passwordVault ?? filePasswordVault(dataDir);
  return { config, vault, info: await embeddedConnectionInfo(dataDir, vault) };
}

export async function embeddedDatabaseView(choice: EmbeddedDatabaseChoice): Promise<EmbeddedDatabaseView> {
  const { config, vault, info } = await connectionInfo(choice);
  if (config.kind !== 'embedded')
    return {
      available: false,
      message: 'The settings use a PostgreSQL server: dashboards connect to that server.',
      canReveal: false,
      ...NONE,
    };
  if (!info)
    return {
      available: false,
      message: 'The embedded database is created when the app first syncs.',
      canReveal: false,
      ...NONE,
    };
  const kept =
    vault?.where === 'keychain' ? 'the system keychain' : 'a file only you can read in the data folder';
  return {
    available: true,
    message: `${info.running ? `Running on ${info.host}:${info.port}` : 'Not running now (it runs while the app syncs)'}; the password is kept in ${kept}.`,
    running: info.running,
    address: `postgres://${info.user}@${info.host}:${info.port}/${info.database}`,
    host: info.host,
    port: info.port,
    user: info.user,
    database: info.database,
    canReveal: choice.canReveal && info.password !== null,
  };
}

export async function revealEmbeddedPassword(
  choice: EmbeddedDatabaseChoice,
): Promise<EmbeddedPasswordReveal> {
  if (!choice.canReveal)
    throw CallFailure.refused(
      'The password is shown only in the desktop app; on this machine, magnus-sync db-url prints it.',
    );
  const { info } = await connectionInfo(choice);
  if (!info?.password || !info.url)
    throw CallFailure.refused('The embedded database has no password yet: it is set at its first start.');
  return { password: info.password, url: info.url };
}

/** "Magnus dashboard compatibility" from the settings window (desktop app only). */
export async function setUpMagnusCompat(
  choice: EmbeddedDatabaseChoice,
  request: { role: string; account?: string | undefined },
  logger: Logger,
  registerSecret: (secret: string) => void,
): Promise<MagnusCompatSetup> {
  if (!choice.canReveal)
    throw CallFailure.refused(
      'Set it up in the desktop app, or with magnus-sync magnus-compat --grant ROLE on this machine.',
    );
  const problem = roleNameProblem(request.role);
  if (problem) throw CallFailure.invalid({ role: problem });
  const config = await storeConfigFor({ ...choice, databaseUrl: undefined });
  if (config.kind !== 'embedded')
    throw CallFailure.refused(
      'The settings use a PostgreSQL server: run magnus-sync magnus-compat --database URL --grant ROLE.',
    );
  const dataDir = resolve(config.dataDir);
  let outcome: Awaited<ReturnType<typeof magnusCompatOnEmbedded>>;
  try {
    outcome = await magnusCompatOnEmbedded({
      dataDir,
      vault: config.passwordVault ?? filePasswordVault(dataDir),
      role: request.role,
      account: request.account ?? null,
      remove: false,
      logger,
      registerSecret,
    });
  } catch (error) {
    throw CallFailure.refused((error as Error).message.split('\n')[0] || 'The set-up failed.');
  }
  if (!outcome.result.ok) throw CallFailure.refused(outcome.result.message);
  return {
    message: outcome.result.message,
    dashboardUrl: outcome.dashboardUrl,
    createdLogin: outcome.createdLogin,
  };
}

/** The embedded-database calls of the settings window. */
export function embeddedDatabaseHandlers(
  p: RuntimeParts,
): Pick<Handlers, 'getEmbeddedDatabase' | 'revealEmbeddedDatabasePassword' | 'setUpMagnusCompat'> {
  /** The desktop app's own window may see the embedded database password; the web page may not. */
  const choice = async (): Promise<EmbeddedDatabaseChoice> => {
    await p.keychain.ready();
    return {
      settings: p.options.settings.get(),
      defaultDataDir: p.options.dataDir,
      demo: p.demo,
      secrets: p.keychain.secrets,
      canReveal: p.options.host === 'desktop',
    };
  };
  return {
    getEmbeddedDatabase: async () => embeddedDatabaseView(await choice()),
    revealEmbeddedDatabasePassword: async () => {
      const c = await choice();
      if (c.canReveal) p.logger.info('the embedded database password was shown in the settings window');
      return revealEmbeddedPassword(c);
    },
    setUpMagnusCompat: async (request) =>
      setUpMagnusCompat(await choice(), request, p.logger, (secret) => p.redactor.register(secret)),
  };
}
