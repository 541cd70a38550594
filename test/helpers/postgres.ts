/**
 * Fresh PostgreSQL databases for tests: each test file asks for its own, named after this run
 * (MAGNUS_TEST_RUN_ID, set by test/run-all.mjs) so the runner can drop them all at the end.
 * Nothing depends on what an earlier run left behind.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const PG_ADMIN_URL =
  process.env.MAGNUS_TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const runId = process.env.MAGNUS_TEST_RUN_ID ?? `solo${process.pid.toString(36)}`;

function urlFor(database: string): string {
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A database or role name of this run: the runner drops whatever carries its prefix. */
function runScopedName(label: string): string {
  const safe = label
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .slice(0, 20);
  return `magnus_t_${runId}_${safe}_${randomBytes(3).toString('hex')}`;
}

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** Creates an empty database; `label` makes it recognisable (letters, digits, underscore). */
export async function createTestDatabase(label = 'db'): Promise<TestDatabase> {
  const name = runScopedName(label);
  await admin((c) => c.query(`create database "${name}"`));
  return {
    name,
    url: urlFor(name),
    drop: () => admin((c) => c.query(`drop database if exists "${name}" with (force)`)).then(() => undefined),
  };
}

export interface TestRole {
  name: string;
  /** A URL that logs in as this role (trust authentication on the test server). */
  urlFor(database: TestDatabase): string;
  drop(): Promise<void>;
}

/**
 * Creates a LOGIN role (no other attributes) named after this run. Roles are cluster-wide: drop the
 * databases it owns objects in before the role; test/run-all.mjs drops what a run left behind.
 */
export async function createTestRole(label = 'role'): Promise<TestRole> {
  const name = runScopedName(label);
  await admin((c) => c.query(`create role "${name}" login`));
  return {
    name,
    urlFor(database) {
      const url = new URL(database.url);
      url.username = name;
      return url.toString();
    },
    drop: () => admin((c) => c.query(`drop role if exists "${name}"`)).then(() => undefined),
  };
}
