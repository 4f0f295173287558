import { withTransaction } from '../../models/tx.js';
import { appendAudit } from '../audit.js';
import type { Actor, Core } from '../context.js';
import { localTime } from '../deletion/approvals.js';
import { DomainError } from '../errors.js';
import { assertCan } from '../permissions.js';
import { findByCode } from '../customers/view.js';
import { assertOwnerMay } from '../customers/ownership.js';
import { isDeleted, mayTransition } from '../customers/lifecycle.js';

export interface KeepResult {
  code: string;
  name: string;
  /** Left out of reviews until then. */
  until: Date;
}

/**
 * 保留: the owner looked at an inactive customer and wants to keep it active. Recorded and
 * audited ('customer.keep'); the review leaves it out for REVIEW_KEEP_DAYS. The same people
 * who may 停用 may decide this, and a salesperson only for their own customers.
 */
export async function keepCustomer(
  core: Core,
  actor: Actor,
  rawCode: string,
  note?: string | null,
): Promise<KeepResult> {
  assertCan(actor.operator, 'deactivate');
  const memo = note?.trim() || null;
  if (memo && memo.length > 500)
    throw new DomainError('VALIDATION', '保留备注最多 500 个字。', {
      errors: [{ field: 'note', message: '最多 500 个字' }],
    });
  const keepDays = core.config.REVIEW_KEEP_DAYS;
  return withTransaction(core.models.sequelize, async (t) => {
    const c = await findByCode(core, rawCode, t, true);
    assertOwnerMay(core, actor, c, 'handle');
    if (!mayTransition(c.status, 'keep')) {
      if (isDeleted(c.status))
        throw new DomainError('CUSTOMER_DELETED', `客户 ${c.code} 已删除, 无需保留。`, { code: c.code });
      throw new DomainError('CONFLICT', `客户 ${c.code} 已经停用, 无需保留; 如要恢复合作请「启用客户 ${c.code}」。`, {
        code: c.code,
      });
    }
    const now = core.now();
    const until = new Date(now.getTime() + keepDays * 86400_000);
    await core.models.CustomerKeep.create(
      {
        customerId: c.id,
        customerCode: c.code,
        ownerId: c.ownerId,
        operatorId: actor.operator.id,
        operatorName: actor.operator.displayName,
        keptAt: now,
        note: memo,
      },
      { transaction: t },
    );
    await appendAudit(core, t, actor, {
      action: 'customer.keep',
      customerId: c.id,
      customerCode: c.code,
      info: { keepDays, until: localTime(core, until).slice(0, 10), ...(memo ? { note: memo } : {}) },
    });
    return { code: c.code, name: c.name, until };
  });
}
