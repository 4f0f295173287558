import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from '@jest/globals';
import { importCustomers } from '../../core/data/import.js';
import { eachDialect, type Harness } from '../helpers/db.js';
import { HEADERS, lyingZip, tempDir, writeCsv, writeXlsx } from './fixtures.js';

const WORKBOOK = Buffer.from('<workbook><sheets><sheet name="客户" sheetId="1" r:id="rId1"/></sheets></workbook>');

/** A temp dir, a committing import run by an admin, and the check that nothing reached the database. */
function setupBadInput(h: Harness) {
  const dir = tempDir();
  const run = async (file: string, opts = {}) =>
    importCustomers(h.core, await h.actor('导入员', ['admin']), file, { commit: true, ...opts });
  const nothingWritten = async () => {
    expect(await h.core.models.Customer.count()).toBe(0);
    expect(await h.core.models.ImportBatch.count()).toBe(0);
  };
  return { dir, run, nothingWritten };
}

eachDialect('import: bad input gets a clear Chinese message and writes nothing: the file itself', (h) => {
  const { dir, run, nothingWritten } = setupBadInput(h);

  it('a renamed file that is not really an xlsx', async () => {
    const file = path.join(dir, '客户.xlsx');
    fs.writeFileSync(file, '客户名称,手机\n甲,13800000000\n');
    await expect(run(file)).rejects.toThrow(
      '「客户.xlsx」不是有效的 Excel .xlsx 文件 (内容不是 xlsx, 可能是改了扩展名的其他文件)',
    );
    const zip = lyingZip(path.join(dir, 'other.xlsx'), [{ name: 'word/document.xml', actual: Buffer.from('<doc/>') }]);
    await expect(run(zip)).rejects.toThrow('里面没有 Excel 工作簿');
    await nothingWritten();
  });

  it('binary content (a picture, a PDF) named .csv, and a broken old .xls named .csv', async () => {
    const png = path.join(dir, '截图.csv');
    fs.writeFileSync(
      png,
      Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]), Buffer.from('IHDR')]),
    );
    await expect(run(png)).rejects.toThrow('「截图.csv」不是 .xlsx 或 .csv 文件 (内容是图片、PDF 之类的二进制数据)');
    const xls = path.join(dir, '旧表.csv');
    fs.writeFileSync(
      xls,
      Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(100)]),
    );
    // .xls is read now (xls-import.spec.ts); this one is an OLE header with nothing behind it.
    await expect(run(xls)).rejects.toThrow('「旧表.csv」不是有效的旧版 Excel (.xls) 文件');
    await nothingWritten();
  });

  it('a file that changed between its dry run and 确认导入', async () => {
    const file = writeCsv(path.join(dir, 'changed.csv'), [HEADERS, ['', '预检甲', '', '', '', '', '', '', '']]);
    const dry = await importCustomers(h.core, await h.actor('导入员', ['admin']), file);
    writeCsv(file, [HEADERS, ['', '预检后换成的乙', '', '', '', '', '', '', '']]);
    await expect(run(file, { expectSha256: dry.sha256 })).rejects.toThrow(
      '待导入的文件「changed.csv」和预检时不一样了, 为安全起见没有导入',
    );
    await nothingWritten();
  });

  it('an empty file', async () => {
    const file = path.join(dir, 'empty.csv');
    fs.writeFileSync(file, '');
    await expect(run(file)).rejects.toThrow('「empty.csv」是空文件 (0 字节)');
    await nothingWritten();
  });
});

eachDialect('import: bad input gets a clear Chinese message and writes nothing: headers and sheets', (h) => {
  const { dir, run, nothingWritten } = setupBadInput(h);

  it('only headers', async () => {
    const file = await writeXlsx(path.join(dir, 'headers.xlsx'), [{ rows: [HEADERS] }]);
    await expect(run(file)).rejects.toThrow('「headers.xlsx」只有表头 (第 1 行), 没有数据行');
    await nothingWritten();
  });

  it('a wrong sheet, and data on a sheet other than the first', async () => {
    const file = await writeXlsx(path.join(dir, 'sheets.xlsx'), [
      { name: '说明', rows: [] },
      { name: '客户', rows: [HEADERS, ['', '甲公司']] },
    ]);
    await expect(run(file, { sheet: '客户列表' })).rejects.toThrow(
      '里没有名为「客户列表」的工作表。现有工作表: 「说明」、「客户」。请用 --sheet 指定其中一个。',
    );
    await expect(run(file)).rejects.toThrow(
      '工作表「说明」是空的, 没有任何内容。其他工作表: 「客户」, 可用 --sheet 指定。',
    );
    await nothingWritten();
    const ok = await importCustomers(h.core, await h.actor('导入员', ['admin']), file, { sheet: '客户' });
    expect(ok).toMatchObject({ dryRun: true, created: 1, errors: [] });
  });

  it('a missing required column, and unknown columns unless --ignore-unknown', async () => {
    const noName = writeCsv(path.join(dir, 'noname.csv'), [
      ['联系人', '手机'],
      ['张三', '13800000000'],
    ]);
    await expect(run(noName)).rejects.toThrow('缺少必填列「客户名称」(或 name)。第 1 行的表头是: 「联系人」、「手机」');
    const extra = writeCsv(path.join(dir, 'extra.csv'), [
      ['name', 'Phone', '邮箱'],
      ['甲公司', '13800000001', 'a@b.c'],
    ]);
    await expect(run(extra)).rejects.toThrow(
      '第 1 行有不认识的列: 「邮箱」(C 列)。能识别的列是: 客户编码、客户名称、联系人、手机、地址、客户分类、区域、负责人、状态、备注。请删除或改名这些列, 或加 --ignore-unknown 忽略它们。',
    );
    await nothingWritten();
    expect(
      await importCustomers(h.core, await h.actor('导入员', ['admin']), extra, { ignoreUnknown: true }),
    ).toMatchObject({ created: 1, errors: [] });
  });
});

eachDialect(
  'import: size limits',
  (h) => {
    const dir = tempDir();
    const run = async (file: string) =>
      importCustomers(h.core, await h.actor('导入员', ['admin']), file, { commit: true });

    it('more rows than IMPORT_MAX_ROWS', async () => {
      const rows = [HEADERS, ...Array.from({ length: 40 }, (_v, i) => ['', `客户${i}`])];
      await expect(run(await writeXlsx(path.join(dir, 'many.xlsx'), [{ rows }]))).rejects.toThrow(
        '「many.xlsx」的数据超过 5 行 (上限 IMPORT_MAX_ROWS=5)。请拆成几个文件分别导入, 或调大 IMPORT_MAX_ROWS。',
      );
      await expect(run(writeCsv(path.join(dir, 'many.csv'), rows as string[][]))).rejects.toThrow('超过 5 行');
      expect(await h.core.models.Customer.count()).toBe(0);
    });

    it('a zip bomb: a huge uncompressed sheet, declared or hidden behind a lying size', async () => {
      const huge = await writeXlsx(path.join(dir, 'huge.xlsx'), [
        { rows: [HEADERS, ['', 'x'.repeat(2 * 1024 * 1024)]] },
      ]);
      expect(fs.statSync(huge).size).toBeLessThan(100 * 1024);
      await expect(run(huge)).rejects.toThrow(
        /「huge.xlsx」解压后超过 1 MB 上限 \(声明的解压大小 2 MB\), 可能是压缩炸弹/,
      );
      const liar = lyingZip(path.join(dir, 'liar.xlsx'), [
        { name: 'xl/workbook.xml', actual: WORKBOOK },
        { name: 'xl/worksheets/sheet1.xml', actual: Buffer.alloc(3 * 1024 * 1024, 0x20), claimed: 100 },
      ]);
      await expect(run(liar)).rejects.toThrow('「liar.xlsx」解压后超过 1 MB 上限 (实际解压内容超限或与声明不符)');
      expect(await h.core.models.Customer.count()).toBe(0);
    });
  },
  { IMPORT_MAX_ROWS: '5', IMPORT_MAX_UNZIPPED_MB: '1' },
);
