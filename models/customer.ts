import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';

export const CUSTOMER_STATUSES = ['active', 'inactive', 'deleted'] as const;
export type CustomerStatus = (typeof CUSTOMER_STATUSES)[number];

/** A customer master record. Phone and address are stored encrypted (see core/privacy). */
export class Customer extends Model<InferAttributes<Customer>, InferCreationAttributes<Customer>> {
  declare id: CreationOptional<number>;
  declare code: string;
  declare name: string;
  /** Normalised name (width, spaces, company suffix) for contains-search and duplicate checks. */
  declare nameNorm: string;
  declare contact: string | null;
  declare phoneEnc: string | null;
  /** HMAC blind index of the normalised phone, for exact search without decrypting. */
  declare phoneHash: string | null;
  declare addressEnc: string | null;
  declare category: string | null;
  /** 区域, a name from the company's region list. */
  declare region: CreationOptional<string | null>;
  declare ownerId: number | null;
  declare status: CreationOptional<CustomerStatus>;
  declare deactivationReason: string | null;
  declare deactivationMemo: string | null;
  declare deactivatedAt: Date | null;
  declare reactivateOn: string | null;
  declare note: string | null;
  declare lastOrderAt: Date | null;
  /** Set on a merged customer's tombstone (status deleted): the survivor's id. */
  declare mergedInto: CreationOptional<number | null>;
  /** How the code was made: 'auto' (CODE_RULE), 'manual' (typed), 'recode'; NULL until fillCodeColumns. */
  declare codeOrigin: CreationOptional<string | null>;
  /** The sequence scope and number the code stands at, when it fits a rule (see core/customers/codes). */
  declare codeScope: CreationOptional<string | null>;
  declare codeSeq: CreationOptional<number | null>;
  declare version: CreationOptional<number>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(this: typeof Customer, sequelize: Sequelize): typeof Customer {
    this.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        code: { type: DataTypes.STRING(32), allowNull: false, unique: 'customers_code_unique' },
        name: { type: DataTypes.STRING(200), allowNull: false },
        nameNorm: { type: DataTypes.STRING(200), allowNull: false },
        contact: { type: DataTypes.STRING(100), allowNull: true },
        phoneEnc: { type: DataTypes.TEXT, allowNull: true },
        phoneHash: { type: DataTypes.STRING(64), allowNull: true },
        addressEnc: { type: DataTypes.TEXT, allowNull: true },
        category: { type: DataTypes.STRING(50), allowNull: true },
        region: { type: DataTypes.STRING(50), allowNull: true },
        ownerId: { type: DataTypes.INTEGER, allowNull: true },
        status: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'active' },
        deactivationReason: { type: DataTypes.STRING(20), allowNull: true },
        deactivationMemo: { type: DataTypes.STRING(500), allowNull: true },
        deactivatedAt: { type: DataTypes.DATE, allowNull: true },
        reactivateOn: { type: DataTypes.DATEONLY, allowNull: true },
        note: { type: DataTypes.STRING(1000), allowNull: true },
        lastOrderAt: { type: DataTypes.DATE, allowNull: true },
        mergedInto: { type: DataTypes.INTEGER, allowNull: true },
        codeOrigin: { type: DataTypes.STRING(8), allowNull: true },
        codeScope: { type: DataTypes.STRING(32), allowNull: true },
        codeSeq: { type: DataTypes.INTEGER, allowNull: true },
        version: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 1 },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'customers', modelName: 'Customer' },
    );
    return this;
  }
}
