import path from 'node:path';
import type { Core } from '../../core/context.js';
import { localTime } from '../../core/deletion/approvals.js';
import { stageCustomerFromBackup, takeBackup, verifyBackup } from '../../core/data/index.js';
import { JOB_STATUS_LABELS, cronText, timezoneText } from '../../core/job-labels.js';
import { COMPONENTS } from '../components.js';
import { ADMIN_DATA_ROUTES } from '../data/routes.js';
import { freshRecord, text, throughCore } from '../features/core-errors.js';
import { permit } from '../features/permissions.js';

const record = { actionType: 'record' as const, component: COMPONENTS.ConfirmAction };
const here = (r: { param(p: string): unknown }) => !r.param('prunedAt');

/** The 备份 page's panel: the schedule, the last scheduled run's result and the newest backup. */
async function panel(core: Core) {
  const [run, last] = await Promise.all([
    core.models.JobRun.findOne({ where: { job: 'backup' }, order: [['id', 'DESC']] }),
    core.models.BackupRecord.findOne({ order: [['takenAt', 'DESC']] }),
  ]);
  return {
    schedule: cronText(core.config.JOB_BACKUP_CRON),
    timezone: timezoneText(core.config.STEWARD_TIMEZONE),
    encrypted: Boolean(core.config.STEWARD_BACKUP_KEY),
    lastRun: run
      ? {
          at: localTime(core, run.startedAt),
          status: JOB_STATUS_LABELS[run.status] ?? run.status,
          summary: run.summary ?? '',
        }
      : null,
    lastBackup: last
      ? { at: localTime(core, last.takenAt), name: path.basename(last.path), verify: last.verifyStatus }
      : null,
  };
}

/** 校验: each file's sha256, then a real restore into a scratch database, compared table by table. */
function verifyOneAction(core: Core) {
  return {
    ...record,
    icon: 'CheckSquare',
    custom: {
      message: '校验会核对每个文件的 sha256, 再把整份备份真实还原到临时库逐表比对; 数据多时需要几分钟。',
      button: '开始校验',
    },
    ...permit('backup', here),
    handler: throughCore(async (request, context, actor) => {
      if (request.method !== 'post') return { record: context.record!.toJSON(context.currentAdmin) };
      const report = await verifyBackup(core, actor, String(context.record!.param('path')));
      const bad = report.tables.filter((t) => !t.ok);
      return {
        record: await freshRecord(context),
        notice: {
          message: report.ok
            ? '校验通过: 每张表的行数和内容都与备份一致。'
            : `校验失败: ${bad.map((t) => `${t.table} ${t.problem ?? ''}`).join('; ')}`,
          type: report.ok ? 'success' : 'error',
        },
      };
    }),
  };
}

/** 取回单个客户: stages one customer from a backup in the recycle bin; restoring it is a separate step. */
function restoreOneAction(core: Core) {
  return {
    ...record,
    icon: 'RotateCcw',
    custom: {
      message:
        '从这份备份取回一个客户 (及其订单、应收、预留): 先放入回收站, 其他数据不变; 再在回收站点「恢复」。适用于已彻底清除的误删, 或被错误修改/导入弄坏的客户。',
      button: '取回到回收站',
      note: { label: '客户编码', required: true, name: 'code', input: 'text' },
    },
    ...permit('restoreBackup', here),
    handler: throughCore(async (request, context, actor) => {
      if (request.method !== 'post') return { record: context.record!.toJSON(context.currentAdmin) };
      const { entry, found } = await stageCustomerFromBackup(
        core,
        actor,
        String(context.record!.param('path')),
        text(request.payload, 'code') ?? '',
      );
      const message = `已从备份取出客户 ${entry.customerCode} ${entry.customerName} (订单 ${found.rows.sales_orders.length} 张), 放入回收站 (条目 #${entry.id})。请到 回收站 → 恢复 完成恢复。`;
      return { record: await freshRecord(context), notice: { message, type: 'success' } };
    }),
  };
}

/** 立即备份 (with the schedule and last result), 校验, 下载 and 取回单个客户, all through core. */
export function backupActions(core: Core) {
  return {
    backupNow: {
      actionType: 'resource' as const,
      icon: 'Save',
      component: COMPONENTS.BackupPanel,
      ...permit('backup'),
      handler: throughCore(async (request, _context, actor) => {
        if (request.method !== 'post') return { panel: await panel(core) } as never;
        const backup = await takeBackup(core, actor, { reason: 'manual' });
        const report = await verifyBackup(core, actor, backup.path);
        const message = report.ok
          ? `备份完成并校验通过: ${path.basename(backup.path)}, 共 ${backup.totalRows} 行。`
          : `备份已写出, 但校验失败: ${report.tables
              .filter((t) => !t.ok)
              .map((t) => `${t.table} ${t.problem ?? ''}`)
              .join('; ')}。请检查磁盘后重试。`;
        return { panel: await panel(core), notice: { message, type: report.ok ? 'success' : 'error' } } as never;
      }),
    },
    verifyOne: verifyOneAction(core),
    restoreOne: restoreOneAction(core),
    download: {
      actionType: 'record' as const,
      icon: 'Download',
      component: COMPONENTS.BackupDownload,
      custom: { url: ADMIN_DATA_ROUTES.backupDownload, encrypted: Boolean(core.config.STEWARD_BACKUP_KEY) },
      ...permit('backup', here),
      handler: async (
        _request: unknown,
        _response: unknown,
        context: { record?: { toJSON(a: unknown): unknown }; currentAdmin?: unknown },
      ) => ({ record: context.record!.toJSON(context.currentAdmin) }),
    },
  };
}
