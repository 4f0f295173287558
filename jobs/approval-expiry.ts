import { expireApprovals, localTime, overdueApprovals } from '../core/deletion/approvals.js';
import { absorbedOf, expireMerges, overdueMerges } from '../core/customers/merge/request.js';
import type { Job } from './types.js';
import { JOB_TITLES } from '../core/job-labels.js';

/** Expires overdue deletion and merge requests, greys out the deletion cards and tells each requester. */
export const approvalExpiryJob: Job = {
  name: 'approval-expiry',
  title: JOB_TITLES['approval-expiry']!,
  schedule: '*/5 * * * *',
  async run({ core, actor, notifier, dryRun }) {
    if (dryRun) {
      const overdue = await overdueApprovals(core);
      const merges = await overdueMerges(core);
      const also = merges.length ? `, 另有 ${merges.length} 个合并申请已过期待处理` : '';
      return {
        summary: `试运行: 有 ${overdue.length} 个审批单已过期待处理${also}, 未做改动。`,
        detail: { overdue: overdue.map((r) => r.id), merges: merges.map((m) => m.id) },
      };
    }
    const expired = await expireApprovals(core, actor);
    for (const request of expired) {
      // expireApprovals returns the rows as they were read (still pending): reload for the card text.
      await request.reload();
      await notifier.approvalDecided(
        request,
        actor.operator,
        `你申请删除客户 ${request.customerCode} 的审批单 #${request.id} 在 ${localTime(core, request.expiresAt)} 前无人处理, 已过期; 客户没有被删除。如仍需删除, 请重新发送「删除客户 ${request.customerCode} 原因」。`,
      );
    }
    const merges = await expireMerges(core, actor);
    for (const m of merges) {
      const codes = absorbedOf(m).map((a) => a.code);
      const text = `你申请的合并单 #${m.id} (${codes.join('、')} 并入 ${m.keepCode}) 在 ${localTime(core, m.expiresAt)} 前无人审批, 已过期; 客户保持原状。如仍需合并, 请重新发送「合并客户 ${m.keepCode} ${codes.join(' ')}」。`;
      if (m.requesterId) await notifier.toOperator({ id: m.requesterId }, { text }, `merge:${m.id}`);
    }
    const parts = [
      expired.length
        ? `已将 ${expired.length} 个审批单标记为过期并通知申请人: ${expired.map((r) => `#${r.id}`).join('、')}。`
        : '',
      merges.length
        ? `已将 ${merges.length} 个合并申请标记为过期并通知申请人: ${merges.map((m) => `#${m.id}`).join('、')}。`
        : '',
    ].filter(Boolean);
    return {
      summary: parts.length ? parts.join('') : '没有过期的审批单。',
      detail: { expired: expired.map((r) => r.id), merges: merges.map((m) => m.id) },
    };
  },
};
