import type { CurrentAdmin, PageHandler } from 'adminjs';
import type { Core } from '../../core/context.js';
import { isDomainError } from '../../core/errors.js';
import { formatYuan } from '../../core/money.js';
import { STATUS_LABELS } from '../../core/customers/view.js';
import {
  REPORT_TITLES,
  reportOwners,
  reportParams,
  runReport,
  type Report,
  type ReportKind,
} from '../../core/reports/index.js';
import { adminActor } from '../auth/session.js';
import { ADMIN_DATA_ROUTES } from '../data/routes.js';
import { allowed } from '../features/permissions.js';

/** The back office's report pages: AdminJS page name → report. */
export const REPORT_PAGES = {
  salesReport: 'sales',
  agingReport: 'aging',
  customerReport: 'customers',
} as const satisfies Record<string, ReportKind>;
export type ReportPageName = keyof typeof REPORT_PAGES;

/** The pages' names in the sidebar. */
export const reportPageTitles = Object.fromEntries(
  Object.entries(REPORT_PAGES).map(([page, kind]) => [page, REPORT_TITLES[kind]]),
) as Record<ReportPageName, string>;

/** The figures of one report as the page shows them: amounts formatted in Chinese, deleted customers marked. */
function view(report: Report, rootPath: string) {
  const href = (id: number) => `${rootPath}/resources/customers/records/${id}/show`;
  if (report.kind === 'sales') {
    const s = report.sales;
    return {
      months: s.months.map((m) => ({
        month: m.month,
        orders: m.orders,
        cents: m.totalCents,
        total: formatYuan(m.totalCents),
        deleted: m.deletedCents ? formatYuan(m.deletedCents) : null,
      })),
      total: formatYuan(s.totalCents),
      orders: s.months.reduce((n, m) => n + m.orders, 0),
      deletedNote: s.deletedNote,
    };
  }
  if (report.kind === 'aging') {
    const a = report.aging;
    return {
      asOf: a.asOf,
      buckets: a.buckets.map((b) => ({
        key: b.key,
        label: b.label,
        count: b.count,
        cents: b.outstandingCents,
        amount: formatYuan(b.outstandingCents),
      })),
      total: formatYuan(a.totalCents),
      notDue: formatYuan(a.notDueCents),
      debtors: a.debtors.map((d) => ({
        ...d,
        href: href(d.customerId),
        amounts: a.buckets.map((b) => formatYuan(d.byBucket[b.key])),
        total: formatYuan(d.totalCents),
      })),
    };
  }
  const a = report.analysis;
  const s = a.sales12m;
  return {
    statusCounts: (['active', 'inactive', 'deleted'] as const).map((k) => ({
      key: k,
      label: STATUS_LABELS[k],
      count: a.byStatus[k],
    })),
    byCategory: a.byCategory,
    newPerMonth: a.newPerMonth,
    sales12m: { ...s, total: formatYuan(s.totalCents), average: formatYuan(s.averageOrderCents) },
    top10: a.top10.map((t) => ({ ...t, sales: formatYuan(t.salesCents), href: href(t.customerId) })),
  };
}

/** The range the figures cover, so the filter fields show it even when nothing was chosen. */
function shownRange(report: Report): { from?: string; to?: string; asOf?: string } {
  if (report.kind === 'sales')
    return { from: report.sales.months[0]!.month, to: report.sales.months[report.sales.months.length - 1]!.month };
  if (report.kind === 'aging') return { asOf: report.aging.asOf };
  return {};
}

/** What a report page reads: the filters and their choices, the figures, and whether 导出 is offered. */
export async function reportPageData(
  core: Core,
  current: CurrentAdmin | undefined,
  kind: ReportKind,
  query: Record<string, unknown>,
  rootPath: string,
) {
  const actor = adminActor(current);
  const base = {
    kind,
    title: REPORT_TITLES[kind],
    exportUrl: `${ADMIN_DATA_ROUTES.reportExport}/${kind}`,
    canExport: allowed(current, 'export'),
  };
  try {
    const params = reportParams(query);
    const [report, owners] = await Promise.all([runReport(core, actor, kind, params), reportOwners(core, actor)]);
    return {
      ...base,
      error: null,
      params,
      shown: shownRange(report),
      owners,
      filterText: report.filterText,
      figures: view(report, rootPath),
    };
  } catch (err) {
    // A refusal (a bad month, no permission) is shown on the page in core's words.
    if (!isDomainError(err)) throw err;
    return { ...base, error: err.message, params: {}, shown: {}, owners: [], filterText: '', figures: null };
  }
}

export type ReportPageData = Awaited<ReturnType<typeof reportPageData>>;

const ICONS: Record<ReportPageName, string> = {
  salesReport: 'BarChart2',
  agingReport: 'Clock',
  customerReport: 'PieChart',
};

/** AdminJS `pages` entries for the three reports. */
export function reportPages(core: Core, rootPath: string, components: Record<ReportPageName, string>) {
  const handler =
    (kind: ReportKind): PageHandler =>
    async (request, _response, context) =>
      reportPageData(
        core,
        context.currentAdmin,
        kind,
        (request as { query?: Record<string, unknown> }).query ?? {},
        rootPath,
      );
  return Object.fromEntries(
    (Object.keys(REPORT_PAGES) as ReportPageName[]).map((page) => [
      page,
      { component: components[page], icon: ICONS[page], handler: handler(REPORT_PAGES[page]) },
    ]),
  );
}
