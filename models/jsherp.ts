import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';

/** How a link was made: by name, by phone, by a person, or by creating our customer from theirs. */
export type JsherpLinkedBy = 'name' | 'phone' | 'person' | 'created';

/** Our customer ↔ their jsh_supplier.id, per tenant: their names change and they have no code column. */
export class JsherpLink extends Model<InferAttributes<JsherpLink>, InferCreationAttributes<JsherpLink>> {
  declare id: CreationOptional<number>;
  declare tenantId: number;
  declare jshId: number;
  declare customerId: number;
  declare customerCode: string;
  declare linkedBy: JsherpLinkedBy;
  declare linkedAt: Date;
  /** We set their delete_flag='1' on an approved delete; 恢复 sets it back only then. */
  declare wroteDeleteFlag: CreationOptional<boolean>;

  static initModel(this: typeof JsherpLink, sequelize: Sequelize): typeof JsherpLink {
    this.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        tenantId: { type: DataTypes.BIGINT, allowNull: false },
        jshId: { type: DataTypes.BIGINT, allowNull: false },
        customerId: { type: DataTypes.INTEGER, allowNull: false },
        customerCode: { type: DataTypes.STRING(32), allowNull: false },
        linkedBy: { type: DataTypes.STRING(16), allowNull: false },
        linkedAt: { type: DataTypes.DATE, allowNull: false },
        wroteDeleteFlag: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
      },
      { sequelize, tableName: 'jsherp_links', modelName: 'JsherpLink', timestamps: false },
    );
    return this;
  }
}

/** A jshERP customer waiting for a person: several of ours match it, or none does. */
export class JsherpCandidate extends Model<InferAttributes<JsherpCandidate>, InferCreationAttributes<JsherpCandidate>> {
  declare id: CreationOptional<number>;
  declare tenantId: number;
  declare jshId: number;
  declare jshName: string;
  declare kind: 'ambiguous' | 'unmatched';
  /** JSON: our candidate codes with how each matched. */
  declare matches: string | null;
  declare foundAt: Date;

  static initModel(this: typeof JsherpCandidate, sequelize: Sequelize): typeof JsherpCandidate {
    this.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        tenantId: { type: DataTypes.BIGINT, allowNull: false },
        jshId: { type: DataTypes.BIGINT, allowNull: false },
        jshName: { type: DataTypes.STRING(255), allowNull: false },
        kind: { type: DataTypes.STRING(16), allowNull: false },
        matches: { type: DataTypes.TEXT, allowNull: true },
        foundAt: { type: DataTypes.DATE, allowNull: false },
      },
      { sequelize, tableName: 'jsherp_candidates', modelName: 'JsherpCandidate', timestamps: false },
    );
    return this;
  }
}

/** The sync's cursors and last outcome, per tenant. */
export class JsherpState extends Model<InferAttributes<JsherpState>, InferCreationAttributes<JsherpState>> {
  declare tenantId: number;
  /** The first link pass ran: jshERP customers above baselineSupplierId are new and get our codes. */
  declare linkedOnce: CreationOptional<boolean>;
  declare baselineSupplierId: number;
  declare lastSupplierId: number;
  declare lastDepotId: number;
  declare lastAccountId: number;
  declare syncs: CreationOptional<number>;
  declare lastFullAt: Date | null;
  declare lastSyncAt: Date | null;
  declare lastStatus: string | null;
  declare lastSummary: string | null;

  static initModel(this: typeof JsherpState, sequelize: Sequelize): typeof JsherpState {
    this.init(
      {
        tenantId: { type: DataTypes.BIGINT, primaryKey: true },
        linkedOnce: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
        baselineSupplierId: { type: DataTypes.BIGINT, allowNull: false },
        lastSupplierId: { type: DataTypes.BIGINT, allowNull: false },
        lastDepotId: { type: DataTypes.BIGINT, allowNull: false },
        lastAccountId: { type: DataTypes.BIGINT, allowNull: false },
        syncs: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        lastFullAt: { type: DataTypes.DATE, allowNull: true },
        lastSyncAt: { type: DataTypes.DATE, allowNull: true },
        lastStatus: { type: DataTypes.STRING(16), allowNull: true },
        lastSummary: { type: DataTypes.STRING(1000), allowNull: true },
      },
      { sequelize, tableName: 'jsherp_state', modelName: 'JsherpState', timestamps: false },
    );
    return this;
  }
}

export const JSHERP_WRITE_ACTIONS = ['disable', 'enable', 'delete', 'restore'] as const;
export type JsherpWriteAction = (typeof JSHERP_WRITE_ACTIONS)[number];

/** One write-back to jshERP, queued in the lifecycle change's own transaction and applied after it commits. */
export class JsherpWrite extends Model<InferAttributes<JsherpWrite>, InferCreationAttributes<JsherpWrite>> {
  declare id: CreationOptional<number>;
  declare tenantId: number;
  declare jshId: number;
  declare customerId: number;
  declare customerCode: string;
  declare action: JsherpWriteAction;
  declare status: CreationOptional<'pending' | 'done' | 'failed'>;
  declare attempts: CreationOptional<number>;
  declare notBefore: Date;
  declare approvalId: number | null;
  declare requestedBy: string;
  /** Chinese: what was written (or why only part of it). */
  declare result: string | null;
  declare error: string | null;
  declare createdAt: Date;
  declare doneAt: Date | null;

  static initModel(this: typeof JsherpWrite, sequelize: Sequelize): typeof JsherpWrite {
    this.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        tenantId: { type: DataTypes.BIGINT, allowNull: false },
        jshId: { type: DataTypes.BIGINT, allowNull: false },
        customerId: { type: DataTypes.INTEGER, allowNull: false },
        customerCode: { type: DataTypes.STRING(32), allowNull: false },
        action: { type: DataTypes.STRING(16), allowNull: false },
        status: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'pending' },
        attempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        notBefore: { type: DataTypes.DATE, allowNull: false },
        approvalId: { type: DataTypes.INTEGER, allowNull: true },
        requestedBy: { type: DataTypes.STRING(100), allowNull: false },
        result: { type: DataTypes.STRING(500), allowNull: true },
        error: { type: DataTypes.STRING(500), allowNull: true },
        createdAt: { type: DataTypes.DATE, allowNull: false },
        doneAt: { type: DataTypes.DATE, allowNull: true },
      },
      { sequelize, tableName: 'jsherp_writes', modelName: 'JsherpWrite', timestamps: false },
    );
    return this;
  }
}
