import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { readSource } from '../../core/data/source.js';
import { isDomainError } from '../../core/errors.js';
import { tempDir, writeXlsx } from './fixtures.js';
import { writeXls } from './xls-fixtures.js';

const OPTS = { maxRows: 100_000, maxUnzippedMb: 50 };

/** Every row of a file as text cells, or the Chinese message it was refused with. */
async function read(file: string, opts = OPTS): Promise<string[][] | string> {
  try {
    const source = await readSource(file, path.basename(file), opts);
    const rows: string[][] = [];
    for await (const row of source.rows) rows.push(row.cells);
    return rows;
  } catch (err) {
    if (isDomainError(err)) return err.message;
    throw err;
  }
}

/**
 * What reading left behind: exceljs's temp files of this process (it copies each sheet that comes
 * before the shared strings, as Excel and exceljs save them), and descriptors still open on those
 * or on `file`.
 */
function leftovers(file: string): string[] {
  const ours = (name: string) => path.basename(name).startsWith(`tmp-${process.pid}-`);
  const temp = fs.readdirSync(os.tmpdir()).filter(ours);
  const open = fs.readdirSync('/proc/self/fd').flatMap((fd) => {
    try {
      return [fs.readlinkSync(`/proc/self/fd/${fd}`)];
    } catch {
      return [];
    }
  });
  return [...temp, ...open.filter((target) => target === file || ours(target)).map((t) => `open: ${t}`)];
}

/**
 * A reader thread that finished a file reads the next one (core/data/xlsx-thread.ts). Whatever
 * the last file did (dates, an early stop, a refusal, a row cap), the next file reads as if alone.
 */
describe('spreadsheet reader threads, kept between files', () => {
  const dir = tempDir();

  it('reads .xlsx files one after another, each as if alone, after an early stop and a refusal', async () => {
    const dated = await writeXlsx(path.join(dir, 'dated.xlsx'), [
      {
        rows: [
          ['客户名称', '签约日期'],
          ['甲公司', new Date(Date.UTC(2026, 0, 15))],
        ],
        formats: { B: 'yyyy-mm-dd' },
      },
    ]);
    const plain = await writeXlsx(path.join(dir, 'plain.xlsx'), [
      { rows: [['客户名称', '编号'], ['乙公司', 46037], ...Array.from({ length: 1200 }, (_, i) => [`丙${i}`, i])] },
    ]);
    const empty = await writeXlsx(path.join(dir, 'empty.xlsx'), [{ name: '空表', rows: [] }]);

    expect(await read(dated)).toEqual([
      ['客户名称', '签约日期'],
      ['甲公司', '2026-01-15'],
    ]);
    // Stopped after one row: that reader is ended, not kept with its file half read.
    const stopped = await readSource(plain, 'plain.xlsx', OPTS);
    for await (const row of stopped.rows) {
      expect(row.cells).toEqual(['客户名称', '编号']);
      break;
    }
    expect(await read(empty)).toMatch(/空表/);
    expect(await read(plain, { ...OPTS, maxRows: 10 })).toMatch(/10/);
    // No date style carried over from dated.xlsx: 46037 stays a number here.
    const rows = (await read(plain)) as string[][];
    expect([rows.length, rows[1], rows.at(-1)]).toEqual([1202, ['乙公司', '46037'], ['丙1199', '1199']]);
  });

  it('reads .xls files one after another, after a refused sheet', async () => {
    const first = writeXls(path.join(dir, 'first.xls'), [{ name: '客户', rows: [['客户名称'], ['丁公司']] }]);
    const second = writeXls(path.join(dir, 'second.xls'), [{ name: '客户', rows: [['客户名称'], ['戊公司']] }]);
    expect(await read(first)).toEqual([['客户名称'], ['丁公司']]);
    expect(await read(second, { ...OPTS, sheet: '没有这张表' } as typeof OPTS)).toMatch(/没有这张表/);
    expect(await read(second)).toEqual([['客户名称'], ['戊公司']]);
  });
});

/**
 * A server imports file after file: each read, whole, stopped early or refused, must leave no copy
 * of a sheet in the temp folder and no file open (exceljs kept both until the process exited).
 */
describe('spreadsheet readers clean up after themselves', () => {
  const dir = tempDir();
  const rows = (prefix: string) => [
    ['客户名称', '编号'],
    ...Array.from({ length: 3000 }, (_, i) => [`${prefix}${i}`, i]),
  ];

  it('a read to the end, a read stopped after one row and a refused read leave no temp file and no open file', async () => {
    const file = await writeXlsx(path.join(dir, 'two-sheets.xlsx'), [
      { name: '客户', rows: rows('甲') },
      { name: '说明', rows: rows('乙') },
    ]);
    const before = leftovers(file);
    const whole = (await read(file, { ...OPTS, sheet: '说明' } as typeof OPTS)) as string[][];
    expect([whole.length, whole.at(-1)]).toEqual([3001, ['乙2999', '2999']]);
    for (const sheet of ['客户', '说明']) {
      // Stopped while the reader is still far from the end (it reads ahead at most a few batches).
      const stopped = await readSource(file, 'two-sheets.xlsx', { ...OPTS, sheet } as typeof OPTS);
      for await (const row of stopped.rows) {
        expect(row.cells).toEqual(['客户名称', '编号']);
        break;
      }
    }
    expect(await read(file, { ...OPTS, maxRows: 10 })).toMatch(/10/);
    expect(leftovers(file).filter((f) => !before.includes(f))).toEqual([]);
    // And the reader kept after the early stops still reads the next file as if alone.
    expect(((await read(file)) as string[][]).at(-1)).toEqual(['甲2999', '2999']);
  });
});
