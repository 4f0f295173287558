import type { LedgerOutcome } from '../types.js';
import { columnLabel, type LedgerColumn, type LedgerHeader } from './columns.js';
import type { LedgerRow, LedgerRowError } from './rows.js';

/** The document field the ledger core names in an error → the file's column. */
const FIELD_COLUMNS: Record<string, LedgerColumn> = {
  number: 'number',
  date: 'date',
  total: 'total',
  status: 'status',
  amount: 'amount',
  paid: 'paid',
  dueDate: 'dueDate',
  orderNumber: 'orderNumber',
};

function customerColumn(header: LedgerHeader): LedgerColumn {
  return header.columns.customerCode !== undefined ? 'customerCode' : 'customerName';
}

/** The column an error from the ledger core belongs to: the field it names, else the customer for customer refusals, else 单据编号. */
function columnFor(header: LedgerHeader, code: string, field: unknown): string {
  if (typeof field === 'string') {
    if (field === 'customerCode') return columnLabel(header, customerColumn(header));
    const key = FIELD_COLUMNS[field];
    if (key) return columnLabel(header, key);
  }
  if (/^CUSTOMER_/.test(code)) return columnLabel(header, customerColumn(header));
  return columnLabel(header, 'number');
}

/** A ledger core refusal of one document as row errors (one per field when it lists several). */
export function outcomeErrors(header: LedgerHeader, row: LedgerRow, outcome: LedgerOutcome): LedgerRowError[] {
  const e = outcome.error ?? { code: 'VALIDATION', message: '未知错误', details: {} };
  const fields = e.details?.errors;
  if (Array.isArray(fields) && fields.length) {
    return (fields as { field?: string; message?: string }[]).map((f) => ({
      row: row.rowNo,
      column: columnFor(header, e.code, f.field),
      message: f.message ?? e.message,
    }));
  }
  return [{ row: row.rowNo, column: columnFor(header, e.code, e.details?.field), message: e.message }];
}

/** The text of the 错误原因 column for a failed row. */
export function failReason(errors: LedgerRowError[]): string {
  return errors.map((e) => `${e.column}: ${e.message}`).join('; ');
}
