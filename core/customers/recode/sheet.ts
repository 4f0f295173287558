import type { Core } from '../../context.js';
import { DomainError } from '../../errors.js';
import { readSource } from '../../data/source.js';
import { MAX_RECODE_ROWS, type RecodePair } from './plan.js';

const FROM = /^(旧编码|原编码|旧客户编码|old[ _]?code|from)$/i;
const TO = /^(新编码|新客户编码|new[ _]?code|to)$/i;
const REASON = /^(原因|改编码原因|备注|reason)$/i;

/**
 * The sheet of a bulk recode (旧编码, 新编码, optionally 原因 per line), from .xlsx, .xls or .csv. A
 * header row is optional; when there is one, its columns may be in any order and other columns
 * are ignored; without one the columns are taken in that order.
 */
export async function readRecodeSheet(core: Core, file: string, fileName: string): Promise<RecodePair[]> {
  const source = await readSource(file, fileName, {
    maxRows: MAX_RECODE_ROWS + 1,
    maxUnzippedMb: core.config.IMPORT_MAX_UNZIPPED_MB,
  });
  const pairs: RecodePair[] = [];
  let cols: [number, number, number] | null = null;
  for await (const row of source.rows) {
    const cells = row.cells.map((c) => String(c ?? '').trim());
    if (!cells.some(Boolean)) continue;
    if (!cols) {
      const f = cells.findIndex((c) => FROM.test(c));
      const t = cells.findIndex((c) => TO.test(c));
      cols = f >= 0 && t >= 0 ? [f, t, cells.findIndex((c) => REASON.test(c))] : [0, 1, 2];
      if (f >= 0 && t >= 0) continue;
    }
    const reason = cols[2] >= 0 ? (cells[cols[2]] ?? '') : '';
    pairs.push({
      rowNo: row.rowNo,
      from: cells[cols[0]] ?? '',
      to: cells[cols[1]] ?? '',
      ...(reason ? { reason } : {}),
    });
  }
  if (!pairs.length)
    throw new DomainError(
      'VALIDATION',
      `「${fileName}」里没有要改的编码: 请用两列 旧编码, 新编码 (可加第三列 原因; 第一行可写表头)。`,
      { file: fileName },
    );
  return pairs;
}

/** Rows pasted from a spreadsheet (tab-, comma- or space-separated: 旧编码, 新编码, then an optional 原因; a header line is skipped). */
export function parseRecodeText(text: string): RecodePair[] {
  const pairs: RecodePair[] = [];
  String(text ?? '')
    .split(/\r?\n/)
    .forEach((line, i) => {
      const cells = line
        .split(/[\t,，;；]|\s+/)
        .map((c) => c.trim())
        .filter(Boolean);
      if (!cells.length || (i === 0 && cells.some((c) => FROM.test(c)))) return;
      const reason = cells.slice(2).join(' ');
      pairs.push({ rowNo: i + 1, from: cells[0] ?? '', to: cells[1] ?? '', ...(reason ? { reason } : {}) });
    });
  return pairs;
}
