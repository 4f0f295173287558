import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';
import type { Door } from './audit-event.js';

export const IMPORT_OUTCOMES = ['created', 'updated', 'unchanged', 'error', 'skipped'] as const;
export type ImportOutcome = (typeof IMPORT_OUTCOMES)[number];

/** One committed import of a customer file; dry runs leave no batch. */
export class ImportBatch extends Model<InferAttributes<ImportBatch>, InferCreationAttributes<ImportBatch>> {
  declare id: CreationOptional<number>;
  declare fileName: string;
  /** What was imported: customers, orders or receivables. */
  declare kind: CreationOptional<'customers' | 'orders' | 'receivables'>;
  /** sha256 of the file's bytes: the same file imported twice is recognised by it. */
  declare sha256: string;
  declare sheet: string | null;
  declare operatorId: number | null;
  declare operatorName: string;
  declare door: Door;
  declare mode: 'all' | 'partial';
  declare status: CreationOptional<'committed' | 'undone'>;
  declare totalRows: number;
  declare createdCount: number;
  declare updatedCount: number;
  declare unchangedCount: number;
  declare skippedCount: number;
  declare errorCount: number;
  declare createdAt: CreationOptional<Date>;
  declare undoneAt: Date | null;
  declare undoneBy: string | null;

  static initModel(this: typeof ImportBatch, sequelize: Sequelize): typeof ImportBatch {
    // A fresh object per attribute: Sequelize writes the column name into the options it is given.
    const count = () => ({ type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 });
    this.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        fileName: { type: DataTypes.STRING(255), allowNull: false },
        kind: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'customers' },
        sha256: { type: DataTypes.STRING(64), allowNull: false },
        sheet: { type: DataTypes.STRING(100), allowNull: true },
        operatorId: { type: DataTypes.INTEGER, allowNull: true },
        operatorName: { type: DataTypes.STRING(100), allowNull: false },
        door: { type: DataTypes.STRING(16), allowNull: false },
        mode: { type: DataTypes.STRING(16), allowNull: false },
        status: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'committed' },
        totalRows: count(),
        createdCount: count(),
        updatedCount: count(),
        unchangedCount: count(),
        skippedCount: count(),
        errorCount: count(),
        createdAt: { type: DataTypes.DATE, allowNull: false },
        undoneAt: { type: DataTypes.DATE, allowNull: true },
        undoneBy: { type: DataTypes.STRING(100), allowNull: true },
      },
      { sequelize, tableName: 'import_batches', modelName: 'ImportBatch', timestamps: false },
    );
    return this;
  }
}

/** What one spreadsheet row of a batch did; `before` keeps the stored columns an update replaced, for undo. */
export class ImportRow extends Model<InferAttributes<ImportRow>, InferCreationAttributes<ImportRow>> {
  declare id: CreationOptional<number>;
  declare batchId: number;
  /** The spreadsheet's own row number (header = 1). */
  declare rowNo: number;
  declare outcome: ImportOutcome;
  declare customerId: number | null;
  declare customerCode: string | null;
  /** The customer's version right after the import; a different version means touched since. */
  declare versionAfter: number | null;
  declare before: string | null;
  declare message: string | null;

  static initModel(this: typeof ImportRow, sequelize: Sequelize): typeof ImportRow {
    this.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        batchId: { type: DataTypes.INTEGER, allowNull: false },
        rowNo: { type: DataTypes.INTEGER, allowNull: false },
        outcome: { type: DataTypes.STRING(16), allowNull: false },
        customerId: { type: DataTypes.INTEGER, allowNull: true },
        customerCode: { type: DataTypes.STRING(32), allowNull: true },
        versionAfter: { type: DataTypes.INTEGER, allowNull: true },
        before: { type: DataTypes.TEXT, allowNull: true },
        message: { type: DataTypes.STRING(1000), allowNull: true },
      },
      { sequelize, tableName: 'import_rows', modelName: 'ImportRow', timestamps: false },
    );
    return this;
  }
}
