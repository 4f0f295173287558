import { DataTypes } from 'sequelize';
import type { Migration } from './types.js';
import { longText } from '../models/types.js';

const id = { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true, allowNull: false };

/** Job history (and the once-per-slot claim across instances) and the review's 保留 decisions. */
export const jobs: Migration = {
  name: '0006-jobs',
  async up({ context: qi }) {
    await qi.createTable('job_runs', {
      id,
      job: { type: DataTypes.STRING(40), allowNull: false },
      slot: { type: DataTypes.STRING(64), allowNull: false },
      trigger: { type: DataTypes.STRING(16), allowNull: false },
      dry_run: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
      instance: { type: DataTypes.STRING(100), allowNull: false },
      status: { type: DataTypes.STRING(16), allowNull: false },
      started_at: { type: DataTypes.DATE, allowNull: false },
      finished_at: { type: DataTypes.DATE, allowNull: true },
      summary: { type: DataTypes.STRING(1000), allowNull: true },
      detail: { type: longText(qi.sequelize), allowNull: true },
    });
    await qi.addIndex('job_runs', ['job', 'slot'], { unique: true, name: 'job_runs_slot_unique' });
    await qi.addIndex('job_runs', ['job', 'started_at'], { name: 'job_runs_job_started' });
    await qi.addIndex('job_runs', ['status', 'started_at'], { name: 'job_runs_status_started' });

    await qi.createTable('customer_keeps', {
      id,
      customer_id: { type: DataTypes.INTEGER, allowNull: false },
      customer_code: { type: DataTypes.STRING(32), allowNull: false },
      owner_id: { type: DataTypes.INTEGER, allowNull: true },
      operator_id: { type: DataTypes.INTEGER, allowNull: true },
      operator_name: { type: DataTypes.STRING(100), allowNull: false },
      kept_at: { type: DataTypes.DATE, allowNull: false },
      note: { type: DataTypes.STRING(500), allowNull: true },
    });
    await qi.addIndex('customer_keeps', ['customer_id', 'kept_at'], { name: 'customer_keeps_customer' });
    await qi.addIndex('customer_keeps', ['kept_at'], { name: 'customer_keeps_at' });
  },
  async down({ context: qi }) {
    for (const t of ['customer_keeps', 'job_runs']) await qi.dropTable(t);
  },
};
