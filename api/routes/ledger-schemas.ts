import { LEDGER_BATCH_MAX } from '../../core/ledger/validate.js';
import type { JsonSchema } from '../types.js';

// Amounts are a JSON number or a decimal string; "at most 2 decimals" is checked by core, which
// names the field in Chinese (ajv's multipleOf 0.01 refuses 1.1 through float rounding).
const money = (title: string, description: string): JsonSchema => ({
  type: ['number', 'string'],
  title,
  description,
  examples: ['1234.50', 99],
});
const code = {
  type: 'string',
  minLength: 1,
  maxLength: 32,
  title: '客户编码',
  description: '我方客户编码, 例如 C20260001 (不分大小写)',
};
const day = (title: string): JsonSchema => ({
  type: 'string',
  format: 'date',
  title,
  description: 'YYYY-MM-DD, 例如 2026-03-01',
});
const orderNumber = {
  type: ['string', 'null'],
  maxLength: 64,
  title: '关联订单号',
  description: '可选; 已推送过的订单号会被关联, 不认识的单号不关联',
};

export const NUMBER_PARAM: JsonSchema = {
  type: 'object',
  required: ['number'],
  additionalProperties: false,
  properties: {
    number: {
      type: 'string',
      minLength: 1,
      maxLength: 64,
      title: '单号',
      description: '进销存系统自己的单据编号 (按大写比较, 前后空格忽略)',
    },
  },
};

export const ORDER_BODY: JsonSchema = {
  type: 'object',
  required: ['customerCode', 'date', 'total', 'status'],
  additionalProperties: false,
  properties: {
    customerCode: code,
    date: day('单据日期'),
    total: money('订单金额', '≥ 0, 最多两位小数'),
    status: {
      type: 'string',
      enum: ['open', 'closed', 'cancelled'],
      title: '状态',
      description: 'open 未完成 (挡住删除) / closed 已完成 / cancelled 已取消',
    },
  },
};

export const RECEIVABLE_BODY: JsonSchema = {
  type: 'object',
  required: ['customerCode', 'amount', 'paid', 'dueDate'],
  additionalProperties: false,
  properties: {
    customerCode: code,
    amount: money('应收金额', '> 0, 最多两位小数'),
    paid: money('已收金额', '0 ≤ 已收 ≤ 应收, 最多两位小数; 收齐即为已结清'),
    dueDate: day('到期日'),
    orderNumber,
  },
};

export const RESERVATION_BODY: JsonSchema = {
  type: 'object',
  required: ['customerCode', 'product', 'quantity', 'released'],
  additionalProperties: false,
  properties: {
    customerCode: code,
    product: {
      type: 'string',
      minLength: 1,
      maxLength: 32,
      title: '产品编码',
      description: '产品 SKU; 没见过的产品会自动建档 (名称 = SKU)',
    },
    quantity: { type: 'integer', minimum: 1, maximum: 2147483647, title: '数量' },
    released: { type: 'boolean', title: '是否已释放', description: 'false 仍占用库存 (挡住删除) / true 已释放' },
    orderNumber,
  },
};

const DOCUMENT_VIEW: JsonSchema = {
  type: 'object',
  required: ['type', 'number', 'customerCode', 'source'],
  properties: {
    type: { type: 'string', enum: ['order', 'receivable', 'reservation'] },
    number: { type: 'string' },
    customerCode: { type: 'string' },
    source: {
      type: 'string',
      enum: ['local', 'api', 'file', 'jsherp'],
      description: '单据来源: 本系统 / API / 文件导入 / jshERP 同步',
    },
    date: { type: 'string', format: 'date' },
    total: { type: 'string', description: '金额, 两位小数的字符串' },
    status: { type: 'string' },
    amount: { type: 'string' },
    paid: { type: 'string' },
    outstanding: { type: 'string', description: '未收金额 = 应收 - 已收' },
    dueDate: { type: 'string', format: 'date' },
    orderNumber: { type: ['string', 'null'] },
    product: { type: 'string' },
    quantity: { type: 'integer' },
    released: { type: 'boolean' },
  },
};

export const PUT_RESULT: JsonSchema = {
  type: 'object',
  required: ['outcome', 'document'],
  additionalProperties: false,
  properties: {
    outcome: {
      type: 'string',
      enum: ['created', 'updated', 'unchanged'],
      description: '新建 / 已更新 / 无变化 (同一单据重复推送不产生任何写入)',
    },
    document: DOCUMENT_VIEW,
  },
};

export const GET_RESULT: JsonSchema = {
  type: 'object',
  required: ['document'],
  additionalProperties: false,
  properties: { document: DOCUMENT_VIEW },
};

const OUTCOME: JsonSchema = {
  type: 'object',
  required: ['index', 'type', 'number', 'result'],
  properties: {
    index: { type: 'integer', description: '在 documents 中的位置 (从 0 开始)' },
    type: { type: 'string', enum: ['order', 'receivable', 'reservation'] },
    number: { type: 'string' },
    result: { type: 'string', enum: ['created', 'updated', 'unchanged', 'error'] },
    applied: { type: 'boolean', description: 'false: 本条没问题, 但因 dryRun 或 atomic 整批被拒而未写入' },
    error: {
      type: 'object',
      required: ['code', 'message', 'details'],
      properties: { code: { type: 'string' }, message: { type: 'string' }, details: { type: 'object' } },
    },
  },
};

const COUNTS: JsonSchema = {
  type: 'object',
  required: ['created', 'updated', 'unchanged', 'error'],
  properties: {
    created: { type: 'integer' },
    updated: { type: 'integer' },
    unchanged: { type: 'integer' },
    error: { type: 'integer' },
  },
};

export const BATCH_BODY: JsonSchema = {
  type: 'object',
  required: ['documents'],
  additionalProperties: false,
  properties: {
    documents: {
      type: 'array',
      minItems: 1,
      maxItems: LEDGER_BATCH_MAX,
      title: '单据列表',
      description: `最多 ${LEDGER_BATCH_MAX} 条。每条是一个对象: type (order / receivable / reservation)、number (单号), 其余字段与 PUT /orders/{number}、/receivables/{number}、/reservations/{number} 的请求体相同。每条单独校验, 单独给出结果。`,
      items: { type: 'object', title: '单据' },
      examples: [
        [
          {
            type: 'order',
            number: 'XSD-2026-0001',
            customerCode: 'C20260001',
            date: '2026-03-01',
            total: '1200.00',
            status: 'open',
          },
          {
            type: 'receivable',
            number: 'YS-2026-0001',
            customerCode: 'C20260001',
            amount: '1200.00',
            paid: '200.00',
            dueDate: '2026-04-01',
            orderNumber: 'XSD-2026-0001',
          },
          {
            type: 'reservation',
            number: 'YL-2026-0001',
            customerCode: 'C20260001',
            product: 'P-1001',
            quantity: 5,
            released: false,
          },
        ],
      ],
    },
    atomic: {
      type: 'boolean',
      title: '全部或全不',
      description:
        'true: 任一条有误则整批不写入 (答 422, details.outcomes 给出每条结果); 默认 false: 好的写入, 有误的逐条报告',
    },
    dryRun: { type: 'boolean', title: '试运行', description: 'true: 只校验并给出每条结果, 不写入任何数据' },
  },
};

export const BATCH_RESULT: JsonSchema = {
  type: 'object',
  required: ['applied', 'counts', 'outcomes'],
  additionalProperties: false,
  properties: {
    applied: { type: 'boolean', description: '本次是否写入 (dryRun 时为 false)' },
    counts: COUNTS,
    outcomes: { type: 'array', items: OUTCOME },
  },
};
