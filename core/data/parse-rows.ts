import type { Core } from '../context.js';
import { DomainError } from '../errors.js';
import { checkManualCode } from '../customers/codes.js';
import { checkCreateInput, FIELD_LABELS, type CustomerInput } from '../customers/schema.js';
import { toHalfWidth } from '../text.js';
import { exportedText, isExcelError, isMasked, isSummaryLabel, phonePrecisionProblem } from './cells.js';
import { EXTRA_COLUMNS, NOT_IMPORTED } from './columns.js';
import {
  columnLetter,
  isHeaderRow,
  mapHeader,
  STATUS_VALUES,
  type ColumnKey,
  type ColumnMap,
  type HeaderMap,
} from './headers.js';
import type { RawRow } from './source.js';
import { TEMPLATE_EXAMPLE } from './template.js';

/** A problem with one row: the spreadsheet row number, the column as headed in the file, the reason. */
export interface RowError {
  row: number;
  column: string;
  message: string;
  /** Reported once per distinct value instead (unknown 客户分类 / 区域); the error report still has it per row. */
  summarised?: boolean;
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

const blank = (r: RawRow) => r.cells.every((c) => !c || !c.trim());

function label(header: HeaderMap, key: string): string {
  const index = header.columns[key as ColumnKey];
  return index === undefined ? (FIELD_LABELS[key] ?? key) : header.labels[index] || columnLetter(index);
}

const EXTRA_LABEL = new Map(EXTRA_COLUMNS.map((e) => [e.key, e.label]));
const PHONE_LIKE = /^\+?[\d\s\-()]{5,24}$/;

/**
 * The columns with no field of their own: a landline fills 手机 when that is empty, and it and the
 * tax and bank columns otherwise go to 备注 as 「名称: 值」 (so nothing the file had is lost).
 */
function applyExtras(header: HeaderMap, raw: RawRow, fields: Record<string, string>, phoneMasked: boolean): void {
  if (!header.extras?.length) return;
  const parts: string[] = [];
  for (const e of header.extras) {
    if (NOT_IMPORTED[e.key]) continue;
    const v = exportedText((raw.cells[e.index] ?? '').trim());
    if (!v || isExcelError(v)) continue;
    if (e.key === 'landline' && !fields.phone && !phoneMasked && PHONE_LIKE.test(v)) fields.phone = v;
    else parts.push(`${EXTRA_LABEL.get(e.key)}: ${v}`);
  }
  if (parts.length) fields.note = [fields.note, ...parts].filter(Boolean).join('; ');
}

/** The row's own code (checked against the manual format) and 状态 (启用 / 停用 and their synonyms). */
function readCodeAndStatus(
  core: Core,
  row: ParsedRow,
  code: string,
  status: string,
  err: (key: string, message: string) => void,
): void {
  if (code) {
    try {
      row.code = checkManualCode(core, code);
    } catch (e) {
      if (!(e instanceof DomainError)) throw e;
      err('code', e.message);
    }
  }
  if (status) {
    row.status = STATUS_VALUES[toHalfWidth(status).trim().toLowerCase()] ?? null;
    if (!row.status) err('status', `状态只能是: 启用 / 停用 (也认 1/0、是/否、禁用; 现在是「${status}」)`);
  }
}

/** One row to input, collecting every problem with the row rather than stopping at the first. */
export function parseRow(core: Core, header: HeaderMap, raw: RawRow): ParsedRow {
  const get = (key: ColumnKey) => {
    const i = header.columns[key];
    return i === undefined ? '' : exportedText((raw.cells[i] ?? '').trim());
  };
  const row: ParsedRow = {
    rowNo: raw.rowNo,
    cells: raw.cells,
    input: {},
    code: null,
    status: null,
    ownerRef: null,
    masked: [],
    errors: [],
  };
  const err = (key: string, message: string) =>
    row.errors.push({ row: raw.rowNo, column: label(header, key), message });
  const fields: Record<string, string> = {};
  for (const key of ['name', 'contact', 'phone', 'address', 'category', 'region', 'note'] as const) {
    const v = get(key);
    if (isExcelError(v)) err(key, `单元格是 Excel 错误值 ${v}, 请改成实际内容`);
    else if ((key === 'phone' || key === 'address') && isMasked(v)) row.masked.push(key);
    else if (v) fields[key] = v;
  }
  applyExtras(header, raw, fields, row.masked.includes('phone'));
  const precision = fields.phone ? phonePrecisionProblem(fields.phone) : null;
  if (precision) {
    err('phone', precision);
    delete fields.phone;
  }
  const { value, errors } = checkCreateInput(fields);
  for (const e of errors) err(e.field, e.message);
  row.input = value;
  readCodeAndStatus(core, row, get('code'), get('status'), err);
  row.ownerRef = get('owner') || null;
  return row;
}

interface Range {
  r1: number;
  c1: number;
  r2: number;
  c2: number;
}

function parseRef(ref: string): Range | null {
  const m = /^([A-Z]+)(\d+):([A-Z]+)(\d+)$/.exec(ref);
  if (!m) return null;
  const col = (s: string) => [...s].reduce((n, ch) => n * 26 + ch.charCodeAt(0) - 64, 0) - 1;
  return { r1: Number(m[2]), c1: col(m[1]!), r2: Number(m[4]), c2: col(m[3]!) };
}

/** Row spans as disjoint sorted intervals. */
function union(spans: [number, number][]): [number, number][] {
  const out: [number, number][] = [];
  for (const [a, b] of spans.sort((x, y) => x[0] - y[0])) {
    const last = out[out.length - 1];
    if (last && a <= last[1] + 1) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

/**
 * Reads a sheet row by row, in order: finds the header (the first row, among the first ten with
 * content, that names 客户名称), applies merged ranges, skips and counts blank, merged and
 * example rows, and parses every data row as it comes, so an import never holds the whole sheet.
 * Merges three or more columns wide are title/section rows (skipped); a narrower one (say 负责人
 * merged down over five rows) gives its value to every row it covers.
 */
export class SheetParser {
  header: HeaderMap | null = null;
  headerRow = 0;
  private readonly wide: [number, number][];
  private readonly narrow: Range[];
  private wideAt = 0;
  private narrowAt = 0;
  private active: { m: Range; value: string }[] = [];
  private firstCandidate: RawRow | null = null;
  private candidates = 0;
  private nameAt = 0;
  private above = 0;
  private dataRows = 0;
  private lastData = 0;
  private after = 0;
  /** Rows with content above the header (a title, a tip such as jshERP's 「*导入时本行内容请勿删除」). */
  readonly skippedAbove: { row: number; text: string }[] = [];
  private pendingAbove: { row: number; text: string }[] = [];

  constructor(
    private readonly core: Core,
    merges: string[],
    private readonly ignoreUnknown: boolean,
    private readonly fileName: string,
    private readonly userMap?: ColumnMap,
  ) {
    const ranges = merges.map(parseRef).filter((m): m is Range => m !== null);
    this.wide = union(ranges.filter((m) => m.c2 - m.c1 >= 2).map((m) => [m.r1, m.r2]));
    this.narrow = ranges.filter((m) => m.c2 - m.c1 < 2).sort((a, b) => a.r1 - b.r1);
  }

  /** The parsed data row, or null for the header and rows that are skipped. */
  push(raw: RawRow): ParsedRow | null {
    this.fillMerges(raw);
    const merged = this.isWide(raw.rowNo);
    const empty = blank(raw);
    if (!this.header) {
      this.lookForHeader(raw, empty, merged);
      return null;
    }
    if (empty || merged || raw.cells[this.nameAt]?.trim() === TEMPLATE_EXAMPLE[1] || this.summary(raw)) {
      if (!empty) this.after++;
      return null;
    }
    this.dataRows++;
    this.lastData = raw.rowNo;
    this.after = 0;
    return parseRow(this.core, this.header, raw);
  }

  /**
   * Ends the sheet: the number of skipped rows. Between the header and the last data row, every
   * row that is not data (blank, merged, or not in the file at all) was skipped; outside that
   * span, only rows with content count. Throws when there is no header or no data row.
   */
  finish(): number {
    if (!this.header) {
      // Not a header row, so mapHeader refuses it with the reason (no 客户名称 column).
      if (this.firstCandidate) this.setHeader(this.firstCandidate);
      else
        throw new DomainError(
          'VALIDATION',
          `「${this.fileName}」没有表头和数据。请按模板填写 (steward import --template 可生成模板)。`,
        );
    }
    if (!this.dataRows) {
      throw new DomainError(
        'VALIDATION',
        `「${this.fileName}」只有表头 (第 ${this.headerRow} 行), 没有数据行。请在表头下面逐行填写客户后再导入。`,
        { row: this.headerRow },
      );
    }
    return this.lastData - this.headerRow - this.dataRows + this.above + this.after;
  }

  /** A summary line: its label in the 客户名称 column, or anywhere when that column is empty. */
  private summary(raw: RawRow): boolean {
    const name = raw.cells[this.nameAt]?.trim();
    return name ? isSummaryLabel(name) : raw.cells.some(isSummaryLabel);
  }

  private lookForHeader(raw: RawRow, empty: boolean, merged: boolean): void {
    if (empty) return;
    if (!merged && isHeaderRow(raw.cells, this.userMap)) {
      this.skippedAbove.push(...this.pendingAbove);
      return this.setHeader(raw);
    }
    this.pendingAbove.push({
      row: raw.rowNo,
      text: raw.cells
        .filter((c) => c && c.trim())
        .join(' ')
        .trim()
        .slice(0, 60),
    });
    this.above++;
    if (merged) return;
    this.firstCandidate ??= raw;
    if (++this.candidates >= 10) this.setHeader(this.firstCandidate);
  }

  private setHeader(raw: RawRow): void {
    this.header = mapHeader(raw.cells, raw.rowNo, this.ignoreUnknown, this.userMap);
    this.headerRow = raw.rowNo;
    this.nameAt = this.header.columns.name!;
  }

  /** Rows arrive in order, so the merges are swept: those starting here join, ended ones leave. */
  private fillMerges(raw: RawRow): void {
    const r = raw.rowNo;
    while (this.narrowAt < this.narrow.length && this.narrow[this.narrowAt]!.r1 <= r) {
      const m = this.narrow[this.narrowAt++]!;
      if (m.r2 >= r) this.active.push({ m, value: m.r1 === r ? (raw.cells[m.c1] ?? '') : '' });
    }
    if (!this.active.length) return;
    this.active = this.active.filter((a) => a.m.r2 >= r);
    for (const { m, value } of this.active) for (let c = m.c1; c <= m.c2; c++) if (!raw.cells[c]) raw.cells[c] = value;
  }

  private isWide(r: number): boolean {
    while (this.wideAt < this.wide.length && this.wide[this.wideAt]![1] < r) this.wideAt++;
    const w = this.wide[this.wideAt];
    return w !== undefined && w[0] <= r;
  }
}
