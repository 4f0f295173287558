import { DomainError, type ErrorCode } from '../../core/errors.js';
import { applyLedger } from '../../core/ledger/apply.js';
import { getLedgerDoc } from '../../core/ledger/read.js';
import type { LedgerDocType } from '../../core/ledger/types.js';
import { ERROR_SCHEMA } from '../errors.js';
import type { ApiDeps, ApiRequest, ApiResult, ApiRoute, JsonSchema } from '../types.js';
import {
  BATCH_BODY,
  BATCH_RESULT,
  GET_RESULT,
  NUMBER_PARAM,
  ORDER_BODY,
  PUT_RESULT,
  RECEIVABLE_BODY,
  RESERVATION_BODY,
} from './ledger-schemas.js';

const err = (description: string) => ({ description, schema: ERROR_SCHEMA });

/** PUT one document: an upsert through the same core path as every ledger source. */
function putHandler(type: LedgerDocType) {
  return async function putLedgerDoc(req: ApiRequest, { core }: ApiDeps): Promise<ApiResult> {
    const doc = { ...(req.body as Record<string, unknown>), type, number: req.params.number };
    const result = await applyLedger(core, req.caller.actor, [doc], { source: 'api', atomic: true });
    const o = result.outcomes[0]!;
    if (o.error) throw new DomainError(o.error.code as ErrorCode, o.error.message, o.error.details);
    const document = await getLedgerDoc(core, req.caller.actor, type, o.number);
    return { status: o.result === 'created' ? 201 : 200, body: { outcome: o.result, document } };
  };
}

function getHandler(type: LedgerDocType) {
  return async function getLedgerDocument(req: ApiRequest, { core }: ApiDeps): Promise<ApiResult> {
    return { body: { document: await getLedgerDoc(core, req.caller.actor, type, req.params.number!) } };
  };
}

const KINDS: { type: LedgerDocType; path: string; label: string; id: string; body: JsonSchema; rule: string }[] = [
  {
    type: 'order',
    path: '/orders/{number}',
    label: '订单',
    id: 'Order',
    body: ORDER_BODY,
    rule: '新的未完成订单 (或由已完成/已取消改回未完成) 遇到停用或已删除的客户时被拒绝 (409), 提示与 transactable 相同; 完成、取消、改金额随时可以。',
  },
  {
    type: 'receivable',
    path: '/receivables/{number}',
    label: '应收款',
    id: 'Receivable',
    body: RECEIVABLE_BODY,
    rule: '应收款总是接收 (即使客户已停用或删除): 这是已经欠下的钱, 拒收会让删除检查看不到真实欠款。',
  },
  {
    type: 'reservation',
    path: '/reservations/{number}',
    label: '库存预留',
    id: 'Reservation',
    body: RESERVATION_BODY,
    rule: '新的占用中预留遇到停用或已删除的客户时被拒绝 (409); 释放随时可以。',
  },
];

function putRoute(k: (typeof KINDS)[number]): ApiRoute {
  return {
    operationId: `put${k.id}`,
    method: 'PUT',
    path: k.path,
    scope: 'ledger:write',
    tag: '进销存单据',
    summary: `推送${k.label} (按单号新建或更新)`,
    description: `以进销存系统自己的单号为键; 同一内容重复推送答 200 unchanged, 不产生任何写入。${k.rule} 客户编码不存在答 404; 单据不能改挂到别的客户 (409)。`,
    params: NUMBER_PARAM,
    body: k.body,
    responses: {
      200: { description: '已更新 (updated) 或无变化 (unchanged)', schema: PUT_RESULT },
      201: { description: '已新建 (created)', schema: PUT_RESULT },
      404: err('找不到客户编码 (CUSTOMER_NOT_FOUND)'),
      409: err(
        '客户已停用 (CUSTOMER_INACTIVE) 或已删除 (CUSTOMER_DELETED), 不能新增业务; 或单据属于另一个客户 (CONFLICT); 或同一 Idempotency-Key 的请求正在处理中',
      ),
      422: err(
        '字段不符合要求 (VALIDATION), details.errors 逐个字段说明, 例如金额超过两位小数、日期格式不对、已收大于应收',
      ),
    },
    handler: putHandler(k.type),
  };
}

function getRoute(k: (typeof KINDS)[number]): ApiRoute {
  return {
    operationId: `get${k.id}`,
    method: 'GET',
    path: k.path,
    scope: 'ledger:read',
    tag: '进销存单据',
    summary: `查询${k.label}`,
    params: NUMBER_PARAM,
    responses: { 200: { description: k.label, schema: GET_RESULT }, 404: err(`找不到该${k.label} (NOT_FOUND)`) },
    handler: getHandler(k.type),
  };
}

/** POST /ledger/batch: up to 5,000 documents, each with its own outcome. */
async function pushBatch(req: ApiRequest, { core }: ApiDeps): Promise<ApiResult> {
  const body = req.body as { documents: Record<string, unknown>[]; atomic?: boolean; dryRun?: boolean };
  const result = await applyLedger(core, req.caller.actor, body.documents, {
    source: 'api',
    atomic: body.atomic === true,
    dryRun: body.dryRun === true,
  });
  const { outcomes, counts } = result;
  if (body.atomic && counts.error > 0) {
    const first = outcomes
      .filter((o) => o.error)
      .slice(0, 3)
      .map((o) => `第 ${o.index + 1} 条 ${o.number || ''}: ${o.error!.message}`)
      .join('; ');
    throw new DomainError(
      'VALIDATION',
      `本批有 ${counts.error} 条单据不能写入, 按 atomic 要求整批未写入。${first}${counts.error > 3 ? ' …' : ''}`,
      { counts, outcomes },
    );
  }
  return { body: { applied: result.applied ?? false, counts, outcomes } };
}

/** Ledger push: PUT /orders/{number}, /receivables/{number}, /reservations/{number}, POST /ledger/batch. */
export const ledgerRoutes: ApiRoute[] = [
  ...KINDS.map(putRoute),
  ...KINDS.map(getRoute),
  {
    operationId: 'pushLedgerBatch',
    method: 'POST',
    path: '/ledger/batch',
    scope: 'ledger:write',
    tag: '进销存单据',
    summary: '批量推送单据 (最多 5000 条)',
    description:
      '每条单据单独校验和写入, 各有结果 (created / updated / unchanged / error); 一条有误不影响其他条。atomic: true 时任一条有误则整批不写入, 答 422, error.details 里有 counts 与每条的 outcomes。规则与单条 PUT 相同。整批在一个事务里写入, 只记一条审计事件。',
    body: BATCH_BODY,
    responses: {
      200: { description: '每条的结果与计数 (非 atomic 时即使有错误条目也答 200)', schema: BATCH_RESULT },
      422: err(
        '请求体不符合要求 (例如超过 5000 条), 或 atomic 时有条目不能写入 (VALIDATION, details.outcomes 给出每条结果)',
      ),
    },
    handler: pushBatch,
  },
];
