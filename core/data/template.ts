import ExcelJS from 'exceljs';
import { CATEGORIES } from '../customers/schema.js';
import { IMPORT_COLUMNS } from './headers.js';

/** The template's example row; an import skips it if it was left in. */
export const TEMPLATE_EXAMPLE = ['', '示例:上海某某贸易有限公司', '张三', '13812345678', '上海市浦东新区示例路 1 号', '经销商', '', '启用', '客户编码留空会自动生成; 导入前请删除本示例行'];
export const STATUS_CHOICES = ['启用', '停用'];

const NOTES: Record<string, string> = {
  code: '可留空, 自动生成; 填写已有编码则更新该客户',
  name: '必填',
  contact: '',
  phone: '请把本列设为「文本」格式, 以免 Excel 显示成科学计数法',
  address: '',
  category: `只能是: ${CATEGORIES.join(' / ')}`,
  owner: '操作员姓名、邮箱或企业微信账号',
  status: `只能是: ${STATUS_CHOICES.join(' / ')}; 留空为启用`,
  note: '',
};

/** The import template: headers, one example row, drop-downs for 客户分类 and 状态, and a 填写说明 sheet. */
export async function templateWorkbook(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('客户');
  ws.columns = IMPORT_COLUMNS.map((c) => ({ header: c.zh[0], key: c.key, width: c.key === 'name' || c.key === 'address' || c.key === 'note' ? 30 : 14 }));
  ws.getRow(1).font = { bold: true };
  ws.getColumn('phone').numFmt = '@';
  ws.getColumn('code').numFmt = '@';
  ws.addRow(TEMPLATE_EXAMPLE);
  ws.getRow(2).font = { italic: true, color: { argb: 'FF888888' } };
  const letter = (key: string) => String.fromCharCode(65 + IMPORT_COLUMNS.findIndex((c) => c.key === key));
  const list = (values: readonly string[]) => ({ type: 'list' as const, allowBlank: true, formulae: [`"${values.join(',')}"`], showErrorMessage: true, errorTitle: '取值不对', error: `只能是: ${values.join(' / ')}` });
  (ws as unknown as { dataValidations: { add(ref: string, v: unknown): void } }).dataValidations.add(`${letter('category')}2:${letter('category')}10001`, list(CATEGORIES));
  (ws as unknown as { dataValidations: { add(ref: string, v: unknown): void } }).dataValidations.add(`${letter('status')}2:${letter('status')}10001`, list(STATUS_CHOICES));
  ws.views = [{ state: 'frozen', ySplit: 1 }];
  const help = wb.addWorksheet('填写说明');
  help.columns = [{ header: '列名', width: 12 }, { header: '英文列名', width: 12 }, { header: '说明', width: 70 }];
  help.getRow(1).font = { bold: true };
  for (const c of IMPORT_COLUMNS) help.addRow([c.zh.join(' / '), c.en, NOTES[c.key] ?? '']);
  help.addRow([]);
  help.addRow(['客户分类', '', CATEGORIES.join('、')]);
  help.addRow(['状态', '', STATUS_CHOICES.join('、')]);
  return Buffer.from(await wb.xlsx.writeBuffer());
}
