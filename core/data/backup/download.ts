import fs from 'node:fs';
import path from 'node:path';
import { withTransaction } from '../../../models/tx.js';
import { appendAudit } from '../../audit.js';
import type { Actor, Core } from '../../context.js';
import { DomainError } from '../../errors.js';
import { assertCan } from '../../permissions.js';

/**
 * A backup an admin may take away: its folder, once the download is in the audit trail. The files
 * stay encrypted when STEWARD_BACKUP_KEY is set, so the download holds no plaintext personal data.
 */
export async function backupForDownload(
  core: Core,
  actor: Actor,
  backupId: number,
): Promise<{ dir: string; fileName: string }> {
  assertCan(actor.operator, 'backup');
  const record = await core.models.BackupRecord.findByPk(backupId);
  if (!record) throw new DomainError('NOT_FOUND', `没有编号为 ${backupId} 的备份记录。`, { backupId });
  if (record.prunedAt || !fs.existsSync(path.join(record.path, 'manifest.json'))) {
    throw new DomainError(
      'CONFLICT',
      `备份 ${path.basename(record.path)} 的文件已不在服务器上 (已按保留策略清理或被移走), 无法下载。`,
      { backupId },
    );
  }
  await withTransaction(core.models.sequelize, (t) =>
    appendAudit(core, t, actor, {
      action: 'backup.download',
      info: { backup: path.basename(record.path), encrypted: record.encrypted },
    }),
  );
  return { dir: record.path, fileName: `${path.basename(record.path)}.zip` };
}
