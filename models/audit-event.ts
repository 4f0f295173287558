import { longText } from './types.js';
import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';

export const DOORS = ['wecom', 'dingtalk', 'feishu', 'page', 'admin', 'job', 'cli', 'api'] as const;
export type Door = (typeof DOORS)[number];

/** One link of the hash-chained audit trail. Never deleted; purge only redacts `diff`. */
export class AuditEvent extends Model<InferAttributes<AuditEvent>, InferCreationAttributes<AuditEvent>> {
  declare id: CreationOptional<number>;
  declare at: Date;
  declare operatorId: number | null;
  declare operatorName: string;
  declare door: Door;
  declare action: string;
  declare customerId: number | null;
  declare customerCode: string | null;
  /** Canonical JSON of `{ before, after, ... }`. */
  declare diff: string;
  /** Encrypted personal values the diff only commits to by salted hash; nulled on purge. */
  declare pii: string | null;
  declare prevHash: string;
  declare hash: string;
  /** The chain this event links into: one per database node (audit_head id), see core/audit/lane.ts. */
  declare lane: CreationOptional<number>;

  static initModel(this: typeof AuditEvent, sequelize: Sequelize): typeof AuditEvent {
    this.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        at: { type: DataTypes.DATE(3), allowNull: false },
        operatorId: { type: DataTypes.INTEGER, allowNull: true },
        operatorName: { type: DataTypes.STRING(100), allowNull: false },
        door: { type: DataTypes.STRING(16), allowNull: false },
        action: { type: DataTypes.STRING(40), allowNull: false },
        customerId: { type: DataTypes.INTEGER, allowNull: true },
        customerCode: { type: DataTypes.STRING(32), allowNull: true },
        diff: { type: longText(sequelize), allowNull: false },
        pii: { type: DataTypes.TEXT, allowNull: true },
        prevHash: { type: DataTypes.STRING(64), allowNull: false },
        hash: { type: DataTypes.STRING(64), allowNull: false },
        lane: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 1 },
      },
      { sequelize, tableName: 'audit_events', modelName: 'AuditEvent', timestamps: false },
    );
    return this;
  }
}

/** One row per lane (id = lane) holding that chain's head; updating it serialises a lane's appends. */
export class AuditHead extends Model<InferAttributes<AuditHead>, InferCreationAttributes<AuditHead>> {
  declare id: number;
  declare hash: string;
  declare lastId: number;

  static initModel(this: typeof AuditHead, sequelize: Sequelize): typeof AuditHead {
    this.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true },
        hash: { type: DataTypes.STRING(64), allowNull: false },
        lastId: { type: DataTypes.INTEGER, allowNull: false },
      },
      { sequelize, tableName: 'audit_head', modelName: 'AuditHead', timestamps: false },
    );
    return this;
  }
}
