import { describe, expect, it } from 'vitest';
import { normalizeTotpSecret, TotpSecretError } from '../../main/secrets/totp.js';

function rejection(input: string): string {
  try {
    normalizeTotpSecret(input);
  } catch (error) {
    expect(error).toBeInstanceOf(TotpSecretError);
    return (error as Error).message;
  }
  throw new Error('expected the TOTP secret to be rejected');
}

describe('normalizeTotpSecret', () => {
  it.each([
    ['canonical base32', 'JBSWY3DPEHPK3PXP', 'JBSWY3DPEHPK3PXP'],
    ['grouped, lower case, padded', '  jbsw y3dp ehpk 3pxp====  ', 'JBSWY3DPEHPK3PXP'],
    ['with dashes', 'JBSW-Y3DP-EHPK-3PXP', 'JBSWY3DPEHPK3PXP'],
    ['32 characters', 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP'],
    [
      'an otpauth:// URI',
      'otpauth://totp/Robinhood:jane%40example.com?secret=jbswy3dpehpk3pxp&issuer=Robinhood',
      'JBSWY3DPEHPK3PXP',
    ],
    [
      'an otpauth:// URI with explicit standard settings',
      'OTPAUTH://totp/Robinhood?secret=JBSWY3DPEHPK3PXP&algorithm=SHA1&digits=6&period=30',
      'JBSWY3DPEHPK3PXP',
    ],
  ])('accepts %s', (_what, input, expected) => {
    expect(normalizeTotpSecret(input)).toBe(expected);
  });

  it.each([
    ['an empty value', '   ', /empty/],
    ['a 6-digit one-time code', '123 456', /one-time code/],
    ['characters outside base32', 'JBSWY3DPEHPK3PX1!8', /base32/],
    ['a too short key', 'JBSWY3DP', /too short/],
    [
      'a broken otpauth URI',
      'otpauth://totp/Robinhood?issuer=Robinhood&secret=@@SECRETISH@@',
      /could not be read/,
    ],
    ['a counter-based URI', 'otpauth://hotp/Robinhood?secret=JBSWY3DPEHPK3PXP&counter=3', /HOTP/],
    ['non-standard digits', 'otpauth://totp/Robinhood?secret=JBSWY3DPEHPK3PXP&digits=8', /non-standard/],
    ['an overlong value', 'A'.repeat(600), /too long/],
  ])('rejects %s with a message that does not echo the input', (_what, input, pattern) => {
    const message = rejection(input);
    expect(message).toMatch(pattern);
    const core = input.replace(/\s/g, '');
    if (core !== '') expect(message).not.toContain(core);
    for (const fragment of ['JBSWY3DP', 'SECRETISH', '123456', '123 456', 'PX1']) {
      if (input.includes(fragment)) expect(message).not.toContain(fragment);
    }
  });
});
