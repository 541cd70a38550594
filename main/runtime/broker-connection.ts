/**
 * Builds one login's broker connection (client + session + request log) from what is stored:
 * credentials (keychain, else environment), tokens (keychain, else memory) and the device token.
 * Every secret it touches is registered with the log redactor first.
 */
import { type CreateRobinhoodOptions, createRobinhood } from '../broker/robinhood/index.js';
import type { BrokerConnection } from '../engine/cycle.js';
import type { Redactor } from '../logging/index.js';
import {
  type Credentials,
  getOrCreateDeviceToken,
  keychainTokenStore,
  loadCredentials,
  type SecretStore,
  type TokenStore,
} from '../secrets/index.js';
import type { Simulator } from '../simulator/index.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import type { RuntimeOptions } from './runtime-parts.js';

export interface ConnectionOptions {
  apiUrl: string;
  secrets: SecretStore;
  env: NodeJS.ProcessEnv;
  redactor: Redactor;
  logger: Logger;
  clock?: Clock;
  requestsPerMinute: number;
  fetch?: CreateRobinhoodOptions['fetch'];
  /** Fixed credentials (demo mode) instead of the keychain/environment. */
  fixedCredentials?: Credentials;
  /** Extra client tuning (tests, benchmarks). */
  tuning?: Partial<
    Pick<
      CreateRobinhoodOptions,
      | 'timeoutMs'
      | 'maxAttempts'
      | 'backoffBaseMs'
      | 'backoffMaxMs'
      | 'burst'
      | 'maxRetryAfterMs'
      | 'loginPolicy'
    >
  >;
}

export interface Connection extends BrokerConnection {
  /** Where credentials came from, or null when there are none. */
  credentialsSource: 'keychain' | 'environment' | 'fixed' | null;
}

export async function createConnection(o: ConnectionOptions): Promise<Connection> {
  const loaded = o.fixedCredentials
    ? { credentials: o.fixedCredentials, source: 'fixed' as const }
    : await loadCredentials({ secrets: o.secrets, env: o.env });
  const credentials = loaded.credentials;
  if (credentials) {
    o.redactor.register(credentials.username);
    o.redactor.register(credentials.password);
    o.redactor.register(credentials.totpSecret);
  }
  const deviceToken = await getOrCreateDeviceToken({
    secrets: o.secrets,
    username: credentials?.username ?? 'anonymous',
  });
  o.redactor.register(deviceToken);
  const robinhood = createRobinhood({
    baseUrl: o.apiUrl,
    logger: o.logger,
    requestsPerMinute: o.requestsPerMinute,
    tokenStore: redactingTokenStore(keychainTokenStore(o.secrets, { logger: o.logger }), o.redactor),
    deviceToken,
    credentials: async () => credentials,
    redactor: o.redactor,
    ...(o.clock ? { clock: o.clock } : {}),
    ...(o.fetch ? { fetch: o.fetch } : {}),
    ...o.tuning,
  });
  return {
    client: robinhood.client,
    session: robinhood.session,
    requestLog: robinhood.requestLog,
    onPage: (listener) => robinhood.http.onPage(listener),
    onRateLimitWait: (listener) => robinhood.rateLimiter.onWait(listener),
    credentialsSource: credentials ? loaded.source : null,
  };
}

/**
 * The runtime's connection: to the demo simulator with its fixed user, else to the broker (or
 * --api-url) with what the keychain or environment holds.
 */
export function connectionFor(o: {
  simulator: Simulator | null;
  options: Pick<RuntimeOptions, 'apiUrl' | 'fetch' | 'brokerTuning'>;
  secrets: SecretStore;
  env: NodeJS.ProcessEnv;
  redactor: Redactor;
  logger: Logger;
  clock: Clock;
  requestsPerMinute: number;
}): Promise<Connection> {
  const sim = o.simulator;
  const user = sim?.state.users[0];
  return createConnection({
    apiUrl: sim?.url ?? o.options.apiUrl ?? 'https://api.robinhood.com',
    secrets: o.secrets,
    env: sim ? {} : o.env,
    redactor: o.redactor,
    logger: o.logger,
    clock: o.clock,
    requestsPerMinute: o.requestsPerMinute,
    ...(o.options.fetch ? { fetch: o.options.fetch } : {}),
    ...(o.options.brokerTuning ? { tuning: o.options.brokerTuning } : {}),
    ...(user
      ? {
          fixedCredentials: {
            username: user.username,
            password: user.password,
            totpSecret: user.totpSecret ?? null,
          },
        }
      : {}),
  });
}

/** Tokens are registered with the redactor as soon as they are read or issued. */
function redactingTokenStore(inner: TokenStore, redactor: Redactor): TokenStore {
  return {
    async load() {
      const tokens = await inner.load();
      if (tokens) {
        redactor.register(tokens.accessToken);
        redactor.register(tokens.refreshToken);
      }
      return tokens;
    },
    async save(tokens) {
      redactor.register(tokens.accessToken);
      redactor.register(tokens.refreshToken);
      await inner.save(tokens);
    },
    clear: () => inner.clear(),
  };
}
