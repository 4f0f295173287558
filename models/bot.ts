import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';
import { longText } from './types.js';

/** One inbound chat message or event, keyed for dedupe; a retried delivery finds its row. */
export class BotInbound extends Model<InferAttributes<BotInbound>, InferCreationAttributes<BotInbound>> {
  declare id: CreationOptional<number>;
  declare door: string;
  declare messageKey: string;
  declare status: CreationOptional<'processing' | 'done'>;
  /** The replies produced, JSON, so a retry can be answered the same way. */
  declare reply: string | null;
  declare receivedAt: Date;

  static initModel(this: typeof BotInbound, sequelize: Sequelize): typeof BotInbound {
    this.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        door: { type: DataTypes.STRING(16), allowNull: false },
        messageKey: { type: DataTypes.STRING(191), allowNull: false },
        status: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'processing' },
        reply: { type: DataTypes.TEXT, allowNull: true },
        receivedAt: { type: DataTypes.DATE, allowNull: false },
      },
      { sequelize, tableName: 'bot_inbound', modelName: 'BotInbound', timestamps: false },
    );
    return this;
  }
}

/** A pending question to one chat user (confirm, or pick one of several), with an expiry. */
export class BotConversation extends Model<InferAttributes<BotConversation>, InferCreationAttributes<BotConversation>> {
  declare id: CreationOptional<number>;
  declare door: string;
  declare userId: string;
  declare kind: string;
  declare payload: string;
  declare expiresAt: Date;

  static initModel(this: typeof BotConversation, sequelize: Sequelize): typeof BotConversation {
    this.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        door: { type: DataTypes.STRING(16), allowNull: false },
        userId: { type: DataTypes.STRING(64), allowNull: false },
        kind: { type: DataTypes.STRING(20), allowNull: false },
        payload: { type: DataTypes.TEXT, allowNull: false },
        expiresAt: { type: DataTypes.DATE, allowNull: false },
      },
      { sequelize, tableName: 'bot_conversations', modelName: 'BotConversation', timestamps: false },
    );
    return this;
  }
}

/** An outbound notification, queued so rate limits delay (and merge) messages instead of dropping them. */
export class BotOutbox extends Model<InferAttributes<BotOutbox>, InferCreationAttributes<BotOutbox>> {
  declare id: CreationOptional<number>;
  declare door: string;
  /** `webhook` rows are outbound webhook deliveries; targetId is the subscription id. */
  declare targetKind: 'user' | 'group' | 'webhook';
  declare targetId: string;
  declare payload: string;
  declare status: CreationOptional<'pending' | 'sending' | 'sent' | 'failed' | 'merged'>;
  declare attempts: CreationOptional<number>;
  declare notBefore: Date;
  /** What the message is about (e.g. approval:12), to update its cards later. */
  declare ref: string | null;
  /** WeCom's response_code for an interactive card, needed to update it. */
  declare responseCode: string | null;
  declare error: string | null;
  /** The receiver's HTTP status on the last attempt (webhooks). */
  declare httpStatus: CreationOptional<number | null>;
  declare lastAttemptAt: CreationOptional<Date | null>;
  declare createdAt: CreationOptional<Date>;
  declare sentAt: Date | null;

  static initModel(this: typeof BotOutbox, sequelize: Sequelize): typeof BotOutbox {
    this.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        door: { type: DataTypes.STRING(16), allowNull: false },
        targetKind: { type: DataTypes.STRING(8), allowNull: false },
        targetId: { type: DataTypes.STRING(191), allowNull: false },
        payload: { type: longText(sequelize), allowNull: false },
        status: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'pending' },
        attempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        notBefore: { type: DataTypes.DATE, allowNull: false },
        ref: { type: DataTypes.STRING(64), allowNull: true },
        responseCode: { type: DataTypes.STRING(191), allowNull: true },
        error: { type: DataTypes.STRING(500), allowNull: true },
        httpStatus: { type: DataTypes.INTEGER, allowNull: true },
        lastAttemptAt: { type: DataTypes.DATE, allowNull: true },
        createdAt: { type: DataTypes.DATE, allowNull: false },
        sentAt: { type: DataTypes.DATE, allowNull: true },
      },
      { sequelize, tableName: 'bot_outbox', modelName: 'BotOutbox', timestamps: false },
    );
    return this;
  }
}
