import type { ActionContext, ActionRequest } from 'adminjs';
import type { Transaction } from 'sequelize';
import type { ApprovalRequest } from '../../models/index.js';
import type { ApprovalNotifier } from '../../core/notify-port.js';
import type { Core } from '../../core/context.js';
import { DEACTIVATION_REASONS } from '../../core/customers/schema.js';
import { reactivate, deactivate } from '../../core/customers/status.js';
import { revealCustomer } from '../../core/customers/reveal.js';
import { precheck } from '../../core/deletion/precheck.js';
import { historyText } from '../../core/deletion/history.js';
import { localTime } from '../../core/deletion/approvals.js';
import { requestDeletion } from '../../core/deletion/request.js';
import { freshRecord, text, throughCore } from '../features/core-errors.js';
import { permit, statusIs } from '../features/permissions.js';
import { permitOwned } from '../features/ownership.js';
import { COMPONENTS } from '../components.js';

const codeOf = (context: ActionContext) => String(context.record!.param('code'));
const current = (context: ActionContext) => ({ record: context.record!.toJSON(context.currentAdmin) });
const isPost = (request: ActionRequest) => request.method === 'post';

/** 停用: a reason, an optional memo and an optional date to switch the customer back on. */
function deactivateAction(core: Core) {
  return {
    actionType: 'record' as const,
    icon: 'PauseCircle',
    component: COMPONENTS.DeactivateAction,
    custom: { reasons: [...DEACTIVATION_REASONS] },
    ...permitOwned(core, 'deactivate', 'deactivate', statusIs('active')),
    handler: throughCore(async (request, context, actor) => {
      if (!isPost(request)) return current(context);
      const p = request.payload;
      const view = await deactivate(core, actor, codeOf(context), {
        reason: text(p, 'reason') ?? '',
        memo: text(p, 'memo'),
        until: text(p, 'until'),
      });
      const until = view.reactivateOn ? `, ${view.reactivateOn} 自动启用` : '';
      return {
        record: await freshRecord(context),
        notice: {
          message: `客户 ${view.code} ${view.name} 已停用 (原因: ${view.deactivationReason}${until})`,
          type: 'success',
        },
      };
    }),
  };
}

/** 申请删除: GET shows the precheck (what blocks deletion), POST files the request for another approver. */
function requestDeletionAction(core: Core, notifier?: ApprovalNotifier) {
  return {
    actionType: 'record' as const,
    icon: 'Trash2',
    variant: 'danger' as const,
    component: COMPONENTS.DeletionRequestAction,
    ...permitOwned(core, 'requestDeletion', 'requestDeletion', statusIs('active', 'inactive')),
    handler: throughCore(async (request, context, actor) => {
      if (!isPost(request)) {
        const check = await precheck(core, actor, codeOf(context));
        return { ...current(context), precheck: { ...check, historyText: historyText(check.history, check.code) } };
      }
      // Approvers are told in the request's own transaction: no request without its notice.
      const notify = notifier
        ? (t: Transaction, r: ApprovalRequest, c: { name: string }) =>
            notifier.approvalRequested(r, actor.operator, c.name, { transaction: t })
        : undefined;
      const r = await requestDeletion(core, actor, codeOf(context), text(request.payload, 'reason') ?? '', {
        note: text(request.payload, 'note'),
        notify,
      });
      return {
        record: await freshRecord(context),
        approvalId: r.id,
        notice: {
          message: `已提交删除申请 #${r.id}, 等待另一位审批人处理 (${localTime(core, r.expiresAt)} 前有效)`,
          type: 'success',
        },
      };
    }),
  };
}

/**
 * The customer lifecycle in the back office: 停用, 启用, 申请删除 (precheck first) and
 * 查看手机号. Each is a record action whose handler calls the same core function as the bot;
 * only POST changes anything (GET shows the form), so a link cannot trigger a change.
 */
export function customerLifecycleActions(core: Core, notifier?: ApprovalNotifier) {
  return {
    deactivate: deactivateAction(core),
    reactivate: {
      actionType: 'record' as const,
      icon: 'PlayCircle',
      component: COMPONENTS.ConfirmAction,
      custom: { message: '启用后该客户可以重新下单和预留库存。确定启用吗?', button: '确认启用' },
      ...permit('reactivate', statusIs('inactive')),
      handler: throughCore(async (request, context, actor) => {
        if (!isPost(request)) return current(context);
        const view = await reactivate(core, actor, codeOf(context));
        return {
          record: await freshRecord(context),
          notice: { message: `客户 ${view.code} ${view.name} 已启用`, type: 'success' },
        };
      }),
    },
    requestDeletion: requestDeletionAction(core, notifier),
    reveal: {
      actionType: 'record' as const,
      icon: 'Eye',
      component: COMPONENTS.RevealAction,
      ...permit('revealPersonal', statusIs('active', 'inactive')),
      handler: throughCore(async (request, context, actor) => {
        if (!isPost(request)) return current(context);
        const revealed = await revealCustomer(core, actor, codeOf(context), text(request.payload, 'why') ?? '');
        return {
          ...current(context),
          revealed,
          notice: { message: '已显示完整手机号和地址; 本次查看已记入审计日志。', type: 'info' },
        };
      }),
    },
  };
}
