import { API_CUSTOMER_SCHEMA } from '../../core/customers/api-view.js';
import { DEACTIVATION_REASONS } from '../../core/customers/schema.js';
import type { JsonSchema } from '../types.js';

/** The customer as the API answers it (shared with webhooks). */
export const CUSTOMER = API_CUSTOMER_SCHEMA as unknown as JsonSchema;

/** No control characters: they are never part of a code or a name, and SQLite would choke on a NUL. */
export const NO_CONTROL = '^[^\\u0000-\\u001f\\u007f]*$';

/** Free text may hold tabs and line breaks, but no other control characters. */
const TEXT = '^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f]*$';
const text = (title: string, maxLength: number, extra: JsonSchema = {}): JsonSchema => ({
  type: ['string', 'null'],
  title,
  maxLength,
  pattern: TEXT,
  ...extra,
});

export const CODE_PARAMS: JsonSchema = {
  type: 'object',
  required: ['code'],
  properties: {
    code: {
      type: 'string',
      title: '客户编码',
      minLength: 1,
      maxLength: 64,
      pattern: NO_CONTROL,
      description: '客户编码, 例如 C20260001 (大小写、全角半角不限)',
    },
  },
};

/** 客户分类 and 区域 are company data, not a fixed enum: the docs say where the values come from. */
const LIST_VALUE = (label: string) =>
  `${label}表中的名称或别名 (公司自己的列表, 由管理员在后台「${label}」维护, 不是固定枚举); 不在表中或已停用的值返回 422, 附可选值和中文说明`;

/** Fields a system may set on a customer; core validates them again with its own rules. */
const FIELDS: Record<string, JsonSchema> = {
  code: { type: 'string', title: '客户编码', minLength: 1, maxLength: 32, description: '留空则按规则自动生成' },
  name: { type: 'string', title: '客户名称', minLength: 1, maxLength: 200 },
  contact: { type: ['string', 'null'], title: '联系人', maxLength: 100 },
  phone: { type: ['string', 'null'], title: '手机', maxLength: 40, description: '5–20 位数字, 可带 +、空格和 -' },
  address: { type: ['string', 'null'], title: '地址', maxLength: 300 },
  category: { type: ['string', 'null'], title: '客户分类', maxLength: 50, description: LIST_VALUE('客户分类') },
  region: { type: ['string', 'null'], title: '区域', maxLength: 50, description: LIST_VALUE('区域') },
  ownerId: { type: ['integer', 'null'], title: '负责人', minimum: 1, description: '负责人 (操作员) id' },
  note: { type: ['string', 'null'], title: '备注', maxLength: 1000 },
};

export const CREATE_BODY: JsonSchema = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: {
    ...FIELDS,
    allowDuplicates: {
      type: 'boolean',
      title: '允许疑似重复',
      description:
        '有同名或同手机号的客户时, 默认返回 409 并列出它们; 确认不是同一客户后带 true 重新提交 (用新的 Idempotency-Key)',
    },
  },
};

export const EDIT_BODY: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: FIELDS,
};

export const DEACTIVATE_BODY: JsonSchema = {
  type: 'object',
  required: ['reason'],
  additionalProperties: false,
  properties: {
    reason: { type: 'string', title: '停用原因', enum: [...DEACTIVATION_REASONS] },
    memo: text('备注', 500, { description: '原因为「其他」时必填, 不含控制字符' }),
    until: { type: ['string', 'null'], title: '停用至', format: 'date', description: 'YYYY-MM-DD, 到期自动启用' },
  },
};

export const REACTIVATE_BODY: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { note: text('备注', 500) },
};

export const DELETION_BODY: JsonSchema = {
  type: 'object',
  required: ['reason'],
  additionalProperties: false,
  properties: {
    reason: {
      type: 'string',
      title: '删除原因',
      minLength: 1,
      maxLength: 500,
      pattern: TEXT,
      description: '不含控制字符',
    },
    note: text('申请说明', 500, { description: '给审批人看的说明, 例如关联业务如何处理; 不含控制字符' }),
  },
};

export const DELETION_ACCEPTED: JsonSchema = {
  type: 'object',
  required: ['request', 'message'],
  additionalProperties: false,
  properties: {
    request: {
      type: 'object',
      required: ['id', 'status', 'customerCode', 'reason', 'expiresAt'],
      additionalProperties: false,
      properties: {
        id: { type: 'integer' },
        status: { type: 'string', enum: ['pending'] },
        customerCode: { type: 'string' },
        reason: { type: 'string' },
        expiresAt: { type: 'string', format: 'date-time' },
      },
    },
    message: { type: 'string' },
  },
};

export const LIST_QUERY: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: { type: 'string', title: '状态', enum: ['active', 'inactive', 'deleted'], description: '默认不含已删除' },
    owner: {
      type: 'string',
      title: '负责人',
      minLength: 1,
      maxLength: 100,
      pattern: NO_CONTROL,
      description: '负责人 id 或显示名',
    },
    category: {
      type: 'string',
      title: '客户分类',
      minLength: 1,
      maxLength: 50,
      pattern: NO_CONTROL,
      description: '客户分类表中的名称或别名',
    },
    region: {
      type: 'string',
      title: '区域',
      minLength: 1,
      maxLength: 50,
      pattern: NO_CONTROL,
      description: '区域表中的名称或别名',
    },
    updatedSince: {
      type: 'string',
      title: '更新起始时间',
      format: 'date-time',
      description: '只列出此时间及以后有变动的客户 (ISO 8601)',
    },
    limit: { type: 'integer', title: '每页条数', minimum: 1, maximum: 200, default: 50 },
    cursor: { type: 'string', title: '分页游标', minLength: 1, maxLength: 200, description: '上一页返回的 nextCursor' },
  },
};

export const LIST_PAGE: JsonSchema = {
  type: 'object',
  required: ['items', 'nextCursor'],
  additionalProperties: false,
  properties: {
    items: { type: 'array', items: CUSTOMER },
    nextCursor: { type: ['string', 'null'], description: '下一页的游标; null 表示已是最后一页' },
  },
};

export const TRANSACTABLE_OK: JsonSchema = {
  type: 'object',
  required: ['ok'],
  additionalProperties: false,
  properties: { ok: { const: true } },
};

export const TRANSACTABLE_REFUSED: JsonSchema = {
  type: 'object',
  required: ['ok', 'status', 'reason', 'since', 'until', 'message'],
  additionalProperties: false,
  properties: {
    ok: { const: false },
    status: { type: 'string', enum: ['inactive', 'deleted'] },
    reason: { type: ['string', 'null'], description: '停用原因' },
    since: { type: ['string', 'null'], format: 'date', description: '停用日期' },
    until: { type: ['string', 'null'], format: 'date', description: '停用至 (到期自动启用)' },
    message: { type: 'string', description: '可直接展示给开单员的中文说明' },
  },
};
