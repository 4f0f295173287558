import type { Transaction } from 'sequelize';
import type { LedgerSource } from '../../models/index.js';

/**
 * A ledger document as another system states it, keyed by that system's own number.
 * Every write is an upsert: the same document sent twice changes nothing the second time.
 * Amounts are decimal strings or numbers with at most 2 decimals; dates are YYYY-MM-DD.
 */
export type LedgerDoc =
  | {
      type: 'order';
      number: string;
      customerCode: string;
      date: string;
      total: string | number;
      status: 'open' | 'closed' | 'cancelled';
    }
  | {
      type: 'receivable';
      number: string;
      customerCode: string;
      amount: string | number;
      paid: string | number;
      dueDate: string;
      orderNumber?: string | null;
    }
  | {
      type: 'reservation';
      number: string;
      customerCode: string;
      product: string;
      quantity: number;
      released: boolean;
      orderNumber?: string | null;
    };

export type LedgerDocType = LedgerDoc['type'];

/** What happened to one document of a call. */
export interface LedgerOutcome {
  index: number;
  type: LedgerDocType;
  number: string;
  result: 'created' | 'updated' | 'unchanged' | 'error';
  /** For errors: the same shape the API answers with (code, Chinese message, details). */
  error?: { code: string; message: string; details: Record<string, unknown> };
  /** Written although the 停用 rule would refuse it (`existingBusiness`): the reason, to tell people. */
  warning?: { code: string; message: string; details: Record<string, unknown> };
  /** False when the document was fine but nothing was written: a dry run, or an atomic call refused for another item. */
  applied?: boolean;
}

export interface LedgerApplyOptions {
  source: LedgerSource;
  /** All or nothing: one bad document refuses the whole call and nothing is written. */
  atomic?: boolean;
  /** Dry run: validate and report outcomes, write nothing. */
  dryRun?: boolean;
  /** The ledger import batch these changes belong to (file imports; enables undo). */
  batchId?: number | null;
  /**
   * The documents already exist in the system of record (a sync reads them; nobody is asking to
   * start new business): a new open order of a 停用 customer is written with a warning instead of
   * refused, so the delete check still sees it. The API and file imports never set this.
   */
  existingBusiness?: boolean;
  /** Run inside the caller's transaction (a file import writes all its calls in one). */
  transaction?: Transaction;
}

export interface LedgerApplyResult {
  outcomes: LedgerOutcome[];
  counts: { created: number; updated: number; unchanged: number; error: number };
  /** Whether the call's changes were committed (false for a dry run or a refused atomic call). */
  applied?: boolean;
}
