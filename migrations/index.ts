import type { Migration } from './types.js';
import { commercialModels } from './0001-commercial-models.js';
import { lifecycle } from './0002-lifecycle.js';
import { data } from './0003-data.js';
import { bot } from './0004-bot.js';
import { adminLoginThrottle } from './0005-admin-login-throttle.js';
import { jobs } from './0006-jobs.js';
import { adminListIndexes } from './0007-admin-list-indexes.js';
import { ledgerLink } from './0008-ledger-link.js';
import { jsherp } from './0009-jsherp.js';
import { operatorIdentities } from './0010-operator-identities.js';
import { socketLeases } from './0011-socket-leases.js';
import { approvalCodes } from './0012-approval-codes.js';
import { apiSyncIndex } from './0013-api.js';
import { customerMerge } from './0014-customer-merge.js';
import { duplicateDismissals } from './0015-duplicate-dismissals.js';
import { companyLists } from './0016-company-lists.js';
import { codeStatistics } from './0017-code-statistics.js';
import { adminSecurity } from './0018-admin-security.js';
import { auditLanes } from './0019-audit-lanes.js';
import { lastOrderIndex } from './0020-last-order-index.js';
import { derivedLastOrder } from './0021-derived-last-order.js';

/** Every migration, in order. Listed explicitly so tsx, jest and a build all load them alike. */
export const MIGRATIONS: Migration[] = [
  commercialModels,
  lifecycle,
  data,
  bot,
  adminLoginThrottle,
  jobs,
  adminListIndexes,
  ledgerLink,
  jsherp,
  operatorIdentities,
  socketLeases,
  approvalCodes,
  apiSyncIndex,
  customerMerge,
  duplicateDismissals,
  companyLists,
  codeStatistics,
  adminSecurity,
  auditLanes,
  lastOrderIndex,
  derivedLastOrder,
];
