import { DataTypes, Model, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';

/**
 * One long connection's lease: the instance named by `holder` may hold the socket until
 * `expiresAt`, and renews it every few seconds. Times are written by the database's own clock
 * (core/leases.ts), so instances on machines with skewed clocks still agree on expiry.
 */
export class SocketLease extends Model<InferAttributes<SocketLease>, InferCreationAttributes<SocketLease>> {
  /** The receiver's name, e.g. 'dingtalk-stream:<clientId>'. */
  declare name: string;
  /** host:pid:random of the holding instance; null once released. */
  declare holder: string | null;
  declare expiresAt: Date;
  declare renewedAt: Date;
  declare acquiredAt: Date;

  static initModel(this: typeof SocketLease, sequelize: Sequelize): typeof SocketLease {
    this.init(
      {
        name: { type: DataTypes.STRING(191), primaryKey: true },
        holder: { type: DataTypes.STRING(191), allowNull: true },
        expiresAt: { type: DataTypes.DATE(3), allowNull: false },
        renewedAt: { type: DataTypes.DATE(3), allowNull: false },
        acquiredAt: { type: DataTypes.DATE(3), allowNull: false },
      },
      { sequelize, tableName: 'socket_leases', modelName: 'SocketLease', timestamps: false },
    );
    return this;
  }
}
