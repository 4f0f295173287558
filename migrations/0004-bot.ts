import { DataTypes } from 'sequelize';
import type { Migration } from './types.js';
import { longText } from '../models/types.js';

const id = { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true, allowNull: false };

/** Chat state: inbound dedupe, pending conversations and the outbound queue. */
export const bot: Migration = {
  name: '0004-bot',
  async up({ context: qi }) {
    await qi.createTable('bot_inbound', {
      id,
      door: { type: DataTypes.STRING(16), allowNull: false },
      message_key: { type: DataTypes.STRING(191), allowNull: false },
      status: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'processing' },
      reply: { type: DataTypes.TEXT, allowNull: true },
      received_at: { type: DataTypes.DATE, allowNull: false },
    });
    await qi.addIndex('bot_inbound', ['door', 'message_key'], { unique: true, name: 'bot_inbound_key' });
    await qi.addIndex('bot_inbound', ['received_at'], { name: 'bot_inbound_received' });

    await qi.createTable('bot_conversations', {
      id,
      door: { type: DataTypes.STRING(16), allowNull: false },
      user_id: { type: DataTypes.STRING(64), allowNull: false },
      kind: { type: DataTypes.STRING(20), allowNull: false },
      payload: { type: DataTypes.TEXT, allowNull: false },
      expires_at: { type: DataTypes.DATE, allowNull: false },
    });
    await qi.addIndex('bot_conversations', ['door', 'user_id'], { unique: true, name: 'bot_conversations_user' });

    await qi.createTable('bot_outbox', {
      id,
      door: { type: DataTypes.STRING(16), allowNull: false },
      target_kind: { type: DataTypes.STRING(8), allowNull: false },
      target_id: { type: DataTypes.STRING(191), allowNull: false },
      payload: { type: longText(qi.sequelize), allowNull: false },
      status: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'pending' },
      attempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      not_before: { type: DataTypes.DATE, allowNull: false },
      ref: { type: DataTypes.STRING(64), allowNull: true },
      response_code: { type: DataTypes.STRING(191), allowNull: true },
      error: { type: DataTypes.STRING(500), allowNull: true },
      created_at: { type: DataTypes.DATE, allowNull: false },
      sent_at: { type: DataTypes.DATE, allowNull: true },
    });
    await qi.addIndex('bot_outbox', ['status', 'not_before'], { name: 'bot_outbox_due' });
    await qi.addIndex('bot_outbox', ['door', 'target_id', 'sent_at'], { name: 'bot_outbox_target' });
    await qi.addIndex('bot_outbox', ['ref'], { name: 'bot_outbox_ref' });
  },
  async down({ context: qi }) {
    for (const t of ['bot_outbox', 'bot_conversations', 'bot_inbound']) await qi.dropTable(t);
  },
};
