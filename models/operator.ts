import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';

export const ROLES = ['admin', 'approver', 'sales', 'finance', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** A person who acts on customers, from chat or the back office. `roles` is comma-separated; chat accounts are OperatorIdentity rows. */
export class Operator extends Model<InferAttributes<Operator>, InferCreationAttributes<Operator>> {
  declare id: CreationOptional<number>;
  declare displayName: string;
  declare roles: string;
  declare email: string | null;
  declare passwordHash: string | null;
  declare active: CreationOptional<boolean>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  /** The parsed role list. */
  roleList(): Role[] {
    return this.roles
      .split(',')
      .map((r) => r.trim())
      .filter((r): r is Role => (ROLES as readonly string[]).includes(r));
  }

  static initModel(this: typeof Operator, sequelize: Sequelize): typeof Operator {
    this.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        displayName: { type: DataTypes.STRING(100), allowNull: false },
        roles: { type: DataTypes.STRING(100), allowNull: false },
        email: { type: DataTypes.STRING(200), allowNull: true, unique: 'operators_email_unique' },
        passwordHash: { type: DataTypes.STRING(200), allowNull: true },
        active: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'operators', modelName: 'Operator' },
    );
    return this;
  }
}
