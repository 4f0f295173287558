import { DataTypes } from 'sequelize';
import type { Migration } from './types.js';

/**
 * Failed back-office logins per IP and per account, in the database so that several
 * instances behind one load balancer share the count (an in-memory counter would multiply
 * the allowance by the number of instances and reset on every restart).
 */
export const adminLoginThrottle: Migration = {
  name: '0005-admin-login-throttle',
  async up({ context: qi }) {
    await qi.createTable('login_throttle', {
      throttle_key: { type: DataTypes.STRING(100), primaryKey: true, allowNull: false },
      window_start: { type: DataTypes.BIGINT, allowNull: false },
      failures: { type: DataTypes.INTEGER, allowNull: false },
    });
    await qi.addIndex('login_throttle', ['window_start'], { name: 'login_throttle_window' });
  },
  async down({ context: qi }) {
    await qi.dropTable('login_throttle');
  },
};
