/**
 * The web server's access token and the session cookie the page flow trades it for.
 *
 * The cookie does not carry the token itself: a browser that keeps the cookie never holds the
 * value printed on the console, and a leaked cookie is worthless after the server restarts.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const SESSION_COOKIE = 'magnus_session';
/** 32 random bytes: well above the 128 bits a guessable-by-nobody token needs. */
const TOKEN_BYTES = 32;
/** A token given by the operator must be long enough to carry about 128 bits. */
export const MIN_TOKEN_LENGTH = 22;

export function generateToken(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}

/** Compares two secrets in constant time (both are hashed first, so their lengths may differ). */
export function secretsEqual(expected: string, given: string): boolean {
  const a = createHash('sha256').update(expected, 'utf8').digest();
  const b = createHash('sha256').update(given, 'utf8').digest();
  return timingSafeEqual(a, b);
}

/** The token from `Authorization: Bearer <token>`, or null. */
export function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  return match?.[1] ?? null;
}

/** The value of one cookie from a Cookie header, or null. */
export function cookieValue(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

export function sessionCookieHeader(session: string): string {
  return `${SESSION_COOKIE}=${session}; HttpOnly; SameSite=Strict; Path=/`;
}

export interface AccessCheck {
  /** The token printed at start. */
  readonly token: string;
  /** The value the page flow stores in the cookie. */
  readonly session: string;
  /** True when the request carries the token (bearer) or the session cookie. */
  allows(headers: { authorization?: string | undefined; cookie?: string | undefined }): boolean;
  tokenMatches(given: string): boolean;
}

export function createAccessCheck(token: string): AccessCheck {
  const session = generateToken();
  const tokenMatches = (given: string) => secretsEqual(token, given);
  return {
    token,
    session,
    tokenMatches,
    allows(headers) {
      const bearer = bearerToken(headers.authorization);
      if (bearer !== null && tokenMatches(bearer)) return true;
      const cookie = cookieValue(headers.cookie, SESSION_COOKIE);
      return cookie !== null && secretsEqual(session, cookie);
    },
  };
}
