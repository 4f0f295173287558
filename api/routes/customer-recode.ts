import { recodePlanText } from '../../core/customers/recode/format.js';
import type { RecodePlan } from '../../core/customers/recode/plan.js';
import { previewRecode, recodeApprovers, requestRecode } from '../../core/customers/recode/request.js';
import { localTime } from '../../core/deletion/approvals.js';
import { ERROR_SCHEMA } from '../errors.js';
import type { ApiRoute, JsonSchema } from '../types.js';
import { CODE_PARAMS, NO_CONTROL } from './schemas.js';

const TEXT = '^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f]*$';

export const RECODE_BODY: JsonSchema = {
  type: 'object',
  required: ['newCode', 'reason'],
  additionalProperties: false,
  properties: {
    newCode: {
      type: 'string',
      title: '新编码',
      minLength: 1,
      maxLength: 64,
      pattern: NO_CONTROL,
      description: '须符合 CODE_RULE 或 CODE_MANUAL_PATTERN',
    },
    reason: { type: 'string', title: '原因', minLength: 1, maxLength: 500, pattern: TEXT },
    dryRun: { type: 'boolean', title: '只试运行', description: 'true: 只检查并返回结果, 不提交申请' },
  },
};

const PLAN: JsonSchema = {
  type: 'object',
  required: ['rows', 'problems', 'text'],
  additionalProperties: false,
  properties: {
    rows: {
      type: 'array',
      items: {
        type: 'object',
        required: ['from', 'to', 'orders'],
        properties: { from: { type: 'string' }, to: { type: 'string' }, orders: { type: 'integer' } },
      },
    },
    problems: { type: 'array', items: { type: 'string' } },
    text: { type: 'string', description: '可直接展示的中文结果' },
  },
};

const planBody = (plan: RecodePlan, reason: string) => ({
  rows: plan.rows.map((r) => ({ from: r.from, to: r.to, orders: r.orders })),
  problems: plan.problems.map((p) => p.message),
  text: recodePlanText(plan, reason),
});

export const customerRecodeRoutes: ApiRoute[] = [
  {
    operationId: 'recodeCustomer',
    method: 'POST',
    path: '/customers/{code}/recode',
    scope: 'customers:write',
    tag: '客户',
    summary: '改客户编码 (进入审批流程)',
    description:
      '已有订单也可以改 (订单关联客户而不是编码)。先带 dryRun: true 检查; 不带即提交待审批的改编码申请并通知审批人。批准后旧编码永久保留为别名, GET 旧编码仍返回这个客户。',
    params: CODE_PARAMS,
    body: RECODE_BODY,
    responses: {
      200: { description: 'dryRun: 检查结果, 没有提交', schema: PLAN },
      202: {
        description: '已提交改编码申请, 等待审批',
        schema: {
          type: 'object',
          required: ['recode', 'plan', 'message'],
          properties: { recode: { type: 'object' }, plan: PLAN, message: { type: 'string' } },
        },
      },
      422: {
        description: '新编码不合规则、已被占用、是别的客户的旧编码, 或找不到客户 (VALIDATION)',
        schema: ERROR_SCHEMA,
      },
    },
    async handler(req, deps) {
      const { core } = deps;
      const body = req.body as { newCode: string; reason: string; dryRun?: boolean };
      const pairs = [{ from: req.params.code!, to: body.newCode }];
      if (body.dryRun)
        return { status: 200, body: planBody(await previewRecode(core, req.caller.actor, pairs), body.reason) };
      const { recode, plan } = await requestRecode(core, req.caller.actor, pairs, body.reason, {
        notify: async (t, r, p) => {
          if (!deps.notifier.toOperator) return;
          for (const a of await recodeApprovers(core, r, t))
            await deps.notifier.toOperator(
              a,
              {
                title: `改编码审批 #${r.id}`,
                text: `${recodePlanText(p, r.reason)}\n申请人: ${r.requesterName}\n可回复「批准改编码 ${r.id}」或「驳回改编码 ${r.id} 理由」。`,
              },
              `recode:${r.id}`,
              t,
            );
        },
      });
      const row = plan.rows[0]!;
      return {
        status: 202,
        body: {
          recode: {
            id: recode.id,
            status: 'pending',
            from: row.from,
            to: row.to,
            reason: recode.reason,
            expiresAt: recode.expiresAt.toISOString(),
          },
          plan: planBody(plan, recode.reason),
          message: `已提交改编码申请 #${recode.id} (${row.from} → ${row.to}), 已通知审批人; ${localTime(core, recode.expiresAt)} 前有效。审批人同意后才会执行。`,
        },
      };
    },
  },
];
