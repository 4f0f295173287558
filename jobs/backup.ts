import { takeBackup } from '../core/data/backup/backup.js';
import { lastBackup } from '../core/data/backup/records.js';
import { verifyBackup } from '../core/data/backup/verify.js';
import { localTime } from '../core/deletion/approvals.js';
import { notifyAdmins } from './runner.js';
import type { Job } from './types.js';
import { JOB_TITLES } from '../core/job-labels.js';

function size(bytes: number): string {
  return bytes >= 1024 * 1024
    ? `${(bytes / 1024 / 1024).toFixed(1)} MB`
    : `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

/**
 * The nightly full backup, then a real verify (restore into a scratch database and compare).
 * The result goes to the admins either way; a failed verify makes the run fail.
 */
export const backupJob: Job = {
  name: 'backup',
  title: JOB_TITLES['backup']!,
  schedule: '0 3 * * *',
  async run({ core, actor, notifier, dryRun }) {
    if (dryRun) {
      const last = await lastBackup(core);
      return {
        summary: `试运行: 将做一次完整备份并验证, 未执行。上次备份: ${last ? `${localTime(core, last.takenAt)} (${last.verifyStatus})` : '无'}。`,
      };
    }
    const backup = await takeBackup(core, actor, { reason: 'job' });
    const verify = await verifyBackup(core, actor, backup.path);
    const bad = verify.tables.filter((t) => !t.ok);
    const facts = `${backup.path}\n${backup.totalRows} 行, ${size(backup.bytes)}${backup.encrypted ? ', 已加密' : ', 未加密 (建议设置 STEWARD_BACKUP_KEY)'}${backup.pruned.length ? `, 按保留策略删除旧备份 ${backup.pruned.length} 个` : ''}`;
    if (!verify.ok) {
      const why = bad.map((t) => `${t.table}: ${t.problem}`).join('; ');
      return {
        status: 'failed',
        summary: `备份已写出但验证失败: ${why}`,
        detail: { path: backup.path, problems: bad },
      };
    }
    await notifyAdmins(
      core,
      notifier,
      '每日备份完成',
      `备份完成并验证通过 (还原到临时库, 逐表核对行数和内容 hash):\n${facts}`,
      'job:backup',
    );
    return {
      summary: `备份完成并验证通过: ${backup.totalRows} 行, ${size(backup.bytes)}。`,
      detail: { path: backup.path, rows: backup.rows, sha256: backup.sha256, pruned: backup.pruned },
    };
  },
};
