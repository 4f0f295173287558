import type { ActionContext } from 'adminjs';
import type { Core } from '../../core/context.js';
import type { ApprovalNotifier } from '../../core/notify-port.js';
import { approveMerge } from '../../core/customers/merge/act.js';
import { movedText } from '../../core/customers/merge/format.js';
import { rejectMerge } from '../../core/customers/merge/request.js';
import { localTime } from '../../core/deletion/approvals.js';
import { operatorOf } from '../auth/session.js';
import { COMPONENTS } from '../components.js';
import { freshRecord, text, throughCore } from '../features/core-errors.js';
import { permit } from '../features/permissions.js';

const record = { actionType: 'record' as const, component: COMPONENTS.ConfirmAction };

/**
 * Shown on a pending request to an approver who did not file it; core still enforces the
 * four-eyes rule and expiry for a request that arrives anyway.
 */
function decidable(context: ActionContext): boolean {
  const r = context.record;
  if (!permit('approve').isAccessible(context)) return false;
  return (
    !r || (r.param('status') === 'pending' && Number(r.param('requesterId')) !== operatorOf(context.currentAdmin).id)
  );
}

/** 批准合并 / 驳回 on a merge request, through the same core functions as chat's 批准合并 / 驳回合并. */
export function mergeApprovalActions(core: Core, notifier?: ApprovalNotifier) {
  const tell = notifier?.toOperator?.bind(notifier);
  return {
    approve: {
      ...record,
      icon: 'CheckCircle',
      custom: {
        message:
          '批准后立即合并: 并入客户的订单、应收、预留等全部转到保留客户, 并入的编码成为旧编码 (别名)。保留期内可「撤销合并」。确定批准吗?',
        button: '批准合并',
        danger: true,
      },
      isAccessible: permit('approve').isAccessible,
      isVisible: decidable,
      handler: throughCore(async (request, context, actor) => {
        if (request.method !== 'post') return { record: context.record!.toJSON(context.currentAdmin) };
        const r = await approveMerge(core, actor, Number(context.record!.id()));
        const codes = r.absorbed.map((a) => a.code).join('、');
        const done = `合并单 #${r.merge.id} 已执行: ${codes} 已并入 ${r.keep.code} ${r.keep.name}; 转移了 ${movedText(r.moved)}。${localTime(core, r.undoableUntil).slice(0, 10)} 前可撤销合并。`;
        if (r.merge.requesterId && tell)
          await tell(
            { id: r.merge.requesterId },
            { text: `你申请的${done} (批准人: ${actor.operator.displayName})` },
            `merge:${r.merge.id}`,
          );
        return { record: await freshRecord(context), notice: { message: done, type: 'success' } };
      }),
    },
    reject: {
      ...record,
      icon: 'XCircle',
      custom: {
        message: '驳回后申请关闭, 客户保持原状。',
        button: '驳回合并',
        note: { label: '驳回理由', required: false },
      },
      isAccessible: permit('approve').isAccessible,
      isVisible: decidable,
      handler: throughCore(async (request, context, actor) => {
        if (request.method !== 'post') return { record: context.record!.toJSON(context.currentAdmin) };
        const m = await rejectMerge(core, actor, Number(context.record!.id()), text(request.payload, 'note') ?? '');
        if (m.requesterId && tell)
          await tell(
            { id: m.requesterId },
            {
              text: `你申请的合并单 #${m.id} 被 ${actor.operator.displayName} 驳回${m.decisionNote ? `, 理由: ${m.decisionNote}` : ''}。客户保持原状。`,
            },
            `merge:${m.id}`,
          );
        return {
          record: await freshRecord(context),
          notice: { message: `已驳回合并单 #${m.id}, 客户保持原状。`, type: 'success' },
        };
      }),
    },
  };
}
