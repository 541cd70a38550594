/**
 * Fixed values of Robinhood's private API (docs/broker-api.md#conventions-headers, docs/broker-api.md#auth-password-grant). Changing one of these changes how
 * Robinhood sees the client, so they live in one place.
 */

export const DEFAULT_BASE_URL = 'https://api.robinhood.com';

/** The web app's public OAuth client id; every working client uses it. */
export const CLIENT_ID = 'c82SH0WZOsabOXGP2sxqcj34FxkvfnWRZBKlBjFS';

/** Older values are rejected at login with "Update to the newest version of Robinhood". */
export const API_VERSION = '1.431.4';

export const OAUTH_SCOPE = 'internal';

/** Requested token lifetime in seconds; the server may grant more. */
export const TOKEN_EXPIRES_IN_SECONDS = 86400;

/** Headers sent with every request (docs/broker-api.md#conventions-headers). */
export const BASE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  Accept: '*/*',
  'Accept-Encoding': 'gzip,deflate,br',
  'Accept-Language': 'en-US,en;q=1',
  'X-Robinhood-API-Version': API_VERSION,
  Connection: 'keep-alive',
  'User-Agent': '*',
});

export const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded; charset=utf-8';
export const JSON_CONTENT_TYPE = 'application/json';

/**
 * Polling the verification endpoints faster than this earned users 12-hour lockouts
 * (robin_stocks #1624), so no verification poll is ever closer to the previous one.
 */
export const MIN_VERIFICATION_POLL_MS = 5000;
