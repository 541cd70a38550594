import { describe, expect, it } from 'vitest';
import { InvalidCredentialsError } from '../../main/broker/robinhood/errors.js';
import { currentTotpCode, parseTotpSecret, totpCodeAt } from '../../main/broker/robinhood/totp.js';
import { FakeClock } from './helpers/fake-clock.js';
import { TOTP_SECRET } from './helpers/harness.js';

describe('TOTP', () => {
  it('produces the RFC 6238 SHA-1 test vectors (6 digits)', () => {
    const totp = parseTotpSecret(TOTP_SECRET);
    expect(totpCodeAt(totp, 59_000)).toBe('287082');
    expect(totpCodeAt(totp, 1_111_111_109_000)).toBe('081804');
    expect(totpCodeAt(totp, 1_234_567_890_000)).toBe('005924');
  });

  it('accepts the key as apps show it: spaces, dashes, lower case, padding', () => {
    const spaced = parseTotpSecret('gezd gnbv gy3t qojq-gezd gnbv gy3t qojq==');
    expect(totpCodeAt(spaced, 59_000)).toBe('287082');
  });

  it('accepts an otpauth:// URI', () => {
    const totp = parseTotpSecret(
      `otpauth://totp/Robinhood:jane?secret=${TOTP_SECRET}&issuer=Robinhood&period=30&digits=6`,
    );
    expect(totpCodeAt(totp, 59_000)).toBe('287082');
  });

  it('rejects a bad secret without echoing it', () => {
    for (const bad of ['not a secret 1890!', 'SHORT', 'otpauth://hotp/x?secret=GEZDGNBVGY3TQOJQ&counter=1']) {
      let error: unknown;
      try {
        parseTotpSecret(bad);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(InvalidCredentialsError);
      expect((error as InvalidCredentialsError).field).toBe('totpSecret');
      expect((error as Error).message).not.toContain(bad);
    }
  });

  it('uses the current window when enough of it is left', async () => {
    const clock = new FakeClock('2026-03-02T15:00:05.000Z');
    const totp = parseTotpSecret(TOTP_SECRET);
    const code = await currentTotpCode(totp, clock);
    expect(code).toBe(totpCodeAt(totp, Date.parse('2026-03-02T15:00:05.000Z')));
    expect(clock.sleeps).toEqual([]);
  });

  it('waits for the next window when the current code expires in under 3 s', async () => {
    const clock = new FakeClock('2026-03-02T15:00:28.000Z');
    const totp = parseTotpSecret(TOTP_SECRET);
    const code = await currentTotpCode(totp, clock);
    expect(clock.sleeps).toEqual([2001]);
    expect(code).toBe(totpCodeAt(totp, Date.parse('2026-03-02T15:00:30.500Z')));
    expect(code).not.toBe(totpCodeAt(totp, Date.parse('2026-03-02T15:00:28.000Z')));
  });
});
