/**
 * The Magnus compatibility layer on the embedded server, for the CLI and the settings window alike:
 * the store is opened once so its tables are current (read-only when an agent, or this process,
 * runs the server), the dashboard's login is created when missing, then the layer is installed.
 */
import type { Logger } from '../../util/logger.js';
import { dashboardUrl, ensureLoginRole } from '../embedded/dashboard-role.js';
import type { EmbeddedPasswordVault } from '../embedded/password.js';
import { startEmbeddedServer } from '../embedded/server.js';
import { openStore } from '../store.js';
import { installMagnusCompat, type MagnusCompatResult } from './magnus-compat.js';

export interface EmbeddedCompatRequest {
  dataDir: string;
  vault: EmbeddedPasswordVault;
  role: string;
  account: string | null;
  remove: boolean;
  logger: Logger;
  /** Called with each password met on the way, so that logs never show it. */
  registerSecret?(secret: string): void;
}

export interface EmbeddedCompatOutcome {
  result: MagnusCompatResult;
  /** The URL the dashboard logs in with (its password only when the login was created now). */
  dashboardUrl: string | null;
  /** True when the login was created by this call. */
  createdLogin: boolean;
}

export async function magnusCompatOnEmbedded(request: EmbeddedCompatRequest): Promise<EmbeddedCompatOutcome> {
  const { dataDir, vault, logger } = request;
  const store = await openStore(
    { kind: 'embedded', dataDir, passwordVault: vault },
    { logger, readOnly: true },
  );
  await store.close();
  const server = await startEmbeddedServer({ dataDir, vault, logger, readOnly: true });
  try {
    const serverPassword = new URL(server.url).password;
    if (serverPassword) request.registerSecret?.(decodeURIComponent(serverPassword));
    const login = request.remove ? null : await ensureLoginRole(server.url, request.role);
    if (login?.password) request.registerSecret?.(login.password);
    const result = await installMagnusCompat(server.url, {
      role: request.role,
      account: request.account,
      remove: request.remove,
      logger,
    });
    return {
      result,
      dashboardUrl: login && result.ok ? dashboardUrl(server.url, login) : null,
      createdLogin: login?.created ?? false,
    };
  } finally {
    await server.stop();
  }
}
