import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';
import type { LedgerSource } from './sales-order.js';

export const LEDGER_DOC_TYPES = ['order', 'receivable', 'reservation'] as const;
export type LedgerDocType = (typeof LEDGER_DOC_TYPES)[number];

/** One change to a ledger document: the history behind 关联数据处理记录 and ledger-import undo. */
export class LedgerEvent extends Model<InferAttributes<LedgerEvent>, InferCreationAttributes<LedgerEvent>> {
  declare id: CreationOptional<number>;
  declare docType: LedgerDocType;
  declare docNumber: string;
  declare customerId: number;
  /** created, closed, cancelled, reopened, paid, released, updated, … */
  declare change: string;
  /** JSON of the document's fields before and after the change. */
  declare before: string | null;
  declare after: string | null;
  declare source: LedgerSource;
  declare door: string;
  /** The person, API token or sync that made the change. */
  declare actorName: string;
  /** The ledger import batch, when the change came from a file. */
  declare batchId: number | null;
  declare at: Date;

  static initModel(this: typeof LedgerEvent, sequelize: Sequelize): typeof LedgerEvent {
    this.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        docType: { type: DataTypes.STRING(16), allowNull: false },
        docNumber: { type: DataTypes.STRING(64), allowNull: false },
        customerId: { type: DataTypes.INTEGER, allowNull: false },
        change: { type: DataTypes.STRING(24), allowNull: false },
        before: { type: DataTypes.TEXT, allowNull: true },
        after: { type: DataTypes.TEXT, allowNull: true },
        source: { type: DataTypes.STRING(16), allowNull: false },
        door: { type: DataTypes.STRING(16), allowNull: false },
        actorName: { type: DataTypes.STRING(100), allowNull: false },
        batchId: { type: DataTypes.INTEGER, allowNull: true },
        at: { type: DataTypes.DATE, allowNull: false },
      },
      { sequelize, tableName: 'ledger_events', modelName: 'LedgerEvent', timestamps: false },
    );
    return this;
  }
}

/** How fresh each ledger source is: the review must not call customers inactive without data. */
export class LedgerFeed extends Model<InferAttributes<LedgerFeed>, InferCreationAttributes<LedgerFeed>> {
  declare source: LedgerSource;
  declare lastReceivedAt: Date;
  declare lastOrderReceivedAt: Date | null;
  /** The newest document date seen (an order's date), YYYY-MM-DD. */
  declare lastDocumentDate: string | null;
  declare documents: CreationOptional<number>;

  static initModel(this: typeof LedgerFeed, sequelize: Sequelize): typeof LedgerFeed {
    this.init(
      {
        source: { type: DataTypes.STRING(16), primaryKey: true },
        lastReceivedAt: { type: DataTypes.DATE, allowNull: false },
        lastOrderReceivedAt: { type: DataTypes.DATE, allowNull: true },
        lastDocumentDate: { type: DataTypes.DATEONLY, allowNull: true },
        documents: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      },
      { sequelize, tableName: 'ledger_feeds', modelName: 'LedgerFeed', timestamps: false },
    );
    return this;
  }
}

/** One delete pre-check or approval re-check and the blockers it found (JSON Blocker[]). */
export class DeletionCheck extends Model<InferAttributes<DeletionCheck>, InferCreationAttributes<DeletionCheck>> {
  declare id: CreationOptional<number>;
  declare customerId: number;
  declare customerCode: string;
  declare at: Date;
  declare operatorId: number | null;
  declare operatorName: string;
  declare door: string;
  /** precheck, request or approval. */
  declare stage: 'precheck' | 'request' | 'approval';
  declare blockers: string;
  declare requestId: number | null;

  static initModel(this: typeof DeletionCheck, sequelize: Sequelize): typeof DeletionCheck {
    this.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        customerId: { type: DataTypes.INTEGER, allowNull: false },
        customerCode: { type: DataTypes.STRING(32), allowNull: false },
        at: { type: DataTypes.DATE, allowNull: false },
        operatorId: { type: DataTypes.INTEGER, allowNull: true },
        operatorName: { type: DataTypes.STRING(100), allowNull: false },
        door: { type: DataTypes.STRING(16), allowNull: false },
        stage: { type: DataTypes.STRING(16), allowNull: false },
        blockers: { type: DataTypes.TEXT, allowNull: false },
        requestId: { type: DataTypes.INTEGER, allowNull: true },
      },
      { sequelize, tableName: 'deletion_checks', modelName: 'DeletionCheck', timestamps: false },
    );
    return this;
  }
}
