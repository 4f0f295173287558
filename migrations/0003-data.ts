import { DataTypes } from 'sequelize';
import type { Migration } from './types.js';

const id = { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true, allowNull: false };
const count = { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 };

/** Import batches with their per-row outcomes, and the record of backups taken. */
export const data: Migration = {
  name: '0003-data',
  async up({ context: qi }) {
    await qi.createTable('import_batches', {
      id,
      file_name: { type: DataTypes.STRING(255), allowNull: false },
      sha256: { type: DataTypes.STRING(64), allowNull: false },
      sheet: { type: DataTypes.STRING(100), allowNull: true },
      operator_id: { type: DataTypes.INTEGER, allowNull: true },
      operator_name: { type: DataTypes.STRING(100), allowNull: false },
      door: { type: DataTypes.STRING(16), allowNull: false },
      mode: { type: DataTypes.STRING(16), allowNull: false },
      status: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'committed' },
      total_rows: count,
      created_count: count,
      updated_count: count,
      unchanged_count: count,
      skipped_count: count,
      error_count: count,
      created_at: { type: DataTypes.DATE, allowNull: false },
      undone_at: { type: DataTypes.DATE, allowNull: true },
      undone_by: { type: DataTypes.STRING(100), allowNull: true },
    });
    await qi.addIndex('import_batches', ['sha256', 'status'], { name: 'import_batches_sha256' });
    await qi.addIndex('import_batches', ['created_at'], { name: 'import_batches_created' });

    await qi.createTable('import_rows', {
      id,
      batch_id: { type: DataTypes.INTEGER, allowNull: false },
      row_no: { type: DataTypes.INTEGER, allowNull: false },
      outcome: { type: DataTypes.STRING(16), allowNull: false },
      customer_id: { type: DataTypes.INTEGER, allowNull: true },
      customer_code: { type: DataTypes.STRING(32), allowNull: true },
      version_after: { type: DataTypes.INTEGER, allowNull: true },
      before: { type: DataTypes.TEXT, allowNull: true },
      message: { type: DataTypes.STRING(1000), allowNull: true },
    });
    await qi.addIndex('import_rows', ['batch_id', 'row_no'], { name: 'import_rows_batch' });
    // A customer's history finds the import that created it through this.
    await qi.addIndex('import_rows', ['customer_id'], { name: 'import_rows_customer' });

    await qi.createTable('backup_records', {
      id,
      path: { type: DataTypes.STRING(1000), allowNull: false },
      taken_at: { type: DataTypes.DATE, allowNull: false },
      operator_name: { type: DataTypes.STRING(100), allowNull: false },
      reason: { type: DataTypes.STRING(32), allowNull: false },
      total_rows: { type: DataTypes.INTEGER, allowNull: false },
      table_rows: { type: DataTypes.TEXT, allowNull: false },
      sha256: { type: DataTypes.STRING(64), allowNull: false },
      bytes: { type: DataTypes.BIGINT, allowNull: false },
      encrypted: { type: DataTypes.BOOLEAN, allowNull: false },
      verify_status: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'unverified' },
      verified_at: { type: DataTypes.DATE, allowNull: true },
      verify_detail: { type: DataTypes.TEXT, allowNull: true },
      pruned_at: { type: DataTypes.DATE, allowNull: true },
    });
    await qi.addIndex('backup_records', ['taken_at'], { name: 'backup_records_taken' });
  },
  async down({ context: qi }) {
    for (const t of ['backup_records', 'import_rows', 'import_batches']) await qi.dropTable(t);
  },
};
