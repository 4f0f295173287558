import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';

/** A product that stock can be reserved against. */
export class Product extends Model<InferAttributes<Product>, InferCreationAttributes<Product>> {
  declare id: CreationOptional<number>;
  declare sku: string;
  declare name: string;
  declare unit: string;
  declare price: string | number;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(this: typeof Product, sequelize: Sequelize): typeof Product {
    this.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        sku: { type: DataTypes.STRING(32), allowNull: false, unique: 'products_sku_unique' },
        name: { type: DataTypes.STRING(200), allowNull: false },
        unit: { type: DataTypes.STRING(16), allowNull: false, defaultValue: '件' },
        price: { type: DataTypes.DECIMAL(14, 2), allowNull: false },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'products', modelName: 'Product' },
    );
    return this;
  }
}
