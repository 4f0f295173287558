import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';

/** The company-defined lists a customer field takes its values from. */
export const LIST_KEYS = ['category', 'region'] as const;
export type ListKey = (typeof LIST_KEYS)[number];

/** One value of a company list (客户分类, 区域): customers store its name; aliases are accepted on input. */
export class ListEntry extends Model<InferAttributes<ListEntry>, InferCreationAttributes<ListEntry>> {
  declare id: CreationOptional<number>;
  declare listKey: ListKey;
  declare code: string;
  declare name: string;
  /** JSON array of other names that mean this entry (批发 → 批发商). */
  declare aliases: CreationOptional<string>;
  declare active: CreationOptional<boolean>;
  declare sort: CreationOptional<number>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  /** The aliases as a list (a malformed value reads as none). */
  aliasList(): string[] {
    try {
      const parsed = JSON.parse(this.aliases || '[]') as unknown;
      return Array.isArray(parsed) ? parsed.map(String) : [];
    } catch {
      return [];
    }
  }

  static initModel(this: typeof ListEntry, sequelize: Sequelize): typeof ListEntry {
    this.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        listKey: { type: DataTypes.STRING(20), allowNull: false },
        code: { type: DataTypes.STRING(32), allowNull: false },
        name: { type: DataTypes.STRING(50), allowNull: false },
        aliases: { type: DataTypes.STRING(1000), allowNull: false, defaultValue: '[]' },
        active: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
        sort: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'list_entries', modelName: 'ListEntry' },
    );
    return this;
  }
}
