/**
 * Removes secrets from anything that is about to be written somewhere (log lines, log files, error
 * messages shown to a user).
 *
 * Two layers, because either alone misses things:
 *  - exact values the app knows (registered at login: password, TOTP secret, tokens, username,
 *    full account numbers), including their URL- and JSON-encoded forms;
 *  - shapes that are secret whatever their value (Bearer tokens, JWTs, passwords inside URLs and
 *    form bodies, and object keys such as `password` or `refresh_token`), so a secret the app
 *    never registered (a token in a broker response, a URL typed by the user) is still caught.
 */
import { maskAccountNumber } from '../domain/account-keys.js';
import { describeError } from '../util/errors.js';

export const REDACTED = '[REDACTED]';

/**
 * Shorter values are not registered: replacing every occurrence of a 1–3 character string would
 * shred ordinary text, and the key and shape rules still cover the places where they appear.
 */
const MIN_SECRET_LENGTH = 4;
const MAX_DEPTH = 12;

/** Key names (lower case, without `_`, `-` or `.`) whose values are always secret. */
const SECRET_KEYS = new Set([
  'password',
  'passwd',
  'pwd',
  'pass',
  'passphrase',
  'secret',
  'token',
  'authorization',
  'proxyauthorization',
  'cookie',
  'setcookie',
  'mfacode',
  'totp',
  'otp',
  'apikey',
  'privatekey',
  'deviceid',
  'username',
]);
const SECRET_KEY_SUFFIXES = [
  'password',
  'passwd',
  'token',
  'secret',
  'passphrase',
  'apikey',
  'mfacode',
  'cookie',
];
const ACCOUNT_NUMBER_KEYS = new Set(['accountnumber', 'rhsaccountnumber']);

function normaliseKey(key: string): string {
  return key.toLowerCase().replace(/[^a-z0-9]/g, '');
}

export function isSecretKey(key: string): boolean {
  const k = normaliseKey(key);
  return SECRET_KEYS.has(k) || SECRET_KEY_SUFFIXES.some((suffix) => k.endsWith(suffix));
}

function isAccountNumberKey(key: string): boolean {
  return ACCOUNT_NUMBER_KEYS.has(normaliseKey(key));
}

/** Query-string and form-body parameters whose value is secret. */
const SECRET_PARAMS =
  'password|passwd|pwd|mfa_code|totp|totp_secret|secret|client_secret|access_token|refresh_token|' +
  'read_only_secondary_access_token|id_token|device_token|token|api_key|apikey|username';

/** Rules for secrets of a known shape; applied after the exact values. Order matters. */
const SHAPE_RULES: ReadonlyArray<{ pattern: RegExp; replace: (...groups: string[]) => string }> = [
  // A password in a URL: scheme://user:password@host. Greedy up to the last "@" of the authority.
  {
    pattern: /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/?#@"'<>]*):[^\s/?#"'<>]*@/gi,
    replace: (_m, head) => `${head}:${REDACTED}@`,
  },
  // Authorization headers in any scheme (Bearer, Basic, Token ...), as text.
  {
    pattern: /\b((?:proxy-)?authorization["']?\s*[:=]\s*["']?)[^"'\r\n,;}]+/gi,
    replace: (_m, head) => `${head}${REDACTED}`,
  },
  {
    pattern: /\b(bearer)\s+[A-Za-z0-9\-._~+/]+=*/gi,
    replace: (_m, scheme) => `${scheme} ${REDACTED}`,
  },
  // JWTs: a JSON header ("eyJ" is base64url of '{"'), a payload and a signature.
  {
    pattern: /\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g,
    replace: () => REDACTED,
  },
  // Query strings and form bodies: password=..., mfa_code=..., access_token=...
  {
    pattern: new RegExp(`(?<![A-Za-z0-9_])(${SECRET_PARAMS})=[^&\\s"'<>;,]*`, 'gi'),
    replace: (_m, name) => `${name}=${REDACTED}`,
  },
  // JSON text: "password": "...", "mfa_code": 123456
  {
    pattern: /"([^"\\]{1,64})"(\s*:\s*)("(?:[^"\\]|\\.)*"|-?\d[\d.eE+-]*)/g,
    replace: (match, key, colon) => (isSecretKey(key) ? `"${key}"${colon}"${REDACTED}"` : match),
  },
];

function safeCall(fn: () => unknown): unknown {
  try {
    return fn();
  } catch {
    return '[unserialisable]';
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The forms a value takes when it is put in a URL, a form body or a JSON string. */
function encodedForms(value: string): string[] {
  const uri = encodeURIComponent(value);
  const json = JSON.stringify(value).slice(1, -1);
  return [value, uri, uri.replace(/%20/g, '+'), json];
}

export interface RedactValueOptions {
  /** Keep (redacted) stack traces of errors; the logger sets this only at debug level. */
  stacks?: boolean;
}

export class Redactor {
  /** Lower-cased value → its replacement. */
  readonly #replacements = new Map<string, string>();
  #pattern: RegExp | null = null;

  /** Registers an exact secret (password, TOTP secret, token, username); it is replaced by [REDACTED]. */
  register(secret: string | null | undefined): void {
    if (typeof secret !== 'string') return;
    const value = secret.trim();
    if (value.length < MIN_SECRET_LENGTH) return;
    for (const form of encodedForms(value)) this.#add(form, REDACTED);
    if (value !== secret) for (const form of encodedForms(secret)) this.#add(form, REDACTED);
  }

  /**
   * Registers a full account number; it is replaced by its account key. Without `key`, the plain
   * mask ("****" + last 4), unless a key was registered for it already (it may carry a hash suffix).
   */
  registerAccountNumber(full: string, key?: string): void {
    const value = full.trim();
    if (value.length < MIN_SECRET_LENGTH) return;
    const replacement = key ?? maskAccountNumber(value);
    for (const form of encodedForms(value)) {
      const existing = this.#replacements.get(form.toLowerCase());
      // A secret registered earlier under the same text keeps the stronger replacement.
      if (existing === REDACTED || (key === undefined && existing !== undefined)) continue;
      this.#add(form, replacement);
    }
  }

  #add(text: string, replacement: string): void {
    if (text.length < MIN_SECRET_LENGTH) return;
    const lower = text.toLowerCase();
    if (this.#replacements.get(lower) === replacement) return;
    this.#replacements.set(lower, replacement);
    this.#pattern = null;
  }

  #exactPattern(): RegExp | null {
    if (this.#replacements.size === 0) return null;
    if (!this.#pattern) {
      // Longest first, so a secret that contains another one is replaced whole.
      const alternatives = [...this.#replacements.keys()]
        .sort((a, b) => b.length - a.length)
        .map(escapeRegExp);
      this.#pattern = new RegExp(alternatives.join('|'), 'gi');
    }
    return this.#pattern;
  }

  redact(text: string): string {
    let out = String(text);
    const exact = this.#exactPattern();
    if (exact) out = out.replace(exact, (match) => this.#replacements.get(match.toLowerCase()) ?? REDACTED);
    for (const rule of SHAPE_RULES) {
      out = out.replace(rule.pattern, (...args: unknown[]) => rule.replace(...(args as string[])));
    }
    return out;
  }

  /**
   * A deep copy of `value` with every secret removed: strings are redacted, values under secret key
   * names are replaced, account numbers under account keys are masked, errors become plain objects
   * (kind, message, code, cause; stack when asked). The input is never modified.
   */
  redactValue(value: unknown, options: RedactValueOptions = {}): unknown {
    return this.#walk(value, options.stacks ?? true, 0, new WeakSet());
  }

  #walk(value: unknown, stacks: boolean, depth: number, seen: WeakSet<object>): unknown {
    if (typeof value === 'string') return this.redact(value);
    if (value === null || typeof value !== 'object') {
      if (typeof value === 'bigint') return value.toString();
      if (typeof value === 'function' || typeof value === 'symbol') return `[${typeof value}]`;
      return value;
    }
    if (seen.has(value)) return '[Circular]';
    if (depth >= MAX_DEPTH) return '[Truncated]';
    seen.add(value);
    try {
      if (value instanceof Error) return this.#walkError(value, stacks, depth, seen);
      if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
      if (value instanceof URL) return this.redact(value.href);
      if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer)
        return `[binary ${value.byteLength} bytes]`;
      const toJSON = (value as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === 'function' && !Array.isArray(value)) {
        // Decimals and similar objects say how they want to be written.
        return this.#walk(
          safeCall(() => toJSON.call(value)),
          stacks,
          depth + 1,
          seen,
        );
      }
      if (Array.isArray(value)) return value.map((item) => this.#walk(item, stacks, depth + 1, seen));
      if (value instanceof Map) return this.#walkEntries([...value.entries()], stacks, depth, seen);
      if (value instanceof Set) return [...value].map((item) => this.#walk(item, stacks, depth + 1, seen));
      return this.#walkEntries(Object.entries(value), stacks, depth, seen);
    } finally {
      seen.delete(value);
    }
  }

  #walkEntries(
    entries: Array<[unknown, unknown]>,
    stacks: boolean,
    depth: number,
    seen: WeakSet<object>,
  ): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [rawKey, item] of entries) {
      const key = String(rawKey);
      out[this.redact(key)] = this.#walkField(key, item, stacks, depth, seen);
    }
    return out;
  }

  #walkField(key: string, item: unknown, stacks: boolean, depth: number, seen: WeakSet<object>): unknown {
    if (item === null || item === undefined || typeof item === 'boolean') return item;
    if (isSecretKey(key)) return REDACTED;
    if (isAccountNumberKey(key) && typeof item === 'string' && item.trim() !== '') {
      return this.redact(maskAccountNumber(item));
    }
    return this.#walk(item, stacks, depth + 1, seen);
  }

  #walkError(error: Error, stacks: boolean, depth: number, seen: WeakSet<object>): Record<string, unknown> {
    // The one logged shape of an error (main/util/errors.ts): kind, message, code; then stack and cause.
    const out = this.#walkEntries(Object.entries(describeError(error)), stacks, depth, seen);
    if (stacks && typeof error.stack === 'string') out.stack = this.redact(error.stack);
    if (error.cause !== undefined) out.cause = this.#walk(error.cause, stacks, depth + 1, seen);
    return out;
  }
}
