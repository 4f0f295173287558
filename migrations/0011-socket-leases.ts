import { DataTypes } from 'sequelize';
import type { Migration } from './types.js';

/**
 * Who holds each long connection (DingTalk Stream, WeCom AI bot, Feishu): one row per socket,
 * renewed every few seconds by the instance holding it. Not the job slots (job_runs): a slot is
 * claimed once and kept as history, a lease is held, renewed, lost and taken over.
 */
export const socketLeases: Migration = {
  name: '0011-socket-leases',
  async up({ context: qi }) {
    await qi.createTable('socket_leases', {
      name: { type: DataTypes.STRING(191), primaryKey: true, allowNull: false },
      // NULL once released, so the next holder starts at once and logs no takeover.
      holder: { type: DataTypes.STRING(191), allowNull: true },
      expires_at: { type: DataTypes.DATE(3), allowNull: false },
      renewed_at: { type: DataTypes.DATE(3), allowNull: false },
      acquired_at: { type: DataTypes.DATE(3), allowNull: false },
    });
  },
  async down({ context: qi }) {
    await qi.dropTable('socket_leases');
  },
};
