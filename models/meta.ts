import { DataTypes, Model, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';

/** Small key/value facts about this installation (e.g. when demo data was loaded). */
export class StewardMeta extends Model<InferAttributes<StewardMeta>, InferCreationAttributes<StewardMeta>> {
  declare key: string;
  declare value: string;

  static initModel(this: typeof StewardMeta, sequelize: Sequelize): typeof StewardMeta {
    this.init(
      {
        key: { type: DataTypes.STRING(64), primaryKey: true },
        value: { type: DataTypes.TEXT, allowNull: false },
      },
      { sequelize, tableName: 'steward_meta', modelName: 'StewardMeta', timestamps: false },
    );
    return this;
  }
}
