import type { ActionContext, ActionRequest } from 'adminjs';
import type { Transaction } from 'sequelize';
import type { Core } from '../../core/context.js';
import type { ApprovalNotifier } from '../../core/notify-port.js';
import { dismissDuplicate } from '../../core/customers/duplicates/dismiss.js';
import { planText } from '../../core/customers/merge/format.js';
import type { MergePlan } from '../../core/customers/merge/plan.js';
import { mergeApprovers, requestMerge } from '../../core/customers/merge/request.js';
import { localTime } from '../../core/deletion/approvals.js';
import { DomainError } from '../../core/errors.js';
import type { CustomerMerge } from '../../models/index.js';
import { COMPONENTS } from '../components.js';
import { freshRecord, text, throughCore } from '../features/core-errors.js';
import { permit } from '../features/permissions.js';

const codes = (context: ActionContext) =>
  [String(context.record!.param('codeA')), String(context.record!.param('codeB'))] as const;
const current = (context: ActionContext) => ({ record: context.record!.toJSON(context.currentAdmin) });
const isPost = (request: ActionRequest) => request.method === 'post';
const open = (record: { param(p: string): unknown }) => record.param('state') === '待处理';

/** Tells the merge's approvers in the request's own transaction, as from chat (none without a notifier). */
function approverNotice(core: Core, notifier?: ApprovalNotifier) {
  const toOperator = notifier?.toOperator?.bind(notifier);
  if (!toOperator) return undefined;
  return async (t: Transaction, m: CustomerMerge, plan: MergePlan) => {
    const body = `${planText(core, plan, m.reason)}\n申请人: ${m.requesterName}\n有效期至: ${localTime(core, m.expiresAt)}\n可回复「批准合并 ${m.id}」或「驳回合并 ${m.id} 理由」。`;
    for (const a of await mergeApprovers(core, m, t))
      await toOperator(a, { title: `合并客户审批 #${m.id}`, text: body }, `merge:${m.id}`, t);
  };
}

/**
 * 忽略 and 合并 on a 疑似重复 pair. Both call core (dismissDuplicate, requestMerge); only POST
 * changes anything. 合并 files a request that keeps the older customer: another approver's OK
 * runs it, exactly as from chat; field-by-field choices go through 合并客户 … 名称=….
 */
export function duplicateActions(core: Core, notifier?: ApprovalNotifier) {
  return {
    dismiss: {
      actionType: 'record' as const,
      icon: 'EyeOff',
      component: COMPONENTS.ConfirmAction,
      custom: {
        message: '确认这两个客户不是同一客户? 忽略后这对客户不再出现在疑似重复里 (聊天、后台和每周审查都不再提示)。',
        button: '忽略',
        note: { label: '原因', name: 'reason' },
      },
      ...permit('merge', open),
      handler: throughCore(async (request, context, actor) => {
        if (!isPost(request)) return current(context);
        const [a, b] = codes(context);
        const d = await dismissDuplicate(core, actor, a, b, text(request.payload, 'reason'));
        return {
          record: await freshRecord(context),
          notice: {
            message: `已忽略: ${d.codeA} 与 ${d.codeB} 不是同一客户 (原因: ${d.reason}), 不再提示。`,
            type: 'success' as const,
          },
        };
      }),
    },
    proposeMerge: {
      actionType: 'record' as const,
      icon: 'GitMerge',
      component: COMPONENTS.ConfirmAction,
      custom: {
        message:
          '提交合并申请: 保留较早建档的客户 (左边), 另一个并入它, 默认用保留客户的字段值。审批人批准后才执行, 执行后可在回收站保留期内撤销。要逐字段选择取值, 请用聊天命令「合并客户 … 名称=…」。',
        button: '提交合并申请',
        note: { label: '合并原因', required: true, name: 'reason' },
      },
      ...permit('merge', open),
      handler: throughCore(async (request, context, actor) => {
        if (!isPost(request)) return current(context);
        const [keep, absorb] = codes(context);
        const notify = approverNotice(core, notifier);
        const reason = text(request.payload, 'reason');
        // Said here, since the form's generic field labels would call core's `reason` 停用原因.
        if (!reason) throw new DomainError('VALIDATION', '请写明合并原因, 例如「重复录入」。', { field: 'reason' });
        const { merge } = await requestMerge(core, actor, { keep, absorb: [absorb], reason }, { notify });
        return {
          record: await freshRecord(context),
          notice: {
            message: `已提交合并申请 #${merge.id} (${absorb} 并入 ${keep}), 等待另一位审批人批准 (${localTime(core, merge.expiresAt)} 前有效)。`,
            type: 'success' as const,
          },
        };
      }),
    },
  };
}
