/** The jshERP connector: read-mostly sync into the ledger, and lifecycle write-back. */
export { openJshDb, jshSettings, jshError, type JshDb } from './connection.js';
export { checkJsherp, checkText, openConfigured, type CheckReport } from './check.js';
export {
  syncJsherp,
  syncSummary,
  syncState,
  recordSyncFailure,
  FULL_EVERY_MS,
  type SyncReport,
  type SyncOptions,
} from './sync.js';
export { applyWriteBacks, pendingWrites, type BlockedDeleteListener, type WriteOutcome } from './write-back.js';
export { listCandidates, decideLink, importUnmatched } from './decide.js';
