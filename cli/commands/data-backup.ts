import type { Command } from 'commander';
import { describeLogins } from '../../core/credentials/keep-on-restore.js';
import {
  listBackups,
  readBackupManifest,
  restoreBackup,
  stageCustomerFromBackup,
  takeBackup,
  verifyBackup,
} from '../../core/data/index.js';
import { redactUrl } from '../../models/db.js';
import { runAction } from '../runtime.js';
import { cliActor, confirm, output, progressBar, withCore } from './data-support.js';

interface Flags {
  out?: string;
  as?: string;
  json?: boolean;
  replace?: boolean;
  yes?: boolean;
  customer?: string;
}

const BACKUP_HELP = `
用法 / usage:
  steward backup                       备份到 BACKUP_DIR (默认 <DATA_DIR>/backups), 并按保留策略清理旧备份
  steward backup --out /mnt/backup     备份到指定目录 (to another directory; no retention there)
  steward backup verify <目录>          校验并在临时 SQLite 库中真实还原, 逐表比对 (checksums + a real restore)
  steward backup list                  列出备份及校验状态 (list backups and their verification)
  steward restore <目录>                还原到空数据库 (restore into an empty database)
  steward restore <目录> --replace --yes 覆盖当前数据 (先自动做安全备份) (replace, after a safety backup)
  steward restore <目录> --customer C001 只取回一个客户及其单据, 放入回收站, 再用「恢复客户」恢复 (one customer, nothing else changes)
设置 STEWARD_BACKUP_KEY (openssl rand -base64 32) 后备份用 AES-256-GCM 加密; 密钥请与备份分开保管。`;

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

function registerBackup(program: Command): Command {
  const backup = program
    .command('backup')
    .description('完整备份: 每张表一个 gzip JSONL + manifest.json (full backup)')
    .option('--out <dir>', '备份目录 (default BACKUP_DIR)')
    .option('--as <operator>', '以该操作员身份 (operator e-mail / WeCom / DingTalk id)')
    .option('--json', '输出 JSON 摘要 {"path","rows","sha256"}')
    .addHelpText('after', BACKUP_HELP)
    .action((flags: Flags) =>
      runAction(() =>
        withCore(flags.json, async (core) => {
          const bar = progressBar(!flags.json);
          const r = await takeBackup(core, await cliActor(core, flags.as), {
            outDir: flags.out,
            onProgress: bar.update,
          }).finally(bar.stop);
          const lines = [
            `备份完成: ${r.path}`,
            `共 ${r.totalRows} 行: ${Object.entries(r.rows)
              .map(([t, n]) => `${t} ${n}`)
              .join(', ')}`,
            `大小 ${mb(r.bytes)}, manifest sha256 ${r.sha256}`,
            r.encrypted
              ? '已用 STEWARD_BACKUP_KEY 加密 (AES-256-GCM)。'
              : '注意: 未加密。设置 STEWARD_BACKUP_KEY 后备份会加密 (备份含客户个人信息)。',
            ...(r.pruned.length ? [`按保留策略删除了 ${r.pruned.length} 份旧备份。`] : []),
            `建议校验: steward backup verify "${r.path}"`,
          ];
          output(Boolean(flags.json), { path: r.path, rows: r.rows, sha256: r.sha256 }, lines);
          return 0;
        }),
      ),
    );
  return backup;
}

function registerVerifyAndList(backup: Command): void {
  backup
    .command('verify <path>')
    .description('校验备份: sha256, 再真实还原到临时 SQLite 逐表比对 (verify by a real restore)')
    .option('--as <operator>', '以该操作员身份')
    .option('--json', '输出 JSON')
    .action((dir: string, flags: Flags) =>
      runAction(() =>
        withCore(flags.json, async (core) => {
          const bar = progressBar(!flags.json);
          const r = await verifyBackup(core, await cliActor(core, flags.as), dir, { onProgress: bar.update }).finally(
            bar.stop,
          );
          const lines = r.tables.map((t) => (t.ok ? `  ✓ ${t.table}: ${t.rows} 行` : `  ✗ ${t.table}: ${t.problem}`));
          output(Boolean(flags.json), r, [
            `备份 ${r.path}:`,
            ...lines,
            r.ok ? '校验通过: 所有表都能完整还原。' : '校验失败: 上面标 ✗ 的文件有问题, 这份备份不能用于还原。',
          ]);
          return r.ok ? 0 : 1;
        }),
      ),
    );
  backup
    .command('list')
    .description('列出备份 (list backups)')
    .option('--json', '输出 JSON')
    .action((flags: Flags) =>
      runAction(() =>
        withCore(flags.json, async (core) => {
          const list = await listBackups(core);
          const zh = { unverified: '未校验', passed: '校验通过', failed: '校验失败' };
          const lines = list.length
            ? list.map(
                (b) =>
                  `${b.takenAt.toISOString().slice(0, 16).replace('T', ' ')} UTC  ${zh[b.verifyStatus]}  ${b.totalRows} 行  ${mb(b.bytes)}  ${b.encrypted ? '加密' : '未加密'}  ${b.present ? '' : '[文件已不在] '}${b.path}`,
              )
            : ['还没有备份。运行 steward backup 做第一份。'];
          output(Boolean(flags.json), list, lines);
          return 0;
        }),
      ),
    );
}

function registerRestore(program: Command): void {
  program
    .command('restore <path>')
    .description('从备份还原 (restore a backup; works across SQLite and MariaDB)')
    .option('--replace', '覆盖当前数据 (先自动做安全备份) (replace current data after a safety backup)')
    .option('--yes', '不再询问确认 (do not ask)')
    .option('--customer <编码>', '只取回这一个客户 (放入回收站; restore one customer into the recycle bin)')
    .option('--as <operator>', '以该操作员身份')
    .option('--json', '输出 JSON')
    .addHelpText('after', BACKUP_HELP)
    .action((dir: string, flags: Flags) =>
      runAction(() =>
        withCore(flags.json, async (core) => {
          const actor = await cliActor(core, flags.as);
          if (flags.customer) {
            const { entry, found } = await stageCustomerFromBackup(core, actor, dir, flags.customer);
            output(
              Boolean(flags.json),
              {
                recycleEntryId: entry.id,
                code: entry.customerCode,
                backup: found.backup,
                orders: found.rows.sales_orders.length,
              },
              [
                `已从备份 ${found.backup} 取出客户 ${entry.customerCode} ${entry.customerName} (订单 ${found.rows.sales_orders.length} 张, 应收 ${found.rows.receivables.length} 笔, 预留 ${found.rows.reservations.length} 条), 放入回收站 (条目 #${entry.id})。`,
                `其他数据没有改动。确认无误后用「恢复客户 ${entry.customerCode}」(聊天或后台回收站) 恢复它。`,
              ],
            );
            return 0;
          }
          const m = readBackupManifest(dir);
          const rows = Object.values(m.tables).reduce((a, t) => a + t.rows, 0);
          const target = redactUrl(core.config.DATABASE_URL);
          await confirm(
            `将把备份 ${dir} (${m.createdAt}, ${m.dialect}, 共 ${rows} 行) 还原到 ${target}${flags.replace ? '; 当前数据将被替换 (会先做安全备份)' : ''}。`,
            Boolean(flags.yes),
          );
          const bar = progressBar(!flags.json);
          const r = await restoreBackup(core, actor, dir, { replace: flags.replace, onProgress: bar.update }).finally(
            bar.stop,
          );
          const total = Object.values(r.rows).reduce((a, b) => a + b, 0);
          output(Boolean(flags.json), r, [
            ...(r.safetyBackup ? [`已先做安全备份: ${r.safetyBackup}`] : []),
            `已还原 ${total} 行到 ${target}。`,
            ...describeLogins(r.logins),
          ]);
          return 0;
        }),
      ),
    );
}

/** `backup`, `backup verify`, `backup list`, `restore`. */
export function registerBackupCommands(program: Command): void {
  registerVerifyAndList(registerBackup(program));
  registerRestore(program);
}
