/** Spreadsheet cell values (exceljs or CSV) reduced to the text a person sees. */

import { toHalfWidth } from '../text.js';

const pad = (n: number) => String(n).padStart(2, '0');

/** A Date from an Excel date cell (exceljs gives the wall-clock time as UTC) as `YYYY-MM-DD[ HH:mm]`. */
export function excelDateText(d: Date): string {
  const day = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  const time = d.getUTCHours() || d.getUTCMinutes() ? ` ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}` : '';
  return day + time;
}

/** A number as Excel shows it in General format: integers whole, others to 15 significant digits. */
export function numberText(n: number): string {
  if (!Number.isFinite(n)) return '';
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return n.toFixed(0);
  return String(Number(n.toPrecision(15)));
}

/** Text of an exceljs cell value: rich text, formulas (their result), hyperlinks, dates, numbers. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return numberText(value);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : excelDateText(value);
  if (typeof value === 'object') {
    const v = value as {
      richText?: { text?: string }[];
      result?: unknown;
      formula?: string;
      text?: unknown;
      error?: string;
    };
    if (Array.isArray(v.richText)) return v.richText.map((r) => r.text ?? '').join('');
    if ('formula' in v || 'sharedFormula' in v) return cellText(v.result);
    if (v.error) return v.error;
    if (v.text !== undefined) return cellText(v.text);
  }
  return String(value);
}

/**
 * A list's summary label (合计, 合计: 120 个客户, 本页小计, 共 120 条记录, Grand Total): exported
 * lists and ERP reports end with one, and read as data it would become a customer or a document.
 * 合计贸易有限公司 and TOTAL-001 are not labels.
 */
const SUMMARY = [
  /^(?:本页|本期|全部|总)?(?:合计|总计|小计)(?:$|[\s:：(（,，\d])/,
  /^共\s*\d+\s*(?:条|行|个|家|位|名|户|张|笔)/,
  /^(?:grand\s+)?(?:total|sum)\s*[:：]?\s*\d*$/i,
];

/** Whether a cell is a summary label (see SUMMARY). */
export function isSummaryLabel(text: string | null | undefined): boolean {
  const s = toHalfWidth(String(text ?? '')).trim();
  return !!s && SUMMARY.some((re) => re.test(s));
}

const EXCEL_ERRORS = /^#(N\/A|REF!|VALUE!|DIV\/0!|NAME\?|NUM!|NULL!|SPILL!|CALC!)$/;

/** Whether the text is an Excel error value such as #N/A. */
export function isExcelError(text: string): boolean {
  return EXCEL_ERRORS.test(text.trim());
}

/** Whether a personal value was exported masked (138****5678): importing it would store the stars. */
export function isMasked(text: string): boolean {
  return /\*{2,}/.test(text);
}

/**
 * A phone typed as text in scientific notation has lost digits when the mantissa is shorter than
 * the number (1.38123E+10 was 13812345678 once). Returns the reason, or null when the text is fine.
 */
export function phonePrecisionProblem(text: string): string | null {
  // Only Excel's display form (1.38123E+10, upper case) can have lost digits: a program writing a
  // float (Python, JavaScript: 1.3e+10, lower case) writes the shortest form that reads back exactly.
  const m = /^\s*(\d)(?:\.(\d*))?E\+?(\d+)\s*$/.exec(text);
  if (!m) return null;
  const significant = 1 + (m[2] ?? '').length;
  const digits = Number(m[3]) + 1;
  if (significant >= digits) return null;
  return `手机号「${text.trim()}」是科学计数法, 后 ${digits - significant} 位已丢失。请在 Excel 里把该列设为「文本」格式, 重新填写完整号码`;
}

/**
 * A cell as our own CSV export wrote it, back to its value: export puts an apostrophe before text
 * starting with = + - @ (so Excel does not run it as a formula); import takes it off again, so that
 * export → import changes nothing.
 */
export function exportedText(text: string): string {
  return text.length > 1 && text[0] === "'" && /^'[=+\-@]/.test(text) ? text.slice(1) : text;
}
