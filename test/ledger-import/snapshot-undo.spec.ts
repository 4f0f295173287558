import { beforeAll, expect, it } from '@jest/globals';
import type { Actor } from '../../core/context.js';
import { verifyAuditChain } from '../../core/audit.js';
import { applyLedger } from '../../core/ledger/apply.js';
import { getCustomerForApi } from '../../core/api/customers.js';
import { importLedger, undoLedgerImport } from '../../core/ledger/import/index.js';
import { undoImport } from '../../core/data/undo.js';
import { eachDialect, type Harness } from '../helpers/db.js';
import { customers, fileIn, ORDER_HEADERS, storedOrders, storedReceivables, tempDir, writeCsv } from './fixtures.js';

const dir = tempDir('steward-ledger-snap-');

let admin: Actor;
let a: string;
let b: string;
const orders = (rows: string[][]) => writeCsv(fileIn(dir, 'orders.csv'), [ORDER_HEADERS, ...rows]);

/** An admin and two customers, a and b; each block gets its own database. */
function setupCustomers(h: Harness): void {
  beforeAll(async () => {
    admin = await h.actor('快照管理员', ['admin']);
    [a = '', b = ''] = await customers(h.core, admin, ['快照客户甲', '快照客户乙']);
  });
}

// A snapshot closes every open file order it does not list, so it has this database to itself.
eachDialect('ledger import: snapshot mode', (h) => {
  setupCustomers(h);

  it('a snapshot closes the open file orders the export no longer lists, never those from the API', async () => {
    await importLedger(
      h.core,
      admin,
      orders([
        ['S-1', a, '2026-01-01', '10', '未完成'],
        ['S-2', a, '2026-01-02', '20', '未完成'],
        ['S-3', b, '2026-01-03', '30', '已完成'],
      ]),
      { commit: true },
    );
    await applyLedger(
      h.core,
      admin,
      [{ type: 'order', number: 'API-1', customerCode: b, date: '2026-01-04', total: '40', status: 'open' }],
      { source: 'api' },
    );
    const file = orders([['S-1', a, '2026-01-01', '10', '未完成']]);
    const dry = await importLedger(h.core, admin, file, { snapshot: true });
    expect(dry).toMatchObject({
      snapshot: true,
      unchanged: 1,
      closing: 1,
      closingSample: [{ number: 'S-2', customerCode: a }],
      errors: [],
    });
    expect((await storedOrders(h.core))['S-2']!.status).toBe('confirmed');

    const done = await importLedger(h.core, admin, file, { snapshot: true, commit: true });
    expect(done).toMatchObject({ committed: true, closing: 1, created: 0, updated: 0 });
    expect(await storedOrders(h.core)).toMatchObject({
      'S-1': { status: 'confirmed' },
      'S-2': { status: 'completed' },
      'S-3': { status: 'completed' },
      'API-1': { status: 'confirmed', source: 'api' },
    });

    // Undo reopens what the snapshot closed.
    const undone = await undoLedgerImport(h.core, admin, done.batchId!);
    expect(undone).toMatchObject({ removed: 0, restored: 1, type: 'orders' });
    expect((await storedOrders(h.core))['S-2']).toMatchObject({ status: 'confirmed', source: 'file' });
  });
});

/** Undo deletes and restores, audited, once. */
function undoWhatABatchDid(h: Harness): void {
  it('undo deletes what the batch created and restores what it changed, audited; it cannot run twice', async () => {
    // Its own customers; b's last order before the batch is an API order of 2026-01-04.
    const [a = '', b = ''] = await customers(h.core, admin, ['撤销客户甲', '撤销客户乙']);
    await applyLedger(
      h.core,
      admin,
      [{ type: 'order', number: 'API-U', customerCode: b, date: '2026-01-04', total: '40', status: 'open' }],
      { source: 'api' },
    );
    const first = await importLedger(h.core, admin, orders([['U-1', a, '2026-02-01', '100', '未完成']]), {
      commit: true,
    });
    const second = await importLedger(
      h.core,
      admin,
      orders([
        ['U-1', a, '2026-02-01', '150', '已完成'],
        ['U-2', b, '2026-02-20', '5', '未完成'],
      ]),
      { commit: true },
    );
    expect(second).toMatchObject({ created: 1, updated: 1 });
    const lastOrderB = async () => (await getCustomerForApi(h.core, admin, b)).lastOrderDate;
    expect(await lastOrderB()).toBe('2026-02-20');

    const r = await undoLedgerImport(h.core, admin, `#${second.batchId}`);
    expect(r).toMatchObject({ removed: 1, restored: 1 });
    const now = await storedOrders(h.core);
    expect(now['U-1']).toMatchObject({ status: 'confirmed', total: '100.00' });
    expect(now['U-2']).toBeUndefined();
    expect(await lastOrderB()).toBe('2026-01-04');
    expect(await h.core.models.ImportBatch.findByPk(Number(second.batchId))).toMatchObject({
      status: 'undone',
      undoneBy: '快照管理员',
    });
    expect(await h.core.models.AuditEvent.count({ where: { action: 'ledger.import-undo' } })).toBeGreaterThan(0);
    expect((await verifyAuditChain(h.core)).ok).toBe(true);
    await expect(undoLedgerImport(h.core, admin, second.batchId!)).rejects.toThrow(/已于 .+ 撤销过, 无需再撤销/);
    expect(first.committed).toBe(true);
  });
}

eachDialect('ledger import: undo, refused after later changes; a receivables snapshot', (h) => {
  setupCustomers(h);

  undoWhatABatchDid(h);

  it('undo refuses, listing them, when documents were changed again since; nothing is undone', async () => {
    const batch = await importLedger(
      h.core,
      admin,
      orders([
        ['T-1', a, '2026-02-01', '1', '未完成'],
        ['T-2', a, '2026-02-01', '2', '未完成'],
      ]),
      { commit: true },
    );
    await applyLedger(
      h.core,
      admin,
      [{ type: 'order', number: 'T-2', customerCode: a, date: '2026-02-01', total: '2', status: 'cancelled' }],
      { source: 'api' },
    );
    await expect(undoLedgerImport(h.core, admin, batch.batchId!)).rejects.toThrow(
      /导入批次 #\d+ 没有撤销: 其中 1 张订单在导入后又被改动过, 撤销会覆盖这些改动。T-2 \(导入后又被改动: .+ UTC 由 快照管理员 \(api\) 改动\)/,
    );
    expect(await storedOrders(h.core)).toMatchObject({
      'T-1': { status: 'confirmed' },
      'T-2': { status: 'cancelled' },
    });
    expect(await h.core.models.ImportBatch.findByPk(Number(batch.batchId))).toMatchObject({ status: 'committed' });
  });

  it('a receivables snapshot marks missing ones fully paid', async () => {
    const rec = (rows: string[][]) =>
      writeCsv(fileIn(dir, 'ar.csv'), [['单据编号', '客户编码', '应收金额', '已收金额', '到期日'], ...rows]);
    await importLedger(
      h.core,
      admin,
      rec([
        ['R-1', a, '100', '0', '2026-05-01'],
        ['R-2', b, '50', '10', '2026-05-01'],
      ]),
      { commit: true },
    );
    const done = await importLedger(h.core, admin, rec([['R-1', a, '100', '20', '2026-05-01']]), {
      commit: true,
      snapshot: true,
    });
    expect(done).toMatchObject({ updated: 1, closing: 1 });
    expect(await storedReceivables(h.core)).toMatchObject({
      'R-1': { paid: '20.00', status: 'open' },
      'R-2': { paid: '50.00', status: 'paid' },
    });
  });
});

eachDialect('ledger import: undo of the wrong kind of batch', (h) => {
  setupCustomers(h);

  it('refuses to undo a customer import batch or an unknown one', async () => {
    const c = await h.core.models.ImportBatch.create({
      fileName: 'c.xlsx',
      kind: 'customers',
      sha256: 'x',
      sheet: null,
      operatorId: null,
      operatorName: 'x',
      door: 'cli',
      mode: 'all',
      totalRows: 0,
      createdCount: 0,
      updatedCount: 0,
      unchangedCount: 0,
      skippedCount: 0,
      errorCount: 0,
      createdAt: new Date(),
      undoneAt: null,
      undoneBy: null,
    });
    await expect(undoLedgerImport(h.core, admin, String(c.id))).rejects.toThrow(
      `导入批次 #${c.id} 是客户导入, 不是单据导入。请用 steward import undo ${c.id} 撤销。`,
    );
    await expect(undoLedgerImport(h.core, admin, '99999')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it("the customer import's undo refuses an order batch and leaves its documents alone", async () => {
    const done = await importLedger(h.core, admin, orders([['K-1', a, '2026-03-01', '10', '未完成']]), {
      commit: true,
    });
    const batch = await h.core.models.ImportBatch.findByPk(Number(done.batchId));
    await expect(undoImport(h.core, admin, done.batchId!)).rejects.toThrow(
      `导入批次 #${done.batchId} (${batch!.fileName}) 是单据导入, 不是客户导入。请用「steward ledger import undo ${done.batchId}」或后台「撤销单据导入」撤销。`,
    );
    expect(await storedOrders(h.core)).toHaveProperty('K-1');
  });
});
