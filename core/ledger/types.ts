import type { LedgerSource } from '../../models/index.js';

/**
 * A ledger document as another system states it, keyed by that system's own number.
 * Every write is an upsert: the same document sent twice changes nothing the second time.
 * Amounts are decimal strings or numbers with at most 2 decimals; dates are YYYY-MM-DD.
 */
export type LedgerDoc =
  | { type: 'order'; number: string; customerCode: string; date: string; total: string | number; status: 'open' | 'closed' | 'cancelled' }
  | { type: 'receivable'; number: string; customerCode: string; amount: string | number; paid: string | number; dueDate: string; orderNumber?: string | null }
  | { type: 'reservation'; number: string; customerCode: string; product: string; quantity: number; released: boolean; orderNumber?: string | null };

export type LedgerDocType = LedgerDoc['type'];

/** What happened to one document of a call. */
export interface LedgerOutcome {
  index: number;
  type: LedgerDocType;
  number: string;
  result: 'created' | 'updated' | 'unchanged' | 'error';
  /** For errors: the same shape the API answers with (code, Chinese message, details). */
  error?: { code: string; message: string; details: Record<string, unknown> };
}

export interface LedgerApplyOptions {
  source: LedgerSource;
  /** All or nothing: one bad document refuses the whole call and nothing is written. */
  atomic?: boolean;
  /** Dry run: validate and report outcomes, write nothing. */
  dryRun?: boolean;
  /** The ledger import batch these changes belong to (file imports; enables undo). */
  batchId?: number | null;
}

export interface LedgerApplyResult {
  outcomes: LedgerOutcome[];
  counts: { created: number; updated: number; unchanged: number; error: number };
}
