import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';
import { longText } from './types.js';

/** The next number for one code-rule scope (a rule, and a year when it resets yearly). Taken under a row lock. */
export class CodeSequence extends Model<InferAttributes<CodeSequence>, InferCreationAttributes<CodeSequence>> {
  declare scope: string;
  declare nextValue: number;
  /** The CODE_RULE this counter belongs to; NULL for a counter made before sequences were kept per rule. */
  declare rule: CreationOptional<string | null>;
  /** The year of a yearly counter, '' for a global one. */
  declare period: CreationOptional<string | null>;

  static initModel(this: typeof CodeSequence, sequelize: Sequelize): typeof CodeSequence {
    this.init(
      {
        scope: { type: DataTypes.STRING(32), primaryKey: true },
        nextValue: { type: DataTypes.INTEGER, allowNull: false },
        rule: { type: DataTypes.STRING(191), allowNull: true },
        period: { type: DataTypes.STRING(8), allowNull: true },
      },
      { sequelize, tableName: 'code_sequences', modelName: 'CodeSequence', timestamps: false },
    );
    return this;
  }
}

export const RECODE_STATUSES = ['pending', 'done', 'rejected', 'expired'] as const;
export type RecodeStatus = (typeof RECODE_STATUSES)[number];

/** One row of a recode request: a customer's code and the code it gets. */
export interface RecodeRow {
  customerId: number;
  from: string;
  to: string;
  /** This line's own reason (a sheet's 原因 column), when it has one; else the request's reason applies. */
  reason?: string;
}

/** A request to change customer codes (one, or a whole sheet), approved by someone other than the requester. */
export class CustomerRecode extends Model<InferAttributes<CustomerRecode>, InferCreationAttributes<CustomerRecode>> {
  declare id: CreationOptional<number>;
  declare status: CreationOptional<RecodeStatus>;
  /** JSON RecodeRow[]. */
  declare rows: string;
  declare reason: string;
  declare requesterId: number | null;
  declare requesterName: string;
  declare expiresAt: Date;
  declare decidedBy: CreationOptional<number | null>;
  declare decidedByName: CreationOptional<string | null>;
  declare decidedAt: CreationOptional<Date | null>;
  declare decisionNote: CreationOptional<string | null>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(this: typeof CustomerRecode, sequelize: Sequelize): typeof CustomerRecode {
    this.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        status: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'pending' },
        rows: { type: longText(sequelize), allowNull: false },
        reason: { type: DataTypes.STRING(500), allowNull: false },
        requesterId: { type: DataTypes.INTEGER, allowNull: true },
        requesterName: { type: DataTypes.STRING(100), allowNull: false },
        expiresAt: { type: DataTypes.DATE, allowNull: false },
        decidedBy: { type: DataTypes.INTEGER, allowNull: true },
        decidedByName: { type: DataTypes.STRING(100), allowNull: true },
        decidedAt: { type: DataTypes.DATE, allowNull: true },
        decisionNote: { type: DataTypes.STRING(500), allowNull: true },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'customer_recodes', modelName: 'CustomerRecode' },
    );
    return this;
  }
}
