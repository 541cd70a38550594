/**
 * Authenticator (TOTP) codes from the user's secret, so app-based verification needs no typing.
 * Accepts the base32 key an authenticator app shows (spaces, dashes, lower case and padding allowed)
 * or an otpauth:// URI.
 */
import { Secret, TOTP, URI } from 'otpauth';
import type { Clock } from '../../util/clock.js';
import { InvalidCredentialsError } from './errors.js';

/** A code that expires sooner than this is skipped: it could expire on its way to the broker. */
export const TOTP_MIN_REMAINING_MS = 3000;

const INVALID_SECRET =
  'The TOTP secret is not valid: enter the base32 key your authenticator app shows (letters A–Z and digits 2–7) or an otpauth:// link.';

/** Parses a secret; throws InvalidCredentialsError (field "totpSecret") without echoing it. */
export function parseTotpSecret(input: string): TOTP {
  const trimmed = input.trim();
  if (/^otpauth:\/\//i.test(trimmed)) {
    let parsed: unknown;
    try {
      parsed = URI.parse(trimmed);
    } catch {
      throw new InvalidCredentialsError(INVALID_SECRET, 'totpSecret');
    }
    if (!(parsed instanceof TOTP)) {
      throw new InvalidCredentialsError(
        'The otpauth:// link is for a counter-based (HOTP) code; a time-based (TOTP) one is needed.',
        'totpSecret',
      );
    }
    return parsed;
  }
  const base32 = trimmed.replace(/[\s-]/g, '').replace(/=+$/, '').toUpperCase();
  if (!/^[A-Z2-7]{16,}$/.test(base32)) throw new InvalidCredentialsError(INVALID_SECRET, 'totpSecret');
  let secret: Secret;
  try {
    secret = Secret.fromBase32(base32);
  } catch {
    throw new InvalidCredentialsError(INVALID_SECRET, 'totpSecret');
  }
  return new TOTP({ secret, algorithm: 'SHA1', digits: 6, period: 30 });
}

/** The code for the clock's current time window. */
export function totpCodeAt(totp: TOTP, timestampMs: number): string {
  return totp.generate({ timestamp: timestampMs });
}

/**
 * The current code, waiting for the next window (on the injected clock) when the current code has
 * less than `minRemainingMs` left.
 */
export async function currentTotpCode(
  totp: TOTP,
  clock: Clock,
  options: { minRemainingMs?: number; signal?: AbortSignal } = {},
): Promise<string> {
  const minRemainingMs = options.minRemainingMs ?? TOTP_MIN_REMAINING_MS;
  const now = clock.now().getTime();
  const remaining = totp.remaining({ timestamp: now });
  if (remaining < minRemainingMs) {
    await clock.sleep(remaining + 1, options.signal);
    return totp.generate({ timestamp: Math.max(clock.now().getTime(), now + remaining + 1) });
  }
  return totp.generate({ timestamp: now });
}
