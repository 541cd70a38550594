/**
 * How the store is opened, and how a database location is shown without its password.
 */

import { describeError, type LoggedError } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import type { EmbeddedPasswordVault } from './embedded/password.js';

export type StoreConfig =
  | {
      kind: 'embedded' /** The app's data folder; the server's files live in <dataDir>/pgdata. */;
      dataDir: string;
      /** Keeps the server's password (default: a 0600 file in the data folder). */
      passwordVault?: EmbeddedPasswordVault;
    }
  | { kind: 'postgres' /** postgres://user[:password]@host:port/database */; url: string };

export interface StoreOptions {
  logger?: Logger;
  /** PostgreSQL only: statements running longer are cancelled by the server. */
  statementTimeoutMs?: number;
  /** Identifies this process in sync_runs and in the lock connection's application_name. */
  agentId?: string;
  /**
   * Embedded only: when another agent owns the data folder, use its running server instead of
   * refusing (read-only commands such as status and export).
   */
  readOnly?: boolean;
  /** PostgreSQL only: pool size (default 4). */
  maxConnections?: number;
}

/**
 * Raised when the store cannot be opened; the message is safe to show and log. 'unreachable': the
 * server is down or not up yet (worth waiting for); every other reason is a configuration problem.
 */
export class StoreOpenError extends Error {
  override readonly name = 'StoreOpenError';
  constructor(
    message: string,
    readonly reason: 'locked' | 'connect' | 'unreachable' | 'migrate' | 'config' | 'legacy',
  ) {
    super(message);
  }
}

/** Raised when a write gets invalid input; nothing was written. */
export class StoreInputError extends Error {
  override readonly name = 'StoreInputError';
}

/** The URL with its password (and any password query parameter) replaced by "***". */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // Unparseable: strip anything between "//user:" and "@" by pattern.
    return url.replace(/(\/\/[^/:@]*:)[^@/]*@/, '$1***@');
  }
  if (parsed.password) parsed.password = '***';
  for (const key of [...parsed.searchParams.keys()]) {
    if (/pass|secret|token|key/i.test(key)) parsed.searchParams.set(key, '***');
  }
  return parsed.toString();
}

/** errorMeta (main/util/errors.ts) with every trace of the database URL's password removed. */
export function databaseErrorMeta(error: unknown, url: string | null): { error: LoggedError } {
  const described = describeError(error);
  return { error: { ...described, message: redactMessage(described.message, url) } };
}

/** Removes every trace of the URL's password from a message (raw, percent-decoded, and the URL itself). */
export function redactMessage(message: string, url: string | null): string {
  if (!url) return message;
  let out = message.split(url).join(redactUrl(url));
  try {
    const parsed = new URL(url);
    const secrets = new Set<string>();
    if (parsed.password) {
      secrets.add(parsed.password);
      secrets.add(decodeURIComponent(parsed.password));
    }
    for (const [key, value] of parsed.searchParams) {
      if (/pass|secret|token|key/i.test(key) && value) secrets.add(value);
    }
    for (const secret of secrets) {
      if (secret.length > 0) out = out.split(secret).join('***');
    }
  } catch {
    // Already handled by the whole-URL replacement above.
  }
  return out;
}

/** A human description of where the data lives, safe for logs and windows. */
export function describeLocation(config: StoreConfig): string {
  return config.kind === 'embedded' ? `embedded database in ${config.dataDir}` : redactUrl(config.url);
}
