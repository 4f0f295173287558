import { DataTypes } from 'sequelize';
import type { Migration } from './types.js';

/**
 * 疑似重复 pairs someone judged to be two different customers (忽略): they are not offered again.
 * The scan itself needs no new column: it groups on the indexed name_norm and phone_hash.
 */
export const duplicateDismissals: Migration = {
  name: '0015-duplicate-dismissals',
  async up({ context: qi }) {
    await qi.createTable('duplicate_dismissals', {
      id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true, allowNull: false },
      pair_key: { type: DataTypes.STRING(40), allowNull: false },
      customer_a_id: { type: DataTypes.INTEGER, allowNull: false },
      customer_b_id: { type: DataTypes.INTEGER, allowNull: false },
      code_a: { type: DataTypes.STRING(32), allowNull: false },
      code_b: { type: DataTypes.STRING(32), allowNull: false },
      reason: { type: DataTypes.STRING(500), allowNull: false },
      dismissed_by: { type: DataTypes.INTEGER, allowNull: true },
      dismissed_by_name: { type: DataTypes.STRING(100), allowNull: false },
      dismissed_at: { type: DataTypes.DATE, allowNull: false },
    });
    await qi.addIndex('duplicate_dismissals', ['pair_key'], { unique: true, name: 'duplicate_dismissals_pair' });
  },
  async down({ context: qi }) {
    await qi.dropTable('duplicate_dismissals');
  },
};
