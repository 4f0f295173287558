import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { validationError, type FieldError } from '../core/errors.js';
import type { JsonSchema } from './types.js';

// ajv-formats is CommonJS; under NodeNext its default export arrives wrapped.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (
  ajv: Ajv2020,
) => Ajv2020;

/** JSON Schema 2020-12, the dialect OpenAPI 3.1 documents use. */
function makeAjv(coerce: boolean): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, strict: false, verbose: true, coerceTypes: coerce, useDefaults: coerce });
  addFormats(ajv);
  return ajv;
}

/** Bodies are checked as sent; path and query values arrive as text and are coerced. */
const strict = makeAjv(false);
const coercing = makeAjv(true);

/**
 * A validator for `schema`, compiled once, on its first use; `coerce` for path and query
 * parameters. Compiling every route's schemas at start took a quarter of a second of every start.
 */
export function compile(schema: JsonSchema, coerce = false): ValidateFunction {
  let compiled: ValidateFunction | undefined;
  const validate = ((data: unknown) => {
    compiled ??= (coerce ? coercing : strict).compile(schema);
    const ok = compiled(data);
    validate.errors = compiled.errors;
    return ok;
  }) as ValidateFunction;
  return validate;
}

const TYPE_NAMES: Record<string, string> = {
  integer: '整数',
  number: '数字',
  string: '文本',
  boolean: '布尔值 true/false',
  object: '对象',
  array: '数组',
  null: 'null',
};

const FORMAT_HINTS: Record<string, string> = {
  date: 'YYYY-MM-DD',
  'date-time': 'ISO 8601 时间, 例如 2026-12-01T08:00:00+08:00',
  email: '邮箱地址',
  uri: '网址',
};

/** `/items/3/total` → `items[3].total`. */
function fieldPath(pointer: string, extra?: string): string {
  const parts = pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (extra !== undefined) parts.push(extra);
  return parts.reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '');
}

function labelled(where: string, field: string, title: unknown): string {
  const name = field ? `字段「${field}」` : where;
  return typeof title === 'string' && field ? `${name}(${title})` : name;
}

type Params = Record<string, unknown>;
type Phrase = (name: string, p: Params, e: ErrorObject) => string;

function typeNames(type: unknown): string {
  return String(type)
    .split(',')
    .map((t) => TYPE_NAMES[t] ?? t)
    .join(' 或 ');
}

/** The schema's own `description` of a pattern tells the user what the text should look like. */
function patternHint(e: ErrorObject): string {
  const description = (e.parentSchema as { description?: string } | undefined)?.description;
  return typeof description === 'string' ? `: ${description}` : '';
}

/** What each ajv keyword means, in Chinese, after the field's name. */
const PHRASES: Record<string, Phrase> = {
  type: (name, p) => `${name}类型不对, 应为 ${typeNames(p.type)}`,
  enum: (name, p) => `${name}只能是: ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(' / ')}`,
  const: (name, p) => `${name}只能是 ${JSON.stringify(p.allowedValue)}`,
  maxLength: (name, p) => `${name}最多 ${String(p.limit)} 个字`,
  minLength: (name, p) => `${name}不能为空${Number(p.limit) > 1 ? `, 至少 ${String(p.limit)} 个字` : ''}`,
  pattern: (name, _p, e) => `${name}格式不对${patternHint(e)}`,
  format: (name, p) => `${name}格式不对, 应为 ${FORMAT_HINTS[String(p.format)] ?? String(p.format)}`,
  minimum: (name, p) => `${name}不能小于 ${String(p.limit)}`,
  exclusiveMinimum: (name, p) => `${name}不能小于或等于 ${String(p.limit)}`,
  maximum: (name, p) => `${name}不能大于 ${String(p.limit)}`,
  exclusiveMaximum: (name, p) => `${name}不能大于或等于 ${String(p.limit)}`,
  maxItems: (name, p) => `${name}最多 ${String(p.limit)} 项`,
  minItems: (name, p) => `${name}至少 ${String(p.limit)} 项`,
  minProperties: (name) => `${name}不能为空对象`,
  multipleOf: (name, p) => `${name}应为 ${String(p.multipleOf)} 的整数倍 (最多 2 位小数)`,
};

type ParentSchema = { title?: string; properties?: Record<string, { title?: string }> };

/** One ajv error as a Chinese sentence naming the field (and its Chinese title when the schema has one). */
function describe(where: string, e: ErrorObject): FieldError {
  const parent = (e.parentSchema ?? {}) as ParentSchema;
  const p = e.params as Params;
  if (e.keyword === 'required') {
    const field = fieldPath(e.instancePath, String(p.missingProperty));
    return {
      field,
      message: `缺少必填的${labelled(where, field, parent.properties?.[String(p.missingProperty)]?.title)}`,
    };
  }
  if (e.keyword === 'additionalProperties') {
    const field = fieldPath(e.instancePath, String(p.additionalProperty));
    const known = Object.keys(parent.properties ?? {});
    return { field, message: `不认识的字段「${field}」${known.length ? `, 可用的字段: ${known.join(', ')}` : ''}` };
  }
  const field = fieldPath(e.instancePath);
  const name = labelled(where, field, parent.title);
  const phrase = Object.hasOwn(PHRASES, e.keyword) ? PHRASES[e.keyword] : undefined;
  return { field, message: phrase ? phrase(name, p, e) : `${name}无效 (${e.message ?? e.keyword})` };
}

/** Translates ajv's errors, one per field, keeping the first (most specific) per field. */
export function fieldErrors(where: string, errors: ErrorObject[] | null | undefined): FieldError[] {
  const out = new Map<string, FieldError>();
  for (const e of errors ?? []) {
    // anyOf/oneOf wrappers repeat what their branches said.
    if (e.keyword === 'anyOf' || e.keyword === 'oneOf' || e.keyword === 'if') continue;
    const fe = describe(where, e);
    if (!out.has(fe.field)) out.set(fe.field, fe);
  }
  return [...out.values()];
}

/** Validates `value`; throws VALIDATION (422) naming each bad field in Chinese. */
export function check(where: string, validate: ValidateFunction, value: unknown): void {
  if (validate(value)) return;
  const errors = fieldErrors(where, validate.errors);
  throw validationError(errors.length ? errors : [{ field: '', message: `${where}格式不对` }]);
}
