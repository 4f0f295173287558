import { Op, type Transaction } from 'sequelize';
import type { ApprovalRequest, Customer } from '../../models/index.js';
import { withTransaction } from '../../models/tx.js';
import { appendAudit } from '../audit.js';
import type { Actor, Core } from '../context.js';
import { DomainError } from '../errors.js';
import { assertCan } from '../permissions.js';
import { findByCode } from '../customers/view.js';
import { deletedError } from '../customers/deleted.js';
import { assertOwnerMay } from '../customers/ownership.js';
import { mayTransition } from '../customers/lifecycle.js';
import { attemptStart, buildHandlingRecord, flushChecks, recordCheck } from '../ledger/handling.js';
import { refuseIfBlocked, type RefusalSlot } from './blocked.js';
import { cooperationHistory } from './history.js';

/** Options of requestDeletion. */
export interface RequestDeletionOptions {
  note?: string | null;
  /** Queues the approvers' notifications inside the request's transaction (an outbox write). */
  notify?: (t: Transaction, request: ApprovalRequest, customer: { name: string }) => Promise<unknown>;
}

function requiredReason(reason: string): string {
  const why = (reason ?? '').trim();
  if (!why)
    throw new DomainError('VALIDATION', '请写明删除原因, 例如「删除客户 C20260001 重复录入」。', {
      errors: [{ field: 'reason', message: '删除原因必填' }],
    });
  return why;
}

/** One open request per customer: a second one waits for the first to be decided. */
async function assertNoPendingRequest(core: Core, customer: Customer, t: Transaction): Promise<void> {
  const pending = await core.models.ApprovalRequest.findOne({
    where: { customerId: customer.id, status: 'pending', expiresAt: { [Op.gt]: core.now() } },
    transaction: t,
  });
  if (pending)
    throw new DomainError('CONFLICT', `客户 ${customer.code} 已有待审批的删除申请 #${pending.id}, 请等待审批人处理。`, {
      requestId: pending.id,
    });
}

async function createPendingRequest(
  core: Core,
  actor: Actor,
  customer: Customer,
  why: string,
  note: string | null,
  t: Transaction,
): Promise<ApprovalRequest> {
  return core.models.ApprovalRequest.create(
    {
      action: 'delete',
      customerId: customer.id,
      customerCode: customer.code,
      reason: why.slice(0, 500),
      requesterId: actor.operator.id ?? 0,
      status: 'pending',
      expiresAt: new Date(core.now().getTime() + core.config.APPROVAL_TTL_HOURS * 3600_000),
      decidedBy: null,
      decidedAt: null,
      decisionNote: null,
      recycleEntryId: null,
      requesterNote: note,
    },
    { transaction: t },
  );
}

/** Records the passed check and stores the 关联数据处理记录 (with the cooperation history) on the request. */
async function attachHandling(
  core: Core,
  actor: Actor,
  customer: Customer,
  request: ApprovalRequest,
  from: { since: Date | null; note: string | null },
  t: Transaction,
): Promise<void> {
  await recordCheck(
    core,
    actor,
    { customerId: customer.id, customerCode: customer.code, stage: 'request', blockers: [], requestId: request.id },
    t,
  );
  const handling = await buildHandlingRecord(core, customer.id, from.since, {
    requesterNote: from.note,
    transaction: t,
  });
  // The cooperation history travels with the request: the approval card, page and back office show it.
  const history = await cooperationHistory(core, customer.id, t);
  await request.update({ handling: JSON.stringify({ ...handling, history }) }, { transaction: t });
}

/**
 * Asks for a customer's deletion. Refused with every blocker if business is still open;
 * otherwise a pending request that expires after APPROVAL_TTL_HOURS, carrying the
 * 关联数据处理记录 (checks, how blockers cleared, the requester's note). Every attempt is
 * recorded as a check, a refused one too.
 */
export async function requestDeletion(
  core: Core,
  actor: Actor,
  rawCode: string,
  reason: string,
  opts: RequestDeletionOptions = {},
): Promise<ApprovalRequest> {
  assertCan(actor.operator, 'requestDeletion');
  const why = requiredReason(reason);
  const note = (opts.note ?? '').trim().slice(0, 500) || null;
  await flushChecks(core);
  const slot: RefusalSlot = { refusal: null };
  try {
    return await withTransaction(core.models.sequelize, async (t) => {
      const customer = await findByCode(core, rawCode, t, true);
      if (!mayTransition(customer.status, 'delete')) throw deletedError(actor, customer.code, '无需再删除');
      assertOwnerMay(core, actor, customer, 'requestDeletion');
      await refuseIfBlocked(core, customer, t, slot);
      await assertNoPendingRequest(core, customer, t);
      const since = await attemptStart(core, customer.id, t);
      const request = await createPendingRequest(core, actor, customer, why, note, t);
      await attachHandling(core, actor, customer, request, { since, note }, t);
      await appendAudit(core, t, actor, {
        action: 'deletion.request',
        customerId: customer.id,
        customerCode: customer.code,
        info: { requestId: request.id, reason: request.reason, ...(note ? { requesterNote: note } : {}) },
      });
      // Queued in this transaction: a request no approver was told about cannot be committed.
      if (opts.notify) await opts.notify(t, request, { name: customer.name });
      return request;
    });
  } catch (err) {
    // The refused attempt is part of the record too; its transaction was rolled back.
    if (slot.refusal) await recordCheck(core, actor, { ...slot.refusal, stage: 'request' });
    throw err;
  }
}
