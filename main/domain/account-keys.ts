import { createHash } from 'node:crypto';

/**
 * Masked account keys: how an account is named everywhere outside memory (database rows, logs,
 * windows). A key is "****" followed by the last characters of the full account number.
 */

const MASK = '****';
const SUFFIX_LENGTH = 4;

/**
 * An account key: "****" and the last (up to) four characters of the number, plus a short hash
 * suffix when two accounts of one login end the same (see accountKeysFor).
 */
export const ACCOUNT_KEY_PATTERN = /^\*{4}[A-Za-z0-9]{1,4}(-[0-9a-f]{4})?$/;

export function isAccountKey(value: string): boolean {
  return ACCOUNT_KEY_PATTERN.test(value);
}

/**
 * "5QR12345" → "****2345". Shorter numbers keep all their characters after the mask; a value that
 * already is an account key is returned as it is (masking twice never loses a hash suffix).
 */
export function maskAccountNumber(full: string): string {
  const trimmed = full.trim();
  if (trimmed === '') throw new TypeError('An account number must not be empty.');
  if (isAccountKey(trimmed)) return trimmed;
  return MASK + trimmed.slice(-SUFFIX_LENGTH);
}

/**
 * The key of every account of one login. When two accounts share their last four characters, each
 * of them gets a short hash suffix ("****4141-3fa2"): never more of the number itself.
 *
 * A key depends only on its own number and on whether another account of the login ends the same,
 * so two agents that see the same accounts compute the same keys and write to the same rows.
 */
export function accountKeysFor(fullNumbers: readonly string[]): Map<string, string> {
  const byMask = new Map<string, Set<string>>();
  for (const full of fullNumbers) {
    const mask = maskAccountNumber(full);
    byMask.set(mask, (byMask.get(mask) ?? new Set()).add(full.trim()));
  }
  const keys = new Map<string, string>();
  for (const full of fullNumbers) {
    const mask = maskAccountNumber(full);
    const clash = (byMask.get(mask)?.size ?? 0) > 1;
    keys.set(
      full,
      clash ? `${mask}-${createHash('sha256').update(full.trim()).digest('hex').slice(0, 4)}` : mask,
    );
  }
  return keys;
}
