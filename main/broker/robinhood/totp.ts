/**
 * Authenticator (TOTP) codes from the user's secret, so app-based verification needs no typing.
 * The secret is read by the one rule (shared/totp-secret.ts through main/secrets/totp.ts): the
 * base32 key an authenticator app shows (spaces, dashes, lower case and padding allowed) or an
 * otpauth:// link for standard codes.
 */
import { Secret, TOTP } from 'otpauth';
import { normalizeTotpSecret, TotpSecretError } from '../../secrets/totp.js';
import type { Clock } from '../../util/clock.js';
import { InvalidCredentialsError } from './errors.js';

/** A code that expires sooner than this is skipped: it could expire on its way to the broker. */
export const TOTP_MIN_REMAINING_MS = 3000;

/** Parses a secret; throws InvalidCredentialsError (field "totpSecret") without echoing it. */
export function parseTotpSecret(input: string): TOTP {
  let base32: string;
  try {
    base32 = normalizeTotpSecret(input);
  } catch (error) {
    if (error instanceof TotpSecretError) throw new InvalidCredentialsError(error.message, 'totpSecret');
    throw error;
  }
  return new TOTP({ secret: Secret.fromBase32(base32), algorithm: 'SHA1', digits: 6, period: 30 });
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
