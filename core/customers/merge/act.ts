import { UniqueConstraintError, type Transaction } from 'sequelize';
import type { Customer, CustomerMerge } from '../../../models/index.js';
import { withTransaction } from '../../../models/tx.js';
import { appendAudit } from '../../audit.js';
import type { Actor, Core } from '../../context.js';
import { DomainError } from '../../errors.js';
import { auditFields, toView } from '../view.js';
import { moveReferences, type MovedRows } from './move.js';
import { assertMergeable, loadParties } from './plan.js';
import { absorbedOf, decidedError, loadOpenMerge } from './request.js';

/** The survivor's stored columns a merge may change, kept for undo. */
export const SURVIVOR_COLUMNS = [
  'name',
  'nameNorm',
  'contact',
  'phoneEnc',
  'phoneHash',
  'addressEnc',
  'category',
  'region',
  'ownerId',
  'note',
  'lastOrderAt',
] as const;

/** What the merge record keeps to undo: the survivor's columns, and each absorbed customer's state. */
export interface SurvivorBefore {
  survivor: Record<string, unknown>;
  absorbed: Array<{ id: number; code: string; status: string; version: number }>;
}

/** The outcome of an approved merge. */
export interface MergeResult {
  merge: CustomerMerge;
  keep: Customer;
  absorbed: Customer[];
  moved: MovedRows;
  /** Until when 撤销合并 can undo it. */
  undoableUntil: Date;
}

/** The conditional UPDATE is the claim: a second approver at the same moment matches no row. */
async function claimMerge(core: Core, actor: Actor, id: number, now: Date, t: Transaction): Promise<CustomerMerge> {
  const [claimed] = await core.models.CustomerMerge.update(
    {
      status: 'done',
      decidedBy: actor.operator.id,
      decidedByName: actor.operator.displayName.slice(0, 100),
      decidedAt: now,
      mergedAt: now,
    },
    { where: { id, status: 'pending' }, transaction: t },
  );
  const merge = (await core.models.CustomerMerge.findByPk(id, { transaction: t }))!;
  if (claimed !== 1) throw decidedError(core, merge);
  return merge;
}

/** The request's customers, locked, still the same ones and still mergeable. */
async function recheckedParties(
  core: Core,
  actor: Actor,
  open: CustomerMerge,
  t: Transaction,
): Promise<{ keep: Customer; absorbed: Customer[] }> {
  const id = open.id;
  // The requester's view of ownership decided the request; the approver's role lets it through now.
  const { keep, absorbed } = await loadParties(
    core,
    actor,
    open.keepCode,
    absorbedOf(open).map((a) => a.code),
    t,
  );
  if (keep.id !== open.keepCustomerId || absorbed.some((a, i) => a.id !== absorbedOf(open)[i]!.id)) {
    throw new DomainError(
      'CONFLICT',
      `合并单 #${id} 里的客户编码已指向别的客户, 合并未执行。请重新发起「合并客户」。`,
      {
        mergeId: id,
      },
    );
  }
  await assertMergeable(core, keep, absorbed, t, id);
  return { keep, absorbed };
}

function survivorBefore(keep: Customer, absorbed: Customer[]): SurvivorBefore {
  return {
    survivor: Object.fromEntries(
      SURVIVOR_COLUMNS.map((k) => [k, k === 'lastOrderAt' ? (keep.lastOrderAt?.toISOString() ?? null) : keep[k]]),
    ),
    absorbed: absorbed.map((a) => ({ id: a.id, code: a.code, status: a.status, version: a.version })),
  };
}

/** The survivor takes the chosen values and the latest order date; each absorbed customer becomes a tombstone and an alias. */
async function absorb(
  core: Core,
  merge: CustomerMerge,
  parties: { keep: Customer; absorbed: Customer[] },
  now: Date,
  t: Transaction,
): Promise<void> {
  const { keep, absorbed } = parties;
  const values = merge.fieldValues ? (JSON.parse(merge.fieldValues) as Record<string, unknown>) : {};
  const last =
    [keep, ...absorbed]
      .map((c) => c.lastOrderAt)
      .filter((d): d is Date => !!d)
      .sort((a, b) => b.getTime() - a.getTime())[0] ?? null;
  await keep.update({ ...values, lastOrderAt: last, version: keep.version + 1 }, { transaction: t });
  for (const a of absorbed) {
    await a.update({ status: 'deleted', mergedInto: keep.id, version: a.version + 1 }, { transaction: t });
    await core.models.CustomerAlias.create(
      { code: a.code, customerId: keep.id, mergeId: merge.id, createdAt: now },
      { transaction: t },
    );
  }
}

/** Both sides of the trail: the survivor's and each absorbed customer's (customer.merged → webhook). */
async function auditMerge(
  core: Core,
  t: Transaction,
  actor: Actor,
  merge: CustomerMerge,
  done: {
    keep: Customer;
    absorbed: Customer[];
    before: SurvivorBefore;
    viewBefore: Record<string, unknown>;
    moved: MovedRows;
  },
): Promise<void> {
  const { keep, absorbed, before, moved } = done;
  const counts = Object.fromEntries(Object.entries(moved).map(([table, rows]) => [table, rows.length]));
  await appendAudit(core, t, actor, {
    action: 'customer.merged',
    customerId: keep.id,
    customerCode: keep.code,
    before: done.viewBefore,
    after: auditFields(toView(core, keep)),
    info: {
      mergeId: merge.id,
      role: 'survivor',
      absorbed: absorbed.map((a) => a.code),
      moved: counts,
      reason: merge.reason,
      requester: merge.requesterName,
    },
  });
  for (const a of absorbed) {
    await appendAudit(core, t, actor, {
      action: 'customer.merged',
      customerId: a.id,
      customerCode: a.code,
      before: { status: before.absorbed.find((b) => b.id === a.id)!.status },
      after: { status: 'deleted', mergedInto: keep.code },
      info: { mergeId: merge.id, role: 'absorbed', survivor: keep.code, reason: merge.reason },
    });
  }
}

/**
 * 批准合并: an approver's OK (never the requester) runs the merge in ONE transaction — the claim,
 * a re-check of everything, every reference moved, the tombstones, the aliases and the audit
 * events (with their webhooks). Any refusal or database conflict leaves nothing written.
 */
export async function approveMerge(core: Core, actor: Actor, id: number): Promise<MergeResult> {
  const open = await loadOpenMerge(core, actor, id);
  try {
    return await withTransaction(core.models.sequelize, async (t) => {
      const now = core.now();
      const merge = await claimMerge(core, actor, id, now, t);
      const { keep, absorbed } = await recheckedParties(core, actor, open, t);
      const before = survivorBefore(keep, absorbed);
      const viewBefore = auditFields(toView(core, keep));
      const moved = await moveReferences(
        core,
        t,
        absorbed.map((a) => a.id),
        { id: keep.id, code: keep.code },
      );
      await absorb(core, open, { keep, absorbed }, now, t);
      await merge.update(
        { survivorBefore: JSON.stringify(before), survivorVersion: keep.version, moved: JSON.stringify(moved) },
        { transaction: t },
      );
      await auditMerge(core, t, actor, merge, { keep, absorbed, before, viewBefore, moved });
      const undoableUntil = new Date(now.getTime() + core.config.RECYCLE_RETENTION_DAYS * 86400_000);
      return { merge, keep, absorbed, moved, undoableUntil };
    });
  } catch (err) {
    if (err instanceof UniqueConstraintError)
      throw new DomainError(
        'CONFLICT',
        `合并单 #${id} 执行时遇到数据库冲突 (编码或关联已被占用), 合并未执行, 没有任何改动。请稍后重试或重新发起。`,
        { mergeId: id },
      );
    throw err;
  }
}
