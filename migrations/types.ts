import type { QueryInterface } from 'sequelize';
import type { RunnableMigration } from 'umzug';

/** A migration as umzug runs it, with the QueryInterface as context. */
export type Migration = RunnableMigration<QueryInterface>;
