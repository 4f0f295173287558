import { DomainError } from '../errors.js';
import { addMonths } from './periods.js';

/** Narrows a report to the customers one operator owns (负责人); absent = the whole book. */
export interface OwnerFilter {
  ownerId?: number;
}

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/** The longest month range a report covers (ten years). */
export const MAX_MONTHS = 120;

/** A `customers` condition for the owner filter, with its replacement (`alias` is the customers table's alias). */
export function ownerCondition(
  filter: OwnerFilter,
  alias = 'customers',
): { sql: string; replacements: Record<string, unknown> } {
  if (filter.ownerId === undefined) return { sql: '', replacements: {} };
  return { sql: ` AND ${alias}.owner_id = :ownerId`, replacements: { ownerId: filter.ownerId } };
}

const LABELS = { from: '起始月份', to: '结束月份', asOf: '账龄计算日' } as const;

function badField(field: keyof typeof LABELS, message: string): DomainError {
  return new DomainError('VALIDATION', `输入有误 — ${message}`, { errors: [{ field, message }] });
}

/** 'YYYY-MM' checked, or a VALIDATION refusal naming the field in Chinese. */
export function checkMonth(value: string, field: 'from' | 'to'): string {
  if (!MONTH.test(value)) throw badField(field, `${LABELS[field]}应为「年-月」, 例如 2026-06, 收到「${value}」`);
  return value;
}

/** 'YYYY-MM-DD' checked (a real calendar day), or a VALIDATION refusal. */
export function checkDate(value: string, field: 'asOf'): string {
  const ok = DATE.test(value) && new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) === value;
  if (!ok) throw badField(field, `${LABELS[field]}应为「年-月-日」, 例如 2026-06-30, 收到「${value}」`);
  return value;
}

/** Month keys from `from` to `to` inclusive, oldest first; refused when reversed or longer than MAX_MONTHS. */
export function monthRange(from: string, to: string): string[] {
  checkMonth(from, 'from');
  checkMonth(to, 'to');
  if (from > to) throw badField('from', `起始月份 ${from} 晚于结束月份 ${to}`);
  const keys: string[] = [];
  for (let m = from; m <= to; m = addMonths(m, 1)) {
    keys.push(m);
    if (keys.length > MAX_MONTHS) throw badField('to', `月份范围最多 ${MAX_MONTHS} 个月`);
  }
  return keys;
}
