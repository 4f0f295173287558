import { describe, expect, it } from '@jest/globals';
import { guessType, mapLedgerHeader } from '../../core/ledger/import/columns.js';
import { LedgerSheet } from '../../core/ledger/import/rows.js';
import { parseDateCell, parseMoneyCell, parseStatusCell } from '../../core/ledger/import/values.js';

const rows = (cells: string[][]) => cells.map((c, i) => ({ rowNo: i + 1, cells: c }));
/** Every row pushed through the sheet (row 1 the header); the documents it read, skipped rows left out. */
const pushAll = (sheet: LedgerSheet, cells: string[][]) =>
  rows(cells)
    .map((r) => sheet.push(r))
    .filter((r) => r !== null);

describe('ledger import: cells', () => {
  it('reads amounts as spreadsheets hold them and says why a bad one is bad', () => {
    expect(parseMoneyCell('1,234.5', { required: true })).toEqual({ ok: true, value: '1234.50' });
    expect(parseMoneyCell('¥99', { required: true })).toEqual({ ok: true, value: '99.00' });
    expect(parseMoneyCell('12.300', { required: true })).toEqual({ ok: true, value: '12.30' });
    expect(parseMoneyCell('', { required: false, emptyAs: '0.00' })).toEqual({ ok: true, value: '0.00' });
    expect(parseMoneyCell('12.345', { required: true })).toEqual({
      ok: false,
      message: '「12.345」超过两位小数, 金额最多精确到分',
    });
    expect(parseMoneyCell('-5', { required: true })).toEqual({ ok: false, message: '「-5」是负数, 金额不能为负' });
    expect(parseMoneyCell('一百', { required: true })).toEqual({
      ok: false,
      message: '「一百」不是金额, 应为数字, 例如 1234.50',
    });
  });

  it('reads dates in the usual spellings, Excel date cells and day numbers', () => {
    for (const s of ['2026-01-05', '2026/1/5', '2026.1.5', '2026年1月5日', '20260105', '2026-01-05 08:30', '46027'])
      expect(parseDateCell(s)).toEqual({ ok: true, value: '2026-01-05' });
    expect(parseDateCell('2026-02-30')).toEqual({
      ok: false,
      message: '「2026-02-30」不是有效日期, 应为 2026-01-05 或 2026/1/5 这样的格式',
    });
    expect(parseDateCell('next week').ok).toBe(false);
  });

  it('maps the ERP words for order states', () => {
    expect(['未完成', '进行中', 'OPEN', '0'].map((s) => parseStatusCell(s))).toEqual(
      Array(4).fill({ ok: true, value: 'open' }),
    );
    expect(['已完成', '已关闭', 'Closed', '1'].map((s) => parseStatusCell(s))).toEqual(
      Array(4).fill({ ok: true, value: 'closed' }),
    );
    expect(['已取消', '作废', 'cancelled'].map((s) => parseStatusCell(s))).toEqual(
      Array(3).fill({ ok: true, value: 'cancelled' }),
    );
    expect(['部分发货', '部分销售', '审核中', '已出库', '完成销售', '已撤销'].map((s) => parseStatusCell(s))).toEqual(
      ['open', 'open', 'open', 'closed', 'closed', 'cancelled'].map((value) => ({ ok: true, value })),
    );
    expect(parseStatusCell('暂停').ok).toBe(false);
  });
});

describe('ledger import: headers', () => {
  it('guesses the type from the header, in Chinese or English', () => {
    expect(guessType(['单据编号', '客户编码', '单据日期', '金额', '状态'])).toBe('orders');
    expect(guessType(['Number', 'Customer Code', 'Date', 'Total', 'Status'])).toBe('orders');
    expect(guessType(['单号', '客户名称', '应收金额', '已收金额', '到期日'])).toBe('receivables');
    expect(guessType(['number', 'customer code', 'amount', 'paid', 'due date'])).toBe('receivables');
    expect(guessType(['单号', '客户名称', '金额'])).toBeNull();
  });

  it('lists unknown columns and names the missing ones', () => {
    const h = mapLedgerHeader('orders', ['订单号', '客户名称', '日期', '合计(元)', '状态', '业务员'], 1);
    expect(h.columns).toEqual({ number: 0, customerName: 1, date: 2, total: 3, status: 4 });
    expect(h.unknown).toEqual(['业务员']);
    expect(() => mapLedgerHeader('receivables', ['单号', '应收金额', '到期日'], 2)).toThrow(
      '应收款文件缺少必填列: 「客户编码 或 客户名称」。第 2 行的表头是: 「单号」、「应收金额」、「到期日」。',
    );
  });

  it('finds the header below a title, skips the 合计 row, and gives every bad cell its row and column', () => {
    const sheet = new LedgerSheet(null, 'x.csv');
    const parsed = pushAll(sheet, [
      ['2026 年 1 月销售订单'],
      ['单据编号', '客户编码', '单据日期', '金额', '状态'],
      ['SO-1', 'C1', '2026/1/5', '100', '未完成'],
      ['SO-2', 'C1', '2026/13/5', '1.234', '暂停'],
      ['', '', '', '', ''],
      ['', '合计', '', '101.23', ''],
    ]);
    expect(sheet.finish().type).toBe('orders');
    expect(sheet.skipped).toBe(2);
    expect(parsed[0]!.doc).toEqual({
      type: 'order',
      number: 'SO-1',
      date: '2026-01-05',
      total: '100.00',
      status: 'open',
    });
    expect(parsed[1]!.errors.map((e) => `第 ${e.row} 行 ${e.column}: ${e.message}`)).toEqual([
      '第 4 行 单据日期: 「2026/13/5」不是有效日期, 应为 2026-01-05 或 2026/1/5 这样的格式',
      '第 4 行 金额: 「1.234」超过两位小数, 金额最多精确到分',
      '第 4 行 状态: 「暂停」不是认识的状态。可用: 未完成/进行中/open (或 0), 已完成/已关闭/closed (或 1), 已取消/作废/cancelled',
    ]);
  });

  it('refuses a negative paid amount on a receivable', () => {
    const sheet = new LedgerSheet('receivables', 'r.csv');
    sheet.push({ rowNo: 1, cells: ['单据编号', '客户编码', '应收金额', '已收金额', '到期日'] });
    const row = sheet.push({ rowNo: 2, cells: ['AR-1', 'C1', '100', '-1', '2026-02-01'] })!;
    expect(row.errors).toEqual([{ row: 2, column: '已收金额', message: '「-1」是负数, 金额不能为负' }]);
  });
});

describe('ledger import: 合计 rows', () => {
  it('skips a 合计 row whose label stands in the 单据编号 column, and still reads a number like TOTAL-001', () => {
    const sheet = new LedgerSheet('orders', 'x.xlsx');
    const parsed = pushAll(sheet, [
      ['单据编号', '客户编码', '单据日期', '金额', '状态'],
      ['TOTAL-001', 'C1', '2026-01-05', '100', '未完成'],
      ['本页小计', '', '', '100.00', ''],
      ['合计：2 张', '', '', '100.00', ''],
      ['Grand Total', '', '', '100.00', ''],
    ]);
    expect([sheet.skipped, parsed.map((r) => [r.number, r.errors.length])]).toEqual([3, [['TOTAL-001', 0]]]);
  });
});

describe('ledger import: 未收金额 instead of 已收金额', () => {
  it('takes what the balance leaves of the amount as paid, and refuses a balance that does not add up', () => {
    const sheet = new LedgerSheet(null, 'r.xlsx');
    const parsed = pushAll(sheet, [
      ['单据编号', '客户编码', '应收金额', '已收金额', '未收金额', '到期日'],
      ['AR-1', 'C1', '1,000.00', '', '¥250.50', '2026-02-01'],
      ['AR-2', 'C1', '100', '60', '40', '2026-02-01'],
      ['AR-3', 'C1', '100', '60', '50', '2026-02-01'],
      ['AR-4', 'C1', '100', '', '120', '2026-02-01'],
      ['AR-5', 'C1', '100', '30', '', '2026-02-01'],
    ]);
    expect(sheet.finish().type).toBe('receivables');
    expect(parsed.map((r) => (r.doc && r.doc.type === 'receivable' ? r.doc.paid : r.errors[0]?.message))).toEqual([
      '749.50',
      '60.00',
      '已收金额 60.00 加未收金额 50.00 不等于应收金额 100.00, 请核对这一行',
      '未收金额 120.00 大于应收金额 100.00',
      '30.00',
    ]);
  });

  it('reads an export with only a 余额 column, and says which column when the balance is not a number', () => {
    const sheet = new LedgerSheet('receivables', 'r.csv');
    sheet.push({ rowNo: 1, cells: ['单号', '往来单位', '应收金额', '余额', '到期日期'] });
    const good = sheet.push({ rowNo: 2, cells: ['YS-9', '华东五金', '80', '0', '2026/3/1'] })!;
    const bad = sheet.push({ rowNo: 3, cells: ['YS-10', '华东五金', '80', '约 20', '2026/3/1'] })!;
    expect([good.doc, bad.errors]).toEqual([
      { type: 'receivable', number: 'YS-9', amount: '80.00', paid: '80.00', dueDate: '2026-03-01', orderNumber: null },
      [{ row: 3, column: '余额', message: '「约 20」不是金额, 应为数字, 例如 1234.50' }],
    ]);
  });
});
