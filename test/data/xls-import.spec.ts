import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from '@jest/globals';
import { getCustomer } from '../../core/customers/search.js';
import { importCustomers } from '../../core/data/import.js';
import { eachDialect } from '../helpers/db.js';
import { tempDir } from './fixtures.js';
import { jshExport, jshRow, writeXls } from './xls-fixtures.js';

eachDialect('import: a jshERP customer export (.xls) imports without editing', (h) => {
  const dir = tempDir();

  it('skips the tip row and names it, reads numeric phones and 状态 1/0, keeps tax and bank in 备注', async () => {
    const admin = await h.actor('导入员', ['admin']);
    const file = jshExport(path.join(dir, '信息内容.xls'), [
      jshRow('杭州甲五金有限公司', {
        contact: '周一',
        mobile: 13000000000,
        tel: '0571-88880001',
        taxNo: '91330100MA2XXXXX1',
        bank: '工商银行杭州分行',
        account: '6222000011112222',
        opening: 1200.5,
        address: '杭州市西湖区一路 1 号',
        note: '老客户',
      }),
      jshRow('宁波乙贸易有限公司', { mobile: 13900000002, status: 0 }),
      jshRow('温州丙商行', { tel: '057788880003' }),
    ]);
    const dry = await importCustomers(h.core, admin, file);
    expect(dry).toMatchObject({ dryRun: true, format: 'xls', sheet: '信息内容', created: 3, errors: [], skipped: 1 });
    expect(dry.notices).toContain('已跳过表头上方的提示行: 第 1 行 「*导入时本行内容请勿删除，切记！」');
    expect(dry.notImported.map((n) => `${n.label} ${n.column}`)).toEqual(['期初应收 G', '税率(%) I', '排序 N']);
    expect(dry.notices.join('\n')).toContain('未导入「期初应收」(G 列): 客户资料不含期初应收');
    expect(await h.core.models.Customer.count()).toBe(0);

    const done = await importCustomers(h.core, admin, file, { commit: true });
    expect(done).toMatchObject({ committed: true, created: 3, errors: [] });
    const rows = await h.core.models.Customer.findAll({ order: [['id', 'ASC']] });
    expect(rows.map((r) => [r.name, r.status])).toEqual([
      ['杭州甲五金有限公司', 'active'],
      ['宁波乙贸易有限公司', 'inactive'],
      ['温州丙商行', 'active'],
    ]);
    const first = await getCustomer(h.core, admin, rows[0]!.code);
    expect(first).toMatchObject({ contact: '周一', phone: '13000000000', address: '杭州市西湖区一路 1 号' });
    expect(first!.note).toBe(
      '老客户; 电话: 0571-88880001; 纳税人识别号: 91330100MA2XXXXX1; 开户行: 工商银行杭州分行; 账号: 6222000011112222',
    );
    expect((await getCustomer(h.core, admin, rows[1]!.code))!.phone).toBe('13900000002');
    // No mobile: the landline is the customer's phone.
    expect((await getCustomer(h.core, admin, rows[2]!.code))!.phone).toBe('057788880003');
  });
});

eachDialect('import: an .xls with several sheets', (h) => {
  const dir = tempDir();

  it('reads the sheet asked for, and tells which sheets exist', async () => {
    const admin = await h.actor('导入员', ['admin']);
    const file = writeXls(path.join(dir, 'two.xls'), [
      { name: '说明', rows: [['本文件第二张表是客户']] },
      {
        name: '客户',
        rows: [
          ['客户名称', '手机'],
          ['双表甲公司', 13800000021],
        ],
      },
    ]);
    await expect(importCustomers(h.core, admin, file, { sheet: '客户列表' })).rejects.toThrow(
      '「two.xls」里没有名为「客户列表」的工作表。现有工作表: 「说明」、「客户」。请用 --sheet 指定其中一个。',
    );
    expect(await importCustomers(h.core, admin, file, { sheet: '客户' })).toMatchObject({
      created: 1,
      errors: [],
      sheet: '客户',
    });
  });
});

eachDialect(
  'import: a bad or oversize .xls gets a clear Chinese message and writes nothing',
  (h) => {
    const dir = tempDir();
    const run = async (file: string) =>
      importCustomers(h.core, await h.actor('导入员', ['admin']), file, { commit: true });
    const nothingWritten = async () => {
      expect(await h.core.models.Customer.count()).toBe(0);
      expect(await h.core.models.ImportBatch.count()).toBe(0);
    };

    it('a corrupt .xls (an OLE header and garbage), and an old .xls renamed .csv', async () => {
      const bad = path.join(dir, '坏表.xls');
      fs.writeFileSync(
        bad,
        Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(600, 7)]),
      );
      await expect(run(bad)).rejects.toThrow(
        /^「坏表.xls」不是有效的旧版 Excel \(.xls\) 文件 \(.+\)。请在 Excel 或 WPS 里打开后「另存为 → Excel 工作簿 \(.xlsx\)」再导入, 或导出为 CSV。$/,
      );
      const text = path.join(dir, '其实是文本.xls');
      fs.writeFileSync(text, '客户名称,手机\n甲,13800000000\n');
      await expect(run(text)).rejects.toThrow(
        '「其实是文本.xls」不是有效的旧版 Excel (.xls) 文件 (内容不是 Excel 表格, 可能是改了扩展名的其他文件)',
      );
      const renamed = jshExport(path.join(dir, '导出.csv'), [jshRow('改名甲公司', { mobile: 13800000031 })]);
      expect(await importCustomers(h.core, await h.actor('导入员', ['admin']), renamed)).toMatchObject({
        format: 'xls',
        created: 1,
      });
      await nothingWritten();
    });

    it('an .xls over IMPORT_MAX_UNZIPPED_MB, and one with more rows than IMPORT_MAX_ROWS', async () => {
      const big = writeXls(path.join(dir, 'big.xls'), [
        {
          name: '客户',
          rows: [['客户名称', '备注'], ...Array.from({ length: 4500 }, (_v, i) => [`大表客户${i}`, 'x'.repeat(250)])],
        },
      ]);
      expect(fs.statSync(big).size).toBeGreaterThan(1024 * 1024);
      await expect(run(big)).rejects.toThrow(
        /^「big.xls」有 \d+ MB, 超过 1 MB 上限。请拆分后导入, 或调大 IMPORT_MAX_UNZIPPED_MB。$/,
      );
      const many = writeXls(path.join(dir, 'many.xls'), [
        { name: '客户', rows: [['客户名称'], ...Array.from({ length: 40 }, (_v, i) => [`多行客户${i}`])] },
      ]);
      await expect(run(many)).rejects.toThrow(
        '「many.xls」的数据超过 5 行 (上限 IMPORT_MAX_ROWS=5)。请拆成几个文件分别导入, 或调大 IMPORT_MAX_ROWS。',
      );
      await nothingWritten();
    });
  },
  { IMPORT_MAX_ROWS: '5', IMPORT_MAX_UNZIPPED_MB: '1' },
);
