import { DomainError } from '../errors.js';
import { toHalfWidth } from '../text.js';

export type ColumnKey = 'code' | 'name' | 'contact' | 'phone' | 'address' | 'category' | 'owner' | 'status' | 'note';

/** The columns an import understands; the first Chinese name is the one templates and exports use. */
export const IMPORT_COLUMNS: { key: ColumnKey; zh: string[]; en: string }[] = [
  { key: 'code', zh: ['客户编码'], en: 'code' },
  { key: 'name', zh: ['客户名称'], en: 'name' },
  { key: 'contact', zh: ['联系人'], en: 'contact' },
  { key: 'phone', zh: ['手机', '电话', '手机/电话'], en: 'phone' },
  { key: 'address', zh: ['地址'], en: 'address' },
  { key: 'category', zh: ['客户分类'], en: 'group' },
  { key: 'owner', zh: ['负责人'], en: 'owner' },
  { key: 'status', zh: ['状态'], en: 'status' },
  { key: 'note', zh: ['备注'], en: 'note' },
];

/** 状态 cell values → stored status. */
export const STATUS_VALUES: Record<string, 'active' | 'inactive'> = { 启用: 'active', 正常: 'active', active: 'active', 停用: 'inactive', inactive: 'inactive' };

/** Trimmed, half-width, no spaces (full-width ones too), lower-case, without a required-mark `*`. */
export function normalizeHeader(text: string): string {
  return toHalfWidth(text).replace(/\s+/g, '').replace(/^\*|\*$|\(必填\)$/g, '').toLowerCase();
}

/** Columns the error report adds; ignored on re-import so a fixed report imports as it is. */
export const REPORT_COLUMNS = ['错误原因', '原行号'];

const LOOKUP = new Map<string, ColumnKey>();
for (const c of IMPORT_COLUMNS) for (const name of [...c.zh, c.en]) LOOKUP.set(normalizeHeader(name), c.key);

/** Spreadsheet column letters for a 0-based index: 0 → A, 27 → AB. */
export function columnLetter(index: number): string {
  let n = index + 1;
  let out = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    out = String.fromCharCode(65 + r) + out;
    n = Math.floor((n - 1) / 26);
  }
  return out;
}

/** How the header row maps onto fields. */
export interface HeaderMap {
  /** field → 0-based column index */
  columns: Partial<Record<ColumnKey, number>>;
  /** The header text as written in the file, by column index (for errors and the error report). */
  labels: string[];
  unknown: { index: number; label: string }[];
}

/** Whether a row looks like the header row (it names 客户名称/name). */
export function isHeaderRow(cells: string[]): boolean {
  return cells.some((c) => LOOKUP.get(normalizeHeader(c)) === 'name');
}

/**
 * Maps header cells to fields. A repeated column or (without `ignoreUnknown`) an unknown one stops
 * the import here, before any row is read further.
 */
export function mapHeader(cells: string[], headerRow: number, ignoreUnknown: boolean): HeaderMap {
  const out: HeaderMap = { columns: {}, labels: cells.map((c) => c.trim()), unknown: [] };
  cells.forEach((cell, index) => {
    if (!cell.trim()) return;
    const key = LOOKUP.get(normalizeHeader(cell));
    if (!key) {
      if (REPORT_COLUMNS.includes(cell.trim())) return;
      out.unknown.push({ index, label: cell.trim() });
      return;
    }
    const seen = out.columns[key];
    if (seen !== undefined) {
      throw new DomainError('VALIDATION', `第 ${headerRow} 行表头里「${out.labels[seen]}」(${columnLetter(seen)} 列) 和「${cell.trim()}」(${columnLetter(index)} 列) 是同一列, 请删掉其中一列后重新导入。`, { row: headerRow });
    }
    out.columns[key] = index;
  });
  if (out.columns.name === undefined) {
    const found = out.labels.filter(Boolean).map((l) => `「${l}」`).join('、') || '(空)';
    throw new DomainError('VALIDATION', `缺少必填列「客户名称」(或 name)。第 ${headerRow} 行的表头是: ${found}。请按模板填写表头 (steward import --template 可生成模板)。`, { row: headerRow, column: '客户名称' });
  }
  if (out.unknown.length && !ignoreUnknown) {
    const list = out.unknown.map((u) => `「${u.label}」(${columnLetter(u.index)} 列)`).join('、');
    const known = IMPORT_COLUMNS.map((c) => c.zh[0]).join('、');
    throw new DomainError('VALIDATION', `第 ${headerRow} 行有不认识的列: ${list}。能识别的列是: ${known}。请删除或改名这些列, 或加 --ignore-unknown 忽略它们。`, { row: headerRow, unknown: out.unknown });
  }
  return out;
}
