import type { Core } from '../core/context.js';
import { approvalPeople } from '../core/deletion/approvals.js';
import {
  applyWriteBacks,
  openConfigured,
  recordSyncFailure,
  syncJsherp,
  syncSummary,
  type BlockedDeleteListener,
  type JshDb,
  type SyncReport,
} from '../core/ledger/jsherp/index.js';
import { notifyAdmins } from './runner.js';
import type { Job, JobNotifier } from './types.js';
import { JOB_TITLES } from '../core/job-labels.js';

/** Tells the approver (and the requester) that jshERP kept the customer, only disabled, and why. */
export function blockedDeleteNotice(core: Core, notifier: JobNotifier): BlockedDeleteListener {
  return async (w, outcome) => {
    const people = await approvalPeople(core, w.approvalId ?? null);
    const text = `客户 ${w.customerCode} 已在本系统删除 (审批单 #${w.approvalId ?? '—'}), 但 ${outcome.text}\n如需在 jshERP 中也删除, 请先在 jshERP 中处理这些单据。`;
    const ref = w.approvalId ? `approval:${w.approvalId}` : null;
    if (people.length)
      for (const op of people) await notifier.toOperator(op, { title: 'jshERP 未删除该客户', text }, ref);
    else await notifyAdmins(core, notifier, 'jshERP 未删除该客户', text, ref);
  };
}

/** The figures stored with the run (no names: personal data stays out of job_runs). */
function detailOf(r: SyncReport, writes: { applied: number; error: string | null } | null): Record<string, unknown> {
  const { refused, ...documents } = r.documents;
  return {
    tenantId: r.tenantId,
    full: r.full,
    ms: r.ms,
    customers: { ...r.customers, failed: r.customers.failed.map((f) => ({ jshId: f.jshId, reason: f.reason })) },
    documents,
    refused: refused.slice(0, 50).map((x) => ({ number: x.number, code: x.code })),
    writeBacks: writes,
  };
}

/** Real business in jshERP for customers 停用 here: recorded (the delete check sees it); the admins decide what to do. */
async function reportRefused(core: Core, notifier: JobNotifier, r: SyncReport): Promise<void> {
  const list = r.documents.refused;
  if (!list.length) return;
  const lines = list
    .slice(0, 10)
    .map((x) => `${x.number} (客户 ${x.code}): ${x.message}`)
    .join('\n');
  await notifyAdmins(
    core,
    notifier,
    'jshERP 同步: 停用客户有新订单',
    `jshERP 中有 ${list.length} 张停用或已删除客户的未完成订单。它们已记入本系统 (删除前检查会列出), 但按停用规则本不该再有新单:\n${lines}${list.length > 10 ? '\n……' : ''}\n请在 jshERP 中核实: 作废或完成这些订单; 如需继续合作, 请先「启用客户」。`,
    'job:jsherp-sync',
  );
}

async function syncOnce(core: Core, db: JshDb, deps: Parameters<Job['run']>[0]) {
  const { actor, notifier, dryRun } = deps;
  // Queued write-backs first, so the sync reads jshERP as our lifecycle left it.
  const writes =
    dryRun || !core.config.JSHERP_WRITE_BACK
      ? null
      : await applyWriteBacks(core, actor, db, blockedDeleteNotice(core, notifier));
  const report = await syncJsherp(core, actor, db, { dryRun });
  if (!dryRun) await reportRefused(core, notifier, report);
  return {
    summary: syncSummary(report) + (writes?.applied ? ` 回写 ${writes.applied} 条。` : ''),
    detail: detailOf(report, writes),
  };
}

/** Every JSHERP_SYNC_CRON (5 minutes): write-backs, then the incremental sync (a full reconcile hourly). */
export const jsherpSyncJob: Job = {
  name: 'jsherp-sync',
  title: JOB_TITLES['jsherp-sync']!,
  schedule: '*/5 * * * *',
  variable: 'JSHERP_SYNC_CRON',
  enabled: (config) => Boolean(config.JSHERP_DATABASE_URL),
  async run(deps) {
    const { core, dryRun } = deps;
    if (!core.config.JSHERP_DATABASE_URL)
      return { status: 'skipped', summary: '没有配置 jshERP (JSHERP_DATABASE_URL), 跳过。' };
    const db = openConfigured(core.config);
    try {
      return await syncOnce(core, db, deps);
    } catch (err) {
      // Failed: the runner sends this line to every admin; our side keeps working, the review shows the stale feed.
      const message = dryRun ? String((err as Error).message) : await recordSyncFailure(core, db, err);
      return { status: 'failed', summary: `jshERP 同步失败: ${message}` };
    } finally {
      await db.close().catch(() => undefined);
    }
  },
};
