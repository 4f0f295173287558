import { DomainError } from '../../errors.js';
import type { RawRow } from '../../data/source.js';
import { isExcelError, isSummaryLabel } from '../../data/cells.js';
import type { LedgerDoc } from '../types.js';
import { centsToDecimal, toCents } from '../../money.js';
import {
  columnLabel,
  guessType,
  looksLikeHeader,
  mapLedgerHeader,
  type LedgerColumn,
  type LedgerFileType,
  type LedgerHeader,
} from './columns.js';
import { parseDateCell, parseMoneyCell, parseNumberCell, parseStatusCell, type CellResult } from './values.js';

/** A problem with one row: the spreadsheet row number, the column as headed in the file, the reason. */
export interface LedgerRowError {
  row: number;
  column: string;
  message: string;
}

/** A document without its customer (found from the code or name column). */
export type DocWithoutCustomer = LedgerDoc extends infer D
  ? D extends LedgerDoc
    ? Omit<D, 'customerCode'>
    : never
  : never;

/**
 * One data row: the document it states (with the customer code still to find when the file
 * names customers only), or its errors.
 */
export interface LedgerRow {
  rowNo: number;
  cells: string[];
  /** The document number as written (for messages and the snapshot's list of numbers). */
  number: string | null;
  /** The customer by code, or by name when the file has no code column. */
  customerCode: string | null;
  customerName: string | null;
  doc: DocWithoutCustomer | null;
  errors: LedgerRowError[];
  /** More lines of the same order folded into this row (an order-lines file, see lines.ts). */
  lines?: { rowNo: number; cells: string[] }[];
}

const HEADER_SEARCH_ROWS = 10;

/** A cell's trimmed text ('' when the file has no such column). */
type CellText = (key: LedgerColumn) => string;
/** A parsed cell's value, or null with its error recorded on the row. */
type TakeCell = <T>(key: LedgerColumn, result: CellResult<T>) => T | null;

/** Excel error values (#N/A, #REF!…) are refused in every column before anything else is read. */
function excelErrors(header: LedgerHeader, row: LedgerRow, get: CellText): void {
  for (const key of Object.keys(header.columns) as LedgerColumn[]) {
    if (isExcelError(get(key)))
      row.errors.push({
        row: row.rowNo,
        column: columnLabel(header, key),
        message: `单元格是 Excel 错误值 ${get(key)}, 请改成实际内容`,
      });
  }
}

/** The customer by code or by name; one of the two is required. */
function readCustomer(header: LedgerHeader, row: LedgerRow, get: CellText): void {
  row.customerCode = get('customerCode') || null;
  row.customerName = get('customerName') || null;
  if (row.customerCode || row.customerName) return;
  const key = header.columns.customerCode !== undefined ? 'customerCode' : 'customerName';
  row.errors.push({ row: row.rowNo, column: columnLabel(header, key), message: '必填, 请填写客户编码或客户名称' });
}

function readOrder(row: LedgerRow, get: CellText, take: TakeCell): void {
  const date = take('date', parseDateCell(get('date')));
  const total = take('total', parseMoneyCell(get('total'), { required: true }));
  const status = take('status', parseStatusCell(get('status')));
  if (row.number && date && total && status && !row.errors.length)
    row.doc = { type: 'order', number: row.number, date, total, status };
}

/**
 * 已收金额, or what a 未收金额 (余额) column leaves of the amount when the file has no 已收 figure:
 * many exports state the balance instead. With both, they must add up to the amount.
 */
function readPaid(header: LedgerHeader, row: LedgerRow, get: CellText, take: TakeCell, amount: string | null) {
  const balanceText = get('balance');
  const paid = take('paid', parseMoneyCell(get('paid'), { required: false, emptyAs: '0.00' }));
  if (!balanceText) return paid;
  const balance = take('balance', parseMoneyCell(balanceText, { required: false }));
  if (!amount || !paid || !balance) return null;
  const refuse = (message: string) => {
    row.errors.push({ row: row.rowNo, column: columnLabel(header, 'balance'), message });
    return null;
  };
  if (toCents(balance) > toCents(amount)) return refuse(`未收金额 ${balance} 大于应收金额 ${amount}`);
  if (!get('paid')) return centsToDecimal(toCents(amount) - toCents(balance));
  if (toCents(paid) + toCents(balance) !== toCents(amount))
    return refuse(`已收金额 ${paid} 加未收金额 ${balance} 不等于应收金额 ${amount}, 请核对这一行`);
  return paid;
}

function readReceivable(header: LedgerHeader, row: LedgerRow, get: CellText, take: TakeCell): void {
  const amount = take('amount', parseMoneyCell(get('amount'), { required: true }));
  const paid = readPaid(header, row, get, take, amount);
  const dueDate = take('dueDate', parseDateCell(get('dueDate')));
  const orderNumber = get('orderNumber') || null;
  if (amount && paid && toCents(paid) > toCents(amount))
    row.errors.push({
      row: row.rowNo,
      column: columnLabel(header, 'paid'),
      message: `已收金额 ${paid} 大于应收金额 ${amount}`,
    });
  if (row.number && amount && paid && dueDate && !row.errors.length)
    row.doc = { type: 'receivable', number: row.number, amount, paid, dueDate, orderNumber };
}

/** Reads one row's cells into a document, collecting every problem rather than stopping at the first. */
export function parseLedgerRow(header: LedgerHeader, raw: RawRow): LedgerRow {
  const get: CellText = (key) => {
    const i = header.columns[key];
    return i === undefined ? '' : String(raw.cells[i] ?? '').trim();
  };
  const row: LedgerRow = {
    rowNo: raw.rowNo,
    cells: raw.cells,
    number: null,
    customerCode: null,
    customerName: null,
    doc: null,
    errors: [],
  };
  const take: TakeCell = (key, result) => {
    if (result.ok) return result.value;
    row.errors.push({ row: raw.rowNo, column: columnLabel(header, key), message: result.message });
    return null;
  };
  excelErrors(header, row, get);
  if (row.errors.length) return row;
  row.number = take('number', parseNumberCell(get('number')));
  readCustomer(header, row, get);
  if (header.type === 'orders') readOrder(row, get, take);
  else readReceivable(header, row, get, take);
  return row;
}

/**
 * Reads a sheet row by row: finds the header (the first row, among the first ten with content,
 * that names a 单据编号 and two more known columns), decides the type from it when not given,
 * skips blank rows and a 合计 row, and parses every data row as it comes.
 */
export class LedgerSheet {
  header: LedgerHeader | null = null;
  headerRow = 0;
  skipped = 0;
  dataRows = 0;
  private seen = 0;
  private firstRow: RawRow | null = null;

  constructor(
    private readonly wanted: LedgerFileType | null,
    private readonly fileName: string,
  ) {}

  /** The parsed data row, or null for the header and skipped rows. */
  push(raw: RawRow): LedgerRow | null {
    const empty = raw.cells.every((c) => !c || !String(c).trim());
    if (!this.header) {
      if (empty) return null;
      this.firstRow ??= raw;
      if (looksLikeHeader(raw.cells, this.wanted)) this.setHeader(raw);
      else if (++this.seen >= HEADER_SEARCH_ROWS) this.setHeader(this.firstRow);
      else this.skipped++;
      return null;
    }
    if (empty) return null;
    if (this.isTotalRow(raw)) {
      this.skipped++;
      return null;
    }
    this.dataRows++;
    return parseLedgerRow(this.header, raw);
  }

  /** A 合计 row: the label in the number column, or in any column when the number is empty. */
  private isTotalRow(raw: RawRow): boolean {
    const number = String(raw.cells[this.header!.columns.number!] ?? '').trim();
    return number ? isSummaryLabel(number) : raw.cells.some(isSummaryLabel);
  }

  /** Ends the sheet; throws when there is no header or no data row. */
  finish(): LedgerHeader {
    if (!this.header) {
      if (!this.firstRow)
        throw new DomainError('VALIDATION', `「${this.fileName}」没有表头和数据。请导出订单或应收款明细后再导入。`);
      this.setHeader(this.firstRow);
    }
    if (!this.dataRows) {
      throw new DomainError('VALIDATION', `「${this.fileName}」只有表头 (第 ${this.headerRow} 行), 没有数据行。`, {
        row: this.headerRow,
      });
    }
    return this.header!;
  }

  private setHeader(raw: RawRow): void {
    const type = this.wanted ?? guessType(raw.cells);
    if (!type) {
      const found = raw.cells
        .filter((c) => c && String(c).trim())
        .map((c) => `「${String(c).trim()}」`)
        .join('、');
      throw new DomainError(
        'VALIDATION',
        `看不出「${this.fileName}」是订单还是应收款 (第 ${raw.rowNo} 行表头: ${found})。订单文件应有「单据日期」「状态」列, 应收款文件应有「已收金额」「到期日」列; 也可以用 --type orders 或 --type receivables 指定。`,
        { row: raw.rowNo },
      );
    }
    this.header = mapLedgerHeader(
      type,
      raw.cells.map((c) => String(c ?? '')),
      raw.rowNo,
    );
    this.headerRow = raw.rowNo;
  }
}
