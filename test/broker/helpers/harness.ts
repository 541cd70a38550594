/** Wiring shared by the broker tests: an HTTP client on a fake clock against a test server. */

import type { AuthProvider } from '../../../main/broker/robinhood/http.js';
import { HttpClient, type HttpClientOptions } from '../../../main/broker/robinhood/http.js';
import { RateLimiter } from '../../../main/broker/robinhood/rate-limiter.js';
import type { StoredTokens, TokenStore } from '../../../main/broker/robinhood/session.js';
import { collectingLogger } from '../../../main/util/logger.js';
import { FakeClock } from './fake-clock.js';

export const DEVICE_TOKEN = '3f2a9c1e-7b4d-4e21-9a0c-5d6e7f8a9b0c';
/** RFC 6238 test key ("12345678901234567890") in base32. */
export const TOTP_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

export function makeHttp(baseUrl: string, options: Partial<HttpClientOptions> & { clock?: FakeClock } = {}) {
  const clock = options.clock ?? new FakeClock();
  const logger = collectingLogger();
  const http = new HttpClient({
    baseUrl,
    clock,
    logger,
    random: () => 1,
    // A generous budget so limiter waits do not show up in tests about other things.
    rateLimiter: new RateLimiter({ clock, requestsPerMinute: 6000, burst: 1000 }),
    ...options,
  });
  return { http, clock, logger };
}

/** An auth provider with a fixed token that "refreshes" to the next one in the list. */
export function staticAuth(tokens: string[] = ['token-one-aaaaaaaaaaaa', 'token-two-bbbbbbbbbbbb']) {
  let index = 0;
  const provider: AuthProvider & { refreshes: number } = {
    refreshes: 0,
    accessToken: async () => tokens[index] ?? 'none',
    refreshAfterUnauthorized: async () => {
      provider.refreshes += 1;
      index = Math.min(index + 1, tokens.length - 1);
      return tokens[index] ?? 'none';
    },
  };
  return provider;
}

/** An in-memory TokenStore that counts its calls. */
export function memoryTokenStore(initial: StoredTokens | null = null) {
  const store: TokenStore & { value: StoredTokens | null; saves: number; clears: number } = {
    value: initial,
    saves: 0,
    clears: 0,
    load: async () => store.value,
    save: async (tokens) => {
      store.saves += 1;
      store.value = { ...tokens };
    },
    clear: async () => {
      store.clears += 1;
      store.value = null;
    },
  };
  return store;
}

/** Counts requests in every window [t, t + windowMs) over a list of send times. */
export function maxInWindow(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let max = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while ((sorted[end] ?? 0) - (sorted[start] ?? 0) >= windowMs) start++;
    max = Math.max(max, end - start + 1);
  }
  return max;
}
