import { dueForReactivation, reactivate } from '../core/customers/status.js';
import type { Job } from './types.js';
import { JOB_TITLES } from '../core/job-labels.js';

/** Brings back customers whose 停用至 date has come (local date in STEWARD_TIMEZONE), audited as door `job`. */
export const reactivateDueJob: Job = {
  name: 'reactivate-due',
  title: JOB_TITLES['reactivate-due']!,
  schedule: '10 0 * * *',
  async run({ core, actor, notifier, dryRun, log }) {
    const due = await dueForReactivation(core);
    if (dryRun)
      return {
        summary: `试运行: ${due.length} 个客户的停用至日期已到, 将被启用: ${
          due
            .map((c) => c.code)
            .slice(0, 20)
            .join('、') || '无'
        }。`,
        detail: { due: due.map((c) => c.code) },
      };
    const done: string[] = [];
    const failed: { code: string; error: string }[] = [];
    for (const c of due) {
      try {
        await reactivate(core, actor, c.code, { note: `停用至 ${c.reactivateOn} 已到, 自动启用` });
        done.push(c.code);
        const owner = c.ownerId ? await core.models.Operator.findByPk(c.ownerId) : null;
        if (owner?.active)
          await notifier.toOperator(owner, {
            text: `客户 ${c.code} ${c.name} 的停用至日期 (${c.reactivateOn}) 已到, 已自动启用, 可以正常下单了。`,
          });
      } catch (err) {
        log.warn({ err, code: c.code }, 'reactivation failed');
        failed.push({ code: c.code, error: (err as Error).message });
      }
    }
    const summary = `已启用 ${done.length} 个停用到期的客户${done.length ? `: ${done.slice(0, 20).join('、')}` : ''}。${failed.length ? ` ${failed.length} 个失败: ${failed.map((f) => `${f.code} (${f.error})`).join('; ')}` : ''}`;
    return { status: failed.length ? 'failed' : 'succeeded', summary, detail: { reactivated: done, failed } };
  },
};
