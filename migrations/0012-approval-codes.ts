import { DataTypes } from 'sequelize';
import type { Migration } from './types.js';

/** One-time codes that bind a signed page (approval, review) to the person it was sent to. */
export const approvalCodes: Migration = {
  name: '0012-approval-codes',
  async up({ context: qi }) {
    await qi.createTable('approval_codes', {
      id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true, allowNull: false },
      subject: { type: DataTypes.STRING(80), allowNull: false },
      operator_id: { type: DataTypes.INTEGER, allowNull: false },
      code_hash: { type: DataTypes.STRING(64), allowNull: true },
      attempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      sent_at: { type: DataTypes.DATE(3), allowNull: false },
      expires_at: { type: DataTypes.DATE(3), allowNull: false },
    });
    // One row per page and person: a second send is an UPDATE of it, and races meet on this key.
    await qi.addIndex('approval_codes', ['subject', 'operator_id'], {
      unique: true,
      name: 'approval_codes_subject_operator',
    });
  },
  async down({ context: qi }) {
    await qi.dropTable('approval_codes');
  },
};
