import type { LedgerSource } from './sales-order.js';
import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';

export type ReservationStatus = 'active' | 'released';

/** Stock held for a customer's order. */
export class Reservation extends Model<InferAttributes<Reservation>, InferCreationAttributes<Reservation>> {
  declare id: CreationOptional<number>;
  /** The ERP's document number; null for reservations made here. */
  declare number: string | null;
  declare source: CreationOptional<LedgerSource>;
  declare productId: number;
  declare customerId: number;
  declare orderId: number | null;
  declare quantity: number;
  declare status: CreationOptional<ReservationStatus>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(this: typeof Reservation, sequelize: Sequelize): typeof Reservation {
    this.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        number: { type: DataTypes.STRING(64), allowNull: true, unique: 'reservations_number_unique' },
        source: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'local' },
        productId: { type: DataTypes.INTEGER, allowNull: false },
        customerId: { type: DataTypes.INTEGER, allowNull: false },
        orderId: { type: DataTypes.INTEGER, allowNull: true },
        quantity: { type: DataTypes.INTEGER, allowNull: false },
        status: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'active' },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'reservations', modelName: 'Reservation' },
    );
    return this;
  }
}
