/**
 * URL paths fit for log lines and error messages: no query string and account numbers masked.
 * Everything else that keeps secrets out of text (passwords, tokens, server-supplied messages) is
 * the app's one Redactor (main/logging/redactor.ts), which the client is given.
 */
import { maskAccountNumber } from '../../domain/account-keys.js';

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Path segments that are followed by an account number in Robinhood URLs. */
const ACCOUNT_PARENTS = new Set(['accounts', 'portfolios', 'positions', 'historicals']);

/**
 * The pathname of a URL for logs and messages: no query string (it may carry account numbers or
 * cursors) and account numbers masked, e.g. "/positions/****7477/450dfc6d-…/".
 */
export function safePath(url: URL | string): string {
  const pathname = typeof url === 'string' ? new URL(url, 'http://x.invalid').pathname : url.pathname;
  const segments = pathname.split('/');
  for (let i = 1; i < segments.length; i++) {
    const segment = segments[i] ?? '';
    if (ACCOUNT_PARENTS.has(segments[i - 1] ?? '') && /\d/.test(segment) && !UUID_PATTERN.test(segment)) {
      segments[i] = maskAccountNumber(segment);
    }
  }
  return segments.join('/');
}
