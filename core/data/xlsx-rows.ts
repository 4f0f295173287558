import { DomainError } from '../errors.js';
import { cellText } from './cells.js';
import { sheetReaderName, tolerateLateWorkbookPart, useDateStyleTable } from './exceljs-internals.js';
import type { RawRow } from './source.js';

/** What reading one sheet needs to know. */
export interface SheetJob {
  kind?: 'xlsx';
  file: string;
  fileName: string;
  /** The sheet's name and its 1-based position in the workbook. */
  sheet: string;
  position: number;
  /** Other sheets' names, for the message when this one is empty. */
  others: string[];
  /** Cell style indexes whose number format is a date. */
  dateStyles: number[];
  maxRows: number;
}

interface StreamRow {
  number: number;
  values: unknown[] | Record<string, unknown>;
}

const sheetNames = (names: string[]) => names.map((n) => `「${n}」`).join('、');

/** The IMPORT_MAX_ROWS refusal. */
export function tooMany(fileName: string, max: number): DomainError {
  return new DomainError(
    'VALIDATION',
    `「${fileName}」的数据超过 ${max} 行 (上限 IMPORT_MAX_ROWS=${max})。请拆成几个文件分别导入, 或调大 IMPORT_MAX_ROWS。`,
    { max },
  );
}

/** The refusal for a sheet with no content at all. */
export function empty(job: { sheet: string; others: string[] }): DomainError {
  const hint = job.others.length ? `其他工作表: ${sheetNames(job.others)}, 可用 --sheet 指定。` : '请确认选对了文件。';
  return new DomainError('VALIDATION', `工作表「${job.sheet}」是空的, 没有任何内容。${hint}`, {
    sheets: [...job.others, job.sheet],
  });
}

/**
 * The rows of one sheet through exceljs's streaming reader, as text cells. Date cells become
 * dates through a tiny style table instead of exceljs's full style cache, which costs a third of
 * the read time and most of the memory. Throws on too many rows and on an empty sheet.
 */
export async function* sheetRows(job: SheetJob): AsyncGenerator<RawRow> {
  const { default: ExcelJS } = await import('exceljs');
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(job.file, {
    sharedStrings: 'cache',
    styles: 'ignore',
    hyperlinks: 'ignore',
    worksheets: 'emit',
    entries: 'ignore',
  });
  useDateStyleTable(reader, job.dateStyles);
  tolerateLateWorkbookPart(reader);
  let count = 0;
  let content = false;
  let index = 0;
  for await (const sheet of reader) {
    index++;
    const name = sheetReaderName(sheet);
    if (name !== undefined ? name !== job.sheet : index !== job.position) continue;
    for await (const row of sheet as AsyncIterable<StreamRow>) {
      const values = Array.isArray(row.values) ? row.values : [];
      const cells: string[] = new Array(Math.max(values.length - 1, 0));
      for (let i = 1; i < values.length; i++) cells[i - 1] = cellText(values[i]);
      if (++count > job.maxRows + 20) throw tooMany(job.fileName, job.maxRows);
      content ||= cells.some((c) => c && c.trim());
      yield { rowNo: row.number, cells };
    }
    break;
  }
  if (!content) throw empty(job);
}
