import { appendCheckpointFile, checkpointText, takeCheckpoint } from '../core/audit/checkpoint.js';
import { notifyAdmins } from './runner.js';
import type { Job } from './types.js';

/**
 * The daily 审计校验点: the signed chain head goes to the admins' chat and to the append-only file
 * under DATA_DIR, both outside the database, so `steward audit verify` can later prove a truncation
 * or rollback that a database writer made look consistent.
 */
export const auditCheckpointJob: Job = {
  name: 'audit-checkpoint',
  title: '审计校验点',
  schedule: '30 23 * * *',
  async run({ core, notifier, dryRun }) {
    const checkpoint = await takeCheckpoint(core);
    if (dryRun)
      return {
        summary: `试运行: 链头第 ${checkpoint.id} 条, 共 ${checkpoint.count} 条; 未写文件, 未通知管理员。`,
        detail: { checkpoint },
      };
    appendCheckpointFile(core.config, checkpoint, 'job');
    const admins = await notifyAdmins(core, notifier, '审计校验点', checkpointText(checkpoint), 'job:audit-checkpoint');
    return {
      summary: `已记录校验点: 链头第 ${checkpoint.id} 条, 共 ${checkpoint.count} 条; 已发给 ${admins} 位管理员。`,
      detail: { checkpoint },
    };
  },
};
