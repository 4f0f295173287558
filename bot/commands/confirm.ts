import type { CustomerInput } from '../../core/customers/schema.js';
import { normalizeCode } from '../../core/customers/codes.js';
import type { Reply } from '../types.js';
import type { CommandContext } from './context.js';
import { confirmDelete, confirmRestore } from './deletion.js';
import { doCreate } from './edit.js';
import { confirmImport, discardImport } from './import.js';
import type { CommandSpec } from './registry.js';
import { confirmDeactivate } from './status.js';
import { confirmCancelOrder, confirmPayment, confirmRelease } from './ledger.js';
import { confirmDeactivateAll } from './review.js';
import { confirmMerge, confirmUnmerge } from './merge.js';
import { confirmRecode } from './codes.js';

type Payload = { action: string; key: string } & Record<string, unknown>;

/** What each confirmable action does once confirmed. */
const ACTIONS: Record<string, (ctx: CommandContext, p: Payload) => Promise<Reply>> = {
  deactivate: (ctx, p) => confirmDeactivate(ctx, p as never),
  delete: (ctx, p) => confirmDelete(ctx, p as never),
  restore: (ctx, p) => confirmRestore(ctx, p as never),
  create: (ctx, p) => doCreate(ctx, p.input as CustomerInput, true),
  'deactivate-all': (ctx, p) => confirmDeactivateAll(ctx, p as never),
  import: (ctx, p) => confirmImport(ctx, p),
  'cancel-order': (ctx, p) => confirmCancelOrder(ctx, p as never),
  payment: (ctx, p) => confirmPayment(ctx, p as never),
  release: (ctx, p) => confirmRelease(ctx, p as never),
  merge: (ctx, p) => confirmMerge(ctx, p as never),
  unmerge: (ctx, p) => confirmUnmerge(ctx, p as never),
  recode: (ctx, p) => confirmRecode(ctx, p as never),
};

/** Clean-up for a confirmation that will not happen (取消, a wrong key). */
const DISCARD: Record<string, (ctx: CommandContext, p: Payload) => void> = {
  import: (ctx, p) => discardImport(ctx, p),
};

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
    const pending = await ctx.deps.conversations.take<Payload>(ctx.msg.channel, ctx.msg.userId);
    if (!pending || pending.kind !== 'confirm') {
      const minutes = Math.round(ctx.core.config.CONFIRM_TTL_SECONDS / 60);
      return { text: `没有等待确认的操作 (可能已超过 ${minutes} 分钟), 请重新发起; 导入客户请重新发送文件。` };
    }
    const typed = ctx.args.key!.trim();
    if (typed !== pending.payload.key && normalizeCode(typed) !== normalizeCode(pending.payload.key)) {
      DISCARD[pending.payload.action]?.(ctx, pending.payload);
      return { text: `输入的「${typed}」与待确认的「${pending.payload.key}」不一致, 操作已取消, 没有做任何改动。` };
    }
    const act = ACTIONS[pending.payload.action];
    if (!act) return { text: '这个确认已失效, 请重新发起。' };
    return act(ctx, pending.payload);
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
    const pending = await ctx.deps.conversations.take<Payload>(ctx.msg.channel, ctx.msg.userId);
    if (pending?.kind === 'confirm') DISCARD[pending.payload.action]?.(ctx, pending.payload);
    return { text: pending ? '已取消, 没有做任何改动。' : '现在没有待确认的操作。' };
  },
};
