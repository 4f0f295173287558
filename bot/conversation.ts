import { literal, Op } from 'sequelize';
import type { Operator } from '../models/index.js';
import type { Core } from '../core/context.js';
import { chatIdWhere } from '../core/operators.js';

export type ConversationKind = 'confirm' | 'choose';

export interface Pending<T = Record<string, unknown>> {
  kind: ConversationKind;
  payload: T;
  expiresAt: Date;
}

/** Pending questions live in the database, so a restart or another instance carries on. */
export class ConversationStore {
  constructor(private readonly core: Core) {}

  /** The user's unexpired pending question, if any. */
  async get<T = Record<string, unknown>>(door: string, userId: string): Promise<Pending<T> | null> {
    const row = await this.core.models.BotConversation.findOne({ where: { door, userId, expiresAt: { [Op.gt]: this.core.now() } } });
    return row ? { kind: row.kind as ConversationKind, payload: JSON.parse(row.payload) as T, expiresAt: row.expiresAt } : null;
  }

  /**
   * The active operator behind a chat user id and whether a question is pending for them, in one
   * query (the read-only path of every lookup starts here).
   */
  async speaker(door: 'wecom' | 'dingtalk', userId: string): Promise<{ operator: Operator; pending: boolean } | null> {
    const { Operator: Op_, sequelize } = this.core.models;
    const q = (n: string) => sequelize.getQueryInterface().quoteIdentifier(n);
    const exists = `EXISTS (SELECT 1 FROM ${q('bot_conversations')} c WHERE c.${q('door')} = ${sequelize.escape(door)} AND c.${q('user_id')} = ${sequelize.escape(userId)} AND c.${q('expires_at')} > ${sequelize.escape(this.core.now() as never)})`;
    const row = await Op_.findOne({ where: chatIdWhere(door, userId), attributes: { include: [[literal(exists), 'pendingQuestion']] } });
    if (!row) return null;
    const pending = Number(row.get('pendingQuestion' as never)) > 0;
    return { operator: row, pending };
  }

  /** Replaces the user's pending question. */
  async set(door: string, userId: string, kind: ConversationKind, payload: Record<string, unknown>, ttlSeconds: number): Promise<Date> {
    const expiresAt = new Date(this.core.now().getTime() + ttlSeconds * 1000);
    const { BotConversation } = this.core.models;
    await BotConversation.destroy({ where: { door, userId } });
    await BotConversation.create({ door, userId, kind, payload: JSON.stringify(payload), expiresAt });
    return expiresAt;
  }

  /** Takes the pending question away (it is answered once). */
  async take<T = Record<string, unknown>>(door: string, userId: string): Promise<Pending<T> | null> {
    const pending = await this.get<T>(door, userId);
    const n = await this.core.models.BotConversation.destroy({ where: { door, userId } });
    return n ? pending : null;
  }

  async clear(door: string, userId: string): Promise<void> {
    await this.core.models.BotConversation.destroy({ where: { door, userId } });
  }
}
