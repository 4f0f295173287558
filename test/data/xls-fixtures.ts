import fs from 'node:fs';
import * as XLSX from '@e965/xlsx';

/** Writes a real BIFF8 .xls with SheetJS's writer (the same library the import reads with). */
export function writeXls(file: string, sheets: { name: string; rows: unknown[][] }[]): string {
  const wb = XLSX.utils.book_new();
  for (const s of sheets) XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet(s.rows), s.name);
  fs.writeFileSync(file, XLSX.write(wb, { type: 'buffer', bookType: 'xls' }) as Buffer);
  return file;
}

/** jshERP's customer export/template: sheet and file 「信息内容」, a tip row, the header on row 2. */
export const JSH_TIP = '*导入时本行内容请勿删除，切记！';
export const JSH_HEADER = [
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

/** One jshERP customer row; phones are numeric cells as jshERP (and Excel) store them. */
export function jshRow(
  name: string,
  o: {
    mobile?: number | string;
    tel?: string;
    status?: number;
    taxNo?: string;
    bank?: string;
    account?: string;
    note?: string;
    opening?: number;
    address?: string;
    contact?: string;
  } = {},
): unknown[] {
  return [
    name,
    o.contact ?? '',
    o.mobile ?? '',
    o.tel ?? '',
    '',
    '',
    o.opening ?? '',
    o.taxNo ?? '',
    '',
    o.bank ?? '',
    o.account ?? '',
    o.address ?? '',
    o.note ?? '',
    1,
    o.status ?? 1,
  ];
}

/** A jshERP customer export as an .xls. */
export function jshExport(file: string, rows: unknown[][]): string {
  return writeXls(file, [{ name: '信息内容', rows: [[JSH_TIP], JSH_HEADER, ...rows] }]);
}
