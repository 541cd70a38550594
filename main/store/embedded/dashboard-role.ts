/**
 * A login for a dashboard on the embedded server (issue 15: the Magnus dashboard connects as its own
 * role, never as `magnus`). Created with a generated password when missing; an existing role keeps
 * the password it has.
 */
import pg from 'pg';
import { ident } from '../compat/magnus-sql.js';
import { generatePassword } from './password.js';

export interface DashboardLogin {
  role: string;
  /** The new role's password; null when the role existed (its password is unchanged and unknown here). */
  password: string | null;
  created: boolean;
}

export async function ensureLoginRole(serverUrl: string, role: string): Promise<DashboardLogin> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const found = await client.query('select rolcanlogin from pg_roles where rolname = $1', [role]);
    if (found.rowCount && found.rowCount > 0) return { role, password: null, created: false };
    const password = generatePassword();
    // A generated password is URL-safe base64: nothing to escape in the literal.
    await client.query(`create role ${ident(role)} login password '${password}'`);
    return { role, password, created: true };
  } finally {
    await client.end();
  }
}

/** The URL a dashboard logs in with (the password only when known). */
export function dashboardUrl(serverUrl: string, login: DashboardLogin): string {
  const url = new URL(serverUrl);
  url.username = encodeURIComponent(login.role);
  url.password = login.password ? encodeURIComponent(login.password) : '';
  return url.toString();
}
