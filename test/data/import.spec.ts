import path from 'node:path';
import { expect, it } from '@jest/globals';
import { Op } from 'sequelize';
import { verifyAuditChain } from '../../core/audit.js';
import { importCustomers } from '../../core/data/import.js';
import { eachDialect } from '../helpers/db.js';
import { HEADERS, tempDir, writeCsv, writeXlsx, type SheetSpec } from './fixtures.js';

/** A title row, a merged region row, numbers as phones, full-width text and blank rows. */
const MESSY_SHEET: SheetSpec = {
  name: '客户清单',
  rows: [
    ['2026 年客户清单'],
    [' 客户名称 ', '手机', '联系人', '地址', '客户分类', '负责人', 'ＣＯＤＥ', '备注'],
    ['上海甲贸易有限公司', 13812345678, '张三', '上海市', '经销商', '王销售', '', new Date(Date.UTC(2024, 2, 1))],
    ['北京乙商贸', '1.3912345678E+10', '李四', '北京市', '零售商', '', 'ｂｊ－００１', ''],
    [],
    ['华东区'],
    ['杭州丙公司', '139 1234 5679', '王五', '杭州', '批发商', '', '', ''],
    ['宁波丁公司', '1.38123E+10', '', '', '', '', '', ''],
    ['', '13800000000', '赵六', '', '', '', '', ''],
  ],
  merges: ['A6:H6'],
  formats: { H: 'yyyy-mm-dd' },
};

eachDialect('import: a messy real-world sheet', (h) => {
  const dir = tempDir();

  it('reads a title row, merged cells, numbers-as-phones, full-width text and blank rows, then reports without writing', async () => {
    const sales = await h.operator('王销售', ['sales']);
    const actor = await h.actor('导入员', ['admin']);
    const before = await h.core.models.Customer.count();
    const file = await writeXlsx(path.join(dir, 'messy.xlsx'), [MESSY_SHEET]);
    const report = await importCustomers(h.core, actor, file);
    expect(report.dryRun).toBe(true);
    expect(report.committed).toBe(false);
    expect(report.created).toBe(3);
    expect(report.skipped).toBe(2 + 1);
    expect(report.errors).toEqual([
      { row: 8, column: '手机', message: expect.stringContaining('科学计数法') },
      { row: 9, column: '客户名称', message: '客户名称必填' },
    ]);
    // Nothing written: no more customers than before this test's dry run.
    expect((await h.core.models.Customer.count()) - before).toBe(0);
    expect(sales.id).toBeGreaterThan(0);
  });

  it('commits with --partial, encrypts phones, auto-codes, and audits every customer on a chain that verifies', async () => {
    const actor = await h.actor('导入员', ['admin']);
    const before = await h.core.models.Customer.count();
    const lastId = ((await h.core.models.Customer.max('id')) as number | null) ?? 0;
    const file = writeCsv(
      path.join(dir, 'ok.csv'),
      [
        HEADERS,
        ['', '广州戊公司', '钱七', '020-1234 5678', '广州', '电商', '', '', ''],
        ['GZ-2', '广州己公司', '', '13700000001', '', '', '', '停用', ''],
      ],
      'utf-8-bom',
    );
    const report = await importCustomers(h.core, actor, file, { commit: true });
    expect(report).toMatchObject({ dryRun: false, committed: true, created: 2, errors: [] });
    const rows = await h.core.models.Customer.findAll({ where: { id: { [Op.gt]: lastId } }, order: [['id', 'ASC']] });
    expect(rows.map((r) => r.code)).toEqual([expect.stringMatching(/^C\d{8}$/), 'GZ-2']);
    expect(rows[1]!.status).toBe('inactive');
    expect(rows[0]!.phoneEnc).toMatch(/^v1:/);
    expect((await verifyAuditChain(h.core)).ok).toBe(true);
    const again = await importCustomers(h.core, actor, file, { commit: true });
    expect(again.alreadyImported?.batchId).toBe(report.batchId);
    expect((await h.core.models.Customer.count()) - before).toBe(2);
  });
});

eachDialect('import: a list that ends with its summary lines', (h) => {
  const dir = tempDir();

  it('skips 合计/共 N 条记录/本页小计 lines instead of creating customers of those names, and keeps 合计贸易 as a name', async () => {
    const actor = await h.actor('导入员', ['admin']);
    const file = await writeXlsx(path.join(dir, 'with-totals.xlsx'), [
      {
        name: '客户',
        rows: [
          ['客户名称', '联系人', '手机'],
          ['合计贸易有限公司', '张三', '13800138000'],
          ['本页小计', '', ''],
          ['宁波甬江贸易', '李四', '13900139000'],
          ['合计: 2 个客户'],
          ['', '共 2 条记录'],
          ['Total', '', ''],
        ],
      },
    ]);
    const report = await importCustomers(h.core, actor, file, { commit: true });
    const names = (await h.core.models.Customer.findAll({ order: [['id', 'ASC']] })).map((c) => c.name);
    expect([report.created, report.skipped, report.errors, names]).toEqual([
      2,
      4,
      [],
      ['合计贸易有限公司', '宁波甬江贸易'],
    ]);
  });
});
