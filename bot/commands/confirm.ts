import { normalizeCode } from '../../core/customers/codes.js';
import type { Reply } from '../types.js';
import type { CommandContext } from './context.js';
import type { CommandSpec } from './registry.js';
import { isStoredConfirm } from './confirmations.js';

/**
 * Drops what a pending confirmation staged: the proposing spec's discard(). A payload that is not a
 * StoredConfirm (written before every confirmation was typed) has nothing to run: it just expires.
 */
function discard(ctx: CommandContext, p: unknown): void {
  if (isStoredConfirm(p)) ctx.deps.registry.get(p.commandId)?.confirm?.discard?.(ctx, p.payload);
}

/** Runs a confirmed action: the proposing spec's act() with its payload, or null when there is none. */
function act(ctx: CommandContext, p: unknown): Promise<Reply> | null {
  if (!isStoredConfirm(p)) return null;
  const confirm = ctx.deps.registry.get(p.commandId)?.confirm;
  return confirm ? confirm.act(ctx, p.payload) : null;
}

export const confirmCommand: CommandSpec = {
  id: 'confirm',
  name: '确认',
  english: 'confirm',
  // 确认导入 XXXX [部分] is the same answer, worded for a pending import.
  aliases: ['确认导入'],
  args: [{ name: 'key', label: '编码', required: true }],
  permission: 'view',
  sideEffect: true,
  hidden: true,
  summary: '确认待确认的操作, 需要把编码再输入一遍',
  example: '确认 C20260012',
  async run(ctx) {
    const pending = await ctx.deps.conversations.take<{ key: string }>(ctx.msg.channel, ctx.msg.userId);
    if (!pending || pending.kind !== 'confirm') {
      const minutes = Math.round(ctx.core.config.CONFIRM_TTL_SECONDS / 60);
      return { text: `没有等待确认的操作 (可能已超过 ${minutes} 分钟), 请重新发起; 导入客户请重新发送文件。` };
    }
    const typed = ctx.args.key!.trim();
    if (typed !== pending.payload.key && normalizeCode(typed) !== normalizeCode(pending.payload.key)) {
      discard(ctx, pending.payload);
      return { text: `输入的「${typed}」与待确认的「${pending.payload.key}」不一致, 操作已取消, 没有做任何改动。` };
    }
    return (await act(ctx, pending.payload)) ?? { text: '这个确认已失效, 请重新发起。' };
  },
};

export const cancelCommand: CommandSpec = {
  id: 'cancel',
  name: '取消',
  english: 'cancel',
  args: [],
  permission: 'view',
  sideEffect: false,
  hidden: true,
  summary: '取消待确认的操作',
  example: '取消',
  async run(ctx) {
    const pending = await ctx.deps.conversations.take<{ key: string }>(ctx.msg.channel, ctx.msg.userId);
    if (pending?.kind === 'confirm') discard(ctx, pending.payload);
    return { text: pending ? '已取消, 没有做任何改动。' : '现在没有待确认的操作。' };
  },
};
