import { Op, type Transaction } from 'sequelize';
import type { ApprovalRequest, ApprovalStatus, Customer, Operator, RecycleEntry } from '../../models/index.js';
import { withTransaction } from '../../models/tx.js';
import { appendAudit } from '../audit.js';
import type { Actor, Core } from '../context.js';
import { DomainError } from '../errors.js';
import { assertCan } from '../permissions.js';
import { refuseIfBlocked, type RefusalSlot } from './blocked.js';
import { takeSnapshot } from './snapshot.js';
import { storedHistory } from './history.js';
import {
  attemptStart,
  buildHandlingRecord,
  flushChecks,
  readHandling,
  recordCheck,
  type HandlingRecord,
} from '../ledger/handling.js';
import { localParts } from '../customers/codes.js';

export interface DecisionResult {
  request: ApprovalRequest;
  /** The recycle-bin entry holding the snapshot, when approved. */
  recycleEntryId: number | null;
  /** Until when 恢复客户 can bring it back. */
  restorableUntil: Date | null;
}

const hmFormats = new Map<string, Intl.DateTimeFormat>();

/** One cached formatter per zone: constructing Intl formats costs far more than using them. */
function hourMinute(timeZone: string): Intl.DateTimeFormat {
  let f = hmFormats.get(timeZone);
  if (!f)
    hmFormats.set(
      timeZone,
      (f = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hour12: false })),
    );
  return f;
}

/** Formats a time for people in the configured zone: 2026-11-25 10:32. */
export function localTime(core: Core, d: Date): string {
  const p = localParts(d, core.config.STEWARD_TIMEZONE);
  const hm = hourMinute(core.config.STEWARD_TIMEZONE).format(d);
  return `${p.year}-${p.month}-${p.day} ${hm}`;
}

async function loadOpen(core: Core, actor: Actor, requestId: number): Promise<ApprovalRequest> {
  const request = await core.models.ApprovalRequest.findByPk(requestId);
  if (!request)
    throw new DomainError('APPROVAL_NOT_FOUND', `找不到审批单 #${requestId}。请用「待审批」查看待办。`, { requestId });
  if (request.status !== 'pending') throw decidedError(core, request);
  if (request.requesterId === actor.operator.id)
    throw new DomainError(
      'SELF_APPROVAL',
      `审批单 #${request.id} 是你自己提交的, 不能自己审批 (四眼原则)。请由另一位审批人处理。`,
      { requestId },
    );
  if (request.expiresAt <= core.now()) {
    await expireOne(core, actor, request);
    throw new DomainError(
      'APPROVAL_EXPIRED',
      `审批单 #${request.id} 已于 ${localTime(core, request.expiresAt)} 过期。如仍需删除, 请重新提交申请。`,
      { requestId },
    );
  }
  return request;
}

function decidedError(core: Core, r: ApprovalRequest): DomainError {
  const labels: Record<ApprovalStatus, string> = {
    approved: '已同意',
    rejected: '已拒绝',
    expired: '已过期',
    pending: '待审批',
  };
  const label = labels[r.status as ApprovalStatus];
  const when = r.decidedAt ? ` (${localTime(core, r.decidedAt)})` : '';
  return new DomainError('ALREADY_DECIDED', `该申请已处理: 审批单 #${r.id} ${label}${when}。`, {
    requestId: r.id,
    status: r.status,
  });
}

/**
 * Approves a deletion: in one transaction it claims the request (only one approver can),
 * re-checks the blockers, snapshots the customer into the recycle bin and tombstones it.
 */
export async function approve(core: Core, actor: Actor, requestId: number): Promise<DecisionResult> {
  assertCan(actor.operator, 'approve');
  await loadOpen(core, actor, requestId);
  await flushChecks(core);
  const slot: RefusalSlot = { refusal: null };
  try {
    return await withTransaction(core.models.sequelize, async (t) => {
      const now = core.now();
      const request = await claimApproval(core, actor, requestId, now, t);
      const customer = (await core.models.Customer.findByPk(request.customerId, {
        transaction: t,
        lock: t.LOCK.UPDATE,
      }))!;
      await refuseIfBlocked(core, customer, t, slot);
      await recordCheck(
        core,
        actor,
        {
          customerId: customer.id,
          customerCode: customer.code,
          stage: 'approval',
          blockers: [],
          requestId: request.id,
        },
        t,
      );
      const handling = await refreshHandling(core, request, t);
      const { entry, retainUntil } = await moveToRecycleBin(core, customer, request, handling, now, t);
      await appendAudit(core, t, actor, {
        action: 'customer.delete',
        customerId: customer.id,
        customerCode: customer.code,
        before: { status: entry.previousStatus },
        after: { status: 'deleted' },
        info: {
          requestId: request.id,
          recycleEntryId: entry.id,
          reason: request.reason,
          requesterId: request.requesterId,
        },
      });
      return { request, recycleEntryId: entry.id, restorableUntil: retainUntil };
    });
  } catch (err) {
    if (slot.refusal) await recordCheck(core, actor, { ...slot.refusal, stage: 'approval', requestId });
    throw err;
  }
}

/** The conditional UPDATE is the claim: a second approver at the same moment matches no row. */
async function claimApproval(
  core: Core,
  actor: Actor,
  requestId: number,
  now: Date,
  t: Transaction,
): Promise<ApprovalRequest> {
  const { ApprovalRequest } = core.models;
  const [claimed] = await ApprovalRequest.update(
    { status: 'approved', decidedBy: actor.operator.id, decidedAt: now },
    { where: { id: requestId, status: 'pending' }, transaction: t },
  );
  const request = (await ApprovalRequest.findByPk(requestId, { transaction: t }))!;
  if (claimed !== 1) throw decidedError(core, request);
  return request;
}

/** Snapshots the customer into a recycle-bin entry kept RECYCLE_RETENTION_DAYS, and tombstones it. */
async function moveToRecycleBin(
  core: Core,
  customer: Customer,
  request: ApprovalRequest,
  handling: HandlingRecord,
  now: Date,
  t: Transaction,
): Promise<{ entry: RecycleEntry; retainUntil: Date }> {
  const snapshot = await takeSnapshot(core, customer.id, t, { handling });
  const retainUntil = new Date(now.getTime() + core.config.RECYCLE_RETENTION_DAYS * 86400_000);
  const entry = await core.models.RecycleEntry.create(
    {
      customerId: customer.id,
      customerCode: customer.code,
      customerName: customer.name,
      previousStatus: customer.status,
      snapshot: JSON.stringify(snapshot),
      approvalId: request.id,
      deletedBy: request.requesterId,
      deletedAt: now,
      retainUntil,
      restoredAt: null,
      purgedAt: null,
    },
    { transaction: t },
  );
  await customer.update({ status: 'deleted', version: customer.version + 1 }, { transaction: t });
  await request.update({ recycleEntryId: entry.id }, { transaction: t });
  return { entry, retainUntil };
}

/** Rebuilds the request's 关联数据处理记录 at approval (from the same start) and stores it. */
async function refreshHandling(core: Core, request: ApprovalRequest, t: Transaction): Promise<HandlingRecord> {
  const stored = readHandling(request.handling);
  const since = stored
    ? stored.since
      ? new Date(stored.since)
      : null
    : await attemptStart(core, request.customerId, t, request.id);
  const handling = await buildHandlingRecord(core, request.customerId, since, {
    requesterNote: request.requesterNote,
    transaction: t,
  });
  const history = storedHistory(request);
  await request.update(
    { handling: JSON.stringify({ ...handling, ...(history ? { history } : {}) }) },
    { transaction: t },
  );
  return handling;
}

/** Rejects a deletion request with a note. */
export async function reject(core: Core, actor: Actor, requestId: number, note: string): Promise<DecisionResult> {
  assertCan(actor.operator, 'approve');
  await loadOpen(core, actor, requestId);
  return withTransaction(core.models.sequelize, async (t) => {
    const [claimed] = await core.models.ApprovalRequest.update(
      {
        status: 'rejected',
        decidedBy: actor.operator.id,
        decidedAt: core.now(),
        decisionNote: (note ?? '').trim().slice(0, 500) || null,
      },
      { where: { id: requestId, status: 'pending' }, transaction: t },
    );
    const request = (await core.models.ApprovalRequest.findByPk(requestId, { transaction: t }))!;
    if (claimed !== 1) throw decidedError(core, request);
    await appendAudit(core, t, actor, {
      action: 'deletion.reject',
      customerId: request.customerId,
      customerCode: request.customerCode,
      info: { requestId, note: request.decisionNote },
    });
    return { request, recycleEntryId: null, restorableUntil: null };
  });
}

/** Marks one overdue request expired, with its audit event; false if someone decided it first. `r` is reloaded. */
async function expireOne(core: Core, actor: Actor, r: ApprovalRequest): Promise<boolean> {
  return withTransaction(core.models.sequelize, async (t) => {
    const [n] = await core.models.ApprovalRequest.update(
      { status: 'expired', decidedAt: core.now() },
      { where: { id: r.id, status: 'pending' }, transaction: t },
    );
    if (n === 1)
      await appendAudit(core, t, actor, {
        action: 'deletion.expire',
        customerId: r.customerId,
        customerCode: r.customerCode,
        info: { requestId: r.id },
      });
    await r.reload({ transaction: t });
    return n === 1;
  });
}

/** Marks overdue pending requests expired; returns them (now `expired`) so the doors can update their cards. */
export async function expireApprovals(core: Core, actor: Actor): Promise<ApprovalRequest[]> {
  const overdue = await overdueApprovals(core);
  const expired: ApprovalRequest[] = [];
  for (const r of overdue) if (await expireOne(core, actor, r)) expired.push(r);
  return expired;
}

/** Pending requests past their deadline (what the approval-expiry job expires). */
export async function overdueApprovals(core: Core): Promise<ApprovalRequest[]> {
  return core.models.ApprovalRequest.findAll({
    where: { status: 'pending', expiresAt: { [Op.lte]: core.now() } },
    order: [['id', 'ASC']],
  });
}

/** Who decided and who asked for a request, as operators (each once); none for an unknown id. */
export async function approvalPeople(core: Core, approvalId: number | null): Promise<Operator[]> {
  const request = approvalId ? await core.models.ApprovalRequest.findByPk(approvalId) : null;
  const ids = [request?.decidedBy, request?.requesterId].filter((id): id is number => typeof id === 'number' && id > 0);
  return ids.length ? core.models.Operator.findAll({ where: { id: [...new Set(ids)] } }) : [];
}

/** Pending requests an approver can act on (not their own). */
export async function pendingFor(core: Core, actor: Actor): Promise<ApprovalRequest[]> {
  assertCan(actor.operator, 'approve');
  return core.models.ApprovalRequest.findAll({
    where: {
      status: 'pending',
      expiresAt: { [Op.gt]: core.now() },
      ...(actor.operator.id ? { requesterId: { [Op.ne]: actor.operator.id } } : {}),
    },
    order: [['id', 'ASC']],
    limit: 50,
  });
}
