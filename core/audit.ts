import crypto from 'node:crypto';
import { GENESIS_HASH, linkHash, splitPersonal, type Hashable } from './audit/hash.js';
import { auditLane } from './audit/lane.js';
import type { Transaction } from 'sequelize';
import type { AuditEvent } from '../models/index.js';
import { canonicalJson } from './canonical.js';
import type { Actor, Core } from './context.js';
import { decrypt, encrypt } from './privacy.js';
import { enqueueWebhookEvents, webhookBatch } from './webhooks/enqueue.js';
import { enqueueJsherpWrite } from './ledger/jsherp/enqueue.js';

export {
  ANCHOR_ACTION,
  eventHash,
  GENESIS_HASH,
  linkHash,
  PERSONAL_FIELDS,
  RESTORE_ACTION,
  type Hashable,
} from './audit/hash.js';
export { verifyAuditChain, type ChainReport } from './audit/verify.js';

export interface AuditInput {
  action: string;
  customerId?: number | null;
  customerCode?: string | null;
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
  /** Non-personal facts about the change (reason, approval id, …). */
  info?: Record<string, unknown>;
}

/** Locks this node's lane head inside `t`, starting the lane (at the genesis hash) the first time. */
async function lockLaneHead(core: Core, t: Transaction) {
  const { AuditHead } = core.models;
  const lane = await auditLane(core, t);
  let head = await AuditHead.findByPk(lane, { transaction: t, lock: t.LOCK.UPDATE });
  if (!head && lane !== 1) {
    await AuditHead.bulkCreate([{ id: lane, hash: GENESIS_HASH, lastId: 0 }], {
      ignoreDuplicates: true,
      transaction: t,
    });
    head = await AuditHead.findByPk(lane, { transaction: t, lock: t.LOCK.UPDATE });
  }
  if (!head) throw new Error('audit_head row missing: run migrations');
  return head;
}

/**
 * One event's hashed row: personal values are split out of before/after (the diff keeps only
 * salted commitments) and come back encrypted as `pii`, or null when there are none.
 */
function sealEvent(core: Core, actor: Actor, input: AuditInput, at: Date): { row: Hashable; pii: string | null } {
  const salt = crypto.randomBytes(16).toString('hex');
  const pii: Record<string, unknown> = {};
  const diff = canonicalJson({
    before: splitPersonal(salt, 'before', input.before, pii),
    after: splitPersonal(salt, 'after', input.after, pii),
    ...(input.info ? { info: input.info } : {}),
  });
  const row: Hashable = {
    at,
    operatorId: actor.operator.id ?? null,
    operatorName: actor.operator.displayName,
    door: actor.door,
    action: input.action,
    customerId: input.customerId ?? null,
    customerCode: input.customerCode ?? null,
    diff,
  };
  return { row, pii: Object.keys(pii).length ? encrypt(core.keys, JSON.stringify({ salt, values: pii })) : null };
}

/**
 * Appends one event inside `t`. Call it as the last write of a transaction: it locks the head of
 * its lane, so concurrent appends line up one after another and the lane never forks.
 */
export async function appendAudit(core: Core, t: Transaction, actor: Actor, input: AuditInput): Promise<AuditEvent> {
  const { AuditEvent, AuditHead } = core.models;
  const head = await lockLaneHead(core, t);
  const at = new Date(Math.floor(core.now().getTime()));
  const { row, pii } = sealEvent(core, actor, input, at);
  const hash = linkHash(core.keys.auditKey, head.hash, row);
  const event = await AuditEvent.create({ ...row, pii, prevHash: head.hash, hash, lane: head.id }, { transaction: t });
  await AuditHead.update({ hash, lastId: event.id }, { where: { id: head.id }, transaction: t });
  // Lifecycle events go out as webhooks through the outbox, queued in this same transaction.
  await enqueueWebhookEvents(core, t, actor, input, event);
  // 停用 / 启用 / delete / restore of a customer linked to jshERP queue their write-back here too.
  await enqueueJsherpWrite(core, t, actor, input);
  // One log line per change, only once it is committed, and never with the diff (it may hold personal data).
  t.afterCommit(() => {
    core.logger.info(
      {
        requestId: actor.requestId,
        door: actor.door,
        operatorId: row.operatorId,
        action: row.action,
        customerCode: row.customerCode,
        auditId: event.id,
      },
      'customer change committed',
    );
  });
  return event;
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
export async function appendAuditMany(
  core: Core,
  t: Transaction,
  actor: Actor,
  inputs: Iterable<AuditInput>,
): Promise<number> {
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
    if (rows.length)
      await sequelize
        .getQueryInterface()
        .bulkInsert(AuditEvent.getTableName() as string, rows, { transaction: t }, byColumn);
    rows = [];
  };
  for (const input of inputs) {
    hooks?.add(input);
    if (!head) {
      head = await lockLaneHead(core, t);
      prev = head.hash;
    }
    const { row, pii } = sealEvent(core, actor, input, at);
    const hash = linkHash(core.keys.auditKey, prev, row);
    const out = { ...row, pii, prevHash: prev, hash, lane: head.id };
    prev = hash;
    rows.push(Object.fromEntries(Object.entries(out).map(([k, v]) => [field(k), v])));
    count++;
    if (rows.length >= 500) await flush();
  }
  if (!head) return 0;
  await flush();
  // Nobody else can append to this lane while we hold its head lock, so its highest id is our last event.
  const lastId = (await AuditEvent.max('id', { where: { lane: head.id }, transaction: t })) as number;
  await AuditHead.update({ hash: prev, lastId }, { where: { id: head.id }, transaction: t });
  await hooks?.flush();
  return count;
}
