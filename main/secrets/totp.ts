/**
 * The authenticator-app secret (the key behind the 6-digit codes), as users paste it: the base32
 * text the app shows (grouped with spaces, lower case, "=" padding) or an otpauth:// URI from a
 * QR code. Stored and used in one canonical form: upper-case base32 without padding.
 *
 * Error messages never repeat the input: it is a secret even when it is malformed.
 */
import { HOTP, Secret, URI } from 'otpauth';

export class TotpSecretError extends Error {
  override readonly name = 'TotpSecretError';
}

/** 16 base32 characters = 80 bits, the shortest key authenticator apps hand out (Robinhood's size). */
const MIN_BASE32_LENGTH = 16;
const MAX_INPUT_LENGTH = 512;

export function normalizeTotpSecret(input: string): string {
  if (typeof input !== 'string') throw new TotpSecretError('The TOTP secret must be text.');
  const trimmed = input.trim();
  if (trimmed === '') throw new TotpSecretError('The TOTP secret is empty.');
  if (trimmed.length > MAX_INPUT_LENGTH) throw new TotpSecretError('The TOTP secret is too long.');
  if (/^otpauth:/i.test(trimmed)) return fromUri(trimmed);
  return fromBase32(trimmed);
}

function fromBase32(text: string): string {
  const compact = text.replace(/[\s-]/g, '').replace(/=+$/, '').toUpperCase();
  if (/^\d{6,8}$/.test(compact)) {
    throw new TotpSecretError(
      'This looks like a one-time code, not the TOTP secret. Enter the secret key your authenticator app ' +
        'shows when you add the account (letters A–Z and digits 2–7).',
    );
  }
  if (!/^[A-Z2-7]+$/.test(compact)) {
    throw new TotpSecretError(
      'The TOTP secret must be the base32 key your authenticator app shows (letters A–Z and digits 2–7) ' +
        'or an otpauth:// link.',
    );
  }
  if (compact.length < MIN_BASE32_LENGTH) {
    throw new TotpSecretError(
      `The TOTP secret is too short: expected at least ${MIN_BASE32_LENGTH} characters.`,
    );
  }
  let canonical: string;
  try {
    canonical = Secret.fromBase32(compact).base32;
  } catch {
    throw new TotpSecretError('The TOTP secret is not valid base32.');
  }
  return canonical;
}

function fromUri(uri: string): string {
  let parsed: ReturnType<typeof URI.parse>;
  try {
    parsed = URI.parse(uri);
  } catch {
    // The library's message may quote part of the URI; ours does not.
    throw new TotpSecretError(
      'The otpauth:// link could not be read; it must look like otpauth://totp/Label?secret=BASE32KEY.',
    );
  }
  if (parsed instanceof HOTP) {
    throw new TotpSecretError(
      'The otpauth:// link is for counter-based (HOTP) codes; Robinhood uses time-based (TOTP).',
    );
  }
  // Codes are generated with the standard settings (SHA-1, 6 digits, 30 s), which is what Robinhood
  // issues; anything else would silently produce wrong codes.
  if (parsed.algorithm !== 'SHA1' || parsed.digits !== 6 || parsed.period !== 30) {
    throw new TotpSecretError(
      'The otpauth:// link asks for non-standard codes (algorithm, digits or period); only SHA-1, 6 digits, 30 seconds is supported.',
    );
  }
  return fromBase32(parsed.secret.base32);
}
