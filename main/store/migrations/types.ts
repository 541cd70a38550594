import type { Knex } from 'knex';

/** One schema step. Names sort in the order they run and never change once released. */
export interface StoreMigration {
  name: string;
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

/** Runs statements one by one, so that a failure names the statement it came from. */
export async function runStatements(knex: Knex, statements: readonly string[]): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}
