import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';

/** A 疑似重复 pair judged to be two different customers (忽略): the scan leaves it out from then on. */
export class DuplicateDismissal extends Model<
  InferAttributes<DuplicateDismissal>,
  InferCreationAttributes<DuplicateDismissal>
> {
  declare id: CreationOptional<number>;
  /** `<smaller id>-<larger id>`: one row per pair, whichever order it was named in. */
  declare pairKey: string;
  declare customerAId: number;
  declare customerBId: number;
  declare codeA: string;
  declare codeB: string;
  declare reason: string;
  declare dismissedBy: number | null;
  declare dismissedByName: string;
  declare dismissedAt: Date;

  static initModel(this: typeof DuplicateDismissal, sequelize: Sequelize): typeof DuplicateDismissal {
    this.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        pairKey: { type: DataTypes.STRING(40), allowNull: false, unique: 'duplicate_dismissals_pair' },
        customerAId: { type: DataTypes.INTEGER, allowNull: false },
        customerBId: { type: DataTypes.INTEGER, allowNull: false },
        codeA: { type: DataTypes.STRING(32), allowNull: false },
        codeB: { type: DataTypes.STRING(32), allowNull: false },
        reason: { type: DataTypes.STRING(500), allowNull: false },
        dismissedBy: { type: DataTypes.INTEGER, allowNull: true },
        dismissedByName: { type: DataTypes.STRING(100), allowNull: false },
        dismissedAt: { type: DataTypes.DATE, allowNull: false },
      },
      { sequelize, tableName: 'duplicate_dismissals', modelName: 'DuplicateDismissal', timestamps: false },
    );
    return this;
  }
}
