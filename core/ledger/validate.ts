import type { FieldError } from '../errors.js';
import { normalizeCode } from '../customers/codes.js';
import type { Cents } from '../money.js';
import type { LedgerDoc, LedgerDocType } from './types.js';

/** The most documents one call may carry (the API's batch limit). */
export const LEDGER_BATCH_MAX = 5000;
/** DECIMAL(14,2). */
const MAX_CENTS = 99_999_999_999_999;
const MAX_QUANTITY = 2_147_483_647;

export const DOC_TYPE_LABELS: Record<LedgerDocType, string> = {
  order: '订单',
  receivable: '应收款',
  reservation: '库存预留',
};

export interface OrderIn {
  type: 'order';
  index: number;
  number: string;
  customerCode: string;
  date: string;
  totalCents: Cents;
  status: 'open' | 'closed' | 'cancelled';
}
export interface ReceivableIn {
  type: 'receivable';
  index: number;
  number: string;
  customerCode: string;
  amountCents: Cents;
  paidCents: Cents;
  dueDate: string;
  orderNumber: string | null;
}
export interface ReservationIn {
  type: 'reservation';
  index: number;
  number: string;
  customerCode: string;
  product: string;
  quantity: number;
  released: boolean;
  orderNumber: string | null;
}
/** A document after validation: trimmed, codes and numbers normalised, money in cents. */
export type DocIn = OrderIn | ReceivableIn | ReservationIn;

/**
 * Document numbers are compared as MariaDB's case-insensitive collation does, on both dialects:
 * trimmed, half-width, upper-case (the same form core/orders.ts looks numbers up by).
 */
export function normalizeDocNumber(raw: string): string {
  return normalizeCode(raw);
}

/** A YYYY-MM-DD that is a real calendar day. */
export function isDay(s: unknown): s is string {
  if (typeof s !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  // By arithmetic, not through a Date: the ledger push checks 1,000 dates a call.
  const y = Number(s.slice(0, 4));
  const m = Number(s.slice(5, 7));
  const d = Number(s.slice(8, 10));
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  return m >= 1 && m <= 12 && d >= 1 && d <= (m === 2 ? (leap ? 29 : 28) : DAYS_IN_MONTH[m - 1]!);
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Money as cents, or a Chinese reason: a number or decimal string, at most 2 decimals, within DECIMAL(14,2). */
export function ledgerCents(value: unknown, label: string, min: 0 | 1): Cents | string {
  const text =
    typeof value === 'number'
      ? Number.isFinite(value)
        ? String(value)
        : ''
      : typeof value === 'string'
        ? value.trim()
        : '';
  const m = /^(-)?(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) return `${label}应为数字金额, 例如 1234.50`;
  if ((m[3] ?? '').length > 2) return `${label}最多两位小数 (收到 ${text})`;
  if (m[1] && /[1-9]/.test(text)) return `${label}不能为负数`;
  const cents = Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0'));
  if (cents < min) return `${label}必须大于 0`;
  if (cents > MAX_CENTS) return `${label}过大`;
  return cents;
}

function text(
  doc: Record<string, unknown>,
  field: string,
  label: string,
  max: number,
  errors: FieldError[],
  required = true,
): string | null {
  const v = doc[field];
  if (v === undefined || v === null || v === '') {
    if (required) errors.push({ field, message: `缺少${label} (${field})` });
    return null;
  }
  if (typeof v !== 'string') {
    errors.push({ field, message: `${label} (${field}) 应为文本` });
    return null;
  }
  const s = v.trim();
  // eslint-disable-next-line no-control-regex
  if (!s || s.length > max || /[\u0000-\u001f\u007f]/.test(s)) {
    errors.push({ field, message: `${label} (${field}) 应为 1 到 ${max} 个字符, 不含控制字符` });
    return null;
  }
  return s;
}

function day(doc: Record<string, unknown>, field: string, label: string, errors: FieldError[]): string {
  const v = doc[field];
  if (!isDay(v)) errors.push({ field, message: `${label} (${field}) 格式应为 YYYY-MM-DD, 例如 2026-03-01` });
  return String(v);
}

function cents(doc: Record<string, unknown>, field: string, label: string, min: 0 | 1, errors: FieldError[]): Cents {
  const c = ledgerCents(doc[field], `${label} (${field}) `, min);
  if (typeof c === 'string') errors.push({ field, message: c });
  return typeof c === 'number' ? c : 0;
}

function orderFields(
  d: Record<string, unknown>,
  base: { index: number; number: string; customerCode: string },
  errors: FieldError[],
): OrderIn {
  const date = day(d, 'date', '单据日期', errors);
  const totalCents = cents(d, 'total', '订单金额', 0, errors);
  const status = d.status as OrderIn['status'];
  if (!['open', 'closed', 'cancelled'].includes(status))
    errors.push({
      field: 'status',
      message: '订单状态 (status) 只能是 open (未完成) / closed (已完成) / cancelled (已取消)',
    });
  return { type: 'order', ...base, date, totalCents, status };
}

function receivableFields(
  d: Record<string, unknown>,
  base: { index: number; number: string; customerCode: string },
  errors: FieldError[],
): ReceivableIn {
  const amountCents = cents(d, 'amount', '应收金额', 1, errors);
  const paidCents = cents(d, 'paid', '已收金额', 0, errors);
  if (!errors.some((e) => e.field === 'amount' || e.field === 'paid') && paidCents > amountCents)
    errors.push({ field: 'paid', message: '已收金额 (paid) 不能大于应收金额 (amount)' });
  const dueDate = day(d, 'dueDate', '到期日', errors);
  const orderNumber = text(d, 'orderNumber', '关联订单号', 64, errors, false);
  return {
    type: 'receivable',
    ...base,
    amountCents,
    paidCents,
    dueDate,
    orderNumber: orderNumber && normalizeDocNumber(orderNumber),
  };
}

function reservationFields(
  d: Record<string, unknown>,
  base: { index: number; number: string; customerCode: string },
  errors: FieldError[],
): ReservationIn {
  const product = text(d, 'product', '产品编码', 32, errors) ?? '';
  const quantity = d.quantity as number;
  if (!Number.isInteger(quantity) || quantity <= 0 || quantity > MAX_QUANTITY)
    errors.push({ field: 'quantity', message: '预留数量 (quantity) 必须是正整数' });
  if (typeof d.released !== 'boolean')
    errors.push({ field: 'released', message: '是否已释放 (released) 应为 true 或 false' });
  const orderNumber = text(d, 'orderNumber', '关联订单号', 64, errors, false);
  return {
    type: 'reservation',
    ...base,
    product,
    quantity,
    released: d.released === true,
    orderNumber: orderNumber && normalizeDocNumber(orderNumber),
  };
}

/** Checks one document as another system sent it; returns the normalised document or every bad field in Chinese. */
export function validateDoc(
  raw: LedgerDoc | Record<string, unknown>,
  index: number,
): { doc: DocIn } | { errors: FieldError[] } {
  const d = (raw ?? {}) as Record<string, unknown>;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return { errors: [{ field: 'document', message: '单据应为 JSON 对象' }] };
  const errors: FieldError[] = [];
  const type = d.type as LedgerDocType;
  if (!(type in DOC_TYPE_LABELS))
    return { errors: [{ field: 'type', message: '单据类型 (type) 只能是 order / receivable / reservation' }] };
  const number = text(d, 'number', '单号', 64, errors);
  const code = text(d, 'customerCode', '客户编码', 32, errors);
  const base = {
    index,
    number: number ? normalizeDocNumber(number) : '',
    customerCode: code ? normalizeCode(code) : '',
  };
  const doc =
    type === 'order'
      ? orderFields(d, base, errors)
      : type === 'receivable'
        ? receivableFields(d, base, errors)
        : reservationFields(d, base, errors);
  return errors.length ? { errors } : { doc };
}
