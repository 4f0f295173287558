import { UniqueConstraintError } from 'sequelize';
import type { DuplicateDismissal } from '../../../models/index.js';
import { withTransaction } from '../../../models/tx.js';
import { appendAudit } from '../../audit.js';
import type { Actor, Core } from '../../context.js';
import { localTime } from '../../deletion/approvals.js';
import { DomainError } from '../../errors.js';
import { assertCan } from '../../permissions.js';
import { findByCode } from '../view.js';
import { pairKey } from './scan.js';
import { isDeleted } from '../lifecycle.js';

/** The reason stored when none is given. */
export const DEFAULT_DISMISS_REASON = '不是同一客户';

function already(core: Core, d: DuplicateDismissal): DomainError {
  return new DomainError(
    'CONFLICT',
    `${d.codeA} 与 ${d.codeB} 已于 ${localTime(core, d.dismissedAt)} 被 ${d.dismissedByName} 标为不是重复 (原因: ${d.reason}), 不会再提示。`,
    { pairKey: d.pairKey },
  );
}

/**
 * 忽略: two customers are not the same, so the pair is no longer offered as 疑似重复 (by the scan,
 * the digest, chat or the back office). Who may merge may dismiss; one audit event per dismissal.
 */
export async function dismissDuplicate(
  core: Core,
  actor: Actor,
  codeX: string,
  codeY: string,
  reasonIn?: string | null,
): Promise<DuplicateDismissal> {
  assertCan(actor.operator, 'merge');
  const reason = (reasonIn ?? '').trim().slice(0, 500) || DEFAULT_DISMISS_REASON;
  try {
    return await withTransaction(core.models.sequelize, async (t) => {
      const [x, y] = [await findByCode(core, codeX, t), await findByCode(core, codeY, t)];
      if (x.id === y.id)
        throw new DomainError('VALIDATION', `两个编码是同一个客户 ${x.code}, 请写两个不同的客户编码。`, {
          errors: [{ field: 'codes', message: '两个编码相同' }],
        });
      for (const c of [x, y]) {
        if (isDeleted(c.status))
          throw new DomainError(
            'CUSTOMER_DELETED',
            `客户 ${c.code} 已删除 (在回收站), 不会再出现在疑似重复里, 无需忽略。`,
            { code: c.code },
          );
      }
      const [a, b] = x.id < y.id ? [x, y] : [y, x];
      const key = pairKey(a.id, b.id);
      const existing = await core.models.DuplicateDismissal.findOne({ where: { pairKey: key }, transaction: t });
      if (existing) throw already(core, existing);
      const row = await core.models.DuplicateDismissal.create(
        {
          pairKey: key,
          customerAId: a.id,
          customerBId: b.id,
          codeA: a.code,
          codeB: b.code,
          reason,
          dismissedBy: actor.operator.id,
          dismissedByName: actor.operator.displayName.slice(0, 100),
          dismissedAt: core.now(),
        },
        { transaction: t },
      );
      await appendAudit(core, t, actor, {
        action: 'duplicate.dismiss',
        customerId: a.id,
        customerCode: a.code,
        info: { other: b.code, otherId: b.id, reason },
      });
      return row;
    });
  } catch (err) {
    // Two people dismissing the same pair at once: the second one is told who was first.
    if (!(err instanceof UniqueConstraintError)) throw err;
    const [x, y] = [await findByCode(core, codeX), await findByCode(core, codeY)];
    const existing = await core.models.DuplicateDismissal.findOne({ where: { pairKey: pairKey(x.id, y.id) } });
    if (existing) throw already(core, existing);
    throw err;
  }
}

/** The dismissal of a pair, or null. */
export async function dismissalOf(core: Core, x: number, y: number): Promise<DuplicateDismissal | null> {
  return core.models.DuplicateDismissal.findOne({ where: { pairKey: pairKey(x, y) } });
}
