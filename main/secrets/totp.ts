/**
 * The authenticator-app secret in its one canonical form: upper-case base32 without padding, as
 * stored in the keychain and used for codes. What counts as a secret is shared/totp-secret.ts;
 * this module adds what needs the otpauth library: decoding an otpauth:// link and checking that
 * it asks for standard codes.
 *
 * Error messages never repeat the input: it is a secret even when it is malformed.
 */
import { HOTP, Secret, URI } from 'otpauth';
import { readBase32, readTotpSecretText, type TotpSecretText } from '../../shared/totp-secret.js';

export class TotpSecretError extends Error {
  override readonly name = 'TotpSecretError';
}

export function normalizeTotpSecret(input: string): string {
  const text = readTotpSecretText(input);
  return canonicalBase32(text.ok && text.kind === 'otpauth' ? fromUri(text.uri) : text);
}

function canonicalBase32(text: TotpSecretText): string {
  if (!text.ok) throw new TotpSecretError(text.problem);
  if (text.kind !== 'base32') throw new TotpSecretError('The TOTP secret is not valid base32.');
  try {
    return Secret.fromBase32(text.base32).base32;
  } catch {
    throw new TotpSecretError('The TOTP secret is not valid base32.');
  }
}

function fromUri(uri: string): TotpSecretText {
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
  return readBase32(parsed.secret.base32);
}
