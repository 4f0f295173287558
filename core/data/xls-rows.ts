// Old Excel (.xls, BIFF8 inside an OLE2/CFB container) through SheetJS Community Edition.
//
// Which library: the `xlsx` package on npm is frozen at 0.18.5 (SheetJS stopped publishing there;
// CVE-2023-30533 prototype pollution and CVE-2024-22363 ReDoS are fixed only in 0.19.3 / 0.20.2+,
// distributed from SheetJS's own CDN, which this network cannot reach). `@e965/xlsx` republishes
// the official SheetJS CE tarballs unchanged on npm (0.20.3, Apache-2.0, no dependencies, about a
// million downloads a month), so it gets the fixes through the ordinary registry. exceljs has no
// .xls; node-xlsx wraps the same SheetJS. SheetJS has no streaming BIFF reader, so the whole sheet
// is parsed in the reading thread (its own capped heap) and handed out row by row from there.
import fs from 'node:fs/promises';
import * as XLSX from '@e965/xlsx';
import { DomainError } from '../errors.js';
import { excelDateText, numberText } from './cells.js';
import type { RawRow } from './source.js';
import { empty, tooMany } from './xlsx-rows.js';

/** What reading an .xls needs to know; the sheet is chosen in the reading thread. */
export interface XlsJob {
  kind: 'xls';
  file: string;
  fileName: string;
  /** The sheet asked for (--sheet), else the first. */
  sheet?: string;
  maxRows: number;
  /** IMPORT_MAX_UNZIPPED_MB in bytes: the file, its streams and the text read from it. */
  capBytes: number;
}

/** What is known once the sheet is parsed, before its rows are sent. */
export interface XlsMeta {
  sheet: string;
  sheets: string[];
  merges: string[];
  total: number;
}

/** SheetJS types its CFB and SSF helpers as `any`; what is used here. */
interface CfbEntry {
  name: string;
  content?: { length: number };
}
const CFB = XLSX.CFB as { read(data: Buffer, opts: { type: 'buffer' }): { FileIndex: CfbEntry[] } };
const SSF = XLSX.SSF as {
  is_date(fmt: string): boolean;
  parse_date_code(n: number): { y: number; m: number; d: number; H: number; M: number } | null;
};

const ERRORS: Record<number, string> = {
  0x00: '#NULL!',
  0x07: '#DIV/0!',
  0x0f: '#VALUE!',
  0x17: '#REF!',
  0x1d: '#NAME?',
  0x24: '#NUM!',
  0x2a: '#N/A',
};

/** The refusal for a file that is not a readable .xls. */
export function notXls(fileName: string, why: string): DomainError {
  return new DomainError(
    'VALIDATION',
    `「${fileName}」不是有效的旧版 Excel (.xls) 文件 (${why})。请在 Excel 或 WPS 里打开后「另存为 → Excel 工作簿 (.xlsx)」再导入, 或导出为 CSV。`,
    { file: fileName },
  );
}

function xlsBomb(fileName: string, capMb: number, detail: string): DomainError {
  return new DomainError(
    'VALIDATION',
    `「${fileName}」超过 ${capMb} MB 上限 (${detail}), 可能是异常文件, 已拒绝。若确是正常的大文件, 请拆分后导入, 或调大 IMPORT_MAX_UNZIPPED_MB。`,
    { file: fileName },
  );
}

function parseFailure(fileName: string, err: unknown): DomainError {
  const msg = String((err as Error)?.message ?? err);
  if (/password|encrypt/i.test(msg)) {
    return new DomainError(
      'VALIDATION',
      `「${fileName}」设置了打开密码, 读不出内容。请在 Excel 里去掉密码 (文件 → 信息 → 保护工作簿) 后另存, 再导入。`,
      { file: fileName },
    );
  }
  return notXls(fileName, '文件已损坏或内容不是 Excel 表格');
}

/** Text of one SheetJS cell: numbers as Excel shows them in General (so a phone keeps its digits), dates as dates. */
function cellText(cell: XLSX.CellObject | undefined): string {
  if (!cell || cell.v === undefined || cell.v === null) return '';
  switch (cell.t) {
    case 's':
      return String(cell.v);
    case 'b':
      return cell.v ? 'TRUE' : 'FALSE';
    case 'e':
      return ERRORS[cell.v as number] ?? '#VALUE!';
    case 'd':
      return cell.v instanceof Date ? excelDateText(cell.v) : String(cell.v);
    case 'n':
      return numberCellText(cell.v as number, cell.z);
    default:
      return String(cell.v);
  }
}

/** A number cell: a date when its number format is a date format, else the number as General shows it. */
function numberCellText(n: number, format: XLSX.CellObject['z']): string {
  if (format && typeof format === 'string' && SSF.is_date(format)) {
    const d = SSF.parse_date_code(n);
    if (d) return excelDateText(new Date(Date.UTC(d.y, d.m - 1, d.d, d.H, d.M)));
  }
  return numberText(n);
}

function pickSheet(job: XlsJob, names: string[]): string {
  if (!names.length) throw notXls(job.fileName, '工作簿里没有工作表');
  if (job.sheet === undefined) return names[0]!;
  const wanted = names.find((n) => n.trim().toLowerCase() === job.sheet!.trim().toLowerCase());
  if (!wanted) {
    const list = names.map((n) => `「${n}」`).join('、');
    throw new DomainError(
      'VALIDATION',
      `「${job.fileName}」里没有名为「${job.sheet}」的工作表。现有工作表: ${list}。请用 --sheet 指定其中一个。`,
      { sheets: names },
    );
  }
  return wanted;
}

/** The OLE container's streams must not add up past the cap (a sector chain can repeat sectors). */
function checkContainer(job: XlsJob, buf: Buffer): void {
  let streams: number;
  try {
    const cfb = CFB.read(buf, { type: 'buffer' });
    streams = cfb.FileIndex.reduce((sum, e) => sum + (e.content ? e.content.length : 0), 0);
    if (!cfb.FileIndex.some((e) => /^(Workbook|Book)$/i.test(e.name)))
      throw notXls(job.fileName, '里面没有 Excel 工作簿, 可能是 Word 或其他 Office 文件');
  } catch (err) {
    if (err instanceof DomainError) throw err;
    throw notXls(job.fileName, '文件结构损坏');
  }
  if (streams > job.capBytes)
    throw xlsBomb(
      job.fileName,
      Math.round(job.capBytes / 1024 / 1024),
      `内部数据 ${Math.round(streams / 1024 / 1024)} MB`,
    );
}

/**
 * Parses one sheet of an .xls and yields its rows as text cells; `onMeta` hears the sheet, its
 * merges and row count first. The parsed sheet is released row by row as the rows go out.
 */
export async function* xlsRows(job: XlsJob, onMeta: (meta: XlsMeta) => void): AsyncGenerator<RawRow> {
  const capMb = Math.round(job.capBytes / 1024 / 1024);
  let buf: Buffer | null = await fs.readFile(job.file);
  if (buf.length > job.capBytes)
    throw xlsBomb(job.fileName, capMb, `文件有 ${Math.round(buf.length / 1024 / 1024)} MB`);
  checkContainer(job, buf);
  let book: XLSX.WorkBook;
  let sheet: string;
  try {
    const names = XLSX.read(buf, { type: 'buffer', bookSheets: true }).SheetNames;
    sheet = pickSheet(job, names);
    // sheetRows: a sheet past the row cap is refused below without parsing the rest of it.
    book = XLSX.read(buf, {
      type: 'buffer',
      dense: true,
      sheets: sheet,
      sheetRows: job.maxRows + 22,
      cellNF: true,
      cellText: false,
      cellHTML: false,
      cellFormula: false,
      cellStyles: false,
      cellDates: false,
    });
    // The rows are handed out for a while yet: the file's bytes need not stay with them.
    buf = null;
  } catch (err) {
    if (err instanceof DomainError) throw err;
    throw parseFailure(job.fileName, err);
  }
  const ws = book.Sheets[sheet];
  const data = (ws as { '!data'?: (XLSX.CellObject[] | undefined)[] } | undefined)?.['!data'] ?? [];
  const merges = (ws?.['!merges'] ?? []).map((m) => XLSX.utils.encode_range(m)).filter((r) => r.includes(':'));
  onMeta({ sheet, sheets: book.SheetNames, merges, total: data.length });
  let count = 0;
  let content = false;
  let budget = job.capBytes;
  for (let r = 0; r < data.length; r++) {
    const row = data[r];
    if (!row) continue;
    data[r] = undefined;
    const cells: string[] = new Array(row.length);
    for (let c = 0; c < row.length; c++) {
      const text = cellText(row[c]);
      cells[c] = text;
      budget -= text.length * 2;
    }
    // Many cells can point at one long shared string: the text handed out is what counts.
    if (budget < 0) throw xlsBomb(job.fileName, capMb, '单元格文字展开后超限');
    if (++count > job.maxRows + 20) throw tooMany(job.fileName, job.maxRows);
    content ||= cells.some((c) => c && c.trim());
    yield { rowNo: r + 1, cells };
  }
  if (!content) throw empty({ sheet, others: book.SheetNames.filter((n) => n !== sheet) });
}
