import { DomainError } from '../errors.js';
import type { ReadOptions, SourceRows } from './source.js';
import { workerRows } from './xlsx-thread.js';
import { inspectXlsx } from './zip-guard.js';

/** The last row number of a `<dimension ref="A1:I100001">`, if Excel wrote one. */
function dimensionRows(ref: string | undefined): number | null {
  const m = ref ? /:[A-Z]+(\d+)$/.exec(ref) : null;
  return m ? Number(m[1]) : null;
}

function sheetNames(names: string[]): string {
  return names.map((n) => `「${n}」`).join('、');
}

/**
 * Opens one sheet of an .xlsx for exceljs's streaming reader, after zip-guard has checked the
 * archive; rows are read as the caller iterates.
 */
export async function readXlsx(file: string, fileName: string, opts: ReadOptions): Promise<SourceRows> {
  const info = await inspectXlsx(file, fileName, opts.maxUnzippedMb * 1024 * 1024);
  const names = info.sheets.map((s) => s.name);
  const wanted =
    opts.sheet === undefined
      ? info.sheets[0]!
      : info.sheets.find((s) => s.name.trim().toLowerCase() === opts.sheet!.trim().toLowerCase());
  if (!wanted) {
    throw new DomainError(
      'VALIDATION',
      `「${fileName}」里没有名为「${opts.sheet}」的工作表。现有工作表: ${sheetNames(names)}。请用 --sheet 指定其中一个。`,
      { sheets: names },
    );
  }
  const rows = workerRows({
    file,
    fileName,
    sheet: wanted.name,
    position: info.sheets.indexOf(wanted) + 1,
    others: names.filter((n) => n !== wanted.name),
    dateStyles: [...info.dateStyles],
    maxRows: opts.maxRows,
  });
  return {
    format: 'xlsx',
    sheet: wanted.name,
    encoding: null,
    rows,
    total: dimensionRows(info.dimensions.get(wanted.part)),
    merges: info.merges.get(wanted.part) ?? [],
  };
}
