import type { ModelAttributeColumnOptions, Sequelize } from 'sequelize';
import type { Operator } from '../models/index.js';
import type { Core } from '../core/context.js';
import { causalReadPrefix } from '../core/data/causal.js';
import { asDate, joinedRow, readPooled, type JoinedRead } from '../core/data/sql.js';

export type ConversationKind = 'confirm' | 'choose';

export interface Pending<T = Record<string, unknown>> {
  kind: ConversationKind;
  payload: T;
  expiresAt: Date;
}

const statements = new WeakMap<Sequelize, { select: string; from: string; where: string }>();

/** Operator instances per model (one per database) by every column's value (see operatorOf); nothing in the chat path changes one. */
const instances = new WeakMap<object, Map<string, Operator>>();
const OPERATORS_KEPT = 1000;

const speakerAttrs = new WeakMap<object, [string, ModelAttributeColumnOptions][]>();

/** The operator's attributes a speaker row carries (worked out once per model: every message asks). */
function speakerAttributes(model: Core['models']['Operator']): [string, ModelAttributeColumnOptions][] {
  let attrs = speakerAttrs.get(model);
  if (!attrs) {
    attrs = Object.entries(model.getAttributes()).filter(([attr]) => attr !== 'passwordHash');
    speakerAttrs.set(model, attrs);
  }
  return attrs;
}

/** The speaker query's parts: operator columns aliased to attribute names, and whether a question is pending. */
function speakerSql(core: Core): { select: string; from: string; where: string } {
  const { sequelize, Operator: model } = core.models;
  const cached = statements.get(sequelize);
  if (cached) return cached;
  const q = (n: string) => sequelize.getQueryInterface().quoteIdentifier(n);
  // Not the password hash: nothing in chat needs it.
  const cols = speakerAttributes(model)
    .map(([attr, a]) => `o.${q(a.field ?? attr)} AS ${q(attr)}`)
    .join(', ');
  const pending = `EXISTS (SELECT 1 FROM ${q('bot_conversations')} bc WHERE bc.${q('door')} = ? AND bc.${q('user_id')} = ? AND bc.${q('expires_at')} > ?)`;
  const made = {
    select: `SELECT ${cols}, ${pending} AS ${q('pendingQuestion')}`,
    from: `FROM ${q('operator_identities')} i JOIN ${q('operators')} o ON o.${q('id')} = i.${q('operator_id')}`,
    where: `WHERE i.${q('channel')} = ? AND i.${q('external_id')} = ? AND o.${q('active')} = 1`,
  };
  statements.set(sequelize, made);
  return made;
}

/** Pending questions live in the database, so a restart or another instance carries on. */
export class ConversationStore {
  constructor(private readonly core: Core) {}

  /** The user's unexpired pending question, if any (a causal read on a cluster: see core/data/causal.ts). */
  async get<T = Record<string, unknown>>(door: string, userId: string): Promise<Pending<T> | null> {
    const { sequelize } = this.core.models;
    const q = (n: string) => sequelize.getQueryInterface().quoteIdentifier(n);
    const sql = `${await causalReadPrefix(sequelize)}SELECT ${q('kind')}, ${q('payload')}, ${q('expires_at')} AS ${q('expiresAt')} FROM ${q('bot_conversations')} WHERE ${q('door')} = ? AND ${q('user_id')} = ? AND ${q('expires_at')} > ? LIMIT 1`;
    const [row] = await readPooled<{ kind: string; payload: string; expiresAt: unknown }>(sequelize, sql, [
      door,
      userId,
      this.core.now(),
    ]);
    return row
      ? { kind: row.kind as ConversationKind, payload: JSON.parse(row.payload) as T, expiresAt: asDate(row.expiresAt)! }
      : null;
  }

  /**
   * The active operator behind a chat user id and whether a question is pending for them, in one
   * raw query on a pooled connection (the read-only path of every lookup starts here, so it skips
   * Sequelize's query building and wrapper; see readPooled). A command's own first read may ride
   * along (`read`, see JoinedRead): its row, or null, comes back as `row`.
   */
  async speaker(
    channel: string,
    userId: string,
    read?: JoinedRead | null,
  ): Promise<{ operator: Operator; pending: boolean; row?: Record<string, unknown> | null } | null> {
    const { sequelize } = this.core.models;
    const sql = speakerSql(this.core);
    const pendingValues = [channel, userId, this.core.now()];
    // As operatorByIdentity would find it (core/operators.ts), plus the pending question.
    // Causal on a cluster: a question asked through another instance a moment ago is seen.
    const prefix = causalReadPrefix(sequelize);
    const causal = typeof prefix === 'string' ? prefix : await prefix;
    const text = read
      ? `${causal}${sql.select}, ${read.found} IS NOT NULL AS readFound, ${read.columns} ${sql.from} ${read.joins} ${sql.where}`
      : `${causal}${sql.select} ${sql.from} ${sql.where}`;
    const [found] = await readPooled<Record<string, unknown>>(sequelize, text, [
      ...pendingValues,
      ...(read?.values ?? []),
      channel,
      userId,
    ]);
    if (!found) return null;
    const operator = this.operatorOf(found);
    return { operator, pending: Number(found.pendingQuestion) > 0, ...(read ? { row: joinedRow(found) } : {}) };
  }

  /**
   * A model instance for the operator columns of a speaker row, as the rest of the pipeline
   * expects (roleList(), can()). Building one costs more than the rest of reading the row, and
   * the same few people speak all day: an unchanged row (every column equal) reuses its instance.
   */
  private operatorOf(found: Record<string, unknown>): Operator {
    const model = this.core.models.Operator;
    let operators = instances.get(model);
    if (!operators) instances.set(model, (operators = new Map()));
    const attrs: Record<string, unknown> = {};
    let key = '';
    for (const [name] of speakerAttributes(model)) {
      const v = found[name];
      attrs[name] = v;
      key += `${v instanceof Date ? v.getTime() : String(v)}\u0000`;
    }
    const kept = operators.get(key);
    if (kept) return kept;
    const dates = { createdAt: asDate(attrs.createdAt), updatedAt: asDate(attrs.updatedAt) };
    // MySQL's 1 is true.
    const operator = model.build({ ...attrs, ...dates, active: Boolean(Number(attrs.active)) } as never, {
      raw: true,
      isNewRecord: false,
    });
    if (operators.size >= OPERATORS_KEPT) operators.clear();
    operators.set(key, operator);
    return operator;
  }

  /** Replaces the user's pending question. */
  async set(
    door: string,
    userId: string,
    kind: ConversationKind,
    payload: Record<string, unknown>,
    ttlSeconds: number,
  ): Promise<Date> {
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
