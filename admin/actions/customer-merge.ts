import type { ActionRequest } from 'adminjs';
import type { Transaction } from 'sequelize';
import type { Core } from '../../core/context.js';
import type { ApprovalNotifier } from '../../core/notify-port.js';
import { planText } from '../../core/customers/merge/format.js';
import { MERGE_FIELDS, type MergePlan } from '../../core/customers/merge/plan.js';
import { mergeApprovers, previewMerge, requestMerge } from '../../core/customers/merge/request.js';
import { localTime } from '../../core/deletion/approvals.js';
import { DomainError } from '../../core/errors.js';
import type { CustomerMerge } from '../../models/index.js';
import { COMPONENTS } from '../components.js';
import { freshRecord, text, throughCore } from '../features/core-errors.js';
import { permitOwned } from '../features/ownership.js';
import { statusIs } from '../features/permissions.js';

const isPost = (request: ActionRequest) => request.method === 'post';

/** The codes typed into 并入编码 (spaces, commas or 、 between them). */
const codesOf = (raw: string | null) => (raw ?? '').split(/[\s,，、]+/).filter(Boolean);

/** `pick.<field>` form values: which customer's value the survivor keeps, field by field. */
function picksOf(payload: Record<string, unknown> | undefined): Record<string, string> {
  return Object.fromEntries(
    MERGE_FIELDS.map((f) => [f, text(payload, `pick.${f}`)]).filter((e): e is [string, string] => e[1] !== null),
  );
}

/** The side-by-side comparison the component shows: every differing field with each customer's value. */
function comparison(core: Core, plan: MergePlan) {
  return {
    keep: plan.keep.code,
    customers: [plan.keep, ...plan.absorbed].map((c) => ({ code: c.code, name: c.name })),
    fields: plan.differences.map((d) => ({
      field: d.field,
      label: d.label,
      values: [{ code: plan.keep.code, value: d.keep }, ...d.others],
      result: d.result,
    })),
    text: planText(core, plan, null),
  };
}

/**
 * 合并 on a customer (the survivor): POST `stage=compare` with 并入编码 shows the customers side by
 * side; POST `stage=submit` files the request with the field-by-field choices (`pick.<field>`).
 * Both go through core (previewMerge, requestMerge); an approver's OK runs it, as from chat.
 */
export function customerMergeAction(core: Core, notifier?: ApprovalNotifier) {
  return {
    merge: {
      actionType: 'record' as const,
      icon: 'GitMerge',
      component: COMPONENTS.MergeCompareAction,
      ...permitOwned(core, 'merge', 'merge', statusIs('active', 'inactive')),
      handler: throughCore(async (request, context, actor) => {
        const record = context.record!.toJSON(context.currentAdmin);
        if (!isPost(request)) return { record };
        const keep = String(context.record!.param('code'));
        const absorb = codesOf(text(request.payload, 'absorb'));
        const picks = picksOf(request.payload);
        if (text(request.payload, 'stage') !== 'submit') {
          return {
            record,
            comparison: comparison(core, await previewMerge(core, actor, { keep, absorb, reason: '比较', picks })),
          };
        }
        const reason = text(request.payload, 'reason');
        // No field list: the form's generic labels would call `reason` 停用原因.
        if (!reason) throw new DomainError('VALIDATION', '请写明合并原因, 例如「重复录入」。', { field: 'reason' });
        const toOperator = notifier?.toOperator?.bind(notifier);
        // Approvers are told in the request's own transaction, as from chat.
        const notify = toOperator
          ? async (t: Transaction, m: CustomerMerge, plan: MergePlan) => {
              const body = `${planText(core, plan, m.reason)}\n申请人: ${m.requesterName}\n有效期至: ${localTime(core, m.expiresAt)}\n可回复「批准合并 ${m.id}」或「驳回合并 ${m.id} 理由」。`;
              for (const a of await mergeApprovers(core, m, t))
                await toOperator(a, { title: `合并客户审批 #${m.id}`, text: body }, `merge:${m.id}`, t);
            }
          : undefined;
        const { merge } = await requestMerge(core, actor, { keep, absorb, reason, picks }, { notify });
        return {
          record: await freshRecord(context),
          mergeId: merge.id,
          notice: {
            message: `已提交合并申请 #${merge.id} (${absorb.join('、')} 并入 ${keep}), 等待另一位审批人批准 (${localTime(core, merge.expiresAt)} 前有效)。`,
            type: 'success' as const,
          },
        };
      }),
    },
  };
}
