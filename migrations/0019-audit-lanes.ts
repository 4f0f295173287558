import { DataTypes } from 'sequelize';
import type { Migration } from './types.js';

/**
 * The audit chain in lanes: each database node appends to its own lane (its own audit_head row),
 * so creates on three Galera nodes no longer all update one head row and fail certification.
 * Every existing event is in lane 1, the one chain there was; audit_head's id is the lane number.
 */
export const auditLanes: Migration = {
  name: '0019-audit-lanes',
  async up({ context: qi }) {
    await qi.addColumn('audit_events', 'lane', { type: DataTypes.INTEGER, allowNull: false, defaultValue: 1 });
    await qi.addIndex('audit_events', ['lane', 'id'], { name: 'audit_events_lane' });
  },
  async down({ context: qi }) {
    await qi.removeIndex('audit_events', 'audit_events_lane');
    await qi.removeColumn('audit_events', 'lane');
  },
};
