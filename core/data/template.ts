import type { Core } from '../context.js';
import { ListSnapshot, LIST_LABELS } from '../lists/lookup.js';
import { addRangeValidation } from './exceljs-internals.js';
import { IMPORT_COLUMNS } from './headers.js';

/** The template's example row; an import skips it if it was left in. */
export const TEMPLATE_EXAMPLE = [
  '',
  '示例:上海某某贸易有限公司',
  '张三',
  '13812345678',
  '上海市浦东新区示例路 1 号',
  '经销商',
  '',
  '',
  '启用',
  '客户编码留空会自动生成; 导入前请删除本示例行',
];
export const STATUS_CHOICES = ['启用', '停用'];

const NOTES: Record<string, string> = {
  code: '可留空, 自动生成; 填写已有编码则更新该客户',
  name: '必填',
  contact: '',
  phone: '请把本列设为「文本」格式, 以免 Excel 显示成科学计数法',
  address: '',
  category: '填客户分类表中的名称或别名 (见下方列表; 管理员可在后台「客户分类」维护)',
  region: '填区域表中的名称或别名 (见下方列表; 管理员可在后台「区域」维护)',
  owner: '操作员姓名、邮箱或企业微信账号',
  status: `只能是: ${STATUS_CHOICES.join(' / ')}; 留空为启用`,
  note: '',
};

/** The import template: headers, one example row, drop-downs for 客户分类, 区域 (the live lists) and 状态, and a 填写说明 sheet. */
export async function templateWorkbook(core: Core): Promise<Buffer> {
  const lists = await ListSnapshot.load(core);
  const names = (key: 'category' | 'region') => lists.entries(key).map((e) => e.name);
  const { default: ExcelJS } = await import('exceljs');
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('客户');
  ws.columns = IMPORT_COLUMNS.map((c) => ({
    header: c.zh[0],
    key: c.key,
    width: c.key === 'name' || c.key === 'address' || c.key === 'note' ? 30 : 14,
  }));
  ws.getRow(1).font = { bold: true };
  ws.getColumn('phone').numFmt = '@';
  ws.getColumn('code').numFmt = '@';
  ws.addRow(TEMPLATE_EXAMPLE);
  ws.getRow(2).font = { italic: true, color: { argb: 'FF888888' } };
  const letter = (key: string) => String.fromCharCode(65 + IMPORT_COLUMNS.findIndex((c) => c.key === key));
  const list = (values: readonly string[]) => ({
    type: 'list' as const,
    allowBlank: true,
    formulae: [`"${values.join(',')}"`],
    showErrorMessage: true,
    errorTitle: '取值不对',
    error: `只能是: ${values.join(' / ')}`,
  });
  // An in-cell list is limited to 255 characters; a longer list is left to the import's check (aliases are accepted there anyway).
  for (const key of ['category', 'region'] as const) {
    // A warning, not a stop: an alias typed in is fine, the import resolves it.
    if (names(key).length && names(key).join(',').length <= 250)
      addRangeValidation(ws, `${letter(key)}2:${letter(key)}10001`, {
        ...list(names(key)),
        errorStyle: 'warning',
        error: `不在${LIST_LABELS[key]}列表中; 别名也可以, 导入时会检查`,
      });
  }
  addRangeValidation(ws, `${letter('status')}2:${letter('status')}10001`, list(STATUS_CHOICES));
  ws.views = [{ state: 'frozen', ySplit: 1 }];
  const help = wb.addWorksheet('填写说明');
  help.columns = [
    { header: '列名', width: 12 },
    { header: '英文列名', width: 12 },
    { header: '说明', width: 70 },
  ];
  help.getRow(1).font = { bold: true };
  for (const c of IMPORT_COLUMNS) help.addRow([c.zh.join(' / '), c.en, NOTES[c.key] ?? '']);
  help.addRow([]);
  for (const key of ['category', 'region'] as const) {
    const entries = lists
      .entries(key)
      .map((e) => (e.aliases.length ? `${e.name} (也可写 ${e.aliases.join('、')})` : e.name));
    help.addRow([LIST_LABELS[key], '', entries.length ? entries.join('、') : '(列表为空, 请留空或联系管理员添加)']);
  }
  help.addRow(['状态', '', STATUS_CHOICES.join('、')]);
  return Buffer.from(await wb.xlsx.writeBuffer());
}
