import path from 'node:path';
import { expect, it } from '@jest/globals';
import { importCustomers } from '../../core/data/import.js';
import { eachDialect, type Harness } from '../helpers/db.js';
import { tempDir, writeCsv, writeXlsx } from './fixtures.js';

/** A temp dir and an admin who imports. */
function setupImport(h: Harness) {
  return { dir: tempDir(), admin: () => h.actor('导入员', ['admin']) };
}

/** An .xlsx whose one sheet, named `name`, has an unknown name column (往来户). */
async function writeSheet(dir: string, name: string, file: string): Promise<string> {
  return writeXlsx(path.join(dir, file), [
    {
      name,
      rows: [
        ['往来户', '手机'],
        [`来源${file}`, '13800000044'],
      ],
    },
  ]);
}

eachDialect('import: column names from other systems', (h) => {
  const { dir, admin } = setupImport(h);

  it('reads common 进销存 column names and status words', async () => {
    const file = writeCsv(path.join(dir, 'synonyms.csv'), [
      ['单位名称', '移动电话', '座机', '客户类别', '联系人', '地址', '备注', '状态', '税号', '开户行', '账号'],
      [
        '同义甲公司',
        '13800000041',
        '010-66660041',
        '经销商',
        '孙一',
        '北京',
        '',
        '是',
        '9111000000000041',
        '建设银行',
        '6217000041',
      ],
      ['同义乙公司', '', '', '零售商', '', '', '', '禁用', '', '', ''],
    ]);
    const r = await importCustomers(h.core, await admin(), file, { commit: true });
    expect(r).toMatchObject({ committed: true, created: 2, errors: [] });
    const rows = await h.core.models.Customer.findAll({
      where: { name: ['同义甲公司', '同义乙公司'] },
      order: [['id', 'ASC']],
    });
    expect(rows.map((c) => [c.category, c.contact, c.status, c.note])).toEqual([
      [
        '经销商',
        '孙一',
        'active',
        '电话: 010-66660041; 纳税人识别号: 9111000000000041; 开户行: 建设银行; 账号: 6217000041',
      ],
      ['零售商', null, 'inactive', null],
    ]);
  });
});

eachDialect('import: unknown columns get suggestions and how to map them', (h) => {
  const { dir, admin } = setupImport(h);

  it('lists unknown columns with the closest known name, and how to map them', async () => {
    const file = writeCsv(path.join(dir, 'unknown.csv'), [
      ['名称', '联络人', '行业'],
      ['未知甲', '钱二', '五金'],
    ]);
    const err = await importCustomers(h.core, await admin(), file).then(
      () => null,
      (e: Error & { details?: { unknown?: unknown } }) => e,
    );
    expect(err!.message).toBe(
      '第 1 行有不认识的列: 「联络人」(B 列)、「行业」(C 列)。能识别的列是: 客户编码、客户名称、联系人、手机、地址、客户分类、区域、负责人、状态、备注。请删除或改名这些列, 或加 --ignore-unknown 忽略它们。' +
        ' 建议: 「联络人」可能是「联系人」。 也可以指定对应关系, 例如 --map-column 联络人=备注 (或 =忽略), 确认导入后会按来源记住。',
    );
    expect(err!.details!.unknown).toEqual([
      { index: 1, label: '联络人', suggestion: '联系人' },
      { index: 2, label: '行业', suggestion: null },
    ]);
    const noName = writeCsv(path.join(dir, 'noname2.csv'), [
      ['客户名', '手机号'],
      ['未知乙', '13800000042'],
    ]);
    await expect(importCustomers(h.core, await admin(), noName)).rejects.toThrow(
      '缺少必填列「客户名称」(或 name)。第 1 行的表头是: 「客户名」、「手机号」。请按模板填写表头 (steward import --template 可生成模板)。 如果「客户名」就是客户名称, 请加 --map-column 客户名=客户名称。',
    );
    await expect(importCustomers(h.core, await admin(), noName, { mapColumns: ['客户名=客户名字'] })).rejects.toThrow(
      '--map-column 里的字段「客户名字」不认识 (是不是「客户名称」?)',
    );
    await expect(importCustomers(h.core, await admin(), noName, { mapColumns: ['客户名'] })).rejects.toThrow(
      '--map-column 的写法是「表头=字段」',
    );
    const mapped = await importCustomers(h.core, await admin(), file, { mapColumns: ['联络人=联系人', '行业=备注'] });
    expect(mapped).toMatchObject({ created: 1, errors: [] });
  });
});

eachDialect('import: --map-column and saved mappings', (h) => {
  const { dir, admin } = setupImport(h);

  it('--map-column maps and drops columns; on commit the mapping is remembered for the source, and the next file needs no flags', async () => {
    const rows = (tag: string) => [
      ['客户名', '手机号', '区域', '销售代表'],
      [`映射${tag}公司`, '13800000043', '华东', ''],
    ];
    const first = writeCsv(path.join(dir, '老系统导出-1.csv'), rows('甲'));
    const flags = ['客户名=客户名称', '区域=忽略', '销售代表=负责人'];
    const dry = await importCustomers(h.core, await admin(), first, { mapColumns: flags });
    expect(dry).toMatchObject({ created: 1, errors: [], columnSource: '老系统导出', columnMapSaved: false });
    expect(dry.notImported).toEqual([{ column: 'C', label: '区域', reason: '按 --map-column 设为忽略' }]);
    // A dry run remembers nothing.
    await expect(
      importCustomers(h.core, await admin(), writeCsv(path.join(dir, '老系统导出-0.csv'), rows('零'))),
    ).rejects.toThrow('--map-column 客户名=客户名称');
    const done = await importCustomers(h.core, await admin(), first, { mapColumns: flags, commit: true });
    expect(done).toMatchObject({ committed: true, created: 1, columnMapSaved: true });
    expect(done.notices).toContain(
      '已记住这次的列对应关系 (来源「老系统导出」), 下次导入同类文件无需再加 --map-column。',
    );

    const second = await importCustomers(
      h.core,
      await admin(),
      writeCsv(path.join(dir, '老系统导出-2.csv'), rows('乙')),
      { commit: true },
    );
    expect(second).toMatchObject({ committed: true, created: 1, errors: [], columnMapSaved: false });
    expect(second.notices[0]).toBe(
      '按来源「老系统导出」保存的列对应关系读取: 客户名=客户名称、区域=忽略、销售代表=负责人',
    );
    expect(await h.core.models.Customer.count({ where: { name: ['映射甲公司', '映射乙公司'] } })).toBe(2);
  });

  it('an explicit --source and a sheet name key the mapping too', async () => {
    const sheet = (name: string, file: string) => writeSheet(dir, name, file);
    await importCustomers(h.core, await admin(), await sheet('往来户清单', 'a.xlsx'), {
      mapColumns: ['往来户=名称'],
      commit: true,
    });
    expect(await importCustomers(h.core, await admin(), await sheet('往来户清单', 'b.xlsx'))).toMatchObject({
      created: 1,
      errors: [],
      columnSource: '往来户清单',
    });
    await importCustomers(h.core, await admin(), await sheet('Sheet1', 'c.xlsx'), {
      mapColumns: ['往来户=名称'],
      source: '管家婆',
      commit: true,
    });
    expect(
      await importCustomers(h.core, await admin(), await sheet('Sheet1', 'd.xlsx'), { source: '管家婆' }),
    ).toMatchObject({ created: 1, errors: [] });
    await expect(importCustomers(h.core, await admin(), await sheet('Sheet1', 'e.xlsx'))).rejects.toThrow(
      '缺少必填列「客户名称」',
    );
  });
});
