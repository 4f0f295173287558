import fs from 'node:fs/promises';
import { DomainError } from '../errors.js';
import type { RawRow, ReadOptions, SourceRows } from './source.js';
import type { XlsMeta } from './xls-rows.js';
import { workerRows } from './xlsx-thread.js';

/**
 * Opens one sheet of an old .xls (BIFF8). The file is checked against IMPORT_MAX_UNZIPPED_MB here
 * (an .xls is not compressed: its size is its content); the reading thread parses it, checks the
 * OLE container and the text against the same cap, and picks the sheet. Waits for the sheet's
 * facts (name, merges, rows) so the result looks like an .xlsx's; the rows follow as iterated.
 */
export async function readXls(file: string, fileName: string, opts: ReadOptions): Promise<SourceRows> {
  const cap = opts.maxUnzippedMb * 1024 * 1024;
  const { size } = await fs.stat(file);
  if (size > cap) {
    throw new DomainError(
      'VALIDATION',
      `「${fileName}」有 ${Math.round(size / 1024 / 1024)} MB, 超过 ${opts.maxUnzippedMb} MB 上限。请拆分后导入, 或调大 IMPORT_MAX_UNZIPPED_MB。`,
      { file: fileName },
    );
  }
  let meta: XlsMeta | null = null;
  const reader = workerRows(
    { kind: 'xls', file, fileName, sheet: opts.sheet, maxRows: opts.maxRows, capBytes: cap },
    (m) => (meta = m),
  );
  // The first row comes after the sheet's facts; a bad file or sheet is refused right here.
  const first = await reader.next();
  const facts = meta as XlsMeta | null;
  if (!facts)
    throw new DomainError('VALIDATION', `「${fileName}」读不出工作表。请在 Excel 里另存为 .xlsx 后再导入。`, {
      file: fileName,
    });
  async function* rows(): AsyncGenerator<RawRow> {
    if (first.done) return;
    yield first.value;
    yield* reader;
  }
  return { format: 'xls', sheet: facts.sheet, encoding: null, rows: rows(), total: facts.total, merges: facts.merges };
}
