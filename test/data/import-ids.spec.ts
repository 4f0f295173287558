import path from 'node:path';
import { afterEach, expect, it } from '@jest/globals';
import { ImportWriter } from '../../core/data/commit.js';
import { importCustomers } from '../../core/data/import.js';
import { undoImport } from '../../core/data/undo.js';
import { eachDialect } from '../helpers/db.js';
import { HEADERS, tempDir, writeCsv } from './fixtures.js';

type Probe = { consecutiveIds(): Promise<boolean> };
const original = (ImportWriter.prototype as unknown as Probe).consecutiveIds;

/** Every outcome row points at the customer that holds its code. */
async function outcomesMatchCustomers(
  h: { core: import('../../core/context.js').Core },
  batchId: string,
): Promise<number> {
  const rows = await h.core.models.ImportRow.findAll({ where: { batchId: Number(batchId), outcome: 'created' } });
  const customers = await h.core.models.Customer.findAll({
    attributes: ['id', 'code'],
    where: { id: rows.map((r) => r.customerId!) },
  });
  const codeOf = new Map(customers.map((c) => [c.id, c.code]));
  expect(rows.filter((r) => codeOf.get(r.customerId!) !== r.customerCode)).toEqual([]);
  return rows.length;
}

eachDialect('import: the ids of new customers', (h) => {
  const dir = tempDir();
  const rows = (n: number, tag: string) => [
    HEADERS,
    ...Array.from({ length: n }, (_v, i) => [
      '',
      `${tag}客户${i}`,
      '',
      `1370000${String(i).padStart(4, '0')}`,
      '',
      '',
      '',
      '',
      '',
    ]),
  ];

  afterEach(() => {
    (ImportWriter.prototype as unknown as Probe).consecutiveIds = original;
  });

  it('records the id of every created customer, and undo removes exactly those', async () => {
    const admin = await h.actor('导入员', ['admin']);
    const r = await importCustomers(h.core, admin, writeCsv(path.join(dir, 'ids.csv'), rows(2500, '甲')), {
      commit: true,
    });
    expect(r).toMatchObject({ committed: true, created: 2500 });
    expect(await outcomesMatchCustomers(h, r.batchId!)).toBe(2500);
    expect(await undoImport(h.core, admin, r.batchId!)).toMatchObject({ removed: 2500 });
    expect(await h.core.models.Customer.count()).toBe(0);
  });

  it('looks the ids up by code when the server does not promise consecutive ids (interleaved auto-increment)', async () => {
    (ImportWriter.prototype as unknown as Probe).consecutiveIds = async () => false;
    const admin = await h.actor('导入员', ['admin']);
    const r = await importCustomers(h.core, admin, writeCsv(path.join(dir, 'ids2.csv'), rows(1200, '乙')), {
      commit: true,
    });
    expect(r).toMatchObject({ committed: true, created: 1200 });
    expect(await outcomesMatchCustomers(h, r.batchId!)).toBe(1200);
    expect(await undoImport(h.core, admin, r.batchId!)).toMatchObject({ removed: 1200 });
  });
});
