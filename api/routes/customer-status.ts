import { localTime } from '../../core/deletion/approvals.js';
import { requestDeletion } from '../../core/deletion/request.js';
import { deactivate, reactivate, type DeactivateInput } from '../../core/customers/status.js';
import { checkTransactable } from '../../core/api/transactable.js';
import { ERROR_SCHEMA } from '../errors.js';
import type { ApiRoute } from '../types.js';
import { customerAnswer } from './customers.js';
import {
  CODE_PARAMS,
  CUSTOMER,
  DEACTIVATE_BODY,
  DELETION_ACCEPTED,
  DELETION_BODY,
  REACTIVATE_BODY,
  TRANSACTABLE_OK,
  TRANSACTABLE_REFUSED,
} from './schemas.js';

const notFound = { description: '没有这个客户编码 (CUSTOMER_NOT_FOUND)', schema: ERROR_SCHEMA };

export const customerStatusRoutes: ApiRoute[] = [
  {
    operationId: 'checkTransactable',
    method: 'GET',
    path: '/customers/{code}/transactable',
    scope: 'customers:read',
    tag: '开单检查',
    summary: '开单前检查: 这个客户现在能不能下新订单',
    description:
      'ERP 保存订单前调用。200 { ok: true } 可以开单; 409 { ok: false, status, reason, since, until, message } 不能开单, message 可直接展示给开单员。',
    params: CODE_PARAMS,
    quiet: true,
    responses: {
      200: { description: '可以开单', schema: TRANSACTABLE_OK },
      409: { description: '客户已停用或已删除, 不能开新单', schema: TRANSACTABLE_REFUSED },
      404: notFound,
    },
    async handler(req, deps) {
      const { mergedInto, ...r } = await checkTransactable(deps.core, req.params.code!);
      // An old code of a merged customer is answered for the survivor; the headers say so.
      const headers: Record<string, string> = mergedInto
        ? { 'X-Merged-From': encodeURIComponent(req.params.code!), 'X-Merged-Into': encodeURIComponent(mergedInto) }
        : {};
      return { status: r.ok ? 200 : 409, body: r, headers };
    },
  },
  {
    operationId: 'deactivateCustomer',
    method: 'POST',
    path: '/customers/{code}/deactivate',
    scope: 'customers:write',
    tag: '客户',
    summary: '停用客户 (原因必填, 可选备注和停用至日期)',
    description: '停用后客户不能再开新订单和预留 (transactable 返回 409); 收尾业务 (取消、完成、收款、释放) 仍可进行。',
    params: CODE_PARAMS,
    body: DEACTIVATE_BODY,
    responses: {
      200: { description: '已停用的客户', schema: CUSTOMER },
      404: notFound,
      409: {
        description: '已经是停用状态或已删除 (CONFLICT / CUSTOMER_DELETED), 或同键请求处理中',
        schema: ERROR_SCHEMA,
      },
    },
    async handler(req, deps) {
      const view = await deactivate(deps.core, req.caller.actor, req.params.code!, req.body as DeactivateInput);
      return customerAnswer(deps, req, view.code);
    },
  },
  {
    operationId: 'reactivateCustomer',
    method: 'POST',
    path: '/customers/{code}/reactivate',
    scope: 'customers:write',
    tag: '客户',
    summary: '启用客户',
    params: CODE_PARAMS,
    body: REACTIVATE_BODY,
    responses: {
      200: { description: '已启用的客户', schema: CUSTOMER },
      404: notFound,
      409: {
        description: '已经是启用状态或已删除 (CONFLICT / CUSTOMER_DELETED), 或同键请求处理中',
        schema: ERROR_SCHEMA,
      },
    },
    async handler(req, deps) {
      const { note } = (req.body ?? {}) as { note?: string | null };
      const view = await reactivate(deps.core, req.caller.actor, req.params.code!, note ? { note } : {});
      return customerAnswer(deps, req, view.code);
    },
  },
  {
    operationId: 'requestCustomerDeletion',
    method: 'POST',
    path: '/customers/{code}/deletion-request',
    scope: 'customers:write',
    tag: '客户',
    summary: '申请删除客户 (进入审批流程, 不会直接删除)',
    description:
      '调用本身即确认。先检查未完成订单、未收款和库存预留; 通过后生成待审批的删除申请, 并像聊天里一样通知审批人。审批人同意后客户才进入回收站。',
    params: CODE_PARAMS,
    body: DELETION_BODY,
    responses: {
      202: { description: '已提交删除申请, 等待审批', schema: DELETION_ACCEPTED },
      404: notFound,
      409: {
        description:
          '还有未了结的业务 (DELETE_BLOCKED, details.blockers), 已有待审批申请 (CONFLICT), 已删除 (CUSTOMER_DELETED), 或同键请求处理中',
        schema: ERROR_SCHEMA,
      },
    },
    async handler(req, deps) {
      const { reason, note } = req.body as { reason: string; note?: string | null };
      const { core } = deps;
      // The approvers' notifications are queued in the request's transaction: both commit, or neither.
      const request = await requestDeletion(core, req.caller.actor, req.params.code!, reason, {
        note,
        notify: (transaction, r, customer) =>
          deps.notifier.approvalRequested(r, req.caller.actor.operator, customer.name, { transaction }),
      });
      return {
        status: 202,
        body: {
          request: {
            id: request.id,
            status: 'pending',
            customerCode: request.customerCode,
            reason: request.reason,
            expiresAt: request.expiresAt.toISOString(),
          },
          message: `已提交删除申请 #${request.id} (客户 ${request.customerCode}), 已通知审批人; ${localTime(core, request.expiresAt)} 前有效。审批人同意后客户才会进入回收站。`,
        },
      };
    },
  },
];
