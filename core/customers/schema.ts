import { Ajv, type ErrorObject } from 'ajv';
import { validationError, type FieldError } from '../errors.js';
import { cleanName, cleanText, normalizePhone, toHalfWidth } from '../text.js';

export const DEACTIVATION_REASONS = ['长期无交易', '客户要求', '信用风险', '信息错误', '合并重复', '其他'] as const;
export type DeactivationReason = (typeof DEACTIVATION_REASONS)[number];

/** Fields a person may set on a customer (create, edit and import share these). */
export interface CustomerInput {
  code?: string;
  name?: string;
  contact?: string | null;
  phone?: string | null;
  address?: string | null;
  /** 客户分类 and 区域: a name or alias from the company's lists (core/lists), stored as the name. */
  category?: string | null;
  region?: string | null;
  ownerId?: number | null;
  note?: string | null;
}

export const FIELD_LABELS: Record<string, string> = {
  code: '客户编码',
  name: '客户名称',
  contact: '联系人',
  phone: '手机',
  address: '地址',
  category: '客户分类',
  region: '区域',
  ownerId: '负责人',
  note: '备注',
  reason: '停用原因',
  memo: '备注',
  until: '停用至',
  version: '版本',
};

const properties = {
  code: { type: 'string', minLength: 1, maxLength: 32 },
  name: { type: 'string', minLength: 1, maxLength: 200 },
  contact: { type: ['string', 'null'], maxLength: 100 },
  phone: { type: ['string', 'null'], pattern: '^\\+?\\d{5,20}$' },
  address: { type: ['string', 'null'], maxLength: 300 },
  // Values come from the company's lists; core/lists resolves them once the shape is checked.
  category: { type: ['string', 'null'], maxLength: 50 },
  region: { type: ['string', 'null'], maxLength: 50 },
  ownerId: { type: ['integer', 'null'], minimum: 1 },
  note: { type: ['string', 'null'], maxLength: 1000 },
};

// Compiled on first use, not at import: ajv's code generation is a noticeable part of every start.
function compileBoth() {
  const ajv = new Ajv({ allErrors: true, strict: false });
  return {
    create: ajv.compile({ type: 'object', properties, required: ['name'], additionalProperties: false }),
    edit: ajv.compile({ type: 'object', properties, additionalProperties: false, minProperties: 1 }),
  };
}
let validators: ReturnType<typeof compileBoth> | undefined;
const schemas = () => (validators ??= compileBoth());

/** The field an Ajv error is about. */
function errorField(e: ErrorObject): string {
  if (e.keyword === 'required') return String(e.params.missingProperty);
  if (e.keyword === 'additionalProperties') return String(e.params.additionalProperty);
  return e.instancePath.replace(/^\//, '');
}

/** One Ajv error in Chinese, naming the field by its label. */
function errorMessage(e: ErrorObject, field: string, label: string): string {
  switch (e.keyword) {
    case 'required':
      return `${label}必填`;
    case 'maxLength':
      return `${label}最多 ${e.params.limit} 个字`;
    case 'minLength':
      return `${label}不能为空`;
    case 'enum':
      return `${label}只能是: ${(e.params.allowedValues as unknown[]).filter(Boolean).join(' / ')}`;
    case 'pattern':
      return field === 'phone' ? '手机/电话格式不对, 应为 5–20 位数字' : `${label}格式不对`;
    case 'type':
      return `${label}类型不对`;
    case 'additionalProperties':
      return `不认识的字段「${field}」`;
    case 'minProperties':
      return '没有要修改的字段';
    case 'minimum':
      return `${label}无效`;
    default:
      return `${label}${e.message ?? '无效'}`;
  }
}

/** Ajv's errors as Chinese, one per field. */
export function translateErrors(errors: ErrorObject[] | null | undefined): FieldError[] {
  const out = new Map<string, string>();
  for (const e of errors ?? []) {
    const field = errorField(e);
    const message = errorMessage(e, field, FIELD_LABELS[field] ?? field);
    if (!out.has(field)) out.set(field, message);
  }
  return [...out].map(([field, message]) => ({ field, message }));
}

const PHONE_TEXT = /^[\d\s\-+().eE]*$/;

/** One text field cleaned; an empty result is null (an empty name stays '' so validation names it). */
function cleanTextField(key: keyof CustomerInput, raw: unknown): string | null {
  let v = cleanText(String(raw));
  // One normaliser for names from every door (create, edit, import, API, chat).
  if (key === 'name' || key === 'contact') v = cleanName(v);
  // Only separators are dropped; letters or words stay so validation reports them instead of losing the number.
  if (key === 'phone') v = PHONE_TEXT.test(toHalfWidth(v)) ? normalizePhone(v) : v;
  else if (key !== 'name' && key !== 'address' && key !== 'note') v = toHalfWidth(v).trim();
  return v === '' ? (key === 'name' ? '' : null) : v;
}

/** Trims, converts full-width to half-width, strips control characters; empty strings become null. */
export function cleanInput(input: CustomerInput): CustomerInput {
  const out: CustomerInput = {};
  for (const [key, raw] of Object.entries(input) as [keyof CustomerInput, unknown][]) {
    if (raw === undefined) continue;
    if (key === 'ownerId') {
      out.ownerId = raw === null || raw === '' ? null : (Number(raw) as number);
      continue;
    }
    (out as Record<string, unknown>)[key] = raw === null ? null : cleanTextField(key, raw);
  }
  return out;
}

/** Validates a create; throws VALIDATION with every field error in Chinese. */
export function assertCreateInput(input: CustomerInput): CustomerInput {
  const clean = cleanInput(input);
  const validateCreate = schemas().create;
  if (!validateCreate(clean)) throw validationError(translateErrors(validateCreate.errors));
  return clean;
}

/** Validates an edit (any subset of fields). */
export function assertEditInput(input: CustomerInput): CustomerInput {
  const clean = cleanInput(input);
  const validateEdit = schemas().edit;
  if (!validateEdit(clean)) throw validationError(translateErrors(validateEdit.errors));
  return clean;
}

/** The same check as create, as a list of problems instead of a throw (for import rows). */
export function checkCreateInput(input: CustomerInput): { value: CustomerInput; errors: FieldError[] } {
  const value = cleanInput(input);
  const validateCreate = schemas().create;
  return validateCreate(value) ? { value, errors: [] } : { value, errors: translateErrors(validateCreate.errors) };
}
