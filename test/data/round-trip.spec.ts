import path from 'node:path';
import { expect, it } from '@jest/globals';
import { createCustomer } from '../../core/customers/create.js';
import { editCustomer } from '../../core/customers/edit.js';
import { exportCustomers } from '../../core/data/export.js';
import { importCustomers } from '../../core/data/import.js';
import { seedDemoForTest } from '../helpers/demo-seed.js';
import { eachDialect } from '../helpers/db.js';
import { tempDir, writeCsv } from './fixtures.js';

eachDialect('export → import is a no-op', (h) => {
  const dir = tempDir();

  it('re-importing the exported demo customers as CSV and as XLSX leaves every row 不变, formula-like text included', async () => {
    await seedDemoForTest(h.core);
    const admin = await h.actor('导入员', ['admin']);
    // Text that export protects with an apostrophe (= + - @ would run as a formula in Excel).
    await createCustomer(h.core, admin, { name: '=SUM(A1)贸易', note: '-5% 折扣' }, { allowDuplicates: true });
    await createCustomer(
      h.core,
      admin,
      { name: '@艾特商行', contact: '+加号', note: '+86 总机' },
      { allowDuplicates: true },
    );
    const total = await h.core.models.Customer.count({ where: { status: ['active', 'inactive'] } });
    expect(total).toBeGreaterThan(50);
    for (const format of ['csv', 'xlsx'] as const) {
      const file = path.join(dir, `export.${format}`);
      await exportCustomers(h.core, admin, file, { format });
      const r = await importCustomers(h.core, admin, file, { commit: true });
      expect(r).toMatchObject({ created: 0, updated: 0, unchanged: total, errors: [], duplicates: [] });
    }
    expect(await h.core.models.Customer.count({ where: { name: ['=SUM(A1)贸易', '@艾特商行'] } })).toBe(2);
  });
});

eachDialect('names are normalised on every door', (h) => {
  const dir = tempDir();

  it('zero-width and bidi characters are removed, so 华为\\u200b技术有限公司 is a duplicate on both databases', async () => {
    const admin = await h.actor('录入员', ['admin']);
    const { customer } = await createCustomer(h.core, admin, { name: '华为技术有限公司', phone: '13800000051' });
    await expect(createCustomer(h.core, admin, { name: '华为\u200b技术有限公司' })).rejects.toThrow(
      `可能与已有客户重复: ${customer.code} 华为技术有限公司`,
    );
    await expect(createCustomer(h.core, admin, { name: '\u202e华为\u2066技术\ufeff有限公司\u2069' })).rejects.toThrow(
      '可能与已有客户重复',
    );
    const other = await createCustomer(h.core, admin, {
      name: '  深圳\u200d  腾讯\u3000\u3000计算机 ',
      contact: '马\u200b化腾',
    });
    expect(other.customer).toMatchObject({ name: '深圳 腾讯 计算机', contact: '马化腾' });
    // NFC: a decomposed é is stored composed.
    const edited = await editCustomer(h.core, admin, other.customer.code, { name: 'Cafe\u0301\u2060 深圳' });
    expect(edited.customer.name).toBe('Caf\u00e9 深圳');
    const file = writeCsv(path.join(dir, 'zw.csv'), [
      ['客户名称', '手机'],
      ['华为\u2067技术\u200c有限公司', ''],
    ]);
    const r = await importCustomers(h.core, admin, file);
    expect(r.duplicates).toEqual([{ row: 2, matches: [customer.code] }]);
  });
});
