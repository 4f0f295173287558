import type { Core } from '../../core/context.js';
import type { BackupRecord } from '../../models/index.js';
import { StewardResource, exactRule, rangeRule } from '../adapter/steward-resource.js';
import { COMPONENTS } from '../components.js';
import { permit, readOnly } from '../features/permissions.js';
import { detailRows } from '../format/readable.js';
import { backupActions } from '../actions/backups.js';

/** A stored JSON text as rows of 项目 / 值 (the text itself when it is not JSON). */
function rowsOf(core: Core, text: string | null): string {
  if (!text) return '';
  try {
    return JSON.stringify(detailRows(core, JSON.parse(text)));
  } catch {
    return JSON.stringify([['内容', text]]);
  }
}

const REASONS = [
  { value: 'job', label: '每日备份任务' },
  { value: 'manual', label: '手动备份' },
  { value: 'pre-restore', label: '还原前的安全备份' },
];
const VERIFY = [
  { value: 'unverified', label: '未校验' },
  { value: 'passed', label: '校验通过' },
  { value: 'failed', label: '校验失败' },
];

/** Bytes as 12.3 MB. */
export function humanSize(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i ? v.toFixed(1) : v} ${units[i]}`;
}

export const RESTORE_CLI_NOTE =
  '整库还原只能在服务器上用命令行执行 (steward backup verify <路径> 先校验, 再 steward restore <路径>), 以免误操作覆盖数据; 单个客户可用「取回单个客户」。';

/** The backup records with readable size, short hash and per-table row counts. */
function backupAdapter(core: Core): StewardResource<BackupRecord> {
  return new StewardResource<BackupRecord>(core.models.BackupRecord, {
    filters: { verifyStatus: exactRule('verifyStatus'), takenAt: rangeRule('takenAt') },
    sorts: { id: 'id', takenAt: 'takenAt' },
    defaultSort: ['takenAt', 'DESC'],
    toParams: (row) => ({
      ...(row.get({ plain: true }) as Record<string, unknown>),
      sha256Short: row.sha256.slice(0, 12),
      size: humanSize(Number(row.bytes)),
      tableRows: rowsOf(core, row.tableRows),
      verifyDetail: rowsOf(core, row.verifyDetail),
    }),
  });
}

const shown = { isVisible: { list: true, show: true, edit: false, filter: false }, isSortable: false };

/** Columns: the computed size, short hash and row tables, and where to read how to restore. */
const PROPERTIES = {
  verifyStatus: { availableValues: VERIFY, description: RESTORE_CLI_NOTE },
  reason: { availableValues: REASONS },
  sha256Short: { type: 'string' as const, ...shown },
  size: { type: 'string' as const, ...shown },
  path: { description: RESTORE_CLI_NOTE },
  tableRows: { type: 'string' as const, isSortable: false, components: { show: COMPONENTS.RowsTable } },
  verifyDetail: { type: 'string' as const, isSortable: false, components: { show: COMPONENTS.RowsTable } },
};

/** 备份: read-only, admins only (permission `backup`); restoring stays on the CLI. */
export function backupResource(core: Core) {
  return {
    resource: backupAdapter(core),
    options: {
      id: 'backup_records',
      navigation: { name: 'system', icon: 'Archive' },
      sort: { sortBy: 'takenAt', direction: 'desc' as const },
      listProperties: [
        'takenAt',
        'path',
        'totalRows',
        'size',
        'sha256Short',
        'verifyStatus',
        'verifiedAt',
        'operatorName',
      ],
      showProperties: [
        'takenAt',
        'path',
        'reason',
        'operatorName',
        'totalRows',
        'tableRows',
        'size',
        'sha256',
        'encrypted',
        'verifyStatus',
        'verifiedAt',
        'verifyDetail',
        'prunedAt',
      ],
      filterProperties: ['verifyStatus', 'takenAt'],
      properties: PROPERTIES,
      actions: {
        ...readOnly('backup'),
        ...backupActions(core),
        restoreHelp: {
          actionType: 'resource' as const,
          icon: 'HelpCircle',
          component: COMPONENTS.BackupHelp,
          custom: { note: RESTORE_CLI_NOTE },
          ...permit('backup'),
          handler: async () => ({}),
        },
      },
    },
  };
}
