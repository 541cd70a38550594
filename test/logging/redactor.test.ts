import { describe, expect, it } from 'vitest';
import { accountKeysFor, maskAccountNumber } from '../../main/domain/account-keys.js';
import { isSecretKey, REDACTED, Redactor } from '../../main/logging/redactor.js';

const PASSWORD = 'hunter2-Corr3ct!horse';
const TOTP = 'JBSWY3DPEHPK3PXPJBSWY3DP';
const USERNAME = 'jane.doe+rh@example.com';
const JWT =
  'eyJhbGciOiJFUzI1NiIsImtpZCI6IjIiLCJ0eXAiOiJKV1QifQ.eyJleHAiOjE3OTU4ODg1MzQsInVzZXJfaWQiOiJ1MSJ9.' +
  'MEUCIQDa1b2c3d4e5f6g7h8i9j0k_-AbCdEf';

function redactorWithSecrets(): Redactor {
  const r = new Redactor();
  r.register(PASSWORD);
  r.register(TOTP);
  r.register(USERNAME);
  r.registerAccountNumber('5QR12345');
  return r;
}

describe('Redactor.redact: registered values', () => {
  it('replaces every registered secret, in any case, and masks account numbers', () => {
    const r = redactorWithSecrets();
    const out = r.redact(
      `login ${USERNAME.toUpperCase()} with ${PASSWORD} and totp ${TOTP.toLowerCase()} for account 5QR12345 (again 5qr12345)`,
    );
    expect(out).toBe(
      `login ${REDACTED} with ${REDACTED} and totp ${REDACTED} for account ****2345 (again ****2345)`,
    );
  });

  it('also catches URL-, form- and JSON-encoded forms of a registered value', () => {
    const r = new Redactor();
    r.register('p@ss word"quoted\\x');
    const formBody = `grant_type=password&user=${encodeURIComponent('p@ss word"quoted\\x').replace(/%20/g, '+')}`;
    const json = JSON.stringify({ note: 'p@ss word"quoted\\x' });
    const uri = `x=${encodeURIComponent('p@ss word"quoted\\x')}`;
    for (const text of [formBody, json, uri]) {
      const out = r.redact(text);
      expect(out).toContain(REDACTED);
      expect(out).not.toContain('ss word');
      expect(out).not.toContain('ss%20word');
      expect(out).not.toContain('ss+word');
    }
  });

  it('registers the value, not the empty or tiny strings that would shred ordinary text', () => {
    const r = new Redactor();
    r.register('');
    r.register('ab');
    r.register(null);
    r.register(undefined);
    expect(r.redact('a table about abstract art')).toBe('a table about abstract art');
  });

  it('replaces the longer of two overlapping secrets whole', () => {
    const r = new Redactor();
    r.register('secretvalue');
    r.register('secretvalue-with-suffix');
    expect(r.redact('x secretvalue-with-suffix y')).toBe(`x ${REDACTED} y`);
  });

  it('masks with the extended key when one is given', () => {
    const r = new Redactor();
    r.registerAccountNumber('5QR12345', '****12345');
    expect(r.redact('account 5QR12345')).toBe('account ****12345');
  });

  it('keeps [REDACTED] when a value is registered both as a secret and as an account number', () => {
    const r = new Redactor();
    r.register('ABCD9999');
    r.registerAccountNumber('ABCD9999');
    expect(r.redact('ABCD9999')).toBe(REDACTED);
  });
});

describe('Redactor.redact: secret shapes that were never registered', () => {
  const r = new Redactor();

  it.each([
    ['Bearer tokens', 'Authorization failed for Bearer abc123.DEF_456-xyz=', 'abc123'],
    ['Bearer inside header text', 'headers: authorization: Token 0123456789abcdef', '0123456789abcdef'],
    ['JWTs anywhere', `token was ${JWT} (expired)`, 'eyJhbGciOiJFUzI1Ni'],
    ['URL passwords', 'connect postgres://sync:s3cr3t@db.example.com:5432/magnus failed', 's3cr3t'],
    ['URL passwords containing @', 'url=postgresql://sync:p@ss@db.example.com/magnus', 'p@ss'],
    ['?password= in a URL', 'GET https://db.example/x?user=a&password=letmein&ssl=1', 'letmein'],
    ['form bodies', 'client_id=c82SH0WZOs&password=hunter2&mfa_code=123456&username=jane', 'hunter2'],
    ['mfa codes in form bodies', 'grant_type=password&mfa_code=654321', '654321'],
    [
      'JSON text with secret keys',
      '{"access_token":"opaque-abc-123","refresh_token":"r-456","mfa_code":123456}',
      'opaque-abc-123',
    ],
  ])('%s', (_what, input, secret) => {
    const out = r.redact(input);
    expect(out).not.toContain(secret);
    expect(out).toContain(REDACTED);
  });

  it('keeps what makes the line useful around the secret', () => {
    expect(r.redact('connect postgres://sync:s3cr3t@db.example.com:5432/magnus failed')).toBe(
      `connect postgres://sync:${REDACTED}@db.example.com:5432/magnus failed`,
    );
    expect(r.redact('client_id=c82SH0WZOs&grant_type=password&password=hunter2&scope=internal')).toBe(
      `client_id=c82SH0WZOs&grant_type=password&password=${REDACTED}&scope=internal`,
    );
    expect(r.redact('{"token_type":"Bearer","expires_in":86400,"access_token":"abc"}')).toBe(
      `{"token_type":"Bearer","expires_in":86400,"access_token":"${REDACTED}"}`,
    );
  });

  it('leaves ordinary text alone', () => {
    const plain =
      'Fetched 12 positions from https://api.robinhood.com/positions/?nonzero=true in 3 pages (v1.2.3, main.util.clock)';
    expect(r.redact(plain)).toBe(plain);
  });
});

describe('Redactor.redactValue', () => {
  it('redacts deeply by value and by key name, masks account numbers, and never mutates the input', () => {
    const r = redactorWithSecrets();
    const input = {
      user: USERNAME,
      nested: { list: [`pw ${PASSWORD}`, { refresh_token: 'opaque-refresh-value' }] },
      headers: { Authorization: 'Bearer xyz', 'X-Request-Id': 'req-1' },
      password: 'never-registered-password',
      deviceToken: '3f2a9c1e-7b4d-4e21-9a0c-5d6e7f8a9b0c',
      mfa_code: 123456,
      totp: { secret: TOTP },
      account_number: '9XY88887777',
      tokenType: 'Bearer',
      passwordStored: true,
      expiresIn: 86400,
      map: new Map([['5QR12345', { equity: '100.00' }]]),
    };
    const copy = structuredClone(input);
    const out = r.redactValue(input);
    expect(out).toEqual({
      user: REDACTED,
      nested: { list: [`pw ${REDACTED}`, { refresh_token: REDACTED }] },
      headers: { Authorization: REDACTED, 'X-Request-Id': 'req-1' },
      password: REDACTED,
      deviceToken: REDACTED,
      mfa_code: REDACTED,
      totp: REDACTED,
      account_number: '****7777',
      tokenType: 'Bearer',
      passwordStored: true,
      expiresIn: 86400,
      map: { '****2345': { equity: '100.00' } },
    });
    expect(input).toEqual(copy);
  });

  it('turns errors into plain objects (kind, message, code, cause), stack only when asked', () => {
    const r = redactorWithSecrets();
    const cause = Object.assign(new Error(`login refused for ${USERNAME}`), { code: 'E_AUTH' });
    const error = new TypeError(`request with ${PASSWORD} failed`, { cause });
    const withoutStack = r.redactValue({ error }, { stacks: false }) as { error: Record<string, unknown> };
    expect(withoutStack.error).toEqual({
      kind: 'TypeError',
      message: `request with ${REDACTED} failed`,
      cause: { kind: 'Error', message: `login refused for ${REDACTED}`, code: 'E_AUTH' },
    });
    const withStack = r.redactValue(error, { stacks: true }) as Record<string, unknown>;
    expect(String(withStack.stack)).toContain(`request with ${REDACTED} failed`);
    expect(JSON.stringify(withStack)).not.toContain(PASSWORD);
    expect(JSON.stringify(withStack)).not.toContain(USERNAME);
  });

  it('survives cycles, binary data, dates, bigints and objects with toJSON', () => {
    const r = new Redactor();
    const a: Record<string, unknown> = { name: 'a' };
    a.self = a;
    const out = r.redactValue({
      a,
      bytes: new Uint8Array(3),
      at: new Date('2026-11-28T10:00:00Z'),
      big: 10n,
      dec: { toJSON: () => '182.7800' },
    });
    expect(out).toEqual({
      a: { name: 'a', self: '[Circular]' },
      bytes: '[binary 3 bytes]',
      at: '2026-11-28T10:00:00.000Z',
      big: '10',
      dec: '182.7800',
    });
  });

  it('knows secret key names and leaves look-alikes', () => {
    for (const k of [
      'password',
      'access_token',
      'refresh-token',
      'Authorization',
      'client_secret',
      'mfa_code',
      'totp',
      'device_token',
      'set-cookie',
    ]) {
      expect(isSecretKey(k), k).toBe(true);
    }
    for (const k of [
      'tokenType',
      'token_type',
      'expires_in',
      'passwordStored',
      'tokens',
      'scope',
      'accountKey',
    ]) {
      expect(isSecretKey(k), k).toBe(false);
    }
  });
});

describe('account keys', () => {
  it('masks to **** and the last four characters', () => {
    expect(maskAccountNumber('5QR12345')).toBe('****2345');
    expect(maskAccountNumber(' 5QR12345 ')).toBe('****2345');
    expect(maskAccountNumber('123')).toBe('****123');
    // Masking a key again keeps it, hash suffix included (the store and the logs both mask).
    expect(maskAccountNumber('****4141-3fa2')).toBe('****4141-3fa2');
    expect(() => maskAccountNumber('  ')).toThrow(/must not be empty/);
  });

  it('uses the plain mask when the last four characters are unique', () => {
    expect([...accountKeysFor(['5QR12345', '7AB99887'])]).toEqual([
      ['5QR12345', '****2345'],
      ['7AB99887', '****9887'],
    ]);
  });

  it('gives only the colliding accounts a hash suffix, never more digits of the number', () => {
    const keys = accountKeysFor(['AAA12345', 'BBB22345', 'CCC99887', 'DDD92345', '2345']);
    expect(keys.get('CCC99887')).toBe('****9887');
    const clashing = ['AAA12345', 'BBB22345', 'DDD92345', '2345'].map((n) => keys.get(n)!);
    for (const key of clashing) expect(key).toMatch(/^\*{4}2345-[0-9a-f]{4}$/);
    expect(new Set(clashing).size).toBe(4);
    for (const n of ['AAA12345', 'BBB22345', 'DDD92345']) expect(keys.get(n)).not.toContain(n.slice(-5));
  });

  it('gives the same keys whatever the order (two agents agree)', () => {
    const numbers = ['AAA12345', 'BBB22345', 'CCC99887', 'DDD92345', 'EEE12345'];
    const forward = accountKeysFor(numbers);
    const backward = accountKeysFor([...numbers].reverse());
    for (const n of numbers) expect(backward.get(n)).toBe(forward.get(n));
    expect(new Set(forward.values()).size).toBe(numbers.length);
  });

  it('rejects an empty account number', () => {
    expect(() => accountKeysFor(['5QR12345', ''])).toThrow(/must not be empty/);
  });
});
