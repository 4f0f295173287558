import { DomainError } from '../errors.js';
import { toHalfWidth } from '../text.js';
import {
  closestName,
  COLUMN_SYNONYMS,
  EXTRA_COLUMNS,
  IGNORE_WORDS,
  NOT_IMPORTED,
  NOTE_EXTRAS,
  type ColumnKey,
  type ExtraKey,
  type TargetKey,
} from './columns.js';

export type { ColumnKey } from './columns.js';

/** The columns an import understands; the first Chinese name is the one templates and exports use. */
export const IMPORT_COLUMNS: { key: ColumnKey; zh: string[]; en: string }[] = [
  { key: 'code', zh: ['客户编码'], en: 'code' },
  { key: 'name', zh: ['客户名称'], en: 'name' },
  { key: 'contact', zh: ['联系人'], en: 'contact' },
  // 电话 alone is a landline (columns.ts): it fills 手机 only when that is empty.
  { key: 'phone', zh: ['手机', '手机/电话'], en: 'phone' },
  { key: 'address', zh: ['地址'], en: 'address' },
  { key: 'category', zh: ['客户分类'], en: 'group' },
  { key: 'region', zh: ['区域'], en: 'region' },
  { key: 'owner', zh: ['负责人'], en: 'owner' },
  { key: 'status', zh: ['状态'], en: 'status' },
  { key: 'note', zh: ['备注'], en: 'note' },
];

/** 状态 cell values → stored status. */
export const STATUS_VALUES: Record<string, 'active' | 'inactive'> = {
  启用: 'active',
  正常: 'active',
  active: 'active',
  1: 'active',
  是: 'active',
  有效: 'active',
  true: 'active',
  停用: 'inactive',
  inactive: 'inactive',
  禁用: 'inactive',
  0: 'inactive',
  否: 'inactive',
  无效: 'inactive',
  false: 'inactive',
};

/** Trimmed, half-width, no spaces (full-width ones too), lower-case, without a required-mark `*`. */
export function normalizeHeader(text: string): string {
  return toHalfWidth(text)
    .replace(/\s+/g, '')
    .replace(/^\*|\*$|\(必填\)$/g, '')
    .toLowerCase();
}

/** Columns the error report adds; ignored on re-import so a fixed report imports as it is. */
export const REPORT_COLUMNS = ['错误原因', '原行号'];

const LOOKUP = new Map<string, ColumnKey | ExtraKey>();
/** Normalised name → the name as written, for suggestions. */
const DISPLAY = new Map<string, string>();
function learn(name: string, key: ColumnKey | ExtraKey): void {
  LOOKUP.set(normalizeHeader(name), key);
  DISPLAY.set(normalizeHeader(name), name);
}
for (const c of IMPORT_COLUMNS) for (const name of [...c.zh, c.en]) learn(name, c.key);
for (const [key, names] of Object.entries(COLUMN_SYNONYMS) as [ColumnKey, string[]][])
  for (const name of names) learn(name, key);
for (const e of EXTRA_COLUMNS) for (const name of e.names) learn(name, e.key);
const IGNORE = new Set(IGNORE_WORDS.map(normalizeHeader));
const EXTRA_KEYS = new Set<string>(EXTRA_COLUMNS.map((e) => e.key));

/** A header's field by the built-in names, or undefined. */
export function knownColumn(header: string): ColumnKey | ExtraKey | undefined {
  return LOOKUP.get(normalizeHeader(header));
}

/** Every accepted column name, by field, for help texts and the README. */
export function acceptedNames(): { key: ColumnKey | ExtraKey; names: string[] }[] {
  const out = new Map<ColumnKey | ExtraKey, string[]>();
  for (const [norm, key] of LOOKUP) out.set(key, [...(out.get(key) ?? []), DISPLAY.get(norm)!]);
  return [...out].map(([key, names]) => ({ key, names }));
}

/**
 * What `--map-column 表头=字段` names as 字段: a field or column name the import knows (客户名称,
 * name, 手机, 纳税人识别号 …), or 忽略 to drop the column. Throws a Chinese message otherwise.
 */
export function resolveTarget(text: string): TargetKey {
  const norm = normalizeHeader(text);
  if (IGNORE.has(norm)) return 'ignore';
  const key = LOOKUP.get(norm);
  if (key) return key;
  const guess = closestName(norm, DISPLAY);
  const known = IMPORT_COLUMNS.map((c) => c.zh[0]).join('、');
  throw new DomainError(
    'VALIDATION',
    `--map-column 里的字段「${text}」不认识${guess ? ` (是不是「${guess}」?)` : ''}。字段可以是: ${known}, 或其他可识别的列名 (见 steward import --help), 或「忽略」。`,
    { field: text },
  );
}

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
  /** Columns with no customer field: kept in 备注, or (期初应收, 税率, 排序) not imported. */
  extras: { key: ExtraKey; index: number; label: string }[];
  /** Columns read but not imported, with the reason (for the report). */
  notImported: { index: number; label: string; reason: string }[];
}

/** A user's column mapping: normalised header → target (from --map-column and a saved mapping). */
export type ColumnMap = Map<string, TargetKey>;

function targetOf(cell: string, userMap?: ColumnMap): TargetKey | undefined {
  const norm = normalizeHeader(cell);
  return userMap?.get(norm) ?? LOOKUP.get(norm);
}

/** Whether a row looks like the header row (it names 客户名称/name, by its own names or the user's mapping). */
export function isHeaderRow(cells: string[], userMap?: ColumnMap): boolean {
  return cells.some((c) => targetOf(c, userMap) === 'name');
}

function unknownMessage(headerRow: number, unknown: { index: number; label: string }[]): string {
  const list = unknown.map((u) => `「${u.label}」(${columnLetter(u.index)} 列)`).join('、');
  const known = IMPORT_COLUMNS.map((c) => c.zh[0]).join('、');
  const hints = unknown.flatMap((u) => {
    const guess = closestName(normalizeHeader(u.label), DISPLAY);
    return guess ? [`「${u.label}」可能是「${guess}」`] : [];
  });
  const example = unknown[0]!.label;
  return (
    `第 ${headerRow} 行有不认识的列: ${list}。能识别的列是: ${known}。请删除或改名这些列, 或加 --ignore-unknown 忽略它们。` +
    `${hints.length ? ` 建议: ${hints.join('; ')}。` : ''} 也可以指定对应关系, 例如 --map-column ${example}=备注 (或 =忽略), 确认导入后会按来源记住。`
  );
}

/** The error for a header without a name column, listing what it has and the flag that might fix it. */
function missingNameError(out: HeaderMap, headerRow: number): DomainError {
  const found =
    out.labels
      .filter(Boolean)
      .map((l) => `「${l}」`)
      .join('、') || '(空)';
  // A header that only looks like a name column (客户名, 单位) gets the flag that would map it.
  const guess = out.unknown.find(
    (u) => LOOKUP.get(normalizeHeader(closestName(normalizeHeader(u.label), DISPLAY) ?? '')) === 'name',
  );
  const hint = guess
    ? ` 如果「${guess.label}」就是客户名称, 请加 --map-column ${guess.label}=客户名称。`
    : out.unknown.length
      ? ' 如果其中某列就是客户名称, 请加 --map-column 该列的表头=客户名称。'
      : '';
  return new DomainError(
    'VALIDATION',
    `缺少必填列「客户名称」(或 name)。第 ${headerRow} 行的表头是: ${found}。请按模板填写表头 (steward import --template 可生成模板)。${hint}`,
    { row: headerRow, column: '客户名称' },
  );
}

/**
 * Maps header cells to fields. A repeated column or (without `ignoreUnknown`) an unknown one stops
 * the import here, before any row is read further.
 */
export function mapHeader(cells: string[], headerRow: number, ignoreUnknown: boolean, userMap?: ColumnMap): HeaderMap {
  const out: HeaderMap = { columns: {}, labels: cells.map((c) => c.trim()), unknown: [], extras: [], notImported: [] };
  const seenAt = new Map<string, number>();
  cells.forEach((cell, index) => {
    if (!cell.trim()) return;
    const key = targetOf(cell, userMap);
    if (key === 'ignore')
      return void out.notImported.push({ index, label: cell.trim(), reason: '按 --map-column 设为忽略' });
    if (!key) {
      if (REPORT_COLUMNS.includes(cell.trim())) return;
      out.unknown.push({ index, label: cell.trim() });
      return;
    }
    const seen = seenAt.get(key);
    if (seen !== undefined) {
      throw new DomainError(
        'VALIDATION',
        `第 ${headerRow} 行表头里「${out.labels[seen]}」(${columnLetter(seen)} 列) 和「${cell.trim()}」(${columnLetter(index)} 列) 是同一列, 请删掉其中一列, 或用 --map-column ${cell.trim()}=忽略 后重新导入。`,
        { row: headerRow },
      );
    }
    seenAt.set(key, index);
    if (!EXTRA_KEYS.has(key)) out.columns[key as ColumnKey] = index;
    else {
      out.extras.push({ key: key as ExtraKey, index, label: cell.trim() });
      const why = NOT_IMPORTED[key as ExtraKey];
      if (why) out.notImported.push({ index, label: cell.trim(), reason: why });
    }
  });
  if (out.columns.name === undefined) throw missingNameError(out, headerRow);
  if (out.unknown.length && !ignoreUnknown) {
    const suggestions = out.unknown.map((u) => ({ ...u, suggestion: closestName(normalizeHeader(u.label), DISPLAY) }));
    throw new DomainError('VALIDATION', unknownMessage(headerRow, out.unknown), {
      row: headerRow,
      unknown: suggestions,
    });
  }
  for (const u of out.unknown)
    out.notImported.push({ index: u.index, label: u.label, reason: '不认识的列, 已按 --ignore-unknown 忽略' });
  out.notImported.sort((a, b) => a.index - b.index);
  // The order they are written into 备注 (电话 first, then tax and bank): sorted once, not per row.
  out.extras.sort((a, b) => NOTE_EXTRAS.indexOf(a.key) - NOTE_EXTRAS.indexOf(b.key));
  return out;
}
