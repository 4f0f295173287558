import { longText } from './types.js';
import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';

export const APPROVAL_STATUSES = ['pending', 'approved', 'rejected', 'expired'] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];

/** A request to delete a customer, waiting for a second person's decision. */
export class ApprovalRequest extends Model<InferAttributes<ApprovalRequest>, InferCreationAttributes<ApprovalRequest>> {
  declare id: CreationOptional<number>;
  declare action: CreationOptional<string>;
  declare customerId: number;
  declare customerCode: string;
  declare reason: string;
  declare requesterId: number;
  declare status: CreationOptional<ApprovalStatus>;
  declare expiresAt: Date;
  declare decidedBy: number | null;
  declare decidedAt: Date | null;
  declare decisionNote: string | null;
  declare recycleEntryId: number | null;
  /** What the requester wrote about how the blockers were cleared. */
  declare requesterNote: CreationOptional<string | null>;
  /** JSON 关联数据处理记录: blockers at each check and how each cleared; see core/ledger. */
  declare handling: CreationOptional<string | null>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(this: typeof ApprovalRequest, sequelize: Sequelize): typeof ApprovalRequest {
    this.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        action: { type: DataTypes.STRING(20), allowNull: false, defaultValue: 'delete' },
        customerId: { type: DataTypes.INTEGER, allowNull: false },
        customerCode: { type: DataTypes.STRING(32), allowNull: false },
        reason: { type: DataTypes.STRING(500), allowNull: false },
        requesterId: { type: DataTypes.INTEGER, allowNull: false },
        status: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'pending' },
        expiresAt: { type: DataTypes.DATE, allowNull: false },
        decidedBy: { type: DataTypes.INTEGER, allowNull: true },
        decidedAt: { type: DataTypes.DATE, allowNull: true },
        decisionNote: { type: DataTypes.STRING(500), allowNull: true },
        recycleEntryId: { type: DataTypes.INTEGER, allowNull: true },
        requesterNote: { type: DataTypes.STRING(500), allowNull: true },
        handling: { type: longText(sequelize), allowNull: true },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'approval_requests', modelName: 'ApprovalRequest' },
    );
    return this;
  }
}
