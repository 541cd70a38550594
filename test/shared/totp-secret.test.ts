/**
 * One rule for TOTP secrets (shared/totp-secret.ts): the contract schema the windows validate
 * with, the keychain writer and the broker's code generator accept and refuse the same inputs,
 * with the same message. (They disagreed before: the schema took "JBSWY3DP EHPK3PX", 15 base32
 * characters padded to 16 by a space, which the keychain writer refused as too short.)
 */
import { describe, expect, it } from 'vitest';
import { InvalidCredentialsError } from '../../main/broker/robinhood/errors.js';
import { parseTotpSecret } from '../../main/broker/robinhood/totp.js';
import { normalizeTotpSecret } from '../../main/secrets/totp.js';
import { totpSecretSchema } from '../../shared/contract.js';
import { readTotpSecretText } from '../../shared/totp-secret.js';

/** What each side says about an input: null when accepted, else its message. */
function verdicts(input: string) {
  const text = readTotpSecretText(input);
  const schema = totpSecretSchema.safeParse(input);
  const said = (fn: () => unknown) => {
    try {
      fn();
      return null;
    } catch (error) {
      return (error as Error).message;
    }
  };
  return {
    shared: text.ok ? null : text.problem,
    contract: schema.success ? null : (schema.error.issues[0]?.message ?? '?'),
    keychain: said(() => normalizeTotpSecret(input)),
    broker: said(() => parseTotpSecret(input)),
  };
}

describe('one rule for TOTP secrets', () => {
  it.each([
    'JBSWY3DPEHPK3PXP',
    '  jbsw y3dp ehpk 3pxp====  ',
    'JBSW-Y3DP-EHPK-3PXP',
    'JBSWY3DP EHPK3PX',
    '123 456',
    '12345678',
    'hello world 123',
    'JBSWY3DPEHPK3PX1!8',
    'JBSWY3DP',
    '   ',
    'A'.repeat(600),
  ])('the contract, the keychain writer and the broker agree on %j', (input) => {
    const v = verdicts(input);
    expect(v.contract).toBe(v.shared);
    expect(v.keychain).toBe(v.shared);
    expect(v.broker).toBe(v.shared);
  });

  it('a malformed otpauth:// link passes the text rule and is refused by both main-side readers alike', () => {
    const link = 'otpauth://hotp/Robinhood?secret=JBSWY3DPEHPK3PXP&counter=3';
    const v = verdicts(link);
    expect(v.shared).toBeNull();
    expect(v.contract).toBeNull();
    expect(v.keychain).toMatch(/HOTP/);
    expect(v.broker).toBe(v.keychain);
    expect(() => parseTotpSecret(link)).toThrow(InvalidCredentialsError);
  });

  it('the broker generates codes from the canonical key the keychain stores', () => {
    const spaced = parseTotpSecret('jbsw y3dp ehpk 3pxp');
    const canonical = parseTotpSecret(normalizeTotpSecret('jbsw y3dp ehpk 3pxp'));
    expect(spaced.generate({ timestamp: 1_700_000_000_000 })).toBe(
      canonical.generate({ timestamp: 1_700_000_000_000 }),
    );
  });
});
