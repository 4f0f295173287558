import type ExcelJS from 'exceljs';
import type { Actor, Core } from '../context.js';
import { localTime } from '../deletion/approvals.js';
import { STATUS_LABELS } from '../customers/view.js';
import { assertCan } from '../permissions.js';
import type { Cents } from '../money.js';
import { runReport, type Report, type ReportKind, type ReportParams } from './on-demand.js';
import { localToday } from './periods.js';

type Cell = string | number;

const MONEY = '#,##0.00';
const yuan = (c: Cents) => c / 100;

/** A sheet with bold headers, widths, a frozen header row and money columns formatted as ¥ amounts. */
function sheet(
  wb: ExcelJS.Workbook,
  name: string,
  headers: { title: string; width?: number; money?: boolean }[],
  rows: Cell[][],
): ExcelJS.Worksheet {
  const ws = wb.addWorksheet(name);
  ws.columns = headers.map((h) => ({
    header: h.title,
    width: h.width ?? 14,
    ...(h.money ? { style: { numFmt: MONEY } } : {}),
  }));
  ws.getRow(1).font = { bold: true };
  for (const r of rows) ws.addRow(r);
  ws.views = [{ state: 'frozen', ySplit: 1 }];
  return ws;
}

function salesSheets(wb: ExcelJS.Workbook, r: Extract<Report, { kind: 'sales' }>): void {
  const s = r.sales;
  const rows: Cell[][] = s.months.map((m) => [
    m.month,
    m.orders,
    yuan(m.totalCents),
    yuan(m.deletedCents),
    m.deletedOrders,
  ]);
  rows.push([
    '合计',
    s.months.reduce((n, m) => n + m.orders, 0),
    yuan(s.totalCents),
    yuan(s.deletedCents),
    s.months.reduce((n, m) => n + m.deletedOrders, 0),
  ]);
  sheet(
    wb,
    '月度销售',
    [
      { title: '月份' },
      { title: '订单数' },
      { title: '销售额 (元)', width: 18, money: true },
      { title: '其中已删除客户 (元)', width: 22, money: true },
      { title: '已删除客户订单数', width: 18 },
    ],
    rows,
  );
}

function agingSheets(wb: ExcelJS.Workbook, r: Extract<Report, { kind: 'aging' }>): void {
  const a = r.aging;
  const rows: Cell[][] = a.buckets.map((b) => [b.label, b.count, yuan(b.outstandingCents)]);
  rows.push(
    ['合计', a.buckets.reduce((n, b) => n + b.count, 0), yuan(a.totalCents)],
    ['其中未到期', '', yuan(a.notDueCents)],
  );
  sheet(
    wb,
    '账龄汇总',
    [{ title: '账龄' }, { title: '笔数' }, { title: '未收金额 (元)', width: 18, money: true }],
    rows,
  );
  sheet(
    wb,
    '欠款客户',
    [
      { title: '客户编码' },
      { title: '客户名称', width: 30 },
      { title: '状态' },
      { title: '负责人' },
      ...a.buckets.map((b) => ({ title: b.label, money: true })),
      { title: '合计 (元)', width: 16, money: true },
    ],
    a.debtors.map((d) => [
      d.code,
      d.name,
      d.statusLabel,
      d.ownerName ?? '',
      ...a.buckets.map((b) => yuan(d.byBucket[b.key])),
      yuan(d.totalCents),
    ]),
  );
}

function customerSheets(wb: ExcelJS.Workbook, r: Extract<Report, { kind: 'customers' }>): void {
  const a = r.analysis;
  const s = a.sales12m;
  sheet(
    wb,
    '概况',
    [
      { title: '指标', width: 24 },
      { title: '数值', width: 18 },
    ],
    [
      ...(Object.keys(a.byStatus) as (keyof typeof a.byStatus)[]).map((k): Cell[] => [
        `${STATUS_LABELS[k]}客户`,
        a.byStatus[k],
      ]),
      ['近 12 个月订单数', s.orders],
      ['近 12 个月销售额 (元)', yuan(s.totalCents)],
      ['平均客单价 (元)', yuan(s.averageOrderCents)],
      ['下单客户数', s.customersWithOrders],
      ['人均订单数', s.ordersPerCustomer],
    ],
  ).getColumn(2).numFmt = '#,##0.##';
  sheet(
    wb,
    '客户分类',
    [{ title: '客户分类', width: 20 }, { title: '客户数' }],
    a.byCategory.map((c) => [c.category, c.count]),
  );
  sheet(
    wb,
    '每月新增',
    [{ title: '月份' }, { title: '新增客户' }],
    a.newPerMonth.map((m) => [m.month, m.count]),
  );
  sheet(
    wb,
    '销售额前 10 名',
    [
      { title: '排名', width: 8 },
      { title: '客户编码' },
      { title: '客户名称', width: 30 },
      { title: '状态' },
      { title: '销售额 (元)', width: 18, money: true },
      { title: '订单数' },
    ],
    a.top10.map((t, i) => [i + 1, t.code, t.name, t.statusLabel, yuan(t.salesCents), t.orders]),
  );
}

/**
 * A report as an .xlsx workbook: its figure sheets (amounts as numbers in 元, so Excel can sum
 * them) and a 说明 sheet naming the filters. No personal data (no phones, no addresses).
 */
export async function reportWorkbook(
  core: Core,
  actor: Actor,
  kind: ReportKind,
  params: ReportParams,
): Promise<{ fileName: string; buffer: Buffer; report: Report }> {
  assertCan(actor.operator, 'export');
  const report = await runReport(core, actor, kind, params);
  // Loaded when a workbook is built: exceljs costs ~0.4 s to load, and every chat command would pay it.
  const { default: Excel } = await import('exceljs');
  const wb = new Excel.Workbook();
  wb.creator = '客户主数据管家';
  if (report.kind === 'sales') salesSheets(wb, report);
  else if (report.kind === 'aging') agingSheets(wb, report);
  else customerSheets(wb, report);
  const notes: Cell[][] = [
    ['报表', report.title],
    ['范围', report.filterText],
    ['生成时间', localTime(core, core.now())],
    ['生成人', actor.operator.displayName],
  ];
  if (report.kind === 'sales') notes.push(['说明', report.sales.deletedNote]);
  if (report.kind !== 'aging') notes.push(['已删除客户', '已删除客户的历史销售额保留在统计中, 名单里标为「已删除」']);
  sheet(
    wb,
    '说明',
    [
      { title: '项目', width: 12 },
      { title: '内容', width: 80 },
    ],
    notes,
  );
  const buffer = Buffer.from(await wb.xlsx.writeBuffer());
  const owner = report.ownerName ? `-${report.ownerName}` : '';
  return { fileName: `${report.title}${owner}-${localToday(core)}.xlsx`, buffer, report };
}
