import { DataTypes } from 'sequelize';
import { longText } from '../models/types.js';
import type { Migration } from './types.js';

const id = { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true, allowNull: false };

/**
 * Merging duplicate customers: the merge record (request, approval, and what moved, so it can be
 * undone), the codes that now stand for another customer, and the tombstone's pointer.
 */
export const customerMerge: Migration = {
  name: '0014-customer-merge',
  async up({ context: qi }) {
    await qi.addColumn('customers', 'merged_into', { type: DataTypes.INTEGER, allowNull: true });
    await qi.createTable('customer_merges', {
      id,
      status: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'pending' },
      keep_customer_id: { type: DataTypes.INTEGER, allowNull: false },
      keep_code: { type: DataTypes.STRING(32), allowNull: false },
      absorbed: { type: DataTypes.TEXT, allowNull: false },
      field_values: { type: DataTypes.TEXT, allowNull: true },
      reason: { type: DataTypes.STRING(500), allowNull: false },
      requester_id: { type: DataTypes.INTEGER, allowNull: true },
      requester_name: { type: DataTypes.STRING(100), allowNull: false },
      expires_at: { type: DataTypes.DATE, allowNull: false },
      decided_by: { type: DataTypes.INTEGER, allowNull: true },
      decided_by_name: { type: DataTypes.STRING(100), allowNull: true },
      decided_at: { type: DataTypes.DATE, allowNull: true },
      decision_note: { type: DataTypes.STRING(500), allowNull: true },
      survivor_before: { type: DataTypes.TEXT, allowNull: true },
      survivor_version: { type: DataTypes.INTEGER, allowNull: true },
      moved: { type: longText(qi.sequelize), allowNull: true },
      merged_at: { type: DataTypes.DATE, allowNull: true },
      undone_at: { type: DataTypes.DATE, allowNull: true },
      undone_by_name: { type: DataTypes.STRING(100), allowNull: true },
      created_at: { type: DataTypes.DATE, allowNull: false },
      updated_at: { type: DataTypes.DATE, allowNull: false },
    });
    await qi.addIndex('customer_merges', ['status', 'expires_at'], { name: 'customer_merges_status' });
    await qi.addIndex('customer_merges', ['keep_customer_id'], { name: 'customer_merges_keep' });
    await qi.createTable('customer_aliases', {
      id,
      code: { type: DataTypes.STRING(32), allowNull: false },
      customer_id: { type: DataTypes.INTEGER, allowNull: false },
      merge_id: { type: DataTypes.INTEGER, allowNull: true },
      created_at: { type: DataTypes.DATE, allowNull: false },
    });
    await qi.addIndex('customer_aliases', ['code'], { unique: true, name: 'customer_aliases_code' });
    await qi.addIndex('customer_aliases', ['customer_id'], { name: 'customer_aliases_customer' });
  },
  async down({ context: qi }) {
    await qi.dropTable('customer_aliases');
    await qi.dropTable('customer_merges');
    await qi.removeColumn('customers', 'merged_into');
  },
};
