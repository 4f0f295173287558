import fs from 'node:fs/promises';
import { DomainError } from '../errors.js';
import { formatByContent, formatByName, HEAD_BYTES } from './formats.js';
import { readCsv } from './read-csv.js';
import { readXls } from './read-xls.js';
import { readXlsx } from './read-xlsx.js';

/** One spreadsheet row as text cells; `rowNo` is the spreadsheet's own number (header = 1). */
export interface RawRow {
  rowNo: number;
  cells: string[];
}

/** Progress of a long run, for the CLI's bar (total is null when unknown). */
export interface Progress {
  phase: 'read' | 'check' | 'write';
  done: number;
  total: number | null;
}

export interface ReadOptions {
  sheet?: string;
  maxRows: number;
  maxUnzippedMb: number;
}

/** The rows of the chosen sheet (or the CSV), streamed, with what was learned about the file. */
export interface SourceRows {
  format: 'xlsx' | 'xls' | 'csv';
  sheet: string | null;
  encoding: 'utf-8' | 'gbk' | null;
  /** Rows in order, read as they are iterated; the iteration throws on too many rows or an empty sheet. */
  rows: AsyncIterable<RawRow>;
  /** Rows the sheet says it has (for the progress bar), when known. */
  total: number | null;
  /** Merged ranges such as `A3:I3`. */
  merges: string[];
}

/** Opens an .xlsx, .xls or .csv for streaming, deciding by the bytes (a renamed file is caught), not by the name alone. */
export async function readSource(file: string, fileName: string, opts: ReadOptions): Promise<SourceRows> {
  let head: Buffer;
  try {
    const fh = await fs.open(file, 'r');
    try {
      head = Buffer.alloc(HEAD_BYTES);
      const { bytesRead } = await fh.read(head, 0, HEAD_BYTES, 0);
      head = head.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  } catch {
    throw new DomainError('NOT_FOUND', `打不开文件「${fileName}」: 文件不存在或没有读取权限。请检查路径。`, {
      file: fileName,
    });
  }
  if (head.length === 0)
    throw new DomainError('VALIDATION', `「${fileName}」是空文件 (0 字节)。请确认选对了文件, 或重新导出后再导入。`, {
      file: fileName,
    });
  const format = formatByContent(head);
  if (format === 'xlsx') return readXlsx(file, fileName, opts);
  if (format === 'xls') return readXls(file, fileName, opts);
  if (formatByName(fileName) === 'xlsx') {
    throw new DomainError(
      'VALIDATION',
      `「${fileName}」不是有效的 Excel .xlsx 文件 (内容不是 xlsx, 可能是改了扩展名的其他文件)。请在 Excel 里「另存为 → Excel 工作簿 (.xlsx)」后重试, 或导出为 CSV。`,
      { file: fileName },
    );
  }
  if (formatByName(fileName) === 'xls') {
    throw new DomainError(
      'VALIDATION',
      `「${fileName}」不是有效的旧版 Excel (.xls) 文件 (内容不是 Excel 表格, 可能是改了扩展名的其他文件)。请在 Excel 里「另存为 → Excel 工作簿 (.xlsx)」后重试, 或导出为 CSV。`,
      { file: fileName },
    );
  }
  if (format === 'binary') {
    throw new DomainError(
      'VALIDATION',
      `「${fileName}」不是 .xlsx 或 .csv 文件 (内容是图片、PDF 之类的二进制数据)。请导入 Excel 工作簿 (.xlsx / .xls) 或 CSV。`,
      { file: fileName },
    );
  }
  return readCsv(file, fileName, opts);
}
