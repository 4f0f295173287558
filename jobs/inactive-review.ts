import type { Core } from '../core/context.js';
import { addFigures, findInactive, type InactiveCustomer, type InactiveResult } from '../core/review/inactive.js';
import { localTime } from '../core/deletion/approvals.js';
import { freshnessJson } from '../core/ledger/freshness.js';
import { previousReviewAt, reviewSummary } from '../core/review/summary.js';
import { reviewRecipients, type ReviewRecipient } from '../core/review/recipients.js';
import { groupSummary, ownerDigest, SHOWN_PER_PERSON, type LinksFor } from './review-digest.js';
import { notifyAdmins } from './runner.js';
import { duplicateSummary, sendDuplicateDigests } from './duplicate-digest.js';
import type { Job, JobDeps, JobNotifier, JobOutcome } from './types.js';
import { JOB_TITLES } from '../core/job-labels.js';

async function send(
  core: Core,
  notifier: JobNotifier,
  list: ReviewRecipient[],
  w: { days: number; keepDays: number },
): Promise<number> {
  let messages = 0;
  // Where cards cannot call back, their 停用/保留 buttons open the signed review page (the notifier
  // gives the links only to those channels).
  const withLinks = notifier.linksWanted();
  const enriched = new Set<InactiveCustomer[]>();
  for (const r of list) {
    // Sales and receivables only for the customers the digest shows; the orphans' list is shared by the admins.
    if (!enriched.has(r.customers)) await addFigures(core, r.customers.slice(0, SHOWN_PER_PERSON));
    enriched.add(r.customers);
    const links: LinksFor | undefined = withLinks
      ? (code) => [
          { text: '停用', url: notifier.reviewLink(code, r.operator) },
          { text: '保留', url: notifier.reviewLink(code, r.operator) },
        ]
      : undefined;
    for (const reply of ownerDigest(core, r.operator.displayName, r.customers, w, {
      unassigned: r.unassigned,
      links,
    })) {
      await notifier.toOperator(r.operator, reply, 'job:inactive-review');
      messages++;
    }
  }
  return messages;
}

/** Without order data the review flags nobody; it says why, and tells the admins once a run. */
async function noLedgerData(
  core: Core,
  notifier: JobNotifier,
  result: InactiveResult,
  dryRun: boolean,
): Promise<{ summary: string; detail: Record<string, unknown> }> {
  const { ledger } = result;
  const summary = `${result.notice}, 本次不标记任何客户为不活跃或「从未下单」。`;
  const detail = { days: result.days, total: 0, ledger: freshnessJson(ledger) };
  if (dryRun) return { summary: `试运行: ${summary}`, detail };
  const last = ledger.lastOrderReceivedAt
    ? `最近一次收到订单数据: ${localTime(core, ledger.lastOrderReceivedAt)} (来源 ${ledger.source ?? '未知'})。请检查进销存的同步。`
    : '请先接入进销存 (API 推送、文件导入或 jshERP 同步), 接入后审查会自动开始。';
  await notifyAdmins(core, notifier, '不活跃客户审查', `${summary}\n${last}`, 'job:inactive-review');
  return { summary, detail };
}

/** The inactive part of the weekly review: each owner's list with buttons, and the group summary. */
async function inactiveReview({ core, actor, notifier, dryRun }: JobDeps): Promise<JobOutcome> {
  const result = await findInactive(core, actor, { figures: 0 });
  if (result.notice) return noLedgerData(core, notifier, result, dryRun);
  const w = { days: result.days, keepDays: result.keepDays };
  const summary = await reviewSummary(core, result.customers, await previousReviewAt(core, core.now()));
  const list = await reviewRecipients(core, result.customers);
  const perOwner = summary.owners.map((o) => `${o.owner} ${o.inactive}`).join(', ');
  const detail = {
    days: result.days,
    keepDays: result.keepDays,
    since: result.since,
    total: result.customers.length,
    owners: summary.owners,
    recipients: list.map((r) => ({ operator: r.operator.displayName, customers: r.customers.length })),
    codes: result.customers.slice(0, 500).map((c) => c.code),
  };
  if (dryRun) {
    return {
      summary: `试运行: 超过 ${result.days} 天未下单的启用客户 ${result.customers.length} 个${perOwner ? ` (${perOwner})` : ''}; 将给 ${list.length} 人发送审查清单, 未发送任何消息。`,
      detail,
    };
  }
  const messages = await send(core, notifier, list, w);
  if (result.customers.length || summary.kept || summary.deactivated) {
    await notifier.toGroup(
      groupSummary(core, summary, w),
      list.filter((r) => !r.unassigned).map((r) => r.operator),
      undefined,
      'job:inactive-review',
    );
  }
  const handled = summary.previousAt
    ? `; 上次审查以来已处理 ${summary.kept + summary.deactivated} 个 (停用 ${summary.deactivated}, 保留 ${summary.kept})`
    : '';
  return {
    summary: `不活跃客户 ${result.customers.length} 个${perOwner ? ` (${perOwner})` : ''}; 已给 ${list.length} 人发送 ${messages} 条消息${handled}。`,
    detail,
  };
}

/**
 * Weekly: every owner gets their inactive customers with 停用/保留 buttons (and the typed
 * fallback), then their 疑似重复 pairs; the group gets the per-manager summary with what was
 * handled since last time.
 */
export const inactiveReviewJob: Job = {
  name: 'inactive-review',
  title: JOB_TITLES['inactive-review']!,
  schedule: '0 9 * * 1',
  async run(deps) {
    const outcome = await inactiveReview(deps);
    // Duplicates do not depend on order data: they go out even when the inactive part cannot judge.
    const duplicates = await sendDuplicateDigests(deps.core, deps.notifier, deps.dryRun);
    return {
      ...outcome,
      summary: `${outcome.summary.replace(/。$/, '')}${duplicateSummary(duplicates, deps.dryRun)}。`,
      detail: { ...outcome.detail, duplicates },
    };
  },
};
