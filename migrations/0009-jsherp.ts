import { DataTypes } from 'sequelize';
import type { Migration } from './types.js';

const id = { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true, allowNull: false };
const bigint = (allowNull = false) => ({ type: DataTypes.BIGINT, allowNull });

/**
 * The jshERP connector: which of our customers is which jsh_supplier row (per tenant), the
 * matches a person must decide, the sync cursors, and the write-back queue (filled in the
 * same transaction as the 停用 / 启用 / delete / restore it mirrors).
 */
export const jsherp: Migration = {
  name: '0009-jsherp',
  async up({ context: qi }) {
    await qi.createTable('jsherp_links', {
      id,
      tenant_id: bigint(),
      jsh_id: bigint(),
      customer_id: { type: DataTypes.INTEGER, allowNull: false },
      customer_code: { type: DataTypes.STRING(32), allowNull: false },
      linked_by: { type: DataTypes.STRING(16), allowNull: false },
      linked_at: { type: DataTypes.DATE, allowNull: false },
      wrote_delete_flag: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
    });
    await qi.addIndex('jsherp_links', ['tenant_id', 'jsh_id'], { unique: true, name: 'jsherp_links_jsh' });
    await qi.addIndex('jsherp_links', ['tenant_id', 'customer_id'], { unique: true, name: 'jsherp_links_customer' });

    await qi.createTable('jsherp_candidates', {
      id,
      tenant_id: bigint(),
      jsh_id: bigint(),
      jsh_name: { type: DataTypes.STRING(255), allowNull: false },
      kind: { type: DataTypes.STRING(16), allowNull: false },
      matches: { type: DataTypes.TEXT, allowNull: true },
      found_at: { type: DataTypes.DATE, allowNull: false },
    });
    await qi.addIndex('jsherp_candidates', ['tenant_id', 'jsh_id'], { unique: true, name: 'jsherp_candidates_jsh' });

    await qi.createTable('jsherp_state', {
      tenant_id: { type: DataTypes.BIGINT, primaryKey: true, allowNull: false },
      linked_once: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
      baseline_supplier_id: bigint(),
      last_supplier_id: bigint(),
      last_depot_id: bigint(),
      last_account_id: bigint(),
      syncs: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      last_full_at: { type: DataTypes.DATE, allowNull: true },
      last_sync_at: { type: DataTypes.DATE, allowNull: true },
      last_status: { type: DataTypes.STRING(16), allowNull: true },
      last_summary: { type: DataTypes.STRING(1000), allowNull: true },
    });

    await qi.createTable('jsherp_writes', {
      id,
      tenant_id: bigint(),
      jsh_id: bigint(),
      customer_id: { type: DataTypes.INTEGER, allowNull: false },
      customer_code: { type: DataTypes.STRING(32), allowNull: false },
      action: { type: DataTypes.STRING(16), allowNull: false },
      status: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'pending' },
      attempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      not_before: { type: DataTypes.DATE, allowNull: false },
      approval_id: { type: DataTypes.INTEGER, allowNull: true },
      requested_by: { type: DataTypes.STRING(100), allowNull: false },
      result: { type: DataTypes.STRING(500), allowNull: true },
      error: { type: DataTypes.STRING(500), allowNull: true },
      created_at: { type: DataTypes.DATE, allowNull: false },
      done_at: { type: DataTypes.DATE, allowNull: true },
    });
    await qi.addIndex('jsherp_writes', ['status', 'not_before'], { name: 'jsherp_writes_due' });
  },
  async down({ context: qi }) {
    for (const table of ['jsherp_writes', 'jsherp_state', 'jsherp_candidates', 'jsherp_links'])
      await qi.dropTable(table);
  },
};
