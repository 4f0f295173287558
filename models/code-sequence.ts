import { DataTypes, Model, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';

/** The next number for one code-rule scope (a year, or 'global'). Taken under a row lock. */
export class CodeSequence extends Model<InferAttributes<CodeSequence>, InferCreationAttributes<CodeSequence>> {
  declare scope: string;
  declare nextValue: number;

  static initModel(this: typeof CodeSequence, sequelize: Sequelize): typeof CodeSequence {
    this.init(
      {
        scope: { type: DataTypes.STRING(32), primaryKey: true },
        nextValue: { type: DataTypes.INTEGER, allowNull: false },
      },
      { sequelize, tableName: 'code_sequences', modelName: 'CodeSequence', timestamps: false },
    );
    return this;
  }
}
