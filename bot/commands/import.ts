import fs from 'node:fs';
import { importCustomers } from '../../core/data/index.js';
import { isDomainError } from '../../core/errors.js';
import { dryRunStaged, optionsOf, type ChatImportOptions } from '../import/dry-run.js';
import { BACK_OFFICE_IMPORT, commitReply, nextStepReply } from '../import/report.js';
import {
  asPendingImport,
  discard,
  IMPORT_COMMAND_ID,
  stagedFile,
  storePendingImport,
  type PendingImport,
} from '../import/staging.js';
import type { Reply } from '../types.js';
import type { Confirmable } from './confirmations.js';
import type { CommandContext } from './context.js';
import type { CommandSpec } from './registry.js';

/**
 * 导入客户: the file itself is the command; this explains how to send one. It owns the typed
 * confirmation that a file's dry run stores (storePendingImport): 确认导入 XXXX [部分] acts on it.
 */
export const importCommand: Confirmable<PendingImport> = {
  id: IMPORT_COMMAND_ID,
  name: '导入客户',
  english: 'import',
  args: [],
  permission: 'import',
  // The reply itself only explains, but its confirmation writes customers (and the registry refuses a
  // confirm without a side effect); the cost is that 导入客户 takes the deduped path, not the read-only one.
  sideEffect: true,
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
  // The button under the dry run says 确认导入 too, but nextStepReply words it (and 只导入正确的行).
  confirm: { label: '导入', key: (p) => p.key, act: confirmImport, discard: discardImport },
};

/**
 * 确认导入 XXXX [部分]: the staged file, unchanged since its dry run (sha256), imported for real by
 * the same core function and actor as the dry run, so the audit trail names this chat user and door.
 */
export async function confirmImport(ctx: CommandContext, p: PendingImport): Promise<Reply> {
  const partial = ctx.raw.positional.slice(1).some((w) => /^(部分|partial)$/i.test(w));
  const file = stagedFile(ctx.core, p.file);
  if (!fs.existsSync(file))
    return { text: `找不到待导入的文件「${p.fileName}」(可能已超时被清理), 没有导入。请重新发送文件。` };
  if (p.errorRows && !partial) {
    // All or nothing would write nothing: keep the question open rather than make them resend.
    await storePendingImport(ctx.deps, ctx.msg, p);
    const next = nextStepReply(p, ctx.core.config.CONFIRM_TTL_SECONDS);
    return {
      ...next,
      text: `「${p.fileName}」有 ${p.errorRows} 行出错, 按全部导入不会写入任何数据, 所以没有导入。\n${next.text}`,
    };
  }
  try {
    const report = await importCustomers(ctx.core, ctx.actor, file, {
      fileName: p.fileName,
      commit: true,
      partial,
      expectSha256: p.sha256,
      ...optionsOf(p),
    });
    return commitReply(ctx.core, report);
  } finally {
    discard(ctx.core, p.file);
  }
}

/** 取消 or a wrong key: the staged file is removed now rather than at the next sweep. */
export function discardImport(ctx: CommandContext, p: PendingImport): void {
  discard(ctx.core, p.file);
}

/** The chat import an answer (映射 / 新建缺失) refines, or what to say when there is none. */
async function pendingImport(ctx: CommandContext, command: string): Promise<PendingImport | Reply> {
  const pending = await ctx.deps.conversations.get(ctx.msg.channel, ctx.msg.userId);
  const p = pending?.kind === 'confirm' ? asPendingImport(pending.payload) : null;
  if (!p)
    return {
      text: `现在没有待确认的导入。「${command}」用在文件导入的预检之后: 先在单聊里发送文件, 再按预检报告回复, 例如「映射 客户分类:零售=零售商」。`,
    };
  if (!fs.existsSync(stagedFile(ctx.core, p.file))) {
    await ctx.deps.conversations.clear(ctx.msg.channel, ctx.msg.userId);
    return { text: `找不到待导入的文件「${p.fileName}」(可能已超时被清理), 没有导入。请重新发送文件。` };
  }
  return p;
}

/** Re-runs the pending import's dry run with more options; a refused option leaves the pending import as it was. */
async function rerun(ctx: CommandContext, p: PendingImport, options: ChatImportOptions): Promise<Reply[]> {
  const used = [...(options.mapValues ?? []), ...(options.createMissing ? ['新建缺失'] : [])].join('、');
  try {
    const { replies, pending } = await dryRunStaged(
      ctx.deps,
      ctx.msg,
      ctx.actor,
      { id: p.file, fileName: p.fileName },
      options,
    );
    if (!pending) await ctx.deps.conversations.clear(ctx.msg.channel, ctx.msg.userId);
    return [{ text: `已按「${used}」重新试运行「${p.fileName}」(尚未写入):` }, ...replies];
  } catch (err) {
    if (!isDomainError(err)) throw err;
    const minutes = Math.max(1, Math.round(ctx.core.config.CONFIRM_TTL_SECONDS / 60));
    await storePendingImport(ctx.deps, ctx.msg, p);
    return [
      {
        text: `${err.message}\n之前的预检仍然有效 (确认码 ${p.key}, ${minutes} 分钟内): 可以改正后重新回复「映射 …」, 或回复「取消」放弃。`,
      },
    ];
  }
}

/** 客户分类:零售=零售商 entries from the words after 映射 (also separated by 、 , ;). */
function mapEntries(tokens: string[]): string[] {
  return tokens
    .flatMap((t) => t.split(/[、,，;；]+/))
    .map((t) => t.trim())
    .filter(Boolean);
}

/** 映射 客户分类:零售=零售商: the CLI's --map-value as an answer to a chat import's dry run, which runs again. */
export const mapValueCommand: CommandSpec = {
  id: 'customer.import.map-value',
  name: '映射',
  aliases: ['值对应'],
  english: 'map-value',
  args: [{ name: 'entries', label: '分类:文件里的值=表中的名称', rest: true }],
  permission: 'import',
  sideEffect: true,
  keepsPending: true,
  hidden: true,
  summary: '导入预检之后: 把文件里表中没有的客户分类/区域值对应到表中已有的值 (同命令行 --map-value), 然后重新试运行',
  example: '映射 客户分类:零售=零售商 区域:华南区=华南',
  async run(ctx) {
    const p = await pendingImport(ctx, '映射');
    if (!('file' in p)) return p;
    const entries = mapEntries(ctx.raw.tokens);
    if (!entries.length)
      return {
        text: '请写出对应关系, 例如「映射 客户分类:零售=零售商」(区域写「映射 区域:华南区=华南」; 一次可写多条, 用空格分开)。',
      };
    const mapValues = [...new Set([...(p.mapValues ?? []), ...entries])];
    return rerun(ctx, p, { mapValues, createMissing: p.createMissing });
  },
};

/** 新建缺失 (admins): the CLI's --create-missing as an answer to a chat import's dry run, which runs again. */
export const createMissingCommand: CommandSpec = {
  id: 'customer.import.create-missing',
  name: '新建缺失',
  english: 'create-missing',
  args: [],
  permission: 'manageLists',
  sideEffect: true,
  keepsPending: true,
  hidden: true,
  summary:
    '导入预检之后 (管理员): 把文件里表中没有的客户分类/区域值新增到表中 (同命令行 --create-missing), 先重新试运行, 确认导入时才新增',
  example: '新建缺失',
  async run(ctx) {
    const p = await pendingImport(ctx, '新建缺失');
    if (!('file' in p)) return p;
    return rerun(ctx, p, { mapValues: p.mapValues, createMissing: true });
  },
};
