import { Op, type Transaction } from 'sequelize';
import type { CustomerMerge, Operator } from '../../../models/index.js';
import { withTransaction } from '../../../models/tx.js';
import { appendAudit } from '../../audit.js';
import type { Actor, Core } from '../../context.js';
import { DomainError } from '../../errors.js';
import { assertCan } from '../../permissions.js';
import { localTime } from '../../deletion/approvals.js';
import type { CustomerInput } from '../schema.js';
import { assertMergeable, buildPlan, loadParties, mergeValues, type MergePlan } from './plan.js';
import { valuesFromPicks, type FieldPicks } from './picks.js';

/** What a merge request is made of, from any door. */
export interface MergeInput {
  keep: string;
  absorb: string[];
  reason: string;
  /** Field overrides for the survivor (`名称=…`); the survivor's own values otherwise. */
  values?: CustomerInput;
  /** Field → code of the customer whose value to keep (the back office's side-by-side choice); `values` win. */
  picks?: FieldPicks;
}

/** The comparison and pre-check, without writing anything: what chat shows before 确认. */
export async function previewMerge(core: Core, actor: Actor, input: MergeInput): Promise<MergePlan> {
  assertCan(actor.operator, 'merge');
  mergeValues(core, input.values ?? {});
  const { keep, absorbed } = await loadParties(core, actor, input.keep, input.absorb);
  await assertMergeable(core, keep, absorbed);
  return buildPlan(core, keep, absorbed, {
    ...valuesFromPicks(core, keep, absorbed, input.picks ?? {}),
    ...(input.values ?? {}),
  });
}

/** Options of requestMerge. */
export interface RequestMergeOptions {
  /** Queues the approvers' notifications inside the request's transaction (an outbox write). */
  notify?: (t: Transaction, merge: CustomerMerge, plan: MergePlan) => Promise<unknown>;
}

/**
 * Files a merge for approval (propose and confirm happened at the door): re-checks everything in
 * one transaction and stores a pending request that expires after APPROVAL_TTL_HOURS.
 */
export async function requestMerge(
  core: Core,
  actor: Actor,
  input: MergeInput,
  opts: RequestMergeOptions = {},
): Promise<{ merge: CustomerMerge; plan: MergePlan }> {
  assertCan(actor.operator, 'merge');
  const reason = (input.reason ?? '').trim();
  if (!reason)
    throw new DomainError('VALIDATION', '请写明合并原因, 例如「重复录入」。', {
      errors: [{ field: 'reason', message: '合并原因必填' }],
    });
  mergeValues(core, input.values ?? {});
  return withTransaction(core.models.sequelize, async (t) => {
    const { keep, absorbed } = await loadParties(core, actor, input.keep, input.absorb, t);
    await assertMergeable(core, keep, absorbed, t);
    const plan = await buildPlan(
      core,
      keep,
      absorbed,
      { ...valuesFromPicks(core, keep, absorbed, input.picks ?? {}), ...(input.values ?? {}) },
      t,
    );
    const merge = await core.models.CustomerMerge.create(
      {
        status: 'pending',
        keepCustomerId: keep.id,
        keepCode: keep.code,
        absorbed: JSON.stringify(absorbed.map((a) => ({ id: a.id, code: a.code }))),
        fieldValues: Object.keys(plan.values).length ? JSON.stringify(plan.values) : null,
        reason: reason.slice(0, 500),
        requesterId: actor.operator.id,
        requesterName: actor.operator.displayName.slice(0, 100),
        expiresAt: new Date(core.now().getTime() + core.config.APPROVAL_TTL_HOURS * 3600_000),
        decidedBy: null,
        decidedByName: null,
        decidedAt: null,
        decisionNote: null,
        survivorBefore: null,
        survivorVersion: null,
        moved: null,
        mergedAt: null,
        undoneAt: null,
        undoneByName: null,
      },
      { transaction: t },
    );
    if (opts.notify) await opts.notify(t, merge, plan);
    await appendAudit(core, t, actor, {
      action: 'merge.request',
      customerId: keep.id,
      customerCode: keep.code,
      info: { mergeId: merge.id, absorbed: absorbed.map((a) => a.code), reason: merge.reason },
    });
    return { merge, plan };
  });
}

const STATUS_LABELS: Record<string, string> = {
  pending: '待审批',
  done: '已合并',
  rejected: '已驳回',
  expired: '已过期',
  undone: '已撤销',
};

/** The merge record by id, or MERGE_NOT_FOUND (APPROVAL_NOT_FOUND) in words. */
export async function getMerge(core: Core, id: number, t?: Transaction): Promise<CustomerMerge> {
  const merge =
    Number.isInteger(id) && id > 0 ? await core.models.CustomerMerge.findByPk(id, { transaction: t }) : null;
  if (!merge)
    throw new DomainError('APPROVAL_NOT_FOUND', `找不到合并单 #${id}。请用「合并申请」查看待办。`, { mergeId: id });
  return merge;
}

/** Absorbed customers of a record. */
export function absorbedOf(merge: CustomerMerge): Array<{ id: number; code: string }> {
  return JSON.parse(merge.absorbed) as Array<{ id: number; code: string }>;
}

/** ALREADY_DECIDED for a record that is no longer pending. */
export function decidedError(core: Core, merge: CustomerMerge): DomainError {
  const when = merge.decidedAt ? ` (${localTime(core, merge.decidedAt)})` : '';
  return new DomainError(
    'ALREADY_DECIDED',
    `合并单 #${merge.id} ${STATUS_LABELS[merge.status] ?? merge.status}${when}, 不能再审批。`,
    { mergeId: merge.id, status: merge.status },
  );
}

/** Loads a pending request an approver may decide: not their own, not expired (an expired one is marked so). */
export async function loadOpenMerge(core: Core, actor: Actor, id: number): Promise<CustomerMerge> {
  assertCan(actor.operator, 'approve');
  const merge = await getMerge(core, id);
  if (merge.status !== 'pending') throw decidedError(core, merge);
  if (merge.requesterId !== null && merge.requesterId === actor.operator.id) {
    throw new DomainError(
      'SELF_APPROVAL',
      `合并单 #${merge.id} 是你自己提交的, 不能自己审批 (四眼原则)。请由另一位审批人处理。`,
      { mergeId: merge.id },
    );
  }
  if (merge.expiresAt <= core.now()) {
    await expireMergeOne(core, actor, merge);
    throw new DomainError(
      'APPROVAL_EXPIRED',
      `合并单 #${merge.id} 已于 ${localTime(core, merge.expiresAt)} 过期。如仍需合并, 请重新发起「合并客户」。`,
      { mergeId: merge.id },
    );
  }
  return merge;
}

/** Marks one overdue merge request expired, with its audit event; false if someone decided it first. */
async function expireMergeOne(core: Core, actor: Actor, merge: CustomerMerge): Promise<boolean> {
  return withTransaction(core.models.sequelize, async (t) => {
    const [n] = await core.models.CustomerMerge.update(
      { status: 'expired', decidedAt: core.now() },
      { where: { id: merge.id, status: 'pending' }, transaction: t },
    );
    if (n === 1)
      await appendAudit(core, t, actor, {
        action: 'merge.expire',
        customerId: merge.keepCustomerId,
        customerCode: merge.keepCode,
        info: { mergeId: merge.id },
      });
    await merge.reload({ transaction: t });
    return n === 1;
  });
}

/** Overdue pending merge requests (read only: the approval-expiry job's dry run counts them). */
export async function overdueMerges(core: Core): Promise<CustomerMerge[]> {
  return core.models.CustomerMerge.findAll({
    where: { status: 'pending', expiresAt: { [Op.lte]: core.now() } },
    order: [['id', 'ASC']],
  });
}

/** Marks overdue merge requests expired, as expireApprovals does for deletions; returns them (now `expired`). */
export async function expireMerges(core: Core, actor: Actor): Promise<CustomerMerge[]> {
  const expired: CustomerMerge[] = [];
  for (const m of await overdueMerges(core)) if (await expireMergeOne(core, actor, m)) expired.push(m);
  return expired;
}

/** 驳回合并: the customers stay as they are. */
export async function rejectMerge(core: Core, actor: Actor, id: number, note: string): Promise<CustomerMerge> {
  await loadOpenMerge(core, actor, id);
  return withTransaction(core.models.sequelize, async (t) => {
    const decisionNote = (note ?? '').trim().slice(0, 500) || null;
    const [n] = await core.models.CustomerMerge.update(
      {
        status: 'rejected',
        decidedBy: actor.operator.id,
        decidedByName: actor.operator.displayName.slice(0, 100),
        decidedAt: core.now(),
        decisionNote,
      },
      { where: { id, status: 'pending' }, transaction: t },
    );
    const merge = (await core.models.CustomerMerge.findByPk(id, { transaction: t }))!;
    if (n !== 1) throw decidedError(core, merge);
    await appendAudit(core, t, actor, {
      action: 'merge.reject',
      customerId: merge.keepCustomerId,
      customerCode: merge.keepCode,
      info: { mergeId: id, note: decisionNote },
    });
    return merge;
  });
}

/** Pending merge requests an approver can act on (not their own), oldest first. */
export async function pendingMerges(core: Core, actor: Actor): Promise<CustomerMerge[]> {
  assertCan(actor.operator, 'approve');
  return core.models.CustomerMerge.findAll({
    where: {
      status: 'pending',
      expiresAt: { [Op.gt]: core.now() },
      ...(actor.operator.id
        ? { [Op.or]: [{ requesterId: null }, { requesterId: { [Op.ne]: actor.operator.id } }] }
        : {}),
    },
    order: [['id', 'ASC']],
    limit: 50,
  });
}

/** Active approvers and admins other than the requester: who is told about a merge request. */
export async function mergeApprovers(core: Core, merge: CustomerMerge, t?: Transaction): Promise<Operator[]> {
  const all = await core.models.Operator.findAll({
    where: { active: true, ...(merge.requesterId ? { id: { [Op.ne]: merge.requesterId } } : {}) },
    transaction: t,
  });
  return all.filter((o) => o.roleList().some((r) => r === 'approver' || r === 'admin'));
}
