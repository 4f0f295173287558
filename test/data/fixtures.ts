import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import zlib from 'node:zlib';

/** A fresh temp directory for one test file's fixtures. */
export function tempDir(prefix = 'steward-data-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export interface SheetSpec {
  name?: string;
  rows: unknown[][];
  merges?: string[];
  /** column letter → number format, e.g. { D: '@' } or { I: 'yyyy-mm-dd' } */
  formats?: Record<string, string>;
}

/** Writes an .xlsx with exceljs's writer (as Excel would save it). */
export async function writeXlsx(file: string, sheets: SheetSpec[]): Promise<string> {
  const wb = new ExcelJS.Workbook();
  for (const [i, spec] of sheets.entries()) {
    const ws = wb.addWorksheet(spec.name ?? `Sheet${i + 1}`);
    spec.rows.forEach((r, j) => {
      if (r.length) ws.getRow(j + 1).values = r as ExcelJS.CellValue[];
    });
    for (const [col, fmt] of Object.entries(spec.formats ?? {})) ws.getColumn(col).numFmt = fmt;
    for (const m of spec.merges ?? []) ws.mergeCells(m);
  }
  await wb.xlsx.writeFile(file);
  return file;
}

/** Writes a CSV in UTF-8 (optionally with BOM) or GBK. */
export function writeCsv(file: string, rows: string[][], encoding: 'utf-8' | 'utf-8-bom' | 'gbk' = 'utf-8'): string {
  const text =
    rows.map((r) => r.map((c) => (/[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',')).join('\r\n') +
    '\r\n';
  const body = encoding === 'gbk' ? iconv.encode(text, 'gbk') : Buffer.from(text, 'utf8');
  fs.writeFileSync(file, encoding === 'utf-8-bom' ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), body]) : body);
  return file;
}

export const HEADERS = ['客户编码', '客户名称', '联系人', '手机', '地址', '客户分类', '负责人', '状态', '备注'];
/** What the template and exports write: HEADERS plus 区域 after 客户分类 (files without it import as before). */
export const TEMPLATE_HEADERS = [
  '客户编码',
  '客户名称',
  '联系人',
  '手机',
  '地址',
  '客户分类',
  '区域',
  '负责人',
  '状态',
  '备注',
];

/** Reads back every row of the first sheet of an .xlsx as text. */
export async function readBack(file: string): Promise<string[][]> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
  const out: string[][] = [];
  wb.worksheets[0]!.eachRow({ includeEmpty: false }, (row) => {
    out.push(
      (row.values as unknown[])
        .slice(1)
        .map((v) =>
          v === null || v === undefined ? '' : typeof v === 'object' && v && 'richText' in v ? '' : String(v),
        ),
    );
  });
  return out;
}

/** A zip whose central directory claims `claimed` bytes for an entry that inflates to `actual`. */
export function lyingZip(file: string, entries: { name: string; actual: Buffer; claimed?: number }[]): string {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const data = zlib.deflateRawSync(e.actual);
    const name = Buffer.from(e.name);
    const size = e.claimed ?? e.actual.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, data);
    centrals.push(central, name);
    offset += 30 + name.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  fs.writeFileSync(file, Buffer.concat([...locals, cd, end]));
  return file;
}
