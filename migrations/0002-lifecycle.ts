import { DataTypes, type QueryInterface } from 'sequelize';
import type { Migration } from './types.js';
import { longText } from '../models/types.js';

const id = { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true, allowNull: false };

/** The hash-chained audit trail and its head (the genesis hash is 64 zeros). */
async function createAuditTrail(qi: QueryInterface): Promise<void> {
  await qi.createTable('audit_events', {
    id,
    at: { type: DataTypes.DATE(3), allowNull: false },
    operator_id: { type: DataTypes.INTEGER, allowNull: true },
    operator_name: { type: DataTypes.STRING(100), allowNull: false },
    door: { type: DataTypes.STRING(16), allowNull: false },
    action: { type: DataTypes.STRING(40), allowNull: false },
    customer_id: { type: DataTypes.INTEGER, allowNull: true },
    customer_code: { type: DataTypes.STRING(32), allowNull: true },
    diff: { type: longText(qi.sequelize), allowNull: false },
    pii: { type: DataTypes.TEXT, allowNull: true },
    prev_hash: { type: DataTypes.STRING(64), allowNull: false },
    hash: { type: DataTypes.STRING(64), allowNull: false },
  });
  await qi.addIndex('audit_events', ['customer_id', 'id'], { name: 'audit_events_customer' });
  await qi.addIndex('audit_events', ['operator_id', 'id'], { name: 'audit_events_operator' });
  await qi.addIndex('audit_events', ['at'], { name: 'audit_events_at' });

  await qi.createTable('audit_head', {
    id: { type: DataTypes.INTEGER, primaryKey: true, allowNull: false },
    hash: { type: DataTypes.STRING(64), allowNull: false },
    last_id: { type: DataTypes.INTEGER, allowNull: false },
  });
  await qi.bulkInsert('audit_head', [{ id: 1, hash: '0'.repeat(64), last_id: 0 }]);
}

/** Approval requests, found by status and expiry or by customer. */
async function createApprovalRequests(qi: QueryInterface): Promise<void> {
  await qi.createTable('approval_requests', {
    id,
    action: { type: DataTypes.STRING(20), allowNull: false, defaultValue: 'delete' },
    customer_id: { type: DataTypes.INTEGER, allowNull: false },
    customer_code: { type: DataTypes.STRING(32), allowNull: false },
    reason: { type: DataTypes.STRING(500), allowNull: false },
    requester_id: { type: DataTypes.INTEGER, allowNull: false },
    status: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'pending' },
    expires_at: { type: DataTypes.DATE, allowNull: false },
    decided_by: { type: DataTypes.INTEGER, allowNull: true },
    decided_at: { type: DataTypes.DATE, allowNull: true },
    decision_note: { type: DataTypes.STRING(500), allowNull: true },
    recycle_entry_id: { type: DataTypes.INTEGER, allowNull: true },
    created_at: { type: DataTypes.DATE, allowNull: false },
    updated_at: { type: DataTypes.DATE, allowNull: false },
  });
  await qi.addIndex('approval_requests', ['status', 'expires_at'], { name: 'approval_requests_status_expiry' });
  await qi.addIndex('approval_requests', ['customer_id', 'status'], { name: 'approval_requests_customer' });
}

/** The recycle bin, searched by customer code and purged by retention date. */
async function createRecycleEntries(qi: QueryInterface): Promise<void> {
  await qi.createTable('recycle_entries', {
    id,
    customer_id: { type: DataTypes.INTEGER, allowNull: false },
    customer_code: { type: DataTypes.STRING(32), allowNull: false },
    customer_name: { type: DataTypes.STRING(200), allowNull: false },
    previous_status: { type: DataTypes.STRING(16), allowNull: false },
    snapshot: { type: longText(qi.sequelize), allowNull: false },
    approval_id: { type: DataTypes.INTEGER, allowNull: true },
    deleted_by: { type: DataTypes.INTEGER, allowNull: false },
    deleted_at: { type: DataTypes.DATE, allowNull: false },
    retain_until: { type: DataTypes.DATE, allowNull: false },
    restored_at: { type: DataTypes.DATE, allowNull: true },
    purged_at: { type: DataTypes.DATE, allowNull: true },
  });
  await qi.addIndex('recycle_entries', ['customer_code'], { name: 'recycle_entries_code' });
  await qi.addIndex('recycle_entries', ['retain_until'], { name: 'recycle_entries_retain' });
}

/** Code sequences, the hash-chained audit trail, approval requests and the recycle bin. */
export const lifecycle: Migration = {
  name: '0002-lifecycle',
  async up({ context: qi }) {
    await qi.createTable('code_sequences', {
      scope: { type: DataTypes.STRING(32), primaryKey: true, allowNull: false },
      next_value: { type: DataTypes.INTEGER, allowNull: false },
    });
    await createAuditTrail(qi);
    await createApprovalRequests(qi);
    await createRecycleEntries(qi);
  },
  async down({ context: qi }) {
    for (const t of ['recycle_entries', 'approval_requests', 'audit_head', 'audit_events', 'code_sequences'])
      await qi.dropTable(t);
  },
};
