import { beforeAll, expect, it } from '@jest/globals';
import type { Actor } from '../../core/context.js';
import { deactivate } from '../../core/customers/status.js';
import { importLedger } from '../../core/ledger/import/index.js';
import { commitChanges } from '../../core/ledger/import/import.js';
import { emptyLedgerReport } from '../../core/ledger/import/report.js';
import { eachDialect, type Harness } from '../helpers/db.js';
import {
  customers,
  fileIn,
  ORDER_HEADERS,
  RECEIVABLE_HEADERS,
  storedOrders,
  storedReceivables,
  tempDir,
  writeCsv,
  writeXlsx,
} from './fixtures.js';

const dir = tempDir('steward-ledger-');
const lines = (errors: { row: number; column: string; message: string }[]) =>
  errors.map((e) => `第 ${e.row} 行 ${e.column}: ${e.message}`);

/** A code as typed with a Chinese input method in full-width mode (Ｃ２０２６…). */
const toFullWidth = (s: string) => s.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));

let admin: Actor;
let codes: string[];

/** An admin and four customers (two with the same name), on 2026-03-01; each block gets its own database. */
function setupCustomers(h: Harness): void {
  beforeAll(async () => {
    h.setNow(new Date('2026-03-01T02:00:00Z'));
    admin = await h.actor('单据管理员', ['admin']);
    codes = await customers(h.core, admin, ['华东五金有限公司', '南方建材', '同名商行', '同名商行 ']);
  });
}

eachDialect('ledger import: orders from an .xlsx, dry run then commit', (h) => {
  setupCustomers(h);

  it('an .xlsx with Chinese headers and Excel date cells: dry run writes nothing, commit writes, the same file again is all 不变', async () => {
    const file = await writeXlsx(fileIn(dir, '订单.xlsx'), [
      {
        rows: [
          ORDER_HEADERS,
          ['XS-001', codes[0], new Date(Date.UTC(2026, 0, 5)), 1200.5, '未完成'],
          ['XS-002', codes[1], '2026/1/6', '88', '已完成'],
        ],
        formats: { C: 'yyyy-mm-dd' },
      },
    ]);
    const dry = await importLedger(h.core, admin, file);
    expect(dry).toMatchObject({
      type: 'orders',
      typeGuessed: true,
      dryRun: true,
      committed: false,
      created: 2,
      updated: 0,
      unchanged: 0,
      errors: [],
      batchId: null,
      format: 'xlsx',
    });
    expect(await h.core.models.SalesOrder.count()).toBe(0);
    expect(await h.core.models.LedgerEvent.count()).toBe(0);
    expect(await h.core.models.ImportBatch.count()).toBe(0);

    const done = await importLedger(h.core, admin, file, { commit: true });
    expect(done).toMatchObject({ committed: true, created: 2, errors: [] });
    expect(await storedOrders(h.core)).toMatchObject({
      'XS-001': { status: 'confirmed', total: '1200.50', source: 'file', date: '2026-01-05' },
      'XS-002': { status: 'completed', total: '88.00', source: 'file', date: '2026-01-06' },
    });
    const batch = await h.core.models.ImportBatch.findByPk(Number(done.batchId));
    expect(batch).toMatchObject({
      kind: 'orders',
      status: 'committed',
      createdCount: 2,
      fileName: expect.stringContaining('订单.xlsx'),
    });
    expect(await h.core.models.LedgerEvent.count({ where: { batchId: batch!.id } })).toBe(2);

    const again = await importLedger(h.core, admin, file, { commit: true });
    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 2, committed: false, batchId: null });
    expect(await h.core.models.ImportBatch.count()).toBe(1);
  });
});

eachDialect('ledger import: receivables by customer name, and both columns', (h) => {
  setupCustomers(h);

  it('a GBK CSV of receivables names customers: exact name resolves, unknown and ambiguous names are row errors; all or nothing unless partial', async () => {
    const file = writeCsv(
      fileIn(dir, '应收.csv'),
      [
        RECEIVABLE_HEADERS,
        ['YS-001', '华东五金', '500', '200', '2026/4/1'],
        ['YS-002', '不存在的公司', '10', '', '2026-04-01'],
        ['YS-003', '同名商行', '10', '0', '2026-04-01'],
        ['YS-004', '南方建材', '10.001', '0', '2026-04-01'],
      ],
      'gbk',
    );
    const dry = await importLedger(h.core, admin, file, { type: 'receivables' });
    expect(dry.encoding).toBe('gbk');
    expect(lines(dry.errors)).toEqual([
      '第 3 行 客户名称: 找不到名称或编码为「不存在的公司」的客户。请核对, 或在文件里加上「客户编码」列',
      `第 4 行 客户名称: 有 2 个客户都叫「同名商行」(${codes[2]}、${codes[3]}), 无法确定是哪一个。请在文件里加上「客户编码」列`,
      '第 5 行 应收金额: 「10.001」超过两位小数, 金额最多精确到分',
    ]);
    const refused = await importLedger(h.core, admin, file, { commit: true });
    expect(refused).toMatchObject({ committed: false, created: 1, batchId: null });
    expect(await h.core.models.Receivable.count()).toBe(0);
    const partial = await importLedger(h.core, admin, file, { commit: true, partial: true });
    expect(partial).toMatchObject({ committed: true, created: 1 });
    expect(await storedReceivables(h.core)).toEqual({
      'YS-001': { amount: '500.00', paid: '200.00', status: 'open', source: 'file' },
    });
  });

  it('with both columns, a row without a code goes by its name', async () => {
    const file = writeCsv(fileIn(dir, 'both.csv'), [
      ['单号', '客户编码', '客户名称', '日期', '金额', '状态'],
      ['BOTH-1', '', '南方建材', '2026-01-09', '7', '已完成'],
      ['BOTH-2', '', '', '2026-01-09', '7', '已完成'],
    ]);
    const dry = await importLedger(h.core, admin, file);
    expect(dry.created).toBe(1);
    expect(lines(dry.errors)).toEqual(['第 3 行 客户编码: 必填, 请填写客户编码或客户名称']);
  });
});

eachDialect('ledger import: a 客户 column of codes, and a 合计 row', (h) => {
  setupCustomers(h);

  it('a 客户 column that holds codes (typed in lower case or full width) is read as codes; a 合计 row in the number column is skipped', async () => {
    const file = writeCsv(fileIn(dir, 'codes-in-name.csv'), [
      ['单据编号', '客户', '单据日期', '金额', '状态'],
      ['BYCODE-1', codes[1]!.toLowerCase(), '2026-01-09', '7', '未完成'],
      ['BYCODE-2', toFullWidth(codes[0]!), '2026-01-10', '8', '已完成'],
      ['BYCODE-3', 'C99999999', '2026-01-10', '9', '已完成'],
      ['合计', '', '', '24', ''],
    ]);
    const done = await importLedger(h.core, admin, file, { commit: true, partial: true });
    expect([done.created, done.skipped, lines(done.errors)]).toEqual([
      2,
      1,
      ['第 4 行 客户: 找不到名称或编码为「C99999999」的客户。请核对, 或在文件里加上「客户编码」列'],
    ]);
    const stored = await h.core.models.SalesOrder.findAll({
      where: { number: ['BYCODE-1', 'BYCODE-2'] },
      order: [['number', 'ASC']],
    });
    const ids = await h.core.models.Customer.findAll({ where: { code: [codes[1]!, codes[0]!] } });
    const codeOf = new Map(ids.map((c) => [c.id, c.code]));
    expect(stored.map((o) => codeOf.get(o.customerId))).toEqual([codes[1], codes[0]]);
  });
});

eachDialect('ledger import: English headers, a 停用 customer, permissions', (h) => {
  setupCustomers(h);

  it('English headers in a UTF-8 CSV; a new open order for a 停用 customer is refused with the transactable message, closing one is fine', async () => {
    const [stopped] = await customers(h.core, admin, ['已停用贸易']);
    await deactivate(h.core, admin, stopped!, { reason: '信用风险' });
    const file = writeCsv(
      fileIn(dir, 'orders.csv'),
      [
        ['Number', 'Customer Code', 'Date', 'Total', 'Status', 'Salesman'],
        ['EN-1', stopped!, '2026-02-01', '10', 'open'],
        ['EN-2', stopped!, '2026-02-01', '10', 'closed'],
        ['EN-3', codes[0]!, '2026-02-02', '99.9', 'open'],
      ],
      'utf-8-bom',
    );
    const dry = await importLedger(h.core, admin, file);
    expect(dry.unknownColumns).toEqual(['Salesman']);
    expect(dry).toMatchObject({ created: 2 });
    expect(dry.errors).toHaveLength(1);
    expect(dry.errors[0]).toMatchObject({ row: 2, column: 'Customer Code' });
    expect(dry.errors[0]!.message).toMatch(
      new RegExp(`^客户 ${stopped} 已停用贸易 已于 .+ 停用, 原因: 信用风险。不能新建订单或预留`),
    );
    expect(dry.failedRows.map((r) => [r.rowNo, r.cells[0], r.reason.slice(0, 17)])).toEqual([
      [2, 'EN-1', `Customer Code: 客户 ${stopped}`.slice(0, 17)],
    ]);
  });

  it('needs the orders permission for orders and payments for receivables', async () => {
    const finance = await h.actor('财务小王', ['finance']);
    const file = writeCsv(fileIn(dir, 'o.csv'), [ORDER_HEADERS, ['P-1', codes[0]!, '2026-01-01', '1', '未完成']]);
    await expect(importLedger(h.core, finance, file)).rejects.toMatchObject({ code: 'NOT_PERMITTED' });
  });
});

eachDialect('ledger import: all or nothing', (h) => {
  setupCustomers(h);

  it('all or nothing holds when a later call is refused for what the check could not see: the whole file is rolled back', async () => {
    const [late] = await customers(h.core, admin, ['后来停用的客户']);
    await deactivate(h.core, admin, late!, { reason: '客户要求' });
    const report = emptyLedgerReport('late.csv', 'x', false, {});
    const changes = [
      {
        rowNo: 2,
        doc: {
          type: 'order' as const,
          number: 'LATE-1',
          customerCode: codes[0]!,
          date: '2026-02-01',
          total: '1',
          status: 'open' as const,
        },
      },
      {
        rowNo: 3,
        doc: {
          type: 'order' as const,
          number: 'LATE-2',
          customerCode: codes[1]!,
          date: '2026-02-01',
          total: '2',
          status: 'open' as const,
        },
      },
      {
        rowNo: 4,
        doc: {
          type: 'order' as const,
          number: 'LATE-3',
          customerCode: late!,
          date: '2026-02-01',
          total: '3',
          status: 'open' as const,
        },
      },
    ];
    await commitChanges(h.core, admin, changes, [], report, {}, 2);
    expect(report.committed).toBe(false);
    expect(report.failedRows.map((r) => r.rowNo)).toEqual([4]);
    expect(lines(report.errors)).toEqual([
      expect.stringMatching(new RegExp(`^第 4 行 单据编号: LATE-3: 客户 ${late} 后来停用的客户 已于 .+ 停用`)),
    ]);
    expect(await h.core.models.SalesOrder.count({ where: { number: ['LATE-1', 'LATE-2', 'LATE-3'] } })).toBe(0);
    // One transaction: not even the batch row of the refused file remains.
    expect(await h.core.models.ImportBatch.count({ where: { fileName: 'late.csv' } })).toBe(0);
    expect(await h.core.models.LedgerEvent.count({ where: { docNumber: ['LATE-1', 'LATE-2', 'LATE-3'] } })).toBe(0);
  });
});

eachDialect('ledger import: an order-lines file (销售明细)', (h) => {
  setupCustomers(h);

  it('adds up the lines of one order, refuses an order whose lines disagree (all its lines go to the error report) and asks for sorting when lines are apart', async () => {
    const file = await writeXlsx(fileIn(dir, '销售明细.xlsx'), [
      {
        name: '销售明细',
        rows: [
          ['单据编号', '客户编码', '单据日期', '商品名称', '数量', '金额', '状态'],
          ['MX-1', codes[0]!, '2026-02-01', '螺丝', 100, 50, '已出库'],
          ['MX-1', codes[0]!, '2026-02-01', '螺母', 200, 60.5, '部分出库'],
          ['MX-2', codes[1]!, '2026-02-02', '垫片', 10, 10, '已完成'],
          ['MX-3', codes[0]!, '2026-02-03', '垫片', 1, 1, '未完成'],
          ['MX-3', codes[1]!, '2026-02-03', '螺丝', 1, 2, '未完成'],
          ['MX-2', codes[1]!, '2026-02-02', '螺母', 1, 3, '已完成'],
        ],
      },
    ]);
    const done = await importLedger(h.core, admin, file, { commit: true, partial: true });
    expect([done.created, done.mergedLines, lines(done.errors), done.failedRows.map((r) => r.rowNo)]).toEqual([
      2,
      2,
      [
        `第 6 行 客户编码: 和第 5 行是同一张单据 (MX-3), 客户编码却不同; 同一单号的明细行应属于同一客户、同一天`,
        '第 7 行 单据编号: 单据编号「MX-2」在第 4 行已出现过, 中间隔着别的单据; 请按单据编号排序, 让同一单据的明细行挨在一起, 再导入',
      ],
      [5, 6, 7],
    ]);
    const stored = await storedOrders(h.core);
    expect([stored['MX-1'], stored['MX-2']?.total, stored['MX-3']]).toEqual([
      { status: 'confirmed', total: '110.50', source: 'file', date: '2026-02-01' },
      '10.00',
      undefined,
    ]);
  });
});
