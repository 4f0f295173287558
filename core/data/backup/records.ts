import fs from 'node:fs';
import { Op } from 'sequelize';
import type { VerifyStatus } from '../../../models/index.js';
import type { Core } from '../../context.js';

/** A backup as the back office, the jobs and `backup list` show it. */
export interface BackupSummary {
  id: number;
  path: string;
  takenAt: Date;
  operatorName: string;
  reason: string;
  totalRows: number;
  rows: Record<string, number>;
  sha256: string;
  bytes: number;
  encrypted: boolean;
  verifyStatus: VerifyStatus;
  verifiedAt: Date | null;
  verifyDetail: string | null;
  /** Whether the directory is still on disk. */
  present: boolean;
}

function summary(r: InstanceType<Core['models']['BackupRecord']>): BackupSummary {
  return {
    id: r.id,
    path: r.path,
    takenAt: r.takenAt,
    operatorName: r.operatorName,
    reason: r.reason,
    totalRows: r.totalRows,
    rows: JSON.parse(r.tableRows) as Record<string, number>,
    sha256: r.sha256,
    bytes: Number(r.bytes),
    encrypted: Boolean(r.encrypted),
    verifyStatus: r.verifyStatus,
    verifiedAt: r.verifiedAt,
    verifyDetail: r.verifyDetail,
    present: fs.existsSync(r.path),
  };
}

/** The most recent backup not removed by retention, or null if none was ever taken. */
export async function lastBackup(core: Core): Promise<BackupSummary | null> {
  const r = await core.models.BackupRecord.findOne({
    where: { prunedAt: null },
    order: [
      ['takenAt', 'DESC'],
      ['id', 'DESC'],
    ],
  });
  return r ? summary(r) : null;
}

/** Backups still kept, newest first. */
export async function listBackups(core: Core, limit = 50): Promise<BackupSummary[]> {
  const rows = await core.models.BackupRecord.findAll({
    where: { prunedAt: { [Op.is]: null } },
    order: [
      ['takenAt', 'DESC'],
      ['id', 'DESC'],
    ],
    limit,
  });
  return rows.map(summary);
}
