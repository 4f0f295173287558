import type { Core } from '../../context.js';
import { DomainError } from '../../errors.js';
import { readSource } from '../../data/source.js';
import { MAX_RECODE_ROWS, type RecodePair } from './plan.js';

const FROM = /^(旧编码|原编码|旧客户编码|old[ _]?code|from)$/i;
const TO = /^(新编码|新客户编码|new[ _]?code|to)$/i;

/**
 * The two-column sheet (旧编码, 新编码) of a bulk recode, from .xlsx, .xls or .csv. A header row is
 * optional; when there is one, its columns may be in either order and other columns are ignored.
 */
export async function readRecodeSheet(core: Core, file: string, fileName: string): Promise<RecodePair[]> {
  const source = await readSource(file, fileName, { maxRows: MAX_RECODE_ROWS + 1, maxUnzippedMb: core.config.IMPORT_MAX_UNZIPPED_MB });
  const pairs: RecodePair[] = [];
  let cols: [number, number] | null = null;
  for await (const row of source.rows) {
    const cells = row.cells.map((c) => String(c ?? '').trim());
    if (!cells.some(Boolean)) continue;
    if (!cols) {
      const f = cells.findIndex((c) => FROM.test(c));
      const t = cells.findIndex((c) => TO.test(c));
      cols = f >= 0 && t >= 0 ? [f, t] : [0, 1];
      if (f >= 0 && t >= 0) continue;
    }
    pairs.push({ rowNo: row.rowNo, from: cells[cols[0]] ?? '', to: cells[cols[1]] ?? '' });
  }
  if (!pairs.length) throw new DomainError('VALIDATION', `「${fileName}」里没有要改的编码: 请用两列 旧编码, 新编码 (第一行可写表头)。`, { file: fileName });
  return pairs;
}

/** Rows pasted from a spreadsheet (tab-, comma- or space-separated, one pair per line; a header line is skipped). */
export function parseRecodeText(text: string): RecodePair[] {
  const pairs: RecodePair[] = [];
  String(text ?? '').split(/\r?\n/).forEach((line, i) => {
    const cells = line.split(/[\t,，;；]|\s+/).map((c) => c.trim()).filter(Boolean);
    if (!cells.length || (i === 0 && cells.some((c) => FROM.test(c)))) return;
    pairs.push({ rowNo: i + 1, from: cells[0] ?? '', to: cells[1] ?? '' });
  });
  return pairs;
}
