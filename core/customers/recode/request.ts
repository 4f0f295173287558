import { Op, type Transaction } from 'sequelize';
import type { CustomerRecode, Operator, RecodeRow } from '../../../models/index.js';
import { withTransaction } from '../../../models/tx.js';
import { appendAudit } from '../../audit.js';
import type { Actor, Core } from '../../context.js';
import { localTime } from '../../deletion/approvals.js';
import { DomainError } from '../../errors.js';
import { assertCan } from '../../permissions.js';
import { assertOwnerMay } from '../ownership.js';
import { assertPlanClean, planRecode, type RecodePair, type RecodePlan } from './plan.js';

/** The ownership rule for every customer the plan would recode (sales: only their own), before any prompt. */
function assertMayRecode(core: Core, actor: Actor, plan: RecodePlan): void {
  for (const r of plan.rows) assertOwnerMay(core, actor, { code: r.from, ownerId: r.ownerId }, 'recode');
}

/** The dry run: what would change and every problem, writing nothing. Needs the edit permission and the ownership rule. */
export async function previewRecode(core: Core, actor: Actor, pairs: RecodePair[]): Promise<RecodePlan> {
  assertCan(actor.operator, 'edit');
  const plan = await planRecode(core, pairs);
  assertMayRecode(core, actor, plan);
  return plan;
}

/** The request's reason: the one typed, else the sheet's own (distinct, joined) when every line has one. */
export function recodeReason(typed: string, pairs: RecodePair[]): string {
  const r = (typed ?? '').trim();
  if (r) return r;
  const own = pairs.map((p) => (p.reason ?? '').replace(/\s+/g, ' ').trim());
  if (!own.length || own.some((x) => !x)) return '';
  return [...new Set(own)].join('; ').slice(0, 500);
}

/** Options of requestRecode. */
export interface RequestRecodeOptions {
  /** Queues the approvers' notifications inside the request's transaction (an outbox write). */
  notify?: (t: Transaction, recode: CustomerRecode, plan: RecodePlan) => Promise<unknown>;
}

/**
 * Files a recode for approval (the door showed the dry run and the person confirmed): re-checks
 * every line in one transaction; any problem refuses the whole request. Expires after APPROVAL_TTL_HOURS.
 */
export async function requestRecode(
  core: Core,
  actor: Actor,
  pairs: RecodePair[],
  reasonText: string,
  opts: RequestRecodeOptions = {},
): Promise<{ recode: CustomerRecode; plan: RecodePlan }> {
  assertCan(actor.operator, 'edit');
  const reason = recodeReason(reasonText, pairs);
  if (!reason)
    throw new DomainError(
      'VALIDATION',
      '请写明改编码的原因, 例如「统一编码规则」(或在表格第三列「原因」里逐行写明)。',
      { errors: [{ field: 'reason', message: '原因必填' }] },
    );
  return withTransaction(core.models.sequelize, async (t) => {
    const plan = await planRecode(core, pairs, t);
    assertMayRecode(core, actor, plan);
    assertPlanClean(plan);
    const rows: RecodeRow[] = plan.rows.map((r) => ({
      customerId: r.customerId,
      from: r.from,
      to: r.to,
      ...(r.reason ? { reason: r.reason } : {}),
    }));
    const recode = await core.models.CustomerRecode.create(
      {
        status: 'pending',
        rows: JSON.stringify(rows),
        reason: reason.slice(0, 500),
        requesterId: actor.operator.id,
        requesterName: actor.operator.displayName.slice(0, 100),
        expiresAt: new Date(core.now().getTime() + core.config.APPROVAL_TTL_HOURS * 3600_000),
      },
      { transaction: t },
    );
    if (opts.notify) await opts.notify(t, recode, plan);
    const first = plan.rows[0]!;
    await appendAudit(core, t, actor, {
      action: 'recode.request',
      customerId: first.customerId,
      customerCode: first.from,
      info: {
        recodeId: recode.id,
        rows: rows.length,
        changes: rows.slice(0, 50).map((r) => `${r.from}→${r.to}`),
        reason: recode.reason,
      },
    });
    return { recode, plan };
  });
}

const STATUS_LABELS: Record<string, string> = {
  pending: '待审批',
  done: '已执行',
  rejected: '已驳回',
  expired: '已过期',
};

/** The rows of a request. */
export function recodeRows(recode: CustomerRecode): RecodeRow[] {
  return JSON.parse(recode.rows) as RecodeRow[];
}

/** The request by id, or APPROVAL_NOT_FOUND in words. */
export async function getRecode(core: Core, id: number, t?: Transaction): Promise<CustomerRecode> {
  const recode =
    Number.isInteger(id) && id > 0 ? await core.models.CustomerRecode.findByPk(id, { transaction: t }) : null;
  if (!recode)
    throw new DomainError('APPROVAL_NOT_FOUND', `找不到改编码申请 #${id}。请用「改编码申请」查看待办。`, {
      recodeId: id,
    });
  return recode;
}

/** ALREADY_DECIDED for a request that is no longer pending. */
export function recodeDecidedError(core: Core, recode: CustomerRecode): DomainError {
  const when = recode.decidedAt ? ` (${localTime(core, recode.decidedAt)})` : '';
  return new DomainError(
    'ALREADY_DECIDED',
    `改编码申请 #${recode.id} ${STATUS_LABELS[recode.status] ?? recode.status}${when}, 不能再审批。`,
    { recodeId: recode.id, status: recode.status },
  );
}

/** A pending request an approver may decide: not their own, not expired (an expired one is marked so). */
export async function loadOpenRecode(core: Core, actor: Actor, id: number): Promise<CustomerRecode> {
  assertCan(actor.operator, 'approve');
  const recode = await getRecode(core, id);
  if (recode.status !== 'pending') throw recodeDecidedError(core, recode);
  if (recode.requesterId !== null && recode.requesterId === actor.operator.id) {
    throw new DomainError(
      'SELF_APPROVAL',
      `改编码申请 #${recode.id} 是你自己提交的, 不能自己审批 (四眼原则)。请由另一位审批人处理。`,
      { recodeId: recode.id },
    );
  }
  if (recode.expiresAt <= core.now()) {
    await core.models.CustomerRecode.update(
      { status: 'expired', decidedAt: core.now() },
      { where: { id: recode.id, status: 'pending' } },
    );
    throw new DomainError(
      'APPROVAL_EXPIRED',
      `改编码申请 #${recode.id} 已于 ${localTime(core, recode.expiresAt)} 过期。如仍需改编码, 请重新提交。`,
      { recodeId: recode.id },
    );
  }
  return recode;
}

/** 驳回改编码: nothing changes. */
export async function rejectRecode(core: Core, actor: Actor, id: number, note: string): Promise<CustomerRecode> {
  await loadOpenRecode(core, actor, id);
  return withTransaction(core.models.sequelize, async (t) => {
    const decisionNote = (note ?? '').trim().slice(0, 500) || null;
    const [n] = await core.models.CustomerRecode.update(
      {
        status: 'rejected',
        decidedBy: actor.operator.id,
        decidedByName: actor.operator.displayName.slice(0, 100),
        decidedAt: core.now(),
        decisionNote,
      },
      { where: { id, status: 'pending' }, transaction: t },
    );
    const recode = (await core.models.CustomerRecode.findByPk(id, { transaction: t }))!;
    if (n !== 1) throw recodeDecidedError(core, recode);
    const first = recodeRows(recode)[0]!;
    await appendAudit(core, t, actor, {
      action: 'recode.reject',
      customerId: first.customerId,
      customerCode: first.from,
      info: { recodeId: id, note: decisionNote },
    });
    return recode;
  });
}

/** Pending requests an approver can act on (not their own), oldest first. */
export async function pendingRecodes(core: Core, actor: Actor): Promise<CustomerRecode[]> {
  assertCan(actor.operator, 'approve');
  return core.models.CustomerRecode.findAll({
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

/** Active approvers and admins other than the requester: who is told about a request. */
export async function recodeApprovers(core: Core, recode: CustomerRecode, t?: Transaction): Promise<Operator[]> {
  const all = await core.models.Operator.findAll({
    where: { active: true, ...(recode.requesterId ? { id: { [Op.ne]: recode.requesterId } } : {}) },
    transaction: t,
  });
  return all.filter((o) => o.roleList().some((r) => r === 'approver' || r === 'admin'));
}
