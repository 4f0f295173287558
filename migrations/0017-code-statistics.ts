import { DataTypes } from 'sequelize';
import { longText } from '../models/types.js';
import type { Migration } from './types.js';

/**
 * Code statistics and recoding. Sequences are now kept per rule (`rule`, `period`); rows made
 * before have rule NULL and are adopted by the configured rule on first use (a migration cannot
 * know CODE_RULE). Customers record how their code was made and where it sits in its rule's
 * sequence, so counts and gaps are aggregate queries; older rows are filled in by
 * fillCodeColumns. customer_recodes holds recode requests (one code or a whole sheet).
 */
export const codeStatistics: Migration = {
  name: '0017-code-statistics',
  async up({ context: qi }) {
    await qi.addColumn('code_sequences', 'rule', { type: DataTypes.STRING(191), allowNull: true });
    await qi.addColumn('code_sequences', 'period', { type: DataTypes.STRING(8), allowNull: true });
    await qi.addColumn('customers', 'code_origin', { type: DataTypes.STRING(8), allowNull: true });
    await qi.addColumn('customers', 'code_scope', { type: DataTypes.STRING(32), allowNull: true });
    await qi.addColumn('customers', 'code_seq', { type: DataTypes.INTEGER, allowNull: true });
    await qi.addIndex('customers', ['code_scope', 'code_seq'], { name: 'customers_code_scope_seq' });
    await qi.addIndex('customers', ['code_origin'], { name: 'customers_code_origin' });
    await qi.createTable('customer_recodes', {
      id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true, allowNull: false },
      status: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'pending' },
      rows: { type: longText(qi.sequelize), allowNull: false },
      reason: { type: DataTypes.STRING(500), allowNull: false },
      requester_id: { type: DataTypes.INTEGER, allowNull: true },
      requester_name: { type: DataTypes.STRING(100), allowNull: false },
      expires_at: { type: DataTypes.DATE, allowNull: false },
      decided_by: { type: DataTypes.INTEGER, allowNull: true },
      decided_by_name: { type: DataTypes.STRING(100), allowNull: true },
      decided_at: { type: DataTypes.DATE, allowNull: true },
      decision_note: { type: DataTypes.STRING(500), allowNull: true },
      created_at: { type: DataTypes.DATE, allowNull: false },
      updated_at: { type: DataTypes.DATE, allowNull: false },
    });
    await qi.addIndex('customer_recodes', ['status', 'expires_at'], { name: 'customer_recodes_status' });
  },
  async down({ context: qi }) {
    await qi.dropTable('customer_recodes');
    await qi.removeIndex('customers', 'customers_code_origin');
    await qi.removeIndex('customers', 'customers_code_scope_seq');
    for (const c of ['code_seq', 'code_scope', 'code_origin']) await qi.removeColumn('customers', c);
    for (const c of ['period', 'rule']) await qi.removeColumn('code_sequences', c);
  },
};
