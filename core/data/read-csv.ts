import fs from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import iconv from 'iconv-lite';
import { DomainError } from '../errors.js';
import { tooMany } from './xlsx-rows.js';
import type { ReadOptions, SourceRows } from './source.js';

/** UTF-8 (with or without BOM) when the bytes decode strictly; otherwise GBK (as GB18030, its superset). */
export function decodeText(buf: Buffer): { text: string; encoding: 'utf-8' | 'gbk' } {
  const body = buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? buf.subarray(3) : buf;
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(body), encoding: 'utf-8' };
  } catch {
    return { text: iconv.decode(body, 'gb18030'), encoding: 'gbk' };
  }
}

/** Reads a CSV (comma, or tab when the first line has more tabs) with Excel's quoting; rows are handed out as iterated. */
export async function readCsv(file: string, fileName: string, opts: ReadOptions): Promise<SourceRows> {
  const stat = await fs.stat(file);
  if (stat.size > opts.maxUnzippedMb * 1024 * 1024) {
    throw new DomainError(
      'VALIDATION',
      `「${fileName}」有 ${Math.round(stat.size / 1024 / 1024)} MB, 超过 ${opts.maxUnzippedMb} MB 上限。请拆分后导入, 或调大 IMPORT_MAX_UNZIPPED_MB。`,
    );
  }
  const { text, encoding } = decodeText(await fs.readFile(file));
  const firstLine = text.slice(0, text.indexOf('\n') >>> 0);
  const delimiter = (firstLine.match(/\t/g)?.length ?? 0) > (firstLine.match(/,/g)?.length ?? 0) ? '\t' : ',';
  let records: string[][];
  try {
    records = parse(text, {
      delimiter,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: false,
      bom: true,
      to: opts.maxRows + 22,
    }) as string[][];
  } catch (err) {
    const e = err as { lines?: number; message?: string };
    throw new DomainError(
      'VALIDATION',
      `CSV 文件「${fileName}」第 ${e.lines ?? '?'} 行格式不对 (多半是引号没有成对)。请在 Excel 里打开后另存为 CSV 或 .xlsx 再导入。`,
      { line: e.lines },
    );
  }
  if (records.length > opts.maxRows + 21) throw tooMany(fileName, opts.maxRows);
  if (records.every((r) => r.every((c) => !c.trim()))) {
    throw new DomainError('VALIDATION', `「${fileName}」没有任何内容。请确认选对了文件。`);
  }
  async function* rows() {
    // Handed out one by one and released, so the parsed rows need not stay in memory twice.
    for (let i = 0; i < records.length; i++) {
      yield { rowNo: i + 1, cells: records[i]! };
      records[i] = [];
    }
  }
  return { format: 'csv', sheet: null, encoding, rows: rows(), total: records.length, merges: [] };
}
