/** Data in and out: import, export, template, error report, backup, verify, restore. */
export { importCustomers, fileSha256, type ImportOptions, type ImportReport } from './import.js';
export { undoImport, type UndoReport } from './undo.js';
export { writeErrorReport } from './error-report.js';
export { templateWorkbook } from './template.js';
export { StagingArea } from './staging.js';
export { exportCustomers, type ExportFormat, type ExportResult } from './export.js';
export type { Progress } from './source.js';
export { IMPORT_EXTENSIONS, IMPORT_FORMATS_TEXT, isImportFormat, type ImportFormat } from './formats.js';
export { acceptedNames } from './headers.js';
export { takeBackup, type BackupResult } from './backup/backup.js';
export { verifyBackup, type VerifyReport } from './backup/verify.js';
export { restoreBackup, type RestoreResult } from './backup/restore.js';
export { stageCustomerFromBackup } from './backup/one-customer.js';
export { backupForDownload } from './backup/download.js';
export { lastBackup, listBackups, type BackupSummary } from './backup/records.js';
export { backupRoot, readManifest as readBackupManifest, type Manifest } from './backup/manifest.js';
