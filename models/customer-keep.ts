import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';

/** A 保留 decision from the inactive-customer review: the customer is left out of reviews for REVIEW_KEEP_DAYS. */
export class CustomerKeep extends Model<InferAttributes<CustomerKeep>, InferCreationAttributes<CustomerKeep>> {
  declare id: CreationOptional<number>;
  declare customerId: number;
  declare customerCode: string;
  /** The owner when the decision was taken, for the per-manager summary. */
  declare ownerId: number | null;
  declare operatorId: number | null;
  declare operatorName: string;
  declare keptAt: Date;
  declare note: string | null;

  static initModel(this: typeof CustomerKeep, sequelize: Sequelize): typeof CustomerKeep {
    this.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        customerId: { type: DataTypes.INTEGER, allowNull: false },
        customerCode: { type: DataTypes.STRING(32), allowNull: false },
        ownerId: { type: DataTypes.INTEGER, allowNull: true },
        operatorId: { type: DataTypes.INTEGER, allowNull: true },
        operatorName: { type: DataTypes.STRING(100), allowNull: false },
        keptAt: { type: DataTypes.DATE, allowNull: false },
        note: { type: DataTypes.STRING(500), allowNull: true },
      },
      { sequelize, tableName: 'customer_keeps', modelName: 'CustomerKeep', timestamps: false },
    );
    return this;
  }
}
