import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';

/** Where a ledger document came from: made here, pushed by the API, imported from a file, or synced from jshERP. */
export const LEDGER_SOURCES = ['local', 'api', 'file', 'jsherp'] as const;
export type LedgerSource = (typeof LEDGER_SOURCES)[number];

export const ORDER_STATUSES = ['draft', 'confirmed', 'shipped', 'completed', 'cancelled'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];
/** Statuses that still count as business in progress (they block a delete). */
export const OPEN_ORDER_STATUSES: readonly OrderStatus[] = ['draft', 'confirmed', 'shipped'];

/** A sales order. `total` is DECIMAL and comes back as a string on MySQL; see core/money. */
export class SalesOrder extends Model<InferAttributes<SalesOrder>, InferCreationAttributes<SalesOrder>> {
  declare id: CreationOptional<number>;
  declare number: string;
  declare customerId: number;
  declare status: CreationOptional<OrderStatus>;
  declare orderDate: string;
  declare total: string | number;
  /** Where the document came from: local, api, file or jsherp. */
  declare source: CreationOptional<LedgerSource>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(this: typeof SalesOrder, sequelize: Sequelize): typeof SalesOrder {
    this.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        number: { type: DataTypes.STRING(64), allowNull: false, unique: 'sales_orders_number_unique' },
        customerId: { type: DataTypes.INTEGER, allowNull: false },
        status: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'draft' },
        orderDate: { type: DataTypes.DATEONLY, allowNull: false },
        total: { type: DataTypes.DECIMAL(14, 2), allowNull: false },
        source: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'local' },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'sales_orders', modelName: 'SalesOrder' },
    );
    return this;
  }
}
