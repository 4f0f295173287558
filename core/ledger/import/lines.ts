import { centsToDecimal, toCents } from '../../money.js';
import { normalizeDocNumber } from '../validate.js';
import { columnLabel, type LedgerHeader } from './columns.js';
import type { DocWithoutCustomer, LedgerRow } from './rows.js';
import type { DocStatus } from './values.js';

type OrderDoc = Extract<DocWithoutCustomer, { type: 'order' }>;

/** An order is open while any line is; else closed while any line is; else cancelled. */
function joinStatus(a: DocStatus, b: DocStatus): DocStatus {
  if (a === 'open' || b === 'open') return 'open';
  return a === 'closed' || b === 'closed' ? 'closed' : 'cancelled';
}

/**
 * Folds consecutive rows of one order (an order-lines export) into its first row: amounts add
 * up, the customer and date must agree. A row with errors spoils the whole order (one document),
 * and the error report then lists every line, so the fixed file imports whole.
 */
export class LineMerger {
  private held: LedgerRow | null = null;
  /** Lines folded into an earlier line of the same order. */
  merged = 0;

  constructor(private readonly header: LedgerHeader) {}

  /** The order finished by this row (the previous one, when the number changes), or null. */
  push(row: LedgerRow): LedgerRow | null {
    const held = this.held;
    if (held?.number && row.number && normalizeDocNumber(held.number) === normalizeDocNumber(row.number)) {
      this.fold(held, row);
      return null;
    }
    this.held = row;
    return held;
  }

  /** The last order held, at the end of the file. */
  flush(): LedgerRow | null {
    const held = this.held;
    this.held = null;
    return held;
  }

  private fold(first: LedgerRow, line: LedgerRow): void {
    this.merged++;
    (first.lines ??= []).push({ rowNo: line.rowNo, cells: line.cells });
    const a = first.doc as OrderDoc | null;
    const b = line.doc as OrderDoc | null;
    const differs = this.differs(first, line);
    if (differs)
      line.errors.push({
        row: line.rowNo,
        column: differs,
        message: `和第 ${first.rowNo} 行是同一张单据 (${first.number}), ${differs}却不同; 同一单号的明细行应属于同一客户、同一天`,
      });
    if (line.errors.length || first.errors.length || !a || !b) {
      first.errors.push(...line.errors);
      first.doc = null;
      return;
    }
    a.total = centsToDecimal(toCents(a.total) + toCents(b.total));
    a.status = joinStatus(a.status, b.status);
  }

  /** The column in which a line disagrees with its order's first line (customer, date), or null. */
  private differs(first: LedgerRow, line: LedgerRow): string | null {
    const byCode = !!(first.customerCode || line.customerCode);
    const customer = byCode ? [first.customerCode, line.customerCode] : [first.customerName, line.customerName];
    if ((customer[0] ?? '') !== (customer[1] ?? ''))
      return columnLabel(this.header, byCode ? 'customerCode' : 'customerName');
    const [a, b] = [first.doc as OrderDoc | null, line.doc as OrderDoc | null];
    return a && b && a.date !== b.date ? columnLabel(this.header, 'date') : null;
  }
}
