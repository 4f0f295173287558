import { validationError } from './errors.js';

/** Money as integer cents, so DECIMAL strings (MySQL) and numbers (SQLite) add up exactly. */
export type Cents = number;

/** Parses a DECIMAL value ("123.45", 123.45, null) into cents. */
export function toCents(value: string | number | null | undefined): Cents {
  if (value === null || value === undefined || value === '') return 0;
  const s = typeof value === 'number' ? value.toFixed(2) : value.trim();
  const m = /^(-)?(\d+)(?:\.(\d{0,2})\d*)?$/.exec(s);
  if (!m) throw new Error(`not a decimal amount: ${s}`);
  const cents = Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0'));
  return m[1] ? -cents : cents;
}

/** Cents as a DECIMAL string for the database ("1234.50"). */
export function centsToDecimal(cents: Cents): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(Math.round(cents));
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** Cents formatted for people: ¥12,345.60 */
export function formatYuan(cents: Cents): string {
  const [int, frac] = centsToDecimal(cents).split('.');
  return `¥${int!.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${frac}`;
}

/** The largest amount DECIMAL(14,2) holds. */
const MAX_CENTS = 99_999_999_999_999;

/** Parses an amount a person typed ("1,234.5", 99) into positive cents, or throws VALIDATION naming the field. */
export function parseAmount(value: string | number | null | undefined, field: string, label: string): Cents {
  const text =
    typeof value === 'number'
      ? Number.isFinite(value)
        ? value.toFixed(2)
        : ''
      : String(value ?? '').replace(/[,，\s¥￥]/g, '');
  if (!/^\d+(\.\d{1,2})?$/.test(text))
    throw validationError([{ field, message: `${label}格式不对: 应为金额, 最多两位小数, 例如 1234.50` }]);
  const cents = toCents(text);
  if (cents <= 0) throw validationError([{ field, message: `${label}必须大于 0` }]);
  if (cents > MAX_CENTS) throw validationError([{ field, message: `${label}过大: 最多 ${formatYuan(MAX_CENTS)}` }]);
  return cents;
}
