import { DataTypes } from 'sequelize';
import type { Migration } from './types.js';

/**
 * Back-office sessions kept server-side (the cookie holds only a random id, so logout and a
 * password or role change end them at once), and per-operator login state that must never travel
 * in a backup: a one-time password still to be changed, the TOTP secret (encrypted).
 * The old login_throttle rows count per account/IP windows that no longer apply.
 */
export const adminSecurity: Migration = {
  name: '0018-admin-security',
  async up({ context: qi }) {
    await qi.createTable('admin_sessions', {
      sid_hash: { type: DataTypes.STRING(64), primaryKey: true, allowNull: false },
      operator_id: { type: DataTypes.INTEGER, allowNull: false },
      data: { type: DataTypes.TEXT, allowNull: false },
      expires_at: { type: DataTypes.BIGINT, allowNull: false },
      created_at: { type: DataTypes.BIGINT, allowNull: false },
    });
    await qi.addIndex('admin_sessions', ['operator_id'], { name: 'admin_sessions_operator' });
    await qi.addIndex('admin_sessions', ['expires_at'], { name: 'admin_sessions_expires' });
    await qi.createTable('admin_credentials', {
      operator_id: { type: DataTypes.INTEGER, primaryKey: true, allowNull: false },
      must_change_password: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
      totp_secret: { type: DataTypes.STRING(255), allowNull: true },
      updated_at: { type: DataTypes.BIGINT, allowNull: false },
    });
    await qi.bulkDelete('login_throttle', {});
  },
  async down({ context: qi }) {
    await qi.dropTable('admin_credentials');
    await qi.dropTable('admin_sessions');
  },
};
