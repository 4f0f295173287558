import type { CustomerInput } from '../../core/customers/schema.js';
import { approveMerge } from '../../core/customers/merge/act.js';
import { mergeLine, movedText, planText } from '../../core/customers/merge/format.js';
import {
  absorbedOf,
  getMerge,
  mergeApprovers,
  pendingMerges,
  previewMerge,
  rejectMerge,
  requestMerge,
} from '../../core/customers/merge/request.js';
import { unmerge } from '../../core/customers/merge/undo.js';
import { localTime } from '../../core/deletion/approvals.js';
import { DomainError } from '../../core/errors.js';
import type { Operator } from '../../models/index.js';
import { buttonId } from '../buttons.js';
import type { Reply } from '../types.js';
import type { CommandContext } from './context.js';
import { fieldsFrom } from './edit.js';
import type { CommandSpec } from './registry.js';
import { proposeConfirm, type Confirmable } from './confirmations.js';

const DEFAULT_REASON = '合并重复';

function mergeId(raw: string | undefined): number {
  const id = Number((raw ?? '').replace(/^#/, ''));
  if (!Number.isInteger(id) || id <= 0)
    throw new DomainError('VALIDATION', '合并单号应为数字, 例如「批准合并 3」。', {
      errors: [{ field: 'id', message: '单号无效' }],
    });
  return id;
}

/** `原因=` is the request's reason; every other `字段=值` is a value for the survivor. */
async function overrides(ctx: CommandContext): Promise<{ values: CustomerInput; reason: string }> {
  const { 原因: why, reason, ...named } = ctx.raw.named;
  return { values: await fieldsFrom(ctx, named), reason: (why ?? reason ?? '').trim() || DEFAULT_REASON };
}

type MergePayload = { keep: string; absorb: string[]; reason: string; values: CustomerInput };

export const mergeCommand: Confirmable<MergePayload> = {
  id: 'customer.merge',
  name: '合并客户',
  english: 'merge',
  args: [
    { name: 'keep', label: '保留编码', required: true },
    { name: 'absorb', label: '并入编码', required: true, rest: true },
  ],
  permission: 'merge',
  sideEffect: true,
  summary: '合并重复客户: 先比较差异和要转移的数据, 确认后交审批人审批; 默认用保留客户的值, 可加 名称=… 等, 原因=…',
  example: '合并客户 C20260009 C20260011 名称=杭州瑞丰五金有限公司 原因=重复录入',
  async run(ctx) {
    const absorb = (ctx.args.absorb ?? '').split(' ').filter(Boolean);
    const { values, reason } = await overrides(ctx);
    const plan = await previewMerge(ctx.core, ctx.actor, { keep: ctx.args.keep!, absorb, reason, values });
    return proposeConfirm(
      ctx,
      mergeCommand,
      { keep: plan.keep.code, absorb: plan.absorbed.map((a) => a.code), reason, values },
      planText(ctx.core, plan, reason),
    );
  },
  confirm: { label: '合并', key: (p) => p.keep, act: confirmMerge },
};

/** Runs a confirmed merge request: stored pending, approvers told in the same transaction. */
export async function confirmMerge(ctx: CommandContext, p: MergePayload): Promise<Reply> {
  let approvers: Operator[] = [];
  const { merge } = await requestMerge(ctx.core, ctx.actor, p, {
    notify: async (t, m, plan) => {
      approvers = await mergeApprovers(ctx.core, m, t);
      const text = `${planText(ctx.core, plan, m.reason)}\n申请人: ${m.requesterName}\n有效期至: ${localTime(ctx.core, m.expiresAt)}\n可回复「批准合并 ${m.id}」或「驳回合并 ${m.id} 理由」。`;
      for (const a of approvers) {
        await ctx.deps.notifier.toOperator(
          a,
          {
            title: `合并客户审批 #${m.id}`,
            text,
            buttons: [
              { id: buttonId('approve-merge', String(m.id)), text: '批准合并' },
              { id: buttonId('reject-merge', String(m.id)), text: '驳回' },
            ],
          },
          `merge:${m.id}`,
          t,
        );
      }
    },
  });
  const names = approvers.map((a) => a.displayName).join('、') || '(没有可用的审批人, 请联系管理员)';
  return {
    text: `已提交合并申请 #${merge.id} (${absorbedOf(merge)
      .map((a) => a.code)
      .join(
        '、',
      )} 并入 ${merge.keepCode}), 已通知审批人: ${names}。\n申请 ${localTime(ctx.core, merge.expiresAt)} 前有效。`,
  };
}

export const approveMergeCommand: CommandSpec = {
  id: 'merge.approve',
  name: '批准合并',
  english: 'approve-merge',
  args: [{ name: 'id', label: '单号', required: true }],
  permission: 'approve',
  sideEffect: true,
  summary: '批准合并申请并立即执行 (不能批准自己提交的)',
  example: '批准合并 3',
  async run(ctx) {
    const r = await approveMerge(ctx.core, ctx.actor, mergeId(ctx.args.id));
    const codes = r.absorbed.map((a) => a.code).join('、');
    const until = localTime(ctx.core, r.undoableUntil).slice(0, 10);
    const done = `合并单 #${r.merge.id} 已执行: ${codes} 已并入 ${r.keep.code} ${r.keep.name}; 转移了 ${movedText(r.moved)}。${until} 前可「撤销合并 ${r.merge.id}」。`;
    if (r.merge.requesterId)
      await ctx.deps.notifier.toOperator(
        { id: r.merge.requesterId },
        { text: `你申请的${done} (批准人: ${ctx.operator.displayName})` },
        `merge:${r.merge.id}`,
      );
    return { text: done, title: `已批准 · ${ctx.operator.displayName}` };
  },
};

export const rejectMergeCommand: CommandSpec = {
  id: 'merge.reject',
  name: '驳回合并',
  english: 'reject-merge',
  args: [
    { name: 'id', label: '单号', required: true },
    { name: 'note', label: '理由', rest: true },
  ],
  permission: 'approve',
  sideEffect: true,
  summary: '驳回合并申请, 可写理由; 客户保持原状',
  example: '驳回合并 3 不是同一家公司',
  async run(ctx) {
    const m = await rejectMerge(ctx.core, ctx.actor, mergeId(ctx.args.id), ctx.args.note ?? '');
    if (m.requesterId)
      await ctx.deps.notifier.toOperator(
        { id: m.requesterId },
        {
          text: `你申请的合并单 #${m.id} 被 ${ctx.operator.displayName} 驳回${m.decisionNote ? `, 理由: ${m.decisionNote}` : ''}。客户保持原状。`,
        },
        `merge:${m.id}`,
      );
    return { text: `已驳回合并单 #${m.id}, 客户保持原状。`, title: `已驳回 · ${ctx.operator.displayName}` };
  },
};

export const pendingMergesCommand: CommandSpec = {
  id: 'merge.pending',
  name: '合并申请',
  english: 'merges',
  args: [],
  permission: 'approve',
  sideEffect: false,
  summary: '列出等我审批的合并申请',
  example: '合并申请',
  async run(ctx) {
    const list = await pendingMerges(ctx.core, ctx.actor);
    if (!list.length) return { text: '没有等你审批的合并申请。' };
    return list.slice(0, 10).map((m) => ({
      text: mergeLine(ctx.core, m),
      buttons: [
        { id: buttonId('approve-merge', String(m.id)), text: '批准合并' },
        { id: buttonId('reject-merge', String(m.id)), text: '驳回' },
      ],
    }));
  },
};

export const unmergeCommand: Confirmable<{ id: number }> = {
  id: 'merge.undo',
  name: '撤销合并',
  english: 'unmerge',
  args: [{ name: 'id', label: '单号', required: true }],
  permission: 'restore',
  sideEffect: true,
  summary: '撤销一次合并 (回收站保留期内): 数据移回, 并入的客户以原编码恢复',
  example: '撤销合并 3',
  async run(ctx) {
    const m = await getMerge(ctx.core, mergeId(ctx.args.id));
    if (m.status !== 'done')
      throw new DomainError(
        'CONFLICT',
        `合并单 #${m.id} ${m.status === 'undone' ? '已撤销过' : '还没有执行合并'}, 无需撤销。`,
        { mergeId: m.id },
      );
    const codes = absorbedOf(m)
      .map((a) => a.code)
      .join('、');
    return proposeConfirm(
      ctx,
      unmergeCommand,
      { id: m.id },
      `将撤销合并单 #${m.id}: ${codes} 恢复为独立客户 (原编码、原状态和历史), 从 ${m.keepCode} 移过去的订单、应收等全部移回, ${m.keepCode} 恢复合并前的字段。`,
    );
  },
  confirm: { label: '撤销合并', key: (p) => String(p.id), act: confirmUnmerge },
};

/** Runs a confirmed undo. */
export async function confirmUnmerge(ctx: CommandContext, p: { id: number }): Promise<Reply> {
  const r = await unmerge(ctx.core, ctx.actor, p.id);
  return {
    text: `已撤销合并单 #${r.merge.id}: ${r.restored.map((c) => c.code).join('、')} 已恢复为独立客户, 数据已从 ${r.keep.code} 移回。`,
  };
}
