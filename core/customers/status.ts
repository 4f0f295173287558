import { Op, type Transaction } from 'sequelize';
import type { Customer } from '../../models/index.js';
import { withTransaction } from '../../models/tx.js';
import { appendAudit } from '../audit.js';
import type { Actor, Core } from '../context.js';
import { DomainError, isDomainError, validationError } from '../errors.js';
import { assertCan } from '../permissions.js';
import { DEACTIVATION_REASONS, type DeactivationReason } from './schema.js';
import { findByCode, toView, type CustomerView } from './view.js';
import { localParts } from './codes.js';
import { assertOwnerMay } from './ownership.js';
import { isDeleted, mayTransition } from './lifecycle.js';
import { localToday } from '../reports/periods.js';

export interface DeactivateInput {
  reason: string;
  memo?: string | null;
  /** YYYY-MM-DD: the reactivate-due job brings the customer back on this date. */
  until?: string | null;
}

// The open-for-business rule lives in the lifecycle table; re-exported for the callers that import it from here.
export { assertOpenForBusiness } from './lifecycle.js';

/** Why the 停用至 date is not acceptable (not a date, or not after today), or null. */
function untilProblem(until: string | null, today: string): string | null {
  if (!until) return null;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(until) || Number.isNaN(Date.parse(until))) return '停用至日期格式应为 YYYY-MM-DD';
  if (until <= today) return '停用至日期必须晚于今天';
  return null;
}

/** Validates a deactivation reason and memo; the memo is required for 其他. */
export function checkDeactivation(
  input: DeactivateInput,
  today: string,
): { reason: DeactivationReason; memo: string | null; until: string | null } {
  const reason = (input.reason ?? '').trim();
  const memo = input.memo?.trim() || null;
  const until = input.until?.trim() || null;
  const errors = [];
  if (!(DEACTIVATION_REASONS as readonly string[]).includes(reason))
    errors.push({ field: 'reason', message: `停用原因只能是: ${DEACTIVATION_REASONS.join(' / ')}` });
  if (reason === '其他' && !memo) errors.push({ field: 'memo', message: '原因为「其他」时必须填写备注' });
  if (memo && memo.length > 500) errors.push({ field: 'memo', message: '备注最多 500 个字' });
  const untilMessage = untilProblem(until, today);
  if (untilMessage) errors.push({ field: 'until', message: untilMessage });
  if (errors.length) throw validationError(errors);
  return { reason: reason as DeactivationReason, memo, until };
}

/** 停用: the customer is refused in new orders from now on. */
export async function deactivate(
  core: Core,
  actor: Actor,
  rawCode: string,
  input: DeactivateInput,
  opts: { transaction?: Transaction } = {},
): Promise<CustomerView> {
  assertCan(actor.operator, 'deactivate');
  const p = localParts(core.now(), core.config.STEWARD_TIMEZONE);
  const { reason, memo, until } = checkDeactivation(input, `${p.year}-${p.month}-${p.day}`);
  return withTransaction(
    core.models.sequelize,
    async (t) => {
      const row = await findByCode(core, rawCode, t, true);
      assertOwnerMay(core, actor, row, 'deactivate');
      if (!mayTransition(row.status, 'deactivate')) {
        if (isDeleted(row.status))
          throw new DomainError('CUSTOMER_DELETED', `客户 ${row.code} 已删除, 无需停用。`, { code: row.code });
        throw new DomainError('CONFLICT', `客户 ${row.code} 已经是停用状态 (${row.deactivationReason ?? ''})。`, {
          code: row.code,
        });
      }
      await row.update(
        {
          status: 'inactive',
          deactivationReason: reason,
          deactivationMemo: memo,
          reactivateOn: until,
          deactivatedAt: core.now(),
          version: row.version + 1,
        },
        { transaction: t },
      );
      await appendAudit(core, t, actor, {
        action: 'customer.deactivate',
        customerId: row.id,
        customerCode: row.code,
        before: { status: 'active' },
        after: { status: 'inactive', deactivationReason: reason, deactivationMemo: memo, reactivateOn: until },
      });
      return toView(core, row);
    },
    opts.transaction,
  );
}

/** Customers whose 停用至 date (local date in STEWARD_TIMEZONE) has come, oldest first: what the reactivate-due job brings back. */
export async function dueForReactivation(core: Core, limit = 5000): Promise<Customer[]> {
  return core.models.Customer.findAll({
    where: { status: 'inactive', reactivateOn: { [Op.lte]: localToday(core) } },
    order: [['id', 'ASC']],
    limit,
  });
}

/** What a bulk 停用 did: the codes deactivated, and those refused with core's reason. */
export interface BulkDeactivation {
  done: string[];
  skipped: { code: string; reason: string }[];
}

/**
 * 全部停用: deactivates exactly the listed customers, with one reason, in one transaction. A customer
 * that changed since it was listed (already 停用, deleted, another owner's) is skipped with the
 * reason core gives; the rest are deactivated and audited together, or none if the database fails.
 */
export async function deactivateMany(
  core: Core,
  actor: Actor,
  codes: readonly string[],
  input: DeactivateInput,
): Promise<BulkDeactivation> {
  assertCan(actor.operator, 'deactivate');
  const p = localParts(core.now(), core.config.STEWARD_TIMEZONE);
  checkDeactivation(input, `${p.year}-${p.month}-${p.day}`);
  return withTransaction(core.models.sequelize, async (t) => {
    const out: BulkDeactivation = { done: [], skipped: [] };
    for (const code of codes) {
      try {
        // deactivate() refuses before it writes, so a refusal leaves the transaction usable.
        await deactivate(core, actor, code, input, { transaction: t });
        out.done.push(code);
      } catch (err) {
        if (!isDomainError(err)) throw err;
        out.skipped.push({ code, reason: err.message });
      }
    }
    return out;
  });
}

/** 启用: back to active; the deactivation fields are cleared (the audit trail keeps them). */
export async function reactivate(
  core: Core,
  actor: Actor,
  rawCode: string,
  opts: { transaction?: Transaction; note?: string } = {},
): Promise<CustomerView> {
  assertCan(actor.operator, 'reactivate');
  return withTransaction(
    core.models.sequelize,
    async (t) => {
      const row = await findByCode(core, rawCode, t, true);
      if (!mayTransition(row.status, 'reactivate')) {
        if (isDeleted(row.status))
          throw new DomainError(
            'CUSTOMER_DELETED',
            `客户 ${row.code} 已删除; 请用「恢复客户 ${row.code}」从回收站恢复。`,
            { code: row.code },
          );
        throw new DomainError('CONFLICT', `客户 ${row.code} 已经是启用状态。`, { code: row.code });
      }
      const before = {
        status: row.status,
        deactivationReason: row.deactivationReason,
        deactivationMemo: row.deactivationMemo,
        reactivateOn: row.reactivateOn,
      };
      await row.update(
        {
          status: 'active',
          deactivationReason: null,
          deactivationMemo: null,
          reactivateOn: null,
          deactivatedAt: null,
          version: row.version + 1,
        },
        { transaction: t },
      );
      await appendAudit(core, t, actor, {
        action: 'customer.reactivate',
        customerId: row.id,
        customerCode: row.code,
        before,
        after: { status: 'active' },
        ...(opts.note ? { info: { note: opts.note } } : {}),
      });
      return toView(core, row);
    },
    opts.transaction,
  );
}
