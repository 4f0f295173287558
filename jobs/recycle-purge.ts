import { purgeableEntries, purgeEntry } from '../core/deletion/recycle.js';
import type { Job } from './types.js';
import { JOB_TITLES } from '../core/job-labels.js';

/** Erases personal data of recycle-bin entries past RECYCLE_RETENTION_DAYS (see core/deletion/recycle). */
export const recyclePurgeJob: Job = {
  name: 'recycle-purge',
  title: JOB_TITLES['recycle-purge']!,
  schedule: '0 2 * * *',
  async run({ core, actor, dryRun, log }) {
    const entries = await purgeableEntries(core);
    if (dryRun)
      return {
        summary: `试运行: ${entries.length} 条回收站记录已过保留期, 将被清除: ${
          entries
            .map((e) => e.customerCode)
            .slice(0, 20)
            .join('、') || '无'
        }。`,
        detail: { due: entries.map((e) => e.id) },
      };
    let redacted = 0;
    const purged: string[] = [];
    const failed: { code: string; error: string }[] = [];
    for (const e of entries) {
      try {
        redacted += (await purgeEntry(core, actor, e.id)).redactedEvents;
        purged.push(e.customerCode);
      } catch (err) {
        log.warn({ err, entryId: e.id }, 'purge failed');
        failed.push({ code: e.customerCode, error: (err as Error).message });
      }
    }
    const summary = `已清除 ${purged.length} 个过保留期客户的个人信息${purged.length ? ` (${purged.slice(0, 20).join('、')}), 抹去审计记录中的个人信息 ${redacted} 条` : ''}。${failed.length ? ` ${failed.length} 个失败: ${failed.map((f) => `${f.code} (${f.error})`).join('; ')}` : ''}`;
    return { status: failed.length ? 'failed' : 'succeeded', summary, detail: { purged, redacted, failed } };
  },
};
