import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';

export const VERIFY_STATUSES = ['unverified', 'passed', 'failed'] as const;
export type VerifyStatus = (typeof VERIFY_STATUSES)[number];

/** A backup written by this installation; the back office and the backup job read it. */
export class BackupRecord extends Model<InferAttributes<BackupRecord>, InferCreationAttributes<BackupRecord>> {
  declare id: CreationOptional<number>;
  declare path: string;
  declare takenAt: Date;
  declare operatorName: string;
  /** manual, job or pre-restore (the safety copy taken before `restore --replace`). */
  declare reason: string;
  declare totalRows: number;
  /** JSON `{ table: rows }`. */
  declare tableRows: string;
  /** sha256 of manifest.json, which holds the sha256 of every file. */
  declare sha256: string;
  declare bytes: number;
  declare encrypted: boolean;
  declare verifyStatus: CreationOptional<VerifyStatus>;
  declare verifiedAt: Date | null;
  declare verifyDetail: string | null;
  declare prunedAt: Date | null;

  static initModel(this: typeof BackupRecord, sequelize: Sequelize): typeof BackupRecord {
    this.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        path: { type: DataTypes.STRING(1000), allowNull: false },
        takenAt: { type: DataTypes.DATE, allowNull: false },
        operatorName: { type: DataTypes.STRING(100), allowNull: false },
        reason: { type: DataTypes.STRING(32), allowNull: false },
        totalRows: { type: DataTypes.INTEGER, allowNull: false },
        tableRows: { type: DataTypes.TEXT, allowNull: false },
        sha256: { type: DataTypes.STRING(64), allowNull: false },
        bytes: { type: DataTypes.BIGINT, allowNull: false },
        encrypted: { type: DataTypes.BOOLEAN, allowNull: false },
        verifyStatus: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'unverified' },
        verifiedAt: { type: DataTypes.DATE, allowNull: true },
        verifyDetail: { type: DataTypes.TEXT, allowNull: true },
        prunedAt: { type: DataTypes.DATE, allowNull: true },
      },
      { sequelize, tableName: 'backup_records', modelName: 'BackupRecord', timestamps: false },
    );
    return this;
  }
}
