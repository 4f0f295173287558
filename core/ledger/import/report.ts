import type { Progress } from '../../data/source.js';
import type { LedgerFileType } from './columns.js';
import type { LedgerRowError } from './rows.js';

export interface LedgerImportOptions {
  /** orders or receivables; guessed from the header when not given. */
  type?: LedgerFileType;
  /** Write. Without it the import is a dry run: a report, and nothing written. */
  commit?: boolean;
  /** Write the valid rows even when others have errors (default: all or nothing). */
  partial?: boolean;
  /** The file is a full export: open file-sourced documents of its type missing from it are closed. */
  snapshot?: boolean;
  sheet?: string;
  /** The name to show and record (default: the file's base name). */
  fileName?: string;
  /** The sha256 its dry run read: a commit of a file that changed since is refused. */
  expectSha256?: string;
  onProgress?: (p: Progress) => void;
}

/** A failed row as the error report copies it (the shape core/data's writeErrorReport takes). */
export interface LedgerFailedRow {
  rowNo: number;
  cells: string[];
  reason: string;
}

/** A document the snapshot closes because the file no longer lists it. */
export interface SnapshotClose {
  number: string;
  customerCode: string;
  /** Why closing it failed, when it did. */
  error?: string;
}

/** What a ledger import did, or (dry run) would do. */
export interface LedgerImportReport {
  type: LedgerFileType;
  /** Whether the type came from the header rather than --type. */
  typeGuessed: boolean;
  dryRun: boolean;
  snapshot: boolean;
  /** Whether anything was written. */
  committed: boolean;
  created: number;
  updated: number;
  unchanged: number;
  /** Rows above the header and 合计 rows. */
  skipped: number;
  /** Order-lines file: rows folded into the first row of their order (amounts added up). */
  mergedLines: number;
  errors: LedgerRowError[];
  /** Snapshot mode: open documents from earlier files that this file no longer lists (将关闭 / 已关闭). */
  closing: number;
  closingSample: SnapshotClose[];
  closeErrors: SnapshotClose[];
  /** Header cells the import does not know (ignored, not fatal). */
  unknownColumns: string[];
  batchId: string | null;
  fileName: string;
  sha256: string;
  format: 'xlsx' | 'xls' | 'csv' | null;
  sheet: string | null;
  encoding: string | null;
  headerLabels: string[];
  failedRows: LedgerFailedRow[];
}

/** A fresh report before anything is read. */
export function emptyLedgerReport(
  fileName: string,
  sha256: string,
  dryRun: boolean,
  opts: LedgerImportOptions,
): LedgerImportReport {
  return {
    type: opts.type ?? 'orders',
    typeGuessed: !opts.type,
    dryRun,
    snapshot: Boolean(opts.snapshot),
    committed: false,
    created: 0,
    updated: 0,
    unchanged: 0,
    skipped: 0,
    mergedLines: 0,
    errors: [],
    closing: 0,
    closingSample: [],
    closeErrors: [],
    unknownColumns: [],
    batchId: null,
    fileName,
    sha256,
    format: null,
    sheet: null,
    encoding: null,
    headerLabels: [],
    failedRows: [],
  };
}

/** Errors that keep an all-or-nothing import from writing. */
export function errorCount(r: LedgerImportReport): number {
  return r.failedRows.length + r.closeErrors.length;
}
