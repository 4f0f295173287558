import crypto from 'node:crypto';
import type { Transaction } from 'sequelize';
import type { AuditEvent, Door } from '../models/index.js';
import { canonicalJson } from './canonical.js';
import type { Actor, Core } from './context.js';
import { decrypt, encrypt } from './privacy.js';
import { enqueueWebhookEvents, webhookBatch } from './webhooks/enqueue.js';
import { enqueueJsherpWrite } from './ledger/jsherp/enqueue.js';

/** Customer fields that are personal data: the chain holds only salted commitments to them. */
export const PERSONAL_FIELDS = new Set(['name', 'contact', 'phone', 'address']);
export const GENESIS_HASH = '0'.repeat(64);

export interface AuditInput {
  action: string;
  customerId?: number | null;
  customerCode?: string | null;
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
  /** Non-personal facts about the change (reason, approval id, …). */
  info?: Record<string, unknown>;
}

interface Hashable {
  at: Date;
  operatorId: number | null;
  operatorName: string;
  door: Door;
  action: string;
  customerId: number | null;
  customerCode: string | null;
  diff: string;
}

/** sha256(prevHash + canonical JSON of the event). */
export function eventHash(prevHash: string, e: Hashable): string {
  const body = canonicalJson({ at: e.at.toISOString(), operatorId: e.operatorId, operatorName: e.operatorName, door: e.door, action: e.action, customerId: e.customerId, customerCode: e.customerCode, diff: e.diff });
  return crypto.createHash('sha256').update(prevHash + body).digest('hex');
}

function commit(salt: string, path: string, value: unknown): string {
  return crypto.createHash('sha256').update(`${salt}|${path}|${canonicalJson(value)}`).digest('hex');
}

/** Replaces personal values by `{ pii: <commitment> }` and collects the plaintext apart. */
function splitPersonal(salt: string, side: string, values: Record<string, unknown> | null | undefined, pii: Record<string, unknown>) {
  if (!values) return values ?? null;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(values)) {
    if (PERSONAL_FIELDS.has(k) && v !== null && v !== undefined && v !== '') {
      pii[`${side}.${k}`] = v;
      out[k] = { pii: commit(salt, `${side}.${k}`, v) };
    } else out[k] = v;
  }
  return out;
}

/**
 * Appends one event inside `t`. Call it as the last write of a transaction: it locks the chain
 * head, so concurrent appends line up one after another and the chain never forks.
 */
export async function appendAudit(core: Core, t: Transaction, actor: Actor, input: AuditInput): Promise<AuditEvent> {
  const { AuditEvent, AuditHead } = core.models;
  const salt = crypto.randomBytes(16).toString('hex');
  const pii: Record<string, unknown> = {};
  const diff = canonicalJson({
    before: splitPersonal(salt, 'before', input.before, pii),
    after: splitPersonal(salt, 'after', input.after, pii),
    ...(input.info ? { info: input.info } : {}),
  });
  const head = await AuditHead.findByPk(1, { transaction: t, lock: t.LOCK.UPDATE });
  if (!head) throw new Error('audit_head row missing: run migrations');
  const at = new Date(Math.floor(core.now().getTime()));
  const row: Hashable = {
    at, operatorId: actor.operator.id ?? null, operatorName: actor.operator.displayName, door: actor.door,
    action: input.action, customerId: input.customerId ?? null, customerCode: input.customerCode ?? null, diff,
  };
  const hash = eventHash(head.hash, row);
  const event = await AuditEvent.create({
    ...row,
    pii: Object.keys(pii).length ? encrypt(core.keys, JSON.stringify({ salt, values: pii })) : null,
    prevHash: head.hash,
    hash,
  }, { transaction: t });
  await AuditHead.update({ hash, lastId: event.id }, { where: { id: 1 }, transaction: t });
  // Lifecycle events go out as webhooks through the outbox, queued in this same transaction.
  await enqueueWebhookEvents(core, t, actor, input, event);
  // 停用 / 启用 / delete / restore of a customer linked to jshERP queue their write-back here too.
  await enqueueJsherpWrite(core, t, actor, input);
  // One log line per change, only once it is committed, and never with the diff (it may hold personal data).
  t.afterCommit(() => {
    core.logger.info({ requestId: actor.requestId, door: actor.door, operatorId: row.operatorId, action: row.action, customerCode: row.customerCode, auditId: event.id }, 'customer change committed');
  });
  return event;
}

/** The result of walking the chain. */
export interface ChainReport {
  ok: boolean;
  checked: number;
  brokenAt?: number;
  reason?: string;
}

/** Walks the whole chain in id order and reports the first broken link. */
export async function verifyAuditChain(core: Core): Promise<ChainReport> {
  const { AuditEvent, AuditHead } = core.models;
  const { Op } = await import('sequelize');
  let prev = GENESIS_HASH;
  let lastId = 0;
  let checked = 0;
  for (;;) {
    const rows = await AuditEvent.findAll({ where: { id: { [Op.gt]: lastId } }, order: [['id', 'ASC']], limit: 1000 });
    if (rows.length === 0) break;
    for (const e of rows) {
      if (e.prevHash !== prev) return { ok: false, checked, brokenAt: e.id, reason: `第 ${e.id} 条的 prevHash 与上一条不符 (事件被删除或插入)` };
      if (eventHash(prev, e) !== e.hash) return { ok: false, checked, brokenAt: e.id, reason: `第 ${e.id} 条的内容与其 hash 不符 (事件被改动)` };
      prev = e.hash;
      lastId = e.id;
      checked++;
    }
  }
  const head = await AuditHead.findByPk(1);
  if (head && head.hash !== prev) return { ok: false, checked, brokenAt: head.lastId, reason: '链尾与记录的链头不符 (末尾的事件被删除)' };
  return { ok: true, checked };
}

/** The personal values behind an event's commitments, or null once purged. */
export function auditPersonalValues(core: Core, event: Pick<AuditEvent, 'pii'>): Record<string, unknown> | null {
  const raw = decrypt(core.keys, event.pii);
  return raw ? (JSON.parse(raw) as { values: Record<string, unknown> }).values : null;
}

/**
 * Appends many events inside `t` under one head lock, with multi-row INSERTs (bulk import and
 * its undo). Same hashing and personal-data split as appendAudit, so the chain verifies alike.
 * Call it as the last write of the transaction.
 */
export async function appendAuditMany(core: Core, t: Transaction, actor: Actor, inputs: Iterable<AuditInput>): Promise<number> {
  const { AuditEvent, AuditHead, sequelize } = core.models;
  const attributes = AuditEvent.getAttributes() as Record<string, { field?: string }>;
  const field = (k: string) => attributes[k]?.field ?? k;
  // Keyed by column, so bulkInsert formats `at` with its milliseconds as the model would.
  const byColumn = Object.fromEntries(Object.values(attributes).map((a) => [a.field, a])) as Record<string, never>;
  const at = new Date(Math.floor(core.now().getTime()));
  let head: InstanceType<typeof AuditHead> | null = null;
  let prev = '';
  let count = 0;
  let rows: Record<string, unknown>[] = [];
  const hooks = await webhookBatch(core, t);
  const flush = async () => {
    if (rows.length) await sequelize.getQueryInterface().bulkInsert(AuditEvent.getTableName() as string, rows, { transaction: t }, byColumn);
    rows = [];
  };
  for (const input of inputs) {
    hooks?.add(input);
    if (!head) {
      head = await AuditHead.findByPk(1, { transaction: t, lock: t.LOCK.UPDATE });
      if (!head) throw new Error('audit_head row missing: run migrations');
      prev = head.hash;
    }
    const salt = crypto.randomBytes(16).toString('hex');
    const pii: Record<string, unknown> = {};
    const diff = canonicalJson({ before: splitPersonal(salt, 'before', input.before, pii), after: splitPersonal(salt, 'after', input.after, pii), ...(input.info ? { info: input.info } : {}) });
    const row: Hashable = { at, operatorId: actor.operator.id ?? null, operatorName: actor.operator.displayName, door: actor.door, action: input.action, customerId: input.customerId ?? null, customerCode: input.customerCode ?? null, diff };
    const hash = eventHash(prev, row);
    const out = { ...row, pii: Object.keys(pii).length ? encrypt(core.keys, JSON.stringify({ salt, values: pii })) : null, prevHash: prev, hash };
    prev = hash;
    rows.push(Object.fromEntries(Object.entries(out).map(([k, v]) => [field(k), v])));
    count++;
    if (rows.length >= 500) await flush();
  }
  if (!head) return 0;
  await flush();
  // Nobody else can append while we hold the head lock, so the highest id is our last event.
  const lastId = (await AuditEvent.max('id', { transaction: t })) as number;
  await AuditHead.update({ hash: prev, lastId }, { where: { id: 1 }, transaction: t });
  await hooks?.flush();
  return count;
}
