/**
 * A PostgreSQL URL is a setting, its password is a secret: the settings store keeps the URL
 * without a password and the password lives under 'database.password'. These helpers split a URL
 * the user typed and put it back together for connecting.
 *
 * Errors name what is wrong and never repeat the URL.
 */
import { postgresUrlProblem } from '../../shared/settings.js';
import type { SecretStore } from './secret-store.js';

const NAME = 'database.password';

export class DatabaseUrlError extends Error {
  override readonly name = 'DatabaseUrlError';
}

function parse(url: string): URL {
  const problem = postgresUrlProblem(url);
  if (problem) throw new DatabaseUrlError(problem);
  return new URL(url);
}

/**
 * The URL without its password, and the password (decoded), from the user-info part or a
 * `password` query parameter (libpq accepts both; the query parameter wins, as in libpq).
 */
export function splitDatabaseUrl(url: string): { url: string; password: string | null } {
  const parsed = parse(url);
  let password: string | null = null;
  if (parsed.password !== '') {
    try {
      password = decodeURIComponent(parsed.password);
    } catch {
      throw new DatabaseUrlError('Database URL has a badly encoded password.');
    }
    parsed.password = '';
  }
  const fromQuery = parsed.searchParams.get('password');
  if (fromQuery !== null) {
    if (fromQuery !== '') password = fromQuery;
    parsed.searchParams.delete('password');
  }
  return { url: parsed.toString(), password };
}

/** The URL with `password` put in (replacing any password it had); null leaves the URL as it is. */
export function joinDatabaseUrl(url: string, password: string | null): string {
  if (password === null) return parse(url).toString();
  const parsed = parse(splitDatabaseUrl(url).url);
  if (password === '') throw new DatabaseUrlError('Database password must not be empty.');
  // Encoded in full, so "%", "@", ":" and "/" in a password survive the round trip.
  parsed.password = encodeURIComponent(password);
  return parsed.toString();
}

/**
 * Moves a password typed into the URL into the secret store and returns the URL to keep in the
 * settings. A URL without a password keeps the stored one (the settings window never shows it, so
 * saving the form again must not forget it); clearDatabasePassword() forgets it.
 */
export async function storeDatabasePassword(secrets: SecretStore, url: string): Promise<string> {
  const split = splitDatabaseUrl(url);
  if (split.password !== null) await secrets.set(NAME, split.password);
  return split.url;
}

/** The URL to connect with: the stored URL plus the stored password, when there is one. */
export async function withStoredDatabasePassword(secrets: SecretStore, url: string): Promise<string> {
  const stripped = splitDatabaseUrl(url);
  const stored = await secrets.get(NAME);
  return joinDatabaseUrl(stripped.url, stored ?? stripped.password);
}

export async function clearDatabasePassword(secrets: SecretStore): Promise<void> {
  await secrets.delete(NAME);
}

export async function databasePasswordStored(secrets: SecretStore): Promise<boolean> {
  return (await secrets.get(NAME)) !== null;
}
