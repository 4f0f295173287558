import { DomainError } from '../../errors.js';
import { columnLetter, normalizeHeader, REPORT_COLUMNS } from '../../data/headers.js';

/** The two kinds of ledger file: orders and receivables. */
export type LedgerFileType = 'orders' | 'receivables';
export const LEDGER_FILE_TYPES: readonly LedgerFileType[] = ['orders', 'receivables'];
export const TYPE_LABELS: Record<LedgerFileType, string> = { orders: '订单', receivables: '应收款' };

export type LedgerColumn =
  | 'number'
  | 'customerCode'
  | 'customerName'
  | 'date'
  | 'total'
  | 'status'
  | 'amount'
  | 'paid'
  | 'balance'
  | 'dueDate'
  | 'orderNumber';

interface ColumnSpec {
  key: LedgerColumn;
  /** The name shown in messages (the usual Chinese header). */
  label: string;
  names: string[];
}

const NUMBER: ColumnSpec = {
  key: 'number',
  label: '单据编号',
  names: ['单据编号', '单号', '单据号', '编号', 'number', 'no', 'docno', 'documentnumber', 'billno'],
};
const CODE: ColumnSpec = {
  key: 'customerCode',
  label: '客户编码',
  names: ['客户编码', '客户代码', '客户编号', '往来单位编码', 'customercode', 'code'],
};
const NAME: ColumnSpec = {
  key: 'customerName',
  label: '客户名称',
  names: ['客户名称', '客户', '客户名', '往来单位', '往来单位名称', 'customername', 'customer', 'name'],
};

/** Which headers mean what, per file type; 订单号 is the document number in an order file but the linked order in a receivable file. */
export const COLUMNS: Record<LedgerFileType, ColumnSpec[]> = {
  orders: [
    { ...NUMBER, names: [...NUMBER.names, '订单号', '订单编号', '销售单号', '销售订单号', 'orderno', 'ordernumber'] },
    CODE,
    NAME,
    {
      key: 'date',
      label: '单据日期',
      names: ['单据日期', '日期', '订单日期', '下单日期', '业务日期', 'date', 'orderdate'],
    },
    {
      key: 'total',
      label: '金额',
      names: ['金额', '合计', '总金额', '订单金额', '合计金额', '价税合计', 'total', 'amount', 'totalamount'],
    },
    { key: 'status', label: '状态', names: ['状态', '单据状态', '订单状态', 'status', 'state'] },
  ],
  receivables: [
    { ...NUMBER, names: [...NUMBER.names, '应收单号', '应收单编号'] },
    CODE,
    NAME,
    {
      key: 'amount',
      label: '应收金额',
      names: ['应收金额', '金额', '应收', '应收款', '应收款金额', 'amount', 'receivable', 'total'],
    },
    {
      key: 'paid',
      label: '已收金额',
      names: ['已收金额', '已收', '已收款', '已收款金额', '收款金额', 'paid', 'paidamount', 'received'],
    },
    {
      key: 'balance',
      label: '未收金额',
      names: [
        '未收金额',
        '未收',
        '未收款',
        '未收款金额',
        '应收余额',
        '余额',
        '欠款',
        '欠款金额',
        'balance',
        'outstanding',
        'unpaid',
      ],
    },
    { key: 'dueDate', label: '到期日', names: ['到期日', '到期日期', '应收日期', '收款期限', 'duedate', 'due'] },
    {
      key: 'orderNumber',
      label: '关联订单',
      names: ['关联订单', '关联订单号', '订单号', '订单编号', '源单号', '关联单号', 'ordernumber', 'orderno', 'order'],
    },
  ],
};

/** Headers as compared: normalizeHeader, then without separators and a trailing unit such as (元). */
export function headerKey(text: string): string {
  return normalizeHeader(text)
    .replace(/[_\-./]/g, '')
    .replace(/\((元|¥|rmb|cny)\)$/, '');
}

const LOOKUP: Record<LedgerFileType, Map<string, LedgerColumn>> = { orders: new Map(), receivables: new Map() };
for (const type of LEDGER_FILE_TYPES)
  for (const spec of COLUMNS[type]) for (const n of spec.names) LOOKUP[type].set(headerKey(n), spec.key);

/** Columns that only one type of file has: they decide the type when none is given. */
const TELLING: Record<LedgerFileType, LedgerColumn[]> = {
  orders: ['date', 'status'],
  receivables: ['paid', 'balance', 'dueDate'],
};

/**
 * Headers that say a file lists order lines (销售明细: one row per product), not whole orders. The
 * lines of one order are then one document: its amount is their sum.
 */
const LINE_HINTS = new Set(
  [
    '商品名称',
    '商品',
    '品名',
    '货品名称',
    '存货名称',
    '商品编码',
    '产品名称',
    '物料名称',
    '规格',
    '规格型号',
    '数量',
    '单价',
  ].concat(['product', 'productname', 'item', 'sku', 'qty', 'quantity', 'unitprice', 'price']),
);

/** Whether a header row (as headerKey reads it) names product, quantity or unit-price columns. */
function namesLines(keys: string[]): boolean {
  return keys.some((k) => LINE_HINTS.has(k));
}

/** How a header row maps onto a file type's columns. */
export interface LedgerHeader {
  type: LedgerFileType;
  columns: Partial<Record<LedgerColumn, number>>;
  /** The header text as written, by column index. */
  labels: string[];
  unknown: string[];
  /** An order-lines file (product, quantity or price columns): rows of one number are one order. */
  lines?: boolean;
}

/** The columns of `type` that a row of cells names, without checking anything. */
function columnsOf(type: LedgerFileType, cells: string[]): Partial<Record<LedgerColumn, number>> {
  const out: Partial<Record<LedgerColumn, number>> = {};
  cells.forEach((c, i) => {
    const key = c ? LOOKUP[type].get(headerKey(c)) : undefined;
    if (key && out[key] === undefined) out[key] = i;
  });
  return out;
}

/** Whether the cells look like a ledger header row: a number column and at least two more known ones. */
export function looksLikeHeader(cells: string[], type: LedgerFileType | null): boolean {
  return (type ? [type] : LEDGER_FILE_TYPES).some((t) => {
    const cols = columnsOf(t, cells);
    return cols.number !== undefined && Object.keys(cols).length >= 3;
  });
}

/** The file type the header names, or null when it cannot tell (it says neither 状态/日期 nor 已收/到期日). */
export function guessType(cells: string[]): LedgerFileType | null {
  const score = (t: LedgerFileType) => TELLING[t].filter((k) => columnsOf(t, cells)[k] !== undefined).length;
  const orders = score('orders');
  const receivables = score('receivables');
  if (orders === receivables) return null;
  return orders > receivables ? 'orders' : 'receivables';
}

const REQUIRED: Record<LedgerFileType, LedgerColumn[]> = {
  orders: ['number', 'date', 'total', 'status'],
  receivables: ['number', 'amount', 'dueDate'],
};

/** The label a column has in messages: as written in the file, else the usual Chinese name. */
export function columnLabel(header: LedgerHeader, key: LedgerColumn): string {
  const i = header.columns[key];
  if (i !== undefined) return header.labels[i] || columnLetter(i);
  return COLUMNS[header.type].find((c) => c.key === key)?.label ?? key;
}

/**
 * Maps a header row for `type`. A repeated or missing required column stops the import with the
 * fix; unknown columns are listed in the report, not refused.
 */
export function mapLedgerHeader(type: LedgerFileType, cells: string[], headerRow: number): LedgerHeader {
  const header: LedgerHeader = { type, columns: {}, labels: cells.map((c) => (c ?? '').trim()), unknown: [] };
  cells.forEach((cell, index) => {
    const text = (cell ?? '').trim();
    if (!text || REPORT_COLUMNS.includes(text)) return;
    const key = LOOKUP[type].get(headerKey(text));
    if (!key) return void header.unknown.push(text);
    const seen = header.columns[key];
    if (seen !== undefined) {
      throw new DomainError(
        'VALIDATION',
        `第 ${headerRow} 行表头里「${header.labels[seen]}」(${columnLetter(seen)} 列) 和「${text}」(${columnLetter(index)} 列) 是同一列, 请删掉其中一列后重新导入。`,
        { row: headerRow },
      );
    }
    header.columns[key] = index;
  });
  header.lines = type === 'orders' && namesLines(header.unknown.map(headerKey));
  const specs = COLUMNS[type];
  const missing = REQUIRED[type]
    .filter((k) => header.columns[k] === undefined)
    .map((k) => specs.find((s) => s.key === k)!.label);
  if (header.columns.customerCode === undefined && header.columns.customerName === undefined)
    missing.push('客户编码 或 客户名称');
  if (missing.length) {
    const found =
      header.labels
        .filter(Boolean)
        .map((l) => `「${l}」`)
        .join('、') || '(空)';
    const expected = specs.map((s) => s.label).join('、');
    throw new DomainError(
      'VALIDATION',
      `${TYPE_LABELS[type]}文件缺少必填列: ${missing.map((m) => `「${m}」`).join('、')}。第 ${headerRow} 行的表头是: ${found}。${TYPE_LABELS[type]}能识别的列: ${expected}。`,
      { row: headerRow, missing },
    );
  }
  return header;
}
