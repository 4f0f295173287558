/**
 * Column names other systems use for the customer fields (进销存 exports such as jshERP's, 管家婆,
 * 用友, 金蝶), the columns a customer has no field for, and the closest-name suggestion for a header
 * nobody knows. The template's own names stay in IMPORT_COLUMNS (headers.ts): export and template
 * write those.
 */

/** Customer fields an import fills directly. */
export type ColumnKey =
  | 'code'
  | 'name'
  | 'contact'
  | 'phone'
  | 'address'
  | 'category'
  | 'region'
  | 'owner'
  | 'status'
  | 'note';
/**
 * Columns a customer has no field of its own for. 电话 (a landline) fills 手机 when that is empty;
 * it, and the tax, bank, e-mail and fax columns, are otherwise kept in 备注 as 「名称: 值」. 期初应收,
 * 税率 and 排序 are read but not imported (a receivable is ledger data, not master data); the
 * report says so.
 */
export type ExtraKey = 'landline' | 'email' | 'fax' | 'taxNo' | 'bank' | 'account' | 'opening' | 'taxRate' | 'sort';
/** What a header can map to: a field, an extra, or nothing (`--map-column 列=忽略`). */
export type TargetKey = ColumnKey | ExtraKey | 'ignore';

/** Synonyms beyond the template's own names (IMPORT_COLUMNS), by field. */
export const COLUMN_SYNONYMS: Record<ColumnKey, string[]> = {
  code: ['编码', '客户代码', '单位编码', '往来单位编码', '编号', '客户编号'],
  name: ['名称', '客户全称', '单位名称', '往来单位名称', '往来单位', '公司名称', '客户', '企业名称'],
  contact: ['联系人姓名', '联系人员'],
  phone: ['手机号码', '手机号', '移动电话', 'mobile', 'cellphone', 'phone'],
  address: ['联系地址', '详细地址', '地址信息', '公司地址', '通讯地址'],
  category: ['分类', '客户类别', '类别', '客户类型', '单位类别', 'category'],
  region: ['地区', '所属区域', '销售区域', '片区', '区域名称'],
  owner: ['业务员', '销售员', '经办人', '负责业务员'],
  status: ['启用状态', '是否启用', '客户状态'],
  note: ['说明', '备注信息', 'remark', 'remarks', 'memo'],
};

/** The columns with no customer field of their own: names a file may use, and the label kept in 备注. */
export const EXTRA_COLUMNS: { key: ExtraKey; names: string[]; label: string }[] = [
  { key: 'landline', names: ['电话', '联系电话', '座机', '固定电话', '办公电话', 'tel', 'telephone'], label: '电话' },
  { key: 'email', names: ['电子邮箱', '邮箱地址', 'email', 'e-mail'], label: '电子邮箱' },
  { key: 'fax', names: ['传真', 'fax'], label: '传真' },
  { key: 'taxNo', names: ['纳税人识别号', '税号', '统一社会信用代码', '税务登记号'], label: '纳税人识别号' },
  { key: 'bank', names: ['开户行', '开户银行'], label: '开户行' },
  { key: 'account', names: ['账号', '银行账号', '开户账号', '帐号'], label: '账号' },
  { key: 'opening', names: ['期初应收', '期初应收款', '期初余额'], label: '期初应收' },
  { key: 'taxRate', names: ['税率(%)', '税率'], label: '税率' },
  { key: 'sort', names: ['排序', '序号'], label: '排序' },
];

/** Extras kept in 备注 (in this order); the others are reported as not imported. */
export const NOTE_EXTRAS: ExtraKey[] = ['landline', 'taxNo', 'bank', 'account', 'email', 'fax'];

/** Why a recognised column is not imported. */
export const NOT_IMPORTED: Partial<Record<ExtraKey, string>> = {
  opening: '客户资料不含期初应收; 应收请用台账导入 (steward ledger import) 录入',
  taxRate: '客户资料没有税率字段',
  sort: '客户资料没有排序字段',
};

/** Words a user may write after `=` to drop a column. */
export const IGNORE_WORDS = ['忽略', '不导入', 'ignore', '-'];

/** Edit distance, for suggestions (headers are short). */
function distance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_v, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(up + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
}

/**
 * The known column name closest to an unknown header, or null when nothing is close: one contains
 * the other (「客户名称（必填）」, 「邮箱」), or they differ in at most a third of their characters.
 */
export function closestName(header: string, known: Map<string, string>): string | null {
  let best: { name: string; score: number } | null = null;
  for (const [norm, display] of known) {
    const contains = norm.length >= 2 && header.length >= 2 && (header.includes(norm) || norm.includes(header));
    const d = distance(header, norm);
    const score = contains ? Math.abs(header.length - norm.length) : d;
    const close = contains || d <= Math.max(1, Math.floor(Math.max(header.length, norm.length) / 3));
    if (close && (!best || score < best.score)) best = { name: display, score };
  }
  return best?.name ?? null;
}
