import type { LedgerSource } from './sales-order.js';
import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';

export const RECEIVABLE_STATUSES = ['open', 'paid', 'written_off'] as const;
export type ReceivableStatus = (typeof RECEIVABLE_STATUSES)[number];

/** Money a customer owes; outstanding = amount - paid. */
export class Receivable extends Model<InferAttributes<Receivable>, InferCreationAttributes<Receivable>> {
  declare id: CreationOptional<number>;
  /** The ERP's document number; null for receivables booked here against an order. */
  declare number: string | null;
  declare source: CreationOptional<LedgerSource>;
  declare customerId: number;
  declare orderId: number | null;
  declare amount: string | number;
  declare paid: CreationOptional<string | number>;
  declare dueDate: string;
  declare status: CreationOptional<ReceivableStatus>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(this: typeof Receivable, sequelize: Sequelize): typeof Receivable {
    this.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        number: { type: DataTypes.STRING(64), allowNull: true, unique: 'receivables_number_unique' },
        source: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'local' },
        customerId: { type: DataTypes.INTEGER, allowNull: false },
        orderId: { type: DataTypes.INTEGER, allowNull: true },
        amount: { type: DataTypes.DECIMAL(14, 2), allowNull: false },
        paid: { type: DataTypes.DECIMAL(14, 2), allowNull: false, defaultValue: '0.00' },
        dueDate: { type: DataTypes.DATEONLY, allowNull: false },
        status: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'open' },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'receivables', modelName: 'Receivable' },
    );
    return this;
  }
}
