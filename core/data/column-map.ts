import crypto from 'node:crypto';
import path from 'node:path';
import type { Transaction } from 'sequelize';
import type { Core } from '../context.js';
import { DomainError } from '../errors.js';
import type { TargetKey } from './columns.js';
import { normalizeHeader, resolveTarget, type ColumnMap } from './headers.js';

/** A saved mapping, as kept in steward_meta (`import_columns:<source>`). */
interface SavedMap {
  source: string;
  /** header as written → target as written by the user */
  columns: Record<string, string>;
  savedAt: string;
}

const GENERIC_SHEET = /^(sheet|工作表|表|worksheet)\s*\d*$/i;

/**
 * Where a file comes from, for remembering its column mapping: `--source` when given; else the
 * sheet's name unless it is a default one (jshERP's export is always 「信息内容」); else the file
 * name without extension and trailing dates or numbers (客户-2026-12-04.csv → 客户).
 */
export function sourceName(explicit: string | undefined, sheet: string | null, fileName: string): string {
  if (explicit?.trim()) return explicit.trim();
  if (sheet && sheet.trim() && !GENERIC_SHEET.test(sheet.trim())) return sheet.trim();
  const stem = path
    .basename(fileName, path.extname(fileName))
    .replace(/[\s_\-()（）.]*[\d\-_.]*$/, '')
    .trim();
  return stem || path.basename(fileName, path.extname(fileName));
}

function metaKey(source: string): string {
  const key = `import_columns:${source}`;
  // steward_meta keys are at most 64 characters.
  return key.length <= 64
    ? key
    : `import_columns:#${crypto.createHash('sha256').update(source).digest('hex').slice(0, 40)}`;
}

/** Parses `表头=字段` entries (from --map-column); each 字段 must be a known field or 忽略. */
export function parseMapEntries(entries: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of entries) {
    const at = entry.lastIndexOf('=');
    const header = at > 0 ? entry.slice(0, at).trim() : '';
    const target = at > 0 ? entry.slice(at + 1).trim() : '';
    if (!header || !target)
      throw new DomainError(
        'VALIDATION',
        `--map-column 的写法是「表头=字段」, 例如 --map-column 单位全称=客户名称; 「${entry}」不对。`,
        { entry },
      );
    resolveTarget(target);
    out[header] = target;
  }
  return out;
}

/** Entries (header → target text) as the parser's map (normalised header → field). */
export function toColumnMap(columns: Record<string, string>): ColumnMap {
  const map: ColumnMap = new Map<string, TargetKey>();
  for (const [header, target] of Object.entries(columns)) map.set(normalizeHeader(header), resolveTarget(target));
  return map;
}

/** The mapping saved for a source, or an empty one. */
export async function loadColumnMap(
  core: Core,
  source: string,
  t: Transaction | null,
): Promise<Record<string, string>> {
  const row = await core.models.StewardMeta.findByPk(metaKey(source), { transaction: t ?? undefined });
  if (!row) return {};
  try {
    return (JSON.parse(row.value) as SavedMap).columns ?? {};
  } catch {
    return {};
  }
}

/** Remembers a mapping for a source (in the import's transaction, so a rolled-back import saves nothing). */
export async function saveColumnMap(
  core: Core,
  source: string,
  columns: Record<string, string>,
  t: Transaction,
): Promise<void> {
  const value: SavedMap = { source, columns, savedAt: core.now().toISOString() };
  await core.models.StewardMeta.upsert({ key: metaKey(source), value: JSON.stringify(value) }, { transaction: t });
}
