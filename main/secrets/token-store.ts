/**
 * The Robinhood session (access and refresh token) kept in the secret store, so a restart reuses
 * the session instead of logging in again (which may ask the user for a code).
 */
import { z } from 'zod';
import type { Logger } from '../util/logger.js';
import { silentLogger } from '../util/logger.js';
import type { SecretStore } from './secret-store.js';

export const storedTokensSchema = z.object({
  accessToken: z.string().min(1),
  refreshToken: z.string().min(1),
  /** ISO-8601 instant the access token expires. */
  expiresAt: z.iso.datetime({ offset: true }),
  tokenType: z.string().min(1),
  scope: z.string(),
});
export type StoredTokens = z.infer<typeof storedTokensSchema>;

export interface TokenStore {
  load(): Promise<StoredTokens | null>;
  save(tokens: StoredTokens): Promise<void>;
  clear(): Promise<void>;
}

const NAME = 'robinhood.tokens';

export function keychainTokenStore(secrets: SecretStore, options: { logger?: Logger } = {}): TokenStore {
  const logger = options.logger ?? silentLogger;
  return {
    async load() {
      const raw = await secrets.get(NAME);
      if (raw === null) return null;
      let json: unknown;
      try {
        json = JSON.parse(raw);
      } catch {
        // Never log the entry itself: it may hold a valid token next to the damage.
        logger.warn('Stored Robinhood session is unreadable (not JSON); logging in again.', { entry: NAME });
        return null;
      }
      const parsed = storedTokensSchema.safeParse(json);
      if (!parsed.success) {
        const fields = [...new Set(parsed.error.issues.map((issue) => issue.path.join('.') || '(root)'))];
        logger.warn('Stored Robinhood session is incomplete or invalid; logging in again.', {
          entry: NAME,
          invalidFields: fields,
        });
        return null;
      }
      return parsed.data;
    },
    async save(tokens) {
      const parsed = storedTokensSchema.safeParse(tokens);
      if (!parsed.success) {
        const fields = [...new Set(parsed.error.issues.map((issue) => issue.path.join('.') || '(root)'))];
        throw new TypeError(
          `Refusing to store an invalid Robinhood session (invalid: ${fields.join(', ')}).`,
        );
      }
      await secrets.set(NAME, JSON.stringify(parsed.data));
    },
    async clear() {
      await secrets.delete(NAME);
    },
  };
}
