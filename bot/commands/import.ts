import fs from 'node:fs';
import { importCustomers } from '../../core/data/index.js';
import { BACK_OFFICE_IMPORT, commitReply, nextStepReply } from '../import/report.js';
import { asPendingImport, discard, stagedFile, touch } from '../import/staging.js';
import type { Reply } from '../types.js';
import type { CommandContext } from './context.js';
import type { CommandSpec } from './registry.js';

/** 导入客户: the file itself is the command; this explains how to send one. */
export const importCommand: CommandSpec = {
  id: 'customer.import',
  name: '导入客户',
  english: 'import',
  args: [],
  permission: 'import',
  sideEffect: false,
  summary: '把 Excel (.xlsx / .xls) 或 .csv 文件发给我 (单聊): 先试运行出报告, 回复「确认导入 XXXX」才写入',
  example: '导入客户',
  async run(ctx) {
    const local = ctx.msg.via === 'console' ? '\n(命令行里: 导入客户 <文件路径>)' : '';
    return {
      text: [
        '在和我的单聊里直接发送 Excel 工作簿 (.xlsx 或旧版 .xls) 或 CSV (.csv) 文件即可导入客户:',
        '1. 我先试运行 (不写入), 回复新增/更新/不变/跳过/错误的行数和出错的行;',
        '2. 没问题就回复「确认导入 XXXX」写入 (XXXX 是报告里给的确认码), 回复「取消」放弃;',
        '3. 有错误时默认一行都不写入; 可以改好后重新发送, 或回复「确认导入 XXXX 部分」只写入正确的行。',
        `文件最大 ${ctx.core.config.IMPORT_MAX_FILE_MB} MB。导入模板在${BACK_OFFICE_IMPORT}里下载。${local}`,
      ].join('\n'),
    };
  },
};

/**
 * 确认导入 XXXX [部分]: the staged file, unchanged since its dry run (sha256), imported for real by
 * the same core function and actor as the dry run, so the audit trail names this chat user and door.
 */
export async function confirmImport(ctx: CommandContext, payload: Record<string, unknown>): Promise<Reply> {
  const p = asPendingImport(payload);
  if (!p) return { text: '这个确认已失效, 请重新发送文件。' };
  const partial = ctx.raw.positional.slice(1).some((w) => /^(部分|partial)$/i.test(w));
  const file = stagedFile(ctx.core, p.file);
  if (!fs.existsSync(file)) return { text: `找不到待导入的文件「${p.fileName}」(可能已超时被清理), 没有导入。请重新发送文件。` };
  if (p.errorRows && !partial) {
    // All or nothing would write nothing: keep the question open rather than make them resend.
    const ttl = ctx.core.config.CONFIRM_TTL_SECONDS;
    await ctx.deps.conversations.set(ctx.msg.channel, ctx.msg.userId, 'confirm', { ...p }, ttl);
    touch(ctx.core, p.file);
    const next = nextStepReply(p, ttl);
    return { ...next, text: `「${p.fileName}」有 ${p.errorRows} 行出错, 按全部导入不会写入任何数据, 所以没有导入。\n${next.text}` };
  }
  try {
    const report = await importCustomers(ctx.core, ctx.actor, file, { fileName: p.fileName, commit: true, partial, expectSha256: p.sha256 });
    return commitReply(ctx.core, report);
  } finally {
    discard(ctx.core, p.file);
  }
}

/** 取消 or a wrong key: the staged file is removed now rather than at the next sweep. */
export function discardImport(ctx: CommandContext, payload: Record<string, unknown>): void {
  const p = asPendingImport(payload);
  if (p) discard(ctx.core, p.file);
}
