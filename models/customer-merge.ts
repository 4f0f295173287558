import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';
import { longText } from './types.js';

export const MERGE_STATUSES = ['pending', 'done', 'rejected', 'expired', 'undone'] as const;
export type MergeStatus = (typeof MERGE_STATUSES)[number];

/**
 * One merge of duplicate customers into a survivor: the request (four eyes, like a delete), and
 * once done, exactly what moved (row ids per table) so that 撤销合并 can put it back.
 */
export class CustomerMerge extends Model<InferAttributes<CustomerMerge>, InferCreationAttributes<CustomerMerge>> {
  declare id: CreationOptional<number>;
  declare status: CreationOptional<MergeStatus>;
  declare keepCustomerId: number;
  declare keepCode: string;
  /** JSON [{ id, code }]: the customers merged into the survivor. */
  declare absorbed: string;
  /** JSON of the survivor's stored fields to set (overrides), as stored in customers (phone encrypted). */
  declare fieldValues: string | null;
  declare reason: string;
  declare requesterId: number | null;
  declare requesterName: string;
  declare expiresAt: Date;
  declare decidedBy: number | null;
  declare decidedByName: string | null;
  declare decidedAt: Date | null;
  declare decisionNote: string | null;
  /** JSON: the survivor's stored fields before the merge, and each absorbed customer's status. */
  declare survivorBefore: string | null;
  /** The survivor's version right after the merge: undo refuses if it changed since. */
  declare survivorVersion: number | null;
  /** JSON: what moved, per absorbed customer and table (see core/customers/merge/move.ts). */
  declare moved: string | null;
  declare mergedAt: Date | null;
  declare undoneAt: Date | null;
  declare undoneByName: string | null;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(this: typeof CustomerMerge, sequelize: Sequelize): typeof CustomerMerge {
    this.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        status: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'pending' },
        keepCustomerId: { type: DataTypes.INTEGER, allowNull: false },
        keepCode: { type: DataTypes.STRING(32), allowNull: false },
        absorbed: { type: DataTypes.TEXT, allowNull: false },
        fieldValues: { type: DataTypes.TEXT, allowNull: true },
        reason: { type: DataTypes.STRING(500), allowNull: false },
        requesterId: { type: DataTypes.INTEGER, allowNull: true },
        requesterName: { type: DataTypes.STRING(100), allowNull: false },
        expiresAt: { type: DataTypes.DATE, allowNull: false },
        decidedBy: { type: DataTypes.INTEGER, allowNull: true },
        decidedByName: { type: DataTypes.STRING(100), allowNull: true },
        decidedAt: { type: DataTypes.DATE, allowNull: true },
        decisionNote: { type: DataTypes.STRING(500), allowNull: true },
        survivorBefore: { type: DataTypes.TEXT, allowNull: true },
        survivorVersion: { type: DataTypes.INTEGER, allowNull: true },
        moved: { type: longText(sequelize), allowNull: true },
        mergedAt: { type: DataTypes.DATE, allowNull: true },
        undoneAt: { type: DataTypes.DATE, allowNull: true },
        undoneByName: { type: DataTypes.STRING(100), allowNull: true },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'customer_merges', modelName: 'CustomerMerge' },
    );
    return this;
  }
}

/** A code that stands for another customer (an absorbed customer's code after a merge). */
export class CustomerAlias extends Model<InferAttributes<CustomerAlias>, InferCreationAttributes<CustomerAlias>> {
  declare id: CreationOptional<number>;
  declare code: string;
  declare customerId: number;
  declare mergeId: number | null;
  declare createdAt: Date;

  static initModel(this: typeof CustomerAlias, sequelize: Sequelize): typeof CustomerAlias {
    this.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        code: { type: DataTypes.STRING(32), allowNull: false, unique: 'customer_aliases_code' },
        customerId: { type: DataTypes.INTEGER, allowNull: false },
        mergeId: { type: DataTypes.INTEGER, allowNull: true },
        createdAt: { type: DataTypes.DATE, allowNull: false },
      },
      { sequelize, tableName: 'customer_aliases', modelName: 'CustomerAlias', timestamps: false },
    );
    return this;
  }
}
