import { Op } from 'sequelize';
import type { Core } from '../core/context.js';

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
