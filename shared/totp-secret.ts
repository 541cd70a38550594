/**
 * The one rule for what counts as a TOTP secret (the key behind an authenticator app's 6-digit
 * codes), as users paste it: the base32 text the app shows (grouped with spaces or dashes, lower
 * case, "=" padding) or an otpauth:// link from a QR code. Dependency-free so the renderer's form,
 * the contract schema (shared/contract.ts), the keychain writer (main/secrets/totp.ts) and the
 * broker's code generator (main/broker/robinhood/totp.ts) all apply the same rule.
 *
 * This level reads text only; main/secrets/totp.ts also decodes an otpauth:// link and checks
 * its settings. No message repeats the input: it is a secret even when it is malformed.
 */

/** 16 base32 characters = 80 bits, the shortest key authenticator apps hand out (Robinhood's size). */
export const TOTP_SECRET_MIN_BASE32_LENGTH = 16;
export const TOTP_SECRET_MAX_INPUT_LENGTH = 512;

export type TotpSecretText =
  | { ok: true; kind: 'base32' /** upper case, no separators or padding */; base32: string }
  | { ok: true; kind: 'otpauth'; uri: string }
  | { ok: false; problem: string };

export function readTotpSecretText(input: unknown): TotpSecretText {
  if (typeof input !== 'string') return { ok: false, problem: 'The TOTP secret must be text.' };
  const trimmed = input.trim();
  if (trimmed === '') return { ok: false, problem: 'The TOTP secret is empty.' };
  if (trimmed.length > TOTP_SECRET_MAX_INPUT_LENGTH)
    return { ok: false, problem: 'The TOTP secret is too long.' };
  if (/^otpauth:\/\//i.test(trimmed)) return { ok: true, kind: 'otpauth', uri: trimmed };
  return readBase32(trimmed);
}

/** The base32 part of the rule (also applied to the key inside an otpauth:// link). */
export function readBase32(text: string): TotpSecretText {
  const compact = text.replace(/[\s-]/g, '').replace(/=+$/, '').toUpperCase();
  if (/^\d{6,8}$/.test(compact)) {
    return {
      ok: false,
      problem:
        'This looks like a one-time code, not the TOTP secret. Enter the secret key your authenticator app ' +
        'shows when you add the account (letters A–Z and digits 2–7).',
    };
  }
  if (!/^[A-Z2-7]+$/.test(compact)) {
    return {
      ok: false,
      problem:
        'The TOTP secret must be the base32 key your authenticator app shows (letters A–Z and digits 2–7) ' +
        'or an otpauth:// link.',
    };
  }
  if (compact.length < TOTP_SECRET_MIN_BASE32_LENGTH) {
    return {
      ok: false,
      problem: `The TOTP secret is too short: expected at least ${TOTP_SECRET_MIN_BASE32_LENGTH} characters.`,
    };
  }
  return { ok: true, kind: 'base32', base32: compact };
}
