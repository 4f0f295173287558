import { planText } from '../../core/customers/merge/format.js';
import type { MergePlan } from '../../core/customers/merge/plan.js';
import { mergeApprovers, previewMerge, requestMerge } from '../../core/customers/merge/request.js';
import type { CustomerInput } from '../../core/customers/schema.js';
import { localTime } from '../../core/deletion/approvals.js';
import { ERROR_SCHEMA } from '../errors.js';
import type { ApiRoute, JsonSchema } from '../types.js';
import { CODE_PARAMS, NO_CONTROL } from './schemas.js';

const TEXT = '^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f]*$';
const code = { type: 'string', minLength: 1, maxLength: 64, pattern: NO_CONTROL };

export const MERGE_BODY: JsonSchema = {
  type: 'object',
  required: ['absorb', 'reason'],
  additionalProperties: false,
  properties: {
    absorb: {
      type: 'array',
      title: '并入编码',
      minItems: 1,
      maxItems: 10,
      items: code,
      description: '要并入 (合并后成为旧编码) 的客户编码',
      examples: [['C20260011']],
    },
    reason: { type: 'string', title: '合并原因', minLength: 1, maxLength: 500, pattern: TEXT },
    values: {
      type: 'object',
      title: '合并后取值',
      additionalProperties: false,
      description: '默认保留路径里客户的值; 在这里给出的字段改用给定的值',
      properties: {
        name: { type: 'string', minLength: 1, maxLength: 200 },
        contact: { type: ['string', 'null'], maxLength: 100 },
        phone: { type: ['string', 'null'], maxLength: 40 },
        address: { type: ['string', 'null'], maxLength: 300 },
        category: { type: ['string', 'null'], maxLength: 50 },
        ownerId: { type: ['integer', 'null'], minimum: 1 },
        note: { type: ['string', 'null'], maxLength: 1000 },
      },
    },
    dryRun: {
      type: 'boolean',
      title: '只比较不提交',
      description: 'true: 只返回字段差异、要转移的数据和合并后的合计, 不提交申请',
    },
  },
};

const PLAN: JsonSchema = {
  type: 'object',
  required: ['keep', 'absorb', 'differences', 'moves', 'totals', 'text'],
  additionalProperties: false,
  properties: {
    keep: { type: 'string' },
    absorb: { type: 'array', items: { type: 'string' } },
    differences: {
      type: 'array',
      items: {
        type: 'object',
        required: ['field', 'keep', 'others', 'result'],
        properties: {
          field: { type: 'string' },
          keep: { type: 'string' },
          others: { type: 'array' },
          result: { type: 'string' },
        },
      },
    },
    moves: {
      type: 'array',
      items: {
        type: 'object',
        required: ['code', 'counts'],
        properties: { code: { type: 'string' }, counts: { type: 'array' } },
      },
    },
    totals: {
      type: 'object',
      required: ['orders', 'orderAmount', 'openReceivables', 'outstanding', 'activeReservations'],
      properties: {
        orders: { type: 'integer' },
        orderAmount: { type: 'string' },
        openReceivables: { type: 'integer' },
        outstanding: { type: 'string' },
        activeReservations: { type: 'integer' },
      },
    },
    text: { type: 'string', description: '可直接展示的中文比较结果' },
  },
};

const ACCEPTED: JsonSchema = {
  type: 'object',
  required: ['merge', 'plan', 'message'],
  additionalProperties: false,
  properties: {
    merge: {
      type: 'object',
      required: ['id', 'status', 'keep', 'absorb', 'reason', 'expiresAt'],
      additionalProperties: false,
      properties: {
        id: { type: 'integer' },
        status: { const: 'pending' },
        keep: { type: 'string' },
        absorb: { type: 'array', items: { type: 'string' } },
        reason: { type: 'string' },
        expiresAt: { type: 'string', format: 'date-time' },
      },
    },
    plan: PLAN,
    message: { type: 'string' },
  },
};

function planBody(core: Parameters<typeof planText>[0], plan: MergePlan, reason: string) {
  return {
    keep: plan.keep.code,
    absorb: plan.absorbed.map((a) => a.code),
    differences: plan.differences.map((d) => ({ field: d.field, keep: d.keep, others: d.others, result: d.result })),
    moves: plan.moves.map((m) => ({
      code: m.code,
      counts: m.counts.map((c) => ({ table: c.table, label: c.label, rows: c.rows })),
    })),
    totals: {
      orders: plan.totals.orders,
      orderAmount: plan.totals.orderAmount,
      openReceivables: plan.totals.openReceivables,
      outstanding: plan.totals.outstanding,
      activeReservations: plan.totals.activeReservations,
    },
    text: planText(core, plan, reason),
  };
}

export const customerMergeRoutes: ApiRoute[] = [
  {
    operationId: 'mergeCustomers',
    method: 'POST',
    path: '/customers/{code}/merge',
    scope: 'customers:write',
    tag: '客户',
    summary: '合并重复客户到路径里的客户 (进入审批流程)',
    description:
      '先带 dryRun: true 查看字段差异、要转移的订单/应收/预留等和合并后的合计; 不带 dryRun 即确认, 生成待审批的合并申请并通知审批人。审批人同意后才执行; 之后旧编码在查询、开单检查和单据推送中都指向保留客户。',
    params: CODE_PARAMS,
    body: MERGE_BODY,
    responses: {
      200: { description: 'dryRun: 比较结果, 没有提交', schema: PLAN },
      202: { description: '已提交合并申请, 等待审批', schema: ACCEPTED },
      404: { description: '没有这个客户编码 (CUSTOMER_NOT_FOUND)', schema: ERROR_SCHEMA },
      409: {
        description:
          '客户已并入别的客户 (CUSTOMER_MERGED)、已删除 (CUSTOMER_DELETED)、在待审批的删除或合并申请中 (CONFLICT), 或同键请求处理中',
        schema: ERROR_SCHEMA,
      },
      422: { description: '并入自己、字段值无效等 (VALIDATION)', schema: ERROR_SCHEMA },
    },
    async handler(req, deps) {
      const { core } = deps;
      const body = req.body as { absorb: string[]; reason: string; values?: CustomerInput; dryRun?: boolean };
      const input = { keep: req.params.code!, absorb: body.absorb, reason: body.reason, values: body.values ?? {} };
      if (body.dryRun)
        return { status: 200, body: planBody(core, await previewMerge(core, req.caller.actor, input), body.reason) };
      // The approvers' notices are queued in the request's transaction, when the notifier can send them.
      const { merge, plan } = await requestMerge(core, req.caller.actor, input, {
        notify: async (t, m, p) => {
          if (!deps.notifier.toOperator) return;
          for (const a of await mergeApprovers(core, m, t)) {
            await deps.notifier.toOperator(
              a,
              {
                title: `合并客户审批 #${m.id}`,
                text: `${planText(core, p, m.reason)}\n申请人: ${m.requesterName}\n可回复「批准合并 ${m.id}」或「驳回合并 ${m.id} 理由」。`,
              },
              `merge:${m.id}`,
              t,
            );
          }
        },
      });
      const absorb = plan.absorbed.map((a) => a.code);
      return {
        status: 202,
        body: {
          merge: {
            id: merge.id,
            status: 'pending',
            keep: merge.keepCode,
            absorb,
            reason: merge.reason,
            expiresAt: merge.expiresAt.toISOString(),
          },
          plan: planBody(core, plan, merge.reason),
          message: `已提交合并申请 #${merge.id} (${absorb.join('、')} 并入 ${merge.keepCode}), 已通知审批人; ${localTime(core, merge.expiresAt)} 前有效。审批人同意后才会执行。`,
        },
      };
    },
  },
];
