/** Orders and receivables from ERP exports (.xlsx/.csv): dry run, commit, snapshot, batch and undo. */
export { importLedger } from './import.js';
export { undoLedgerImport, type LedgerUndoReport } from './undo.js';
export { LEDGER_FILE_TYPES, TYPE_LABELS, type LedgerFileType } from './columns.js';
export type { LedgerImportOptions, LedgerImportReport, SnapshotClose } from './report.js';
