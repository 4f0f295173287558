import { Umzug, SequelizeStorage } from 'umzug';
import type { QueryInterface, Sequelize } from 'sequelize';
import { MIGRATIONS } from './index.js';

/** The umzug runner for this connection; migrations are tracked in `steward_migrations`. */
export function migrator(sequelize: Sequelize): Umzug<QueryInterface> {
  return new Umzug({
    migrations: MIGRATIONS,
    context: sequelize.getQueryInterface(),
    storage: new SequelizeStorage({ sequelize, tableName: 'steward_migrations' }),
    logger: undefined,
  });
}

/** Applies every pending migration; returns the names applied. */
export async function migrateUp(sequelize: Sequelize): Promise<string[]> {
  const applied = await migrator(sequelize).up();
  return applied.map((m) => m.name);
}

/** Names of migrations not yet applied. */
export async function pendingMigrations(sequelize: Sequelize): Promise<string[]> {
  return (await migrator(sequelize).pending()).map((m) => m.name);
}

/** Names of migrations applied, in order. */
export async function executedMigrations(sequelize: Sequelize): Promise<string[]> {
  return (await migrator(sequelize).executed()).map((m) => m.name);
}

/** The runner as core/schema.ts describes it (core/boot.ts puts it on Core; migrations never import core). */
export const schema = {
  up: migrateUp,
  pending: pendingMigrations,
  executed: executedMigrations,
  known: MIGRATIONS.map((m) => m.name),
};
