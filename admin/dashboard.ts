import type { CurrentAdmin } from 'adminjs';
import type { Core } from '../core/context.js';
import { localTime } from '../core/deletion/approvals.js';
import { formatYuan } from '../core/money.js';
import { customerAnalysis, inactiveOverTime, lastBackup, pendingApprovals } from '../core/reports/index.js';
import { STATUS_LABELS } from '../core/customers/view.js';
import { codeStats } from '../core/customers/code-stats.js';
import { freshnessJson, freshnessLine, ledgerFreshness } from '../core/ledger/freshness.js';
import { adminActor } from './auth/session.js';
import { mergeLine } from '../core/customers/merge/format.js';
import { pendingMerges } from '../core/customers/merge/request.js';
import { allowed } from './features/permissions.js';

const VERIFY_LABELS: Record<string, string> = { passed: '校验通过', failed: '校验失败', unverified: '尚未校验' };

/** Everything the dashboard shows, from the same core reports the bot's 统计 and the monthly report use. */
export async function dashboardData(core: Core, current: CurrentAdmin | undefined, rootPath: string) {
  const actor = adminActor(current);
  const [analysis, inactive, pending, backup, ledger, codes] = await Promise.all([
    customerAnalysis(core, actor, { months: 24 }),
    inactiveOverTime(core, actor),
    pendingApprovals(core, actor),
    lastBackup(core, actor),
    ledgerFreshness(core),
    codeStats(core),
  ]);
  // Merges wait for the same approvers as deletions; listed beside them (decided with 批准合并 / 驳回合并).
  const merges = allowed(current, 'approve') ? await pendingMerges(core, actor) : [];
  const s = analysis.sales12m;
  return {
    statusCounts: (['active', 'inactive', 'deleted'] as const).map((k) => ({
      key: k,
      label: STATUS_LABELS[k],
      count: analysis.byStatus[k],
    })),
    newPerMonth: analysis.newPerMonth,
    inactiveOverTime: inactive.map((p) => ({ month: p.month, count: p.inactive })),
    top10: analysis.top10.map((t) => ({
      ...t,
      sales: formatYuan(t.salesCents),
      href: `${rootPath}/resources/customers/records/${t.customerId}/show`,
    })),
    sales12m: { ...s, total: formatYuan(s.totalCents), average: formatYuan(s.averageOrderCents) },
    pending: pending.map((p) => ({
      ...p,
      createdText: localTime(core, p.createdAt),
      expiresText: localTime(core, p.expiresAt),
      href: `${rootPath}/resources/approval_requests/records/${p.id}/show`,
    })),
    pendingMerges: merges.map((m) => ({ id: m.id, text: mergeLine(core, m) })),
    canApprove: allowed(current, 'approve'),
    ledger: { ...freshnessJson(ledger), text: freshnessLine(core, ledger) },
    codes: {
      rule: codes.rule,
      total: codes.total,
      ...codes.origins,
      offRule: codes.offRule,
      gaps: codes.gaps.reduce((n, g) => n + g.missing, 0),
      next: codes.next,
      href: `${rootPath}/resources/code_report`,
    },
    backup: backup
      ? {
          takenText: localTime(core, backup.takenAt),
          verifyStatus: backup.verifyStatus,
          verifyLabel: VERIFY_LABELS[backup.verifyStatus] ?? backup.verifyStatus,
          verifiedText: backup.verifiedAt ? localTime(core, backup.verifiedAt) : null,
          reason: backup.reason,
          totalRows: backup.totalRows,
        }
      : null,
  };
}

/** The dashboard's JSON, as the React component reads it. */
export type DashboardData = Awaited<ReturnType<typeof dashboardData>>;
