// The import benchmark's customer rows, written as files: the import template (.xlsx), and old
// Excel (.xls) shaped like jshERP's customer export (tip row, header on row 2, numeric phones).
import ExcelJS from 'exceljs';
import { writeLargeXls } from './_xls.js';

const CATS = ['经销商', '批发商', '零售商', '终端客户', '电商', '其他'];

/** Row i in the import template's columns (编码 left empty, so the import numbers them). */
export const row = (i: number) => [
  '',
  `测试客户${i}贸易有限公司`,
  `联系人${i % 997}`,
  13800000000 + i,
  `上海市浦东新区测试路 ${i} 号`,
  CATS[i % 6],
  '',
  i % 10 === 0 ? '停用' : '启用',
  `导入基准 ${i}`,
];

/** Rows 0…n as the import template (.xlsx), streamed so 100k rows stay small in memory. */
export async function generate(file: string, n: number): Promise<void> {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useSharedStrings: true });
  const ws = wb.addWorksheet('客户');
  ws.addRow(['客户编码', '客户名称', '联系人', '手机', '地址', '客户分类', '负责人', '状态', '备注']).commit();
  for (let i = 0; i < n; i++) ws.addRow(row(i)).commit();
  ws.commit();
  await wb.commit();
}

const JSH_HEADER = [
  '名称*',
  '联系人',
  '手机号码',
  '联系电话',
  '电子邮箱',
  '传真',
  '期初应收',
  '纳税人识别号',
  '税率(%)',
  '开户行',
  '账号',
  '地址',
  '备注',
  '排序',
  '状态*',
];

/** Rows `from`…`from + n` as a jshERP customer export (.xls); empty cells are left out, as jshERP writes them. */
export function generateXls(file: string, from: number, n: number): void {
  const rows: unknown[][] = [['*导入时本行内容请勿删除，切记！'], JSH_HEADER];
  for (let i = from; i < from + n; i++) {
    const r = row(i);
    rows.push([
      r[1],
      r[2],
      r[3],
      null,
      null,
      null,
      null,
      i % 5 === 0 ? `9131000${String(i).padStart(11, '0')}` : null,
      null,
      null,
      null,
      r[4],
      r[8],
      null,
      r[7] === '停用' ? 0 : 1,
    ]);
  }
  writeLargeXls(file, '信息内容', rows);
}
