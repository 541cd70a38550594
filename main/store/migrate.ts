/**
 * Brings a database up to this build's schema. Safe to run at every open and from several
 * processes against one PostgreSQL server: knex's migration lock lets one of them migrate while
 * the others wait and retry.
 */
import type { Knex } from 'knex';
import type { Logger } from '../util/logger.js';
import { MIGRATIONS } from './migrations/index.js';
import type { StoreMigration } from './migrations/types.js';

const MIGRATIONS_TABLE = 'magnus_migrations';

export const migrationSource: Knex.MigrationSource<StoreMigration> = {
  getMigrations: async () => [...MIGRATIONS],
  getMigrationName: (migration) => migration.name,
  getMigration: async (migration) => ({ up: migration.up, down: migration.down }),
};

const migratorConfig = { migrationSource, tableName: MIGRATIONS_TABLE } as Knex.MigratorConfig;

function isLockError(error: unknown): boolean {
  return /already locked/i.test((error as Error)?.message ?? '');
}

/** Applies missing migrations; returns the names it applied. */
export async function migrateToLatest(
  knex: Knex,
  logger: Logger,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): Promise<string[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      const [, applied] = (await knex.migrate.latest(migratorConfig)) as [number, string[]];
      if (applied.length > 0) logger.info('Database schema updated', { migrations: applied });
      return applied;
    } catch (error) {
      if (isLockError(error) && attempt < 20) {
        logger.info('Another process is migrating the database; waiting', { attempt });
        await sleep(500);
        continue;
      }
      const message = (error as Error).message ?? String(error);
      if (/migration directory is corrupt|files are missing/i.test(message)) {
        throw new Error(
          'This database was created by a newer version of Magnus Sync (it has schema steps this version does not know). ' +
            'Update Magnus Sync, or point it at another database.',
        );
      }
      throw error;
    }
  }
}

/** Names of applied migrations, oldest first. */
export async function appliedMigrations(knex: Knex): Promise<string[]> {
  const rows = await knex(MIGRATIONS_TABLE).select('name').orderBy('id');
  return rows.map((r: { name: string }) => r.name);
}
