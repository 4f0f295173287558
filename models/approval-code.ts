import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';

/**
 * A one-time code sent in chat to prove who opens a signed page (approval, review). One row per
 * subject and operator; a new code replaces the old. Only the code's keyed hash is stored.
 */
export class ApprovalCode extends Model<InferAttributes<ApprovalCode>, InferCreationAttributes<ApprovalCode>> {
  declare id: CreationOptional<number>;
  /** What the code unlocks: `approval:<id>` or `review:<customer code>`. */
  declare subject: string;
  declare operatorId: number;
  /** HMAC of the code; null once it was used or voided. */
  declare codeHash: string | null;
  /** Wrong entries against the current code. */
  declare attempts: number;
  declare sentAt: Date;
  declare expiresAt: Date;

  static initModel(this: typeof ApprovalCode, sequelize: Sequelize): typeof ApprovalCode {
    this.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        subject: { type: DataTypes.STRING(80), allowNull: false },
        operatorId: { type: DataTypes.INTEGER, allowNull: false },
        codeHash: { type: DataTypes.STRING(64), allowNull: true },
        attempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        sentAt: { type: DataTypes.DATE(3), allowNull: false },
        expiresAt: { type: DataTypes.DATE(3), allowNull: false },
      },
      { sequelize, tableName: 'approval_codes', modelName: 'ApprovalCode', timestamps: false },
    );
    return this;
  }
}
