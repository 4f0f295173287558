import { DataTypes, type Sequelize } from 'sequelize';

/** LONGTEXT on MySQL (snapshots can pass 64 KB); plain TEXT on SQLite, which has no sizes. */
export function longText(sequelize: Sequelize) {
  return sequelize.getDialect() === 'mysql' ? DataTypes.TEXT('long') : DataTypes.TEXT;
}
