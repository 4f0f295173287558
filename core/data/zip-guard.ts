import yauzl from 'yauzl';
import { DomainError } from '../errors.js';

/** What the import needs to know about an .xlsx before exceljs streams it. */
export interface XlsxInfo {
  /** Sheets in workbook order, with the part that holds each one's cells. */
  sheets: { name: string; part: string }[];
  /** part → merged ranges such as `A3:I3` (exceljs's streaming reader ignores them). */
  merges: Map<string, string[]>;
  /** part → the `<dimension ref>` Excel wrote, for the progress bar's total. */
  dimensions: Map<string, string>;
  /** Cell style indexes whose number format is a date (for serial → date). */
  dateStyles: Set<number>;
  /** Bytes the whole archive inflates to. */
  unzippedBytes: number;
}

const SMALL_PARTS = new Set(['xl/workbook.xml', 'xl/_rels/workbook.xml.rels', 'xl/styles.xml']);
const SMALL_LIMIT = 20 * 1024 * 1024;
const BUILTIN_DATE_FORMATS = new Set([14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 30, 36, 45, 46, 47, 50, 57]);

function notXlsx(fileName: string, why: string): DomainError {
  return new DomainError(
    'VALIDATION',
    `「${fileName}」不是有效的 Excel .xlsx 文件 (${why})。请在 Excel 里「另存为 → Excel 工作簿 (.xlsx)」后重试; 旧版 .xls 也需要先另存为 .xlsx。`,
    { file: fileName },
  );
}

function bomb(fileName: string, capMb: number, detail: string): DomainError {
  return new DomainError(
    'VALIDATION',
    `「${fileName}」解压后超过 ${capMb} MB 上限 (${detail}), 可能是压缩炸弹或异常文件, 已拒绝。若确是正常的大文件, 请拆分后导入, 或调大 IMPORT_MAX_UNZIPPED_MB。`,
    { file: fileName },
  );
}

function openZip(file: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true, validateEntrySizes: true, autoClose: false }, (err, zip) =>
      err ? reject(err) : resolve(zip),
    );
  });
}

function entries(zip: yauzl.ZipFile): Promise<yauzl.Entry[]> {
  return new Promise((resolve, reject) => {
    const out: yauzl.Entry[] = [];
    zip.on('entry', (e: yauzl.Entry) => {
      out.push(e);
      zip.readEntry();
    });
    zip.on('end', () => resolve(out));
    zip.on('error', reject);
    zip.readEntry();
  });
}

function readStream(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<NodeJS.ReadableStream> {
  return new Promise((resolve, reject) => zip.openReadStream(entry, (err, s) => (err ? reject(err) : resolve(s))));
}

const MERGE = /<(?:\w+:)?mergeCell\s+ref="([A-Z]+\d+:[A-Z]+\d+)"/g;
const DIMENSION = /<(?:\w+:)?dimension\s+ref="([A-Z]+\d+(?::[A-Z]+\d+)?)"/;

/** Inflates one entry, counting real bytes against the cap; keeps small parts and scans sheets. */
async function scanEntry(
  zip: yauzl.ZipFile,
  entry: yauzl.Entry,
  budget: { left: number },
  info: XlsxInfo,
  texts: Map<string, string>,
): Promise<void> {
  const stream = await readStream(zip, entry);
  const isSheet = /^xl\/worksheets\/[^/]+\.xml$/.test(entry.fileName);
  const keep = SMALL_PARTS.has(entry.fileName);
  const kept: Buffer[] = [];
  let tail = '';
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    budget.left -= chunk.length;
    if (budget.left < 0) throw new RangeError('cap');
    if (keep) kept.push(chunk);
    if (!isSheet) continue;
    // Tags are ASCII, so latin1 cannot split a match; the tail covers a tag cut between chunks.
    const text = tail + chunk.toString('latin1');
    if (!info.dimensions.has(entry.fileName)) {
      const d = DIMENSION.exec(text);
      if (d) info.dimensions.set(entry.fileName, d[1]!);
    }
    if (text.includes('mergeCell')) {
      for (const m of text.matchAll(MERGE)) {
        const list = info.merges.get(entry.fileName) ?? [];
        if (!list.includes(m[1]!)) list.push(m[1]!);
        info.merges.set(entry.fileName, list);
      }
    }
    tail = text.slice(-200);
  }
  if (keep) texts.set(entry.fileName, Buffer.concat(kept).toString('utf8'));
}

function attr(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
  return m
    ? m[1]!
        .replace(/&amp;/g, '&')
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&quot;/g, '"')
        .replace(/&apos;/g, "'")
    : undefined;
}

/** Sheet names in order, each with the worksheet part its relationship points at. */
function sheetList(workbook: string, rels: string): { name: string; part: string }[] {
  const targets = new Map<string, string>();
  for (const m of rels.matchAll(/<(?:\w+:)?Relationship\b[^>]*>/g)) {
    const id = attr(m[0], 'Id');
    const target = attr(m[0], 'Target');
    if (id && target) targets.set(id, target.startsWith('/') ? target.slice(1) : `xl/${target}`);
  }
  const out: { name: string; part: string }[] = [];
  for (const m of workbook.matchAll(/<(?:\w+:)?sheet\b[^>]*>/g)) {
    const name = attr(m[0], 'name');
    const rid = attr(m[0], 'r:id') ?? attr(m[0], 'id');
    const part = rid ? targets.get(rid) : undefined;
    if (name && part) out.push({ name, part });
  }
  return out;
}

/** Style indexes (cellXfs order) whose number format shows a date. */
function dateStyleIndexes(styles: string | undefined): Set<number> {
  const out = new Set<number>();
  if (!styles) return out;
  const custom = new Map<number, string>();
  for (const m of styles.matchAll(/<(?:\w+:)?numFmt\b[^>]*>/g))
    custom.set(Number(attr(m[0], 'numFmtId')), attr(m[0], 'formatCode') ?? '');
  const xfs = /<(?:\w+:)?cellXfs\b[^>]*>([\s\S]*?)<\/(?:\w+:)?cellXfs>/.exec(styles)?.[1] ?? '';
  let i = 0;
  for (const m of xfs.matchAll(/<(?:\w+:)?xf\b[^>]*>/g)) {
    const id = Number(attr(m[0], 'numFmtId') ?? 0);
    const code = (custom.get(id) ?? '').replace(/"[^"]*"|\[[^\]]*\]|\\./g, '');
    if (BUILTIN_DATE_FORMATS.has(id) || /[ymd]/i.test(code)) out.add(i);
    i++;
  }
  return out;
}

/**
 * Checks an .xlsx before it is parsed: it must be a zip with a workbook, and it must not inflate
 * past `capBytes`. Declared sizes are checked first (cheap); then every entry is inflated and
 * counted for real, and yauzl refuses entries whose size lies about their content.
 */
export async function inspectXlsx(file: string, fileName: string, capBytes: number): Promise<XlsxInfo> {
  let zip: yauzl.ZipFile;
  try {
    zip = await openZip(file);
  } catch {
    throw notXlsx(fileName, '无法按 zip 格式打开, 可能是改了扩展名的其他文件');
  }
  try {
    return await inspectOpen(zip, fileName, capBytes);
  } finally {
    zip.close();
  }
}

async function inspectOpen(zip: yauzl.ZipFile, fileName: string, capBytes: number): Promise<XlsxInfo> {
  const capMb = Math.round(capBytes / 1024 / 1024);
  const list = await entries(zip).catch(() => {
    throw notXlsx(fileName, 'zip 目录损坏');
  });
  const declared = list.reduce((sum, e) => sum + e.uncompressedSize, 0);
  if (declared > capBytes) throw bomb(fileName, capMb, `声明的解压大小 ${Math.round(declared / 1024 / 1024)} MB`);
  if (!list.some((e) => e.fileName === 'xl/workbook.xml')) throw notXlsx(fileName, '里面没有 Excel 工作簿');
  const info: XlsxInfo = {
    sheets: [],
    merges: new Map(),
    dimensions: new Map(),
    dateStyles: new Set(),
    unzippedBytes: 0,
  };
  const texts = new Map<string, string>();
  const budget = { left: capBytes };
  try {
    for (const entry of list) {
      if (entry.fileName.endsWith('/')) continue;
      if (SMALL_PARTS.has(entry.fileName) && entry.uncompressedSize > SMALL_LIMIT)
        throw bomb(fileName, capMb, entry.fileName);
      await scanEntry(zip, entry, budget, info, texts);
    }
  } catch (err) {
    if (err instanceof DomainError) throw err;
    const msg = String((err as Error).message);
    if (err instanceof RangeError || /too many bytes|stream/i.test(msg))
      throw bomb(fileName, capMb, '实际解压内容超限或与声明不符');
    throw notXlsx(fileName, `解压失败: ${msg}`);
  }
  info.unzippedBytes = capBytes - budget.left;
  info.sheets = sheetList(texts.get('xl/workbook.xml') ?? '', texts.get('xl/_rels/workbook.xml.rels') ?? '');
  if (!info.sheets.length) throw notXlsx(fileName, '工作簿里没有工作表');
  info.dateStyles = dateStyleIndexes(texts.get('xl/styles.xml'));
  return info;
}
