import { toHalfWidth } from '../../text.js';

/** A cell read as a value, or the reason (Chinese, without the column) it cannot be. */
export type CellResult<T> = { ok: true; value: T } | { ok: false; message: string };

const ok = <T>(value: T): CellResult<T> => ({ ok: true, value });
const bad = <T>(message: string): CellResult<T> => ({ ok: false, message });

/**
 * An amount as a decimal string with at most 2 decimals: 1,234.5 ¥99 and Excel numbers are fine,
 * text, a third decimal and (unless allowed) a negative are refused with the reason.
 */
export function parseMoneyCell(text: string, opts: { required: boolean; emptyAs?: string }): CellResult<string> {
  const s = toHalfWidth(text)
    .replace(/[,，\s¥￥]/g, '')
    .replace(/元$/, '');
  if (!s) return opts.emptyAs !== undefined ? ok(opts.emptyAs) : bad('必填, 不能为空');
  const m = /^(-)?(\d+)(?:\.(\d*))?$/.exec(s);
  if (!m) return bad(`「${text.trim()}」不是金额, 应为数字, 例如 1234.50`);
  const decimals = (m[3] ?? '').replace(/0+$/, '');
  if (decimals.length > 2) return bad(`「${text.trim()}」超过两位小数, 金额最多精确到分`);
  if (m[1] && /[1-9]/.test(m[2]! + decimals)) return bad(`「${text.trim()}」是负数, 金额不能为负`);
  const int = m[2]!.replace(/^0+(?=\d)/, '');
  if (int.length > 12) return bad(`「${text.trim()}」过大, 最多 999,999,999,999.99`);
  return ok(`${int}.${decimals.padEnd(2, '0')}`);
}

const pad = (n: number) => String(n).padStart(2, '0');

function realDate(y: number, m: number, d: number): string | null {
  const dt = new Date(Date.UTC(y, m - 1, d));
  if (y < 1900 || y > 2200 || dt.getUTCFullYear() !== y || dt.getUTCMonth() !== m - 1 || dt.getUTCDate() !== d)
    return null;
  return `${y}-${pad(m)}-${pad(d)}`;
}

/** Excel's day count (1900 system, with its phantom 1900-02-29) to YYYY-MM-DD. */
function excelSerialDate(serial: number): string {
  const d = new Date(Date.UTC(1899, 11, 30) + Math.floor(serial) * 86400_000);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/**
 * A date as YYYY-MM-DD from what spreadsheets hold: 2026-01-05, 2026/1/5, 2026.1.5, 2026年1月5日,
 * 20260105, a date cell (the reader gives 2026-01-05 or 2026-01-05 08:30) or an Excel day number.
 */
export function parseDateCell(text: string): CellResult<string> {
  const s = toHalfWidth(text).trim();
  if (!s) return bad('必填, 不能为空');
  const shown = `「${text.trim()}」不是有效日期, 应为 2026-01-05 或 2026/1/5 这样的格式`;
  let m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:Z)?$/.exec(s);
  m ??= /^(\d{4})(\d{2})(\d{2})$/.exec(s);
  if (m)
    return realDate(Number(m[1]), Number(m[2]), Number(m[3]))
      ? ok(realDate(Number(m[1]), Number(m[2]), Number(m[3]))!)
      : bad(shown);
  // A date cell formatted as a plain number shows its day count: 46027 is 2026-01-05.
  if (/^\d{5}(\.\d+)?$/.test(s) && Number(s) >= 20000 && Number(s) < 110000) return ok(excelSerialDate(Number(s)));
  return bad(shown);
}

/** Order states a document may be in; the ERP's many words for them map here. */
export type DocStatus = 'open' | 'closed' | 'cancelled';

const STATUS_WORDS: Record<string, DocStatus> = {
  open: 'open',
  未完成: 'open',
  进行中: 'open',
  未结: 'open',
  未结案: 'open',
  未关闭: 'open',
  执行中: 'open',
  待发货: 'open',
  已审核: 'open',
  未审核: 'open',
  // Partly delivered or still in approval is still open business (jshERP's 部分销售 and 审核中 too).
  审核中: 'open',
  待审核: 'open',
  部分发货: 'open',
  部分出库: 'open',
  部分销售: 'open',
  未发货: 'open',
  未出库: 'open',
  待出库: 'open',
  0: 'open',
  closed: 'closed',
  close: 'closed',
  completed: 'closed',
  done: 'closed',
  已完成: 'closed',
  完成: 'closed',
  已关闭: 'closed',
  关闭: 'closed',
  已结案: 'closed',
  结案: 'closed',
  已结: 'closed',
  已结清: 'closed',
  已发货: 'closed',
  已出库: 'closed',
  全部出库: 'closed',
  完成销售: 'closed',
  1: 'closed',
  cancelled: 'cancelled',
  canceled: 'cancelled',
  cancel: 'cancelled',
  void: 'cancelled',
  已取消: 'cancelled',
  取消: 'cancelled',
  作废: 'cancelled',
  已作废: 'cancelled',
  撤销: 'cancelled',
  已撤销: 'cancelled',
};

/** An order status cell: 未完成/进行中/open (or 0), 已完成/已关闭/closed (or 1), 已取消/作废/cancelled. */
export function parseStatusCell(text: string): CellResult<DocStatus> {
  const s = toHalfWidth(text).replace(/\s+/g, '').toLowerCase();
  if (!s) return bad('必填, 不能为空');
  const v = STATUS_WORDS[s];
  return v
    ? ok(v)
    : bad(
        `「${text.trim()}」不是认识的状态。可用: 未完成/进行中/open (或 0), 已完成/已关闭/closed (或 1), 已取消/作废/cancelled`,
      );
}

/** A document number: trimmed, half-width, at most 64 characters, no control characters. */
export function parseNumberCell(text: string): CellResult<string> {
  const s = toHalfWidth(text).trim();
  if (!s) return bad('单据编号必填, 不能为空');
  if (s.length > 64) return bad(`「${s.slice(0, 20)}…」太长, 单据编号最多 64 个字符`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001F\u007F]/.test(s)) return bad('含有不可见的控制字符, 请在 Excel 里重新输入');
  return ok(s);
}
