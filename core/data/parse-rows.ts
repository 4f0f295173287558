import type { Core } from '../context.js';
import { DomainError } from '../errors.js';
import { checkManualCode } from '../customers/codes.js';
import { checkCreateInput, FIELD_LABELS, type CustomerInput } from '../customers/schema.js';
import { toHalfWidth } from '../text.js';
import { isExcelError, isMasked, phonePrecisionProblem } from './cells.js';
import { columnLetter, isHeaderRow, mapHeader, STATUS_VALUES, type ColumnKey, type HeaderMap } from './headers.js';
import type { RawRow } from './source.js';
import { TEMPLATE_EXAMPLE } from './template.js';

/** A problem with one row: the spreadsheet row number, the column as headed in the file, the reason. */
export interface RowError {
  row: number;
  column: string;
  message: string;
}

/** One data row after the same cleaning and ajv check as create. */
export interface ParsedRow {
  rowNo: number;
  /** The cells as read (after filling merged cells), for the error report. */
  cells: string[];
  input: CustomerInput;
  code: string | null;
  status: 'active' | 'inactive' | null;
  ownerRef: string | null;
  /** Personal fields given masked (exported with ****): an update keeps what is stored. */
  masked: ('phone' | 'address')[];
  errors: RowError[];
}

export interface ParsedSheet {
  header: HeaderMap;
  headerRow: number;
  rows: ParsedRow[];
  /** Blank rows, merged (title/section) rows and rows above the header. */
  skipped: number;
}

interface Range { r1: number; c1: number; r2: number; c2: number }

function parseRef(ref: string): Range | null {
  const m = /^([A-Z]+)(\d+):([A-Z]+)(\d+)$/.exec(ref);
  if (!m) return null;
  const col = (s: string) => [...s].reduce((n, ch) => n * 26 + ch.charCodeAt(0) - 64, 0) - 1;
  return { r1: Number(m[2]), c1: col(m[1]!), r2: Number(m[4]), c2: col(m[3]!) };
}

/**
 * Applies merged ranges: a merge three or more columns wide is a title or section row (skipped);
 * a narrower one (say 负责人 merged down over five rows) gives its value to every row it covers.
 */
function applyMerges(rows: RawRow[], merges: string[]): Set<number> {
  const mergedRows = new Set<number>();
  if (!merges.length) return mergedRows;
  const byNo = new Map(rows.map((r) => [r.rowNo, r]));
  for (const ref of merges) {
    const m = parseRef(ref);
    if (!m) continue;
    if (m.c2 - m.c1 >= 2) {
      for (let r = m.r1; r <= m.r2; r++) mergedRows.add(r);
      continue;
    }
    const value = byNo.get(m.r1)?.cells[m.c1] ?? '';
    for (let r = m.r1; r <= m.r2; r++) {
      const row = byNo.get(r);
      if (!row) continue;
      for (let c = m.c1; c <= m.c2; c++) if (!row.cells[c]) row.cells[c] = value;
    }
  }
  return mergedRows;
}

const blank = (r: RawRow) => r.cells.every((c) => !c || !c.trim());

function label(header: HeaderMap, key: string): string {
  const index = header.columns[key as ColumnKey];
  return index === undefined ? FIELD_LABELS[key] ?? key : header.labels[index] || columnLetter(index);
}

/** One row to input, collecting every problem with the row rather than stopping at the first. */
export function parseRow(core: Core, header: HeaderMap, raw: RawRow): ParsedRow {
  const get = (key: ColumnKey) => {
    const i = header.columns[key];
    return i === undefined ? '' : (raw.cells[i] ?? '').trim();
  };
  const row: ParsedRow = { rowNo: raw.rowNo, cells: raw.cells, input: {}, code: null, status: null, ownerRef: null, masked: [], errors: [] };
  const err = (key: string, message: string) => row.errors.push({ row: raw.rowNo, column: label(header, key), message });
  const fields: Record<string, string> = {};
  for (const key of ['name', 'contact', 'phone', 'address', 'category', 'note'] as const) {
    const v = get(key);
    if (isExcelError(v)) err(key, `单元格是 Excel 错误值 ${v}, 请改成实际内容`);
    else if ((key === 'phone' || key === 'address') && isMasked(v)) row.masked.push(key);
    else if (v) fields[key] = v;
  }
  const precision = fields.phone ? phonePrecisionProblem(fields.phone) : null;
  if (precision) {
    err('phone', precision);
    delete fields.phone;
  }
  const { value, errors } = checkCreateInput(fields);
  for (const e of errors) err(e.field, e.message);
  row.input = value;
  const code = get('code');
  if (code) {
    try {
      row.code = checkManualCode(core, code);
    } catch (e) {
      if (!(e instanceof DomainError)) throw e;
      err('code', e.message);
    }
  }
  const status = get('status');
  if (status) {
    row.status = STATUS_VALUES[toHalfWidth(status).trim().toLowerCase()] ?? null;
    if (!row.status) err('status', `状态只能是: 启用 / 停用 (现在是「${status}」)`);
  }
  row.ownerRef = get('owner') || null;
  return row;
}

/**
 * Finds the header (the first row, among the first ten with content, that names 客户名称), then
 * parses every row below it. Blank and merged rows are skipped and counted.
 */
export function parseSheet(core: Core, rows: RawRow[], merges: string[], ignoreUnknown: boolean, fileName: string): ParsedSheet {
  const mergedRows = applyMerges(rows, merges);
  const candidates = rows.filter((r) => !blank(r) && !mergedRows.has(r.rowNo)).slice(0, 10);
  const headerRaw = candidates.find((r) => isHeaderRow(r.cells)) ?? candidates[0];
  if (!headerRaw) throw new DomainError('VALIDATION', `「${fileName}」没有表头和数据。请按模板填写 (steward import --template 可生成模板)。`);
  const header = mapHeader(headerRaw.cells, headerRaw.rowNo, ignoreUnknown);
  const below = rows.filter((r) => r.rowNo > headerRaw.rowNo);
  const nameAt = header.columns.name!;
  // The template's example row, left in by mistake, is skipped like a blank row.
  const data = below.filter((r) => !blank(r) && !mergedRows.has(r.rowNo) && r.cells[nameAt]?.trim() !== TEMPLATE_EXAMPLE[1]);
  if (!data.length) {
    throw new DomainError('VALIDATION', `「${fileName}」只有表头 (第 ${headerRaw.rowNo} 行), 没有数据行。请在表头下面逐行填写客户后再导入。`, { row: headerRaw.rowNo });
  }
  const last = data[data.length - 1]!.rowNo;
  // Between the header and the last data row, every row that is not data (blank, merged, or not
  // in the file at all) was skipped; outside that span, only rows with content count.
  const between = last - headerRaw.rowNo - data.length;
  const outside = rows.filter((r) => (r.rowNo < headerRaw.rowNo || r.rowNo > last) && !blank(r)).length;
  return { header, headerRow: headerRaw.rowNo, rows: data.map((r) => parseRow(core, header, r)), skipped: between + outside };
}
