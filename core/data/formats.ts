import path from 'node:path';

/** What import reads. Every door (CLI, back office, chat) asks here rather than keeping its own list. */
export type ImportFormat = 'xlsx' | 'xls' | 'csv';

/** The extensions an import accepts, for a file picker's `accept` and for messages. */
export const IMPORT_EXTENSIONS = ['.xlsx', '.xls', '.csv'] as const;
/** The accepted formats in words, for refusals in every door. */
export const IMPORT_FORMATS_TEXT = 'Excel 工作簿 (.xlsx 或旧版 .xls) 和 CSV (.csv)';

const ZIP = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const OLE = Buffer.from([0xd0, 0xcf, 0x11, 0xe0]);
/** Bytes of a file's head that `formatByContent` looks at. */
export const HEAD_BYTES = 4096;

/** The name's extension in lower case when it looks like one (".xlsx", not the ".2" of "清单 v1.2"); '' otherwise. */
export function extensionOf(name: string): string {
  const ext = path.extname(name.trim()).toLowerCase();
  return /^\.[a-z][a-z0-9]{1,4}$/.test(ext) ? ext : '';
}

/** Whether a format (from either function below) is one the import reads. */
export function isImportFormat(format: string | null): format is ImportFormat {
  return format === 'xlsx' || format === 'xls' || format === 'csv';
}

/** By name: an importable format, 'other' (any other extension), or null when the name has none. */
export function formatByName(name: string): ImportFormat | 'other' | null {
  const ext = extensionOf(name);
  if (!ext) return null;
  if (ext === '.xlsx' || ext === '.xlsm') return 'xlsx';
  if (ext === '.csv') return 'csv';
  return ext === '.xls' ? 'xls' : 'other';
}

/**
 * By the first bytes: a zip is an .xlsx, an OLE compound file an old .xls (BIFF8); a NUL byte
 * early on means binary (an image, a PDF…), which text in UTF-8 or GBK never has; anything else
 * is read as CSV.
 */
export function formatByContent(head: Buffer): ImportFormat | 'binary' {
  if (head.subarray(0, 4).equals(ZIP)) return 'xlsx';
  if (head.subarray(0, 4).equals(OLE)) return 'xls';
  return head.subarray(0, HEAD_BYTES).includes(0) ? 'binary' : 'csv';
}
