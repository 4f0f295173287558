/** Reports shared by the bot's 统计, the back-office dashboard and the monthly report job. */
export {
  customerAnalysis,
  countsByStatus,
  newCustomersPerMonth,
  topCustomers,
  type CustomerAnalysis,
  type TopCustomer,
  type MonthCount,
} from './customer-analysis.js';
export { salesByMonth, type SalesByMonth, type SalesByMonthOptions, type SalesMonth } from './sales-by-month.js';
export {
  receivablesAging,
  type ReceivablesAging,
  type AgingBucket,
  type AgingDebtor,
  type AgingKey,
  type AgingOptions,
} from './receivables-aging.js';
export { checkDate, checkMonth, monthRange, MAX_MONTHS, type OwnerFilter } from './filters.js';
export { inactiveOverTime, STATUS_EVENT_ACTIONS, type InactivePoint } from './inactive-over-time.js';
export { pendingApprovals, lastBackup, type PendingApproval, type LastBackup } from './dashboard-extras.js';
export { SALES_STATUSES } from './sql.js';
export {
  REPORT_KINDS,
  REPORT_TITLES,
  isReportKind,
  reportOwners,
  reportParams,
  runReport,
  type Report,
  type ReportKind,
  type ReportParams,
} from './on-demand.js';
export { reportWorkbook } from './workbook.js';
