/**
 * Keeps secrets out of log lines and error messages: paths lose their query string and show account
 * numbers masked; server-supplied text loses every secret the client has seen.
 */

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** JWT-shaped strings (access tokens since ~2023). */
const JWT_PATTERN = /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;
/** Path segments that are followed by an account number in Robinhood URLs. */
const ACCOUNT_PARENTS = new Set(['accounts', 'portfolios', 'positions', 'historicals']);

/** "5QR24141" → "****4141" (the masked key used everywhere outside memory). */
export function maskAccountNumber(accountNumber: string): string {
  return `****${accountNumber.slice(-4)}`;
}

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

/** Replaces every secret the client has seen in a piece of text (server messages, for instance). */
export class Redactor {
  readonly #secrets = new Set<string>();
  readonly #accountNumbers = new Set<string>();

  /** Passwords, tokens, TOTP secrets: replaced by "[redacted]". Very short values are ignored. */
  addSecret(value: string | null | undefined): void {
    if (value && value.length >= 6) this.#secrets.add(value);
  }

  /** Account numbers: replaced by their masked form. */
  addAccountNumber(value: string | null | undefined): void {
    if (value && value.length >= 5) this.#accountNumbers.add(value);
  }

  redact(text: string): string {
    let out = text;
    for (const secret of this.#secrets) out = out.split(secret).join('[redacted]');
    for (const account of this.#accountNumbers) out = out.split(account).join(maskAccountNumber(account));
    return out.replace(JWT_PATTERN, '[redacted-token]');
  }
}
