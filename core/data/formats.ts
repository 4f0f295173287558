import path from 'node:path';

/** What import reads. Every door (CLI, back office, chat) asks here rather than keeping its own list. */
export type ImportFormat = 'xlsx' | 'csv';

const ZIP = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const OLE = Buffer.from([0xd0, 0xcf, 0x11, 0xe0]);
/** Bytes of a file's head that `formatByContent` looks at. */
export const HEAD_BYTES = 4096;

/** The name's extension in lower case when it looks like one (".xlsx", not the ".2" of "清单 v1.2"); '' otherwise. */
export function extensionOf(name: string): string {
  const ext = path.extname(name.trim()).toLowerCase();
  return /^\.[a-z][a-z0-9]{1,4}$/.test(ext) ? ext : '';
}

/** By name: an importable format, 'xls' (old Excel), 'other' (any other extension), or null when the name has none. */
export function formatByName(name: string): ImportFormat | 'xls' | 'other' | null {
  const ext = extensionOf(name);
  if (!ext) return null;
  if (ext === '.xlsx' || ext === '.xlsm') return 'xlsx';
  if (ext === '.csv') return 'csv';
  return ext === '.xls' ? 'xls' : 'other';
}

/**
 * By the first bytes: a zip is an .xlsx, an OLE compound file an old .xls; a NUL byte early on means
 * binary (an image, a PDF…), which text in UTF-8 or GBK never has; anything else is read as CSV.
 */
export function formatByContent(head: Buffer): ImportFormat | 'xls' | 'binary' {
  if (head.subarray(0, 4).equals(ZIP)) return 'xlsx';
  if (head.subarray(0, 4).equals(OLE)) return 'xls';
  return head.subarray(0, HEAD_BYTES).includes(0) ? 'binary' : 'csv';
}
