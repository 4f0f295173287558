import ExcelJS from 'exceljs';
import { DomainError } from '../errors.js';
import { cellText } from './cells.js';
import type { RawRow, ReadOptions, SourceRows } from './source.js';
import { inspectXlsx } from './zip-guard.js';

interface StreamRow {
  number: number;
  values: unknown[] | Record<string, unknown>;
}

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
 * archive; rows are read as the caller iterates. Date cells become dates through a tiny style
 * table instead of exceljs's full style cache, which costs a third of the read time and most of
 * the memory.
 */
export async function readXlsx(file: string, fileName: string, opts: ReadOptions): Promise<SourceRows> {
  const cap = opts.maxUnzippedMb * 1024 * 1024;
  const info = await inspectXlsx(file, fileName, cap);
  const names = info.sheets.map((s) => s.name);
  const wanted = opts.sheet === undefined ? info.sheets[0]! : info.sheets.find((s) => s.name.trim().toLowerCase() === opts.sheet!.trim().toLowerCase());
  if (!wanted) {
    throw new DomainError('VALIDATION', `「${fileName}」里没有名为「${opts.sheet}」的工作表。现有工作表: ${sheetNames(names)}。请用 --sheet 指定其中一个。`, { sheets: names });
  }
  const empty = () => {
    const others = names.filter((n) => n !== wanted.name);
    const hint = others.length ? `其他工作表: ${sheetNames(others)}, 可用 --sheet 指定。` : '请确认选对了文件。';
    return new DomainError('VALIDATION', `工作表「${wanted.name}」是空的, 没有任何内容。${hint}`, { sheets: names });
  };
  async function* rows(): AsyncGenerator<RawRow> {
    const reader = new ExcelJS.stream.xlsx.WorkbookReader(file, { sharedStrings: 'cache', styles: 'ignore', hyperlinks: 'ignore', worksheets: 'emit', entries: 'ignore' });
    const dateFormat = { numFmt: 'yyyy-mm-dd' };
    (reader as unknown as { styles: unknown }).styles = { getStyleModel: (id: number) => (info.dateStyles.has(id) ? dateFormat : undefined) };
    let count = 0;
    let content = false;
    let index = 0;
    for await (const sheet of reader) {
      index++;
      const name = (sheet as unknown as { name?: string }).name;
      if (name !== undefined ? name !== wanted!.name : index !== info.sheets.indexOf(wanted!) + 1) continue;
      for await (const row of sheet as AsyncIterable<StreamRow>) {
        const values = Array.isArray(row.values) ? row.values : [];
        const cells: string[] = new Array(Math.max(values.length - 1, 0));
        for (let i = 1; i < values.length; i++) cells[i - 1] = cellText(values[i]);
        if (++count > opts.maxRows + 20) throw tooMany(fileName, opts.maxRows);
        content ||= cells.some((c) => c && c.trim());
        yield { rowNo: row.number, cells };
      }
      break;
    }
    if (!content) throw empty();
  }
  return { format: 'xlsx', sheet: wanted.name, encoding: null, rows: rows(), total: dimensionRows(info.dimensions.get(wanted.part)), merges: info.merges.get(wanted.part) ?? [] };
}

/** The IMPORT_MAX_ROWS refusal. */
export function tooMany(fileName: string, max: number): DomainError {
  return new DomainError('VALIDATION', `「${fileName}」的数据超过 ${max} 行 (上限 IMPORT_MAX_ROWS=${max})。请拆成几个文件分别导入, 或调大 IMPORT_MAX_ROWS。`, { max });
}
