import { longText } from './types.js';
import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';

/** A deleted customer's snapshot (the row and everything that references it). */
export class RecycleEntry extends Model<InferAttributes<RecycleEntry>, InferCreationAttributes<RecycleEntry>> {
  declare id: CreationOptional<number>;
  declare customerId: number;
  declare customerCode: string;
  declare customerName: string;
  declare previousStatus: string;
  declare snapshot: string;
  declare approvalId: number | null;
  declare deletedBy: number;
  declare deletedAt: Date;
  declare retainUntil: Date;
  declare restoredAt: Date | null;
  declare purgedAt: Date | null;

  static initModel(this: typeof RecycleEntry, sequelize: Sequelize): typeof RecycleEntry {
    this.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        customerId: { type: DataTypes.INTEGER, allowNull: false },
        customerCode: { type: DataTypes.STRING(32), allowNull: false },
        customerName: { type: DataTypes.STRING(200), allowNull: false },
        previousStatus: { type: DataTypes.STRING(16), allowNull: false },
        snapshot: { type: longText(sequelize), allowNull: false },
        approvalId: { type: DataTypes.INTEGER, allowNull: true },
        deletedBy: { type: DataTypes.INTEGER, allowNull: false },
        deletedAt: { type: DataTypes.DATE, allowNull: false },
        retainUntil: { type: DataTypes.DATE, allowNull: false },
        restoredAt: { type: DataTypes.DATE, allowNull: true },
        purgedAt: { type: DataTypes.DATE, allowNull: true },
      },
      { sequelize, tableName: 'recycle_entries', modelName: 'RecycleEntry', timestamps: false },
    );
    return this;
  }
}
