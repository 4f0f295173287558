import type { Sequelize } from 'sequelize';

/**
 * The migration runner as core sees it. migrations/migrate.ts implements it and core/boot.ts (the
 * one core file that wires the database) puts it on Core, so no other core file imports migrations/.
 */
export interface Schema {
  /** Applies every pending migration; the names applied. */
  up(sequelize: Sequelize): Promise<string[]>;
  /** Names of migrations not yet applied. */
  pending(sequelize: Sequelize): Promise<string[]>;
  /** Names of migrations applied, in order. */
  executed(sequelize: Sequelize): Promise<string[]>;
  /** Every migration this program knows, in order. */
  readonly known: readonly string[];
}
