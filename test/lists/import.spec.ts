import path from 'node:path';
import { beforeAll, expect, it } from '@jest/globals';
import type { Actor } from '../../core/context.js';
import { importCustomers } from '../../core/data/import.js';
import { saveListEntry } from '../../core/lists/manage.js';
import { eachDialect, type Harness } from '../helpers/db.js';
import { expectRefused } from '../core/fixtures.js';
import { tempDir, writeCsv } from '../data/fixtures.js';

const dir = tempDir();
let files = 0;
/** A CSV with 客户名称, 客户分类 and 地区 (a synonym of 区域), one row per [name, category, region]. */
const csv = (rows: [string, string, string][]) =>
  writeCsv(path.join(dir, `lists-${++files}.csv`), [['客户名称', '客户分类', '地区'], ...rows]);

let admin: Actor;
let sales: Actor;
const rows = (tag: string, n: number, category: string, region = ''): [string, string, string][] =>
  Array.from({ length: n }, (_v, i) => [`${tag}${i}号商行`, category, region]);

/** An admin, a salesperson and the region 华东 (alias 华东区); each block gets its own database. */
function setupLists(h: Harness): void {
  beforeAll(async () => {
    admin = await h.actor('导入分类管理员', ['admin']);
    sales = await h.actor('导入分类销售', ['sales']);
    await saveListEntry(h.core, admin, 'region', null, { name: '华东', aliases: ['华东区'] });
  });
}

eachDialect('import: unknown 客户分类 / 区域 summarised per value, and aliases in the file', (h) => {
  setupLists(h);

  it('reports each unknown value once with its row count and the fixes, instead of an error per row; nothing is written', async () => {
    const file = csv([
      ...rows('汇总甲', 3, '零售'),
      ['汇总乙商行', ' 零 售 ', '华东区'],
      ...rows('汇总丙', 2, '批发商', '西北'),
    ]);
    const r = await importCustomers(h.core, sales, file, { commit: true });
    expect(r.committed).toBe(false);
    expect(r.errors).toEqual([]);
    expect(r.failedRows).toHaveLength(6);
    expect(r.failedRows[0]!.reason).toBe('客户分类: 客户分类「零售」不在客户分类表中');
    expect(r.unknownValues.map((u) => [u.label, u.value, u.rows, u.sampleRows])).toEqual([
      ['客户分类', '零售', 4, [2, 3, 4, 5]],
      ['区域', '西北', 2, [6, 7]],
    ]);
    expect(r.notices.slice(0, 7)).toEqual([
      '客户分类「零售」出现 4 行 (第 2、3、4、5 行), 不在客户分类表中 (是不是「零售商」?)',
      '区域「西北」出现 2 行 (第 6、7 行), 不在区域表中',
      '可以这样处理 (任选其一):',
      '  1. 管理员在后台「客户分类」里新增「零售」;',
      '  2. 或把「零售」设为已有项「零售商」的别名 (后台「客户分类」编辑该项的别名), 以后的文件都认得;',
      '  3. 或这次导入时对应: --map-value 客户分类:零售=零售商 (可重复, 每个值一条; 后台导入在「值对应」里每行写一条; 聊天里回复「映射 客户分类:零售=零售商」);',
      '  4. 管理员也可以加 --create-missing 自动新增表中没有的值 (聊天里回复「新建缺失」; 预检时会先列出将新增的值)。',
    ]);
    expect(await h.core.models.Customer.count({ where: { name: '汇总乙商行' } })).toBe(0);
  });

  it('an alias in the file imports as the entry name, also when updating by code', async () => {
    await saveListEntry(
      h.core,
      admin,
      'category',
      (await h.core.models.ListEntry.findOne({ where: { name: '零售商' } }))!.id,
      { aliases: '零售店' },
    );
    const first = writeCsv(path.join(dir, 'upd-1.csv'), [
      ['客户编码', '客户名称', '客户分类', '区域'],
      ['LIST-UPD-1', '更新分类商行', '零售店', ''],
    ]);
    expect(await importCustomers(h.core, sales, first, { commit: true })).toMatchObject({
      committed: true,
      created: 1,
    });
    const second = writeCsv(path.join(dir, 'upd-2.csv'), [
      ['客户编码', '客户名称', '客户分类', '区域'],
      ['LIST-UPD-1', '更新分类商行', '零售店', '华东区'],
    ]);
    expect(await importCustomers(h.core, sales, second, { commit: true })).toMatchObject({
      committed: true,
      updated: 1,
    });
    const row = (await h.core.models.Customer.findOne({ where: { code: 'LIST-UPD-1' } }))!;
    expect([row.category, row.region]).toEqual(['零售商', '华东']);
  });
});

eachDialect('import: --map-value and --create-missing', (h) => {
  setupLists(h);

  it('--map-value maps file values to entries (both lists, repeatable) and the rows import; a bad target is refused before reading', async () => {
    const file = csv([...rows('对应甲', 2, '零售', '华东地区'), ['对应乙商行', '批发商', '华东区']]);
    const r = await importCustomers(h.core, sales, file, {
      commit: true,
      mapValues: ['客户分类:零售=零售商', '区域：华东地区=华东'],
    });
    expect(r).toMatchObject({ committed: true, created: 3, errors: [], unknownValues: [] });
    const made = await h.core.models.Customer.findAll({
      where: { name: ['对应甲0号商行', '对应甲1号商行', '对应乙商行'] },
    });
    expect(Object.fromEntries(made.map((c) => [c.name, [c.category, c.region]]))).toEqual({
      对应甲0号商行: ['零售商', '华东'],
      对应甲1号商行: ['零售商', '华东'],
      对应乙商行: ['批发商', '华东'],
    });
    await expectRefused(
      importCustomers(h.core, sales, file, { mapValues: ['客户分类:零售=小卖部'] }),
      'VALIDATION',
      '值对应「客户分类:零售=小卖部」: 客户分类「小卖部」不在客户分类表中',
    );
    await expectRefused(
      importCustomers(h.core, sales, file, { mapValues: ['零售=零售商'] }),
      'VALIDATION',
      '值对应的写法是「客户分类:文件里的值=表中的名称」',
      '命令行 --map-value',
    );
  });

  it('--create-missing: refused for non-admins; an admin sees what will be added in the dry run, and the commit adds it with the rows', async () => {
    const file = csv([...rows('新增甲', 2, '社区团购', '西北'), ['新增乙商行', '社区团购', '']]);
    await expectRefused(
      importCustomers(h.core, sales, file, { createMissing: true }),
      'NOT_PERMITTED',
      '不能使用 --create-missing',
    );
    const dry = await importCustomers(h.core, admin, file, { createMissing: true });
    expect(dry).toMatchObject({ dryRun: true, created: 3, errors: [] });
    expect(dry.failedRows).toEqual([]);
    expect(dry.notices.slice(0, 2)).toEqual([
      '客户分类「社区团购」出现 3 行 (第 2、3、4 行), 不在客户分类表中, 将新增到客户分类表 (按要求新建缺失的值)',
      '区域「西北」出现 2 行 (第 2、3 行), 不在区域表中, 将新增到区域表 (按要求新建缺失的值)',
    ]);
    expect(await h.core.models.ListEntry.count({ where: { name: ['社区团购', '西北'] } })).toBe(0);
    const done = await importCustomers(h.core, admin, file, { commit: true, createMissing: true });
    expect(done).toMatchObject({ committed: true, created: 3 });
    expect(done.notices[0]).toContain('已新增到客户分类表');
    const added = await h.core.models.ListEntry.findAll({
      where: { name: ['社区团购', '西北'] },
      order: [['listKey', 'ASC']],
    });
    expect(added.map((e) => [e.listKey, e.name, e.active])).toEqual([
      ['category', '社区团购', true],
      ['region', '西北', true],
    ]);
    expect(await h.core.models.Customer.count({ where: { category: '社区团购' } })).toBe(3);
  });
});
