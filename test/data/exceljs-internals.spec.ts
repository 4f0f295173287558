import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import archiver from 'archiver';
import ExcelJS from 'exceljs';
import yauzl from 'yauzl';
import { addRangeValidation, sheetReaderName, useDateStyleTable } from '../../core/data/exceljs-internals.js';
import { sheetRows } from '../../core/data/xlsx-rows.js';
import { inspectXlsx } from '../../core/data/zip-guard.js';
import { contract } from '../helpers/vendor-contract.js';

/**
 * One contract per private or undocumented exceljs API we use (core/data/exceljs-internals.ts):
 * after an upgrade, a failure here names exceljs, its installed version and what changed shape.
 */

const MODULE = 'core/data/exceljs-internals.ts';
const check = (what: string, fn: () => unknown) => contract('exceljs', MODULE, what, fn);

/** 2024-03-05, as exceljs gives an Excel date back: the wall-clock time as UTC. */
const DAY = new Date(Date.UTC(2024, 2, 5));
let dir: string;
let file: string;
let dateStyles: number[];

/** A tiny workbook: a sheet with a text, a date and a formatted number in row 2, and a second sheet. */
async function writeWorkbook(out: string): Promise<void> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('客户');
  ws.addRow(['名称', '日期', '金额']);
  ws.addRow(['上海某某', DAY, 42]);
  ws.getCell('B2').numFmt = 'yyyy-mm-dd';
  ws.getCell('C2').numFmt = '0.00';
  wb.addWorksheet('其他').addRow(['另一张']);
  await wb.xlsx.writeFile(`${out}.raw`);
  await withWorkbookPartFirst(`${out}.raw`, out);
}

/** A streaming reader opened as xlsx-rows.ts opens one. */
function openReader(): ExcelJS.stream.xlsx.WorkbookReader {
  return new ExcelJS.stream.xlsx.WorkbookReader(file, {
    sharedStrings: 'cache',
    styles: 'ignore',
    hyperlinks: 'ignore',
    worksheets: 'emit',
    entries: 'ignore',
  });
}

/** Every sheet a reader emits: its name as the module reads it, and its rows' values. */
async function readAll(reader: ExcelJS.stream.xlsx.WorkbookReader) {
  const sheets: { name: string | undefined; rows: unknown[][] }[] = [];
  for await (const sheet of reader) {
    const rows: unknown[][] = [];
    for await (const row of sheet) rows.push((row.values as unknown[]).slice(1));
    sheets.push({ name: sheetReaderName(sheet), rows });
  }
  return sheets;
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-exceljs-'));
  file = path.join(dir, 'contract.xlsx');
  await writeWorkbook(file);
  dateStyles = [...(await inspectXlsx(file, 'contract.xlsx', 10 * 1024 * 1024)).dateStyles];
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

it('WorkbookReader keeps its style cache on `styles`, a manager with getStyleModel', async () => {
  await check('WorkbookReader has an own `styles` object with a getStyleModel function', () => {
    const reader = openReader() as unknown as { styles?: { getStyleModel?: unknown } };
    expect(Object.hasOwn(reader, 'styles')).toBe(true);
    expect(typeof reader.styles).toBe('object');
    expect(typeof reader.styles?.getStyleModel).toBe('function');
  });
});

it('the streaming reader turns numbers into dates through `styles.getStyleModel`, and names its sheets', async () => {
  expect(dateStyles.length).toBeGreaterThan(0);
  await check('a WorksheetReader reads cell styles through workbook.styles.getStyleModel(s)', async () => {
    const plain = await readAll(openReader());
    expect(typeof plain[0]!.rows[1]![1]).toBe('number');
    const reader = openReader();
    useDateStyleTable(reader, dateStyles);
    const sheets = await readAll(reader);
    expect(sheets[0]!.rows).toEqual([
      ['名称', '日期', '金额'],
      ['上海某某', DAY, 42],
    ]);
  });
  await check('a WorksheetReader carries its sheet name on `name`', async () => {
    expect((await readAll(openReader())).map((s) => s.name)).toEqual(['客户', '其他']);
  });
});

it('xlsx-rows.ts reads the workbook through the module: text cells, the date as a date', async () => {
  await check('sheetRows reads text and dates through the tiny style table', async () => {
    const job = { file, fileName: 'contract.xlsx', others: ['客户'], dateStyles, maxRows: 10 };
    const rows = [];
    for await (const row of sheetRows({ ...job, sheet: '客户', position: 1, others: ['其他'] })) rows.push(row);
    expect(rows).toEqual([
      { rowNo: 1, cells: ['名称', '日期', '金额'] },
      { rowNo: 2, cells: ['上海某某', '2024-03-05', '42'] },
    ]);
    const other = [];
    for await (const row of sheetRows({ ...job, sheet: '其他', position: 2 })) other.push(row);
    expect(other).toEqual([{ rowNo: 1, cells: ['另一张'] }]);
  });
});

it('Worksheet keeps its data validations on `dataValidations`, whose add() takes a range', async () => {
  await check('Worksheet has a `dataValidations` object whose add(range, validation) covers the range', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('客户');
    const own = ws as unknown as { dataValidations?: { add?: unknown } };
    expect(typeof own.dataValidations).toBe('object');
    expect(typeof own.dataValidations?.add).toBe('function');
    const validation = { type: 'list' as const, allowBlank: true, formulae: ['"启用,停用"'], showErrorMessage: true };
    addRangeValidation(ws, 'B2:B100', validation);
    ws.addRow(['名称', '状态']);
    const back = new ExcelJS.Workbook();
    await back.xlsx.load((await wb.xlsx.writeBuffer()) as never);
    const sheet = back.getWorksheet('客户')!;
    for (const ref of ['B2', 'B57', 'B100']) expect(sheet.getCell(ref).dataValidation).toMatchObject(validation);
    expect(sheet.getCell('B101').dataValidation).toBeUndefined();
    expect(sheet.getCell('A2').dataValidation).toBeUndefined();
  });
});

/** Every entry of a zip file, in its order. */
function zipEntries(src: string): Promise<[string, Buffer][]> {
  return new Promise((resolve, reject) => {
    yauzl.open(src, { lazyEntries: true }, (err, zip) => {
      if (err) return reject(err);
      const out: [string, Buffer][] = [];
      zip.on('error', reject).on('end', () => resolve(out));
      zip.on('entry', (entry: yauzl.Entry) =>
        zip.openReadStream(entry, (e, stream) => {
          if (e) return reject(e);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c)).on('error', reject);
          stream.on('end', () => {
            out.push([entry.fileName, Buffer.concat(chunks)]);
            zip.readEntry();
          });
        }),
      );
      zip.readEntry();
    });
  });
}

/** Writes `entries` as a zip, in this order. */
async function writeZip(dest: string, entries: [string, Buffer][]): Promise<void> {
  const zip = archiver('zip');
  const done = new Promise<void>((resolve, reject) => {
    const out = fs.createWriteStream(dest).on('close', resolve).on('error', reject);
    zip.on('error', reject).pipe(out);
  });
  for (const [name, body] of entries) zip.append(body, { name });
  await zip.finalize();
  await done;
}

const first = (test: (name: string) => boolean) => (a: [string, Buffer], b: [string, Buffer]) =>
  Number(test(b[0])) - Number(test(a[0]));

/** `src` rewritten with xl/workbook.xml first, as Excel writes it (exceljs's own order varies with timing). */
async function withWorkbookPartFirst(src: string, dest: string): Promise<void> {
  await writeZip(dest, (await zipEntries(src)).sort(first((name) => name === 'xl/workbook.xml')));
}

/** `src` rewritten with xl/workbook.xml last: its sheets come before the part naming them. */
async function withWorkbookPartLast(src: string, dest: string): Promise<void> {
  const entries = await zipEntries(src);
  const rest = entries.filter(([name]) => name !== 'xl/workbook.xml');
  rest.sort(first((name) => name.includes('sharedStrings') || name.includes('_rels')));
  await writeZip(dest, [...rest, ...entries.filter(([name]) => name === 'xl/workbook.xml')]);
}

it('a sheet before workbook.xml in the zip (as exceljs itself may write one) is read by position, not a crash', async () => {
  const late = path.join(dir, 'late.xlsx');
  await withWorkbookPartLast(file, late);
  const order = (await zipEntries(late)).map(([name]) => name);
  expect(order.indexOf('xl/worksheets/sheet1.xml')).toBeLessThan(order.indexOf('xl/workbook.xml'));
  expect(order.indexOf('xl/sharedStrings.xml')).toBeLessThan(order.indexOf('xl/worksheets/sheet1.xml'));
  await check('WorkbookReader reads `model.sheets` for each sheet, and has no model before workbook.xml', async () => {
    const bare = new ExcelJS.stream.xlsx.WorkbookReader(late, { worksheets: 'emit', sharedStrings: 'cache' });
    expect((bare as unknown as { model?: unknown }).model).toBeUndefined();
    await expect(readAll(bare)).rejects.toThrow(/sheets/);
  });
  const rows = [];
  for await (const row of sheetRows({
    file: late,
    fileName: 'late.xlsx',
    sheet: '客户',
    position: 1,
    others: ['其他'],
    dateStyles,
    maxRows: 10,
  }))
    rows.push(row);
  expect(rows).toEqual([
    { rowNo: 1, cells: ['名称', '日期', '金额'] },
    { rowNo: 2, cells: ['上海某某', '2024-03-05', '42'] },
  ]);
});
