import { codeReport } from '../../core/customers/code-report.js';
import { codeReportText } from '../../core/customers/code-report-text.js';
import { codeStats } from '../../core/customers/code-stats.js';
import { codeStatsText } from '../../core/customers/code-stats-text.js';
import { approveRecode, recodedNote } from '../../core/customers/recode/act.js';
import { recodeLine, recodePlanText } from '../../core/customers/recode/format.js';
import {
  pendingRecodes,
  previewRecode,
  recodeApprovers,
  rejectRecode,
  requestRecode,
} from '../../core/customers/recode/request.js';
import { localTime } from '../../core/deletion/approvals.js';
import { DomainError } from '../../core/errors.js';
import type { Operator } from '../../models/index.js';
import { buttonId } from '../buttons.js';
import type { Reply } from '../types.js';
import type { CommandContext } from './context.js';
import type { CommandSpec } from './registry.js';
import { proposeConfirm, type Confirmable } from './confirmations.js';

/** Codes listed per section in one chat reply; the back office lists them all. */
const CHAT_LIMIT = 20;
const DEFAULT_REASON = '整理编码';

/** 编码统计: counts per rule and year, auto vs manual, off-rule, gaps with reasons, the next code. */
export const codeStatsCommand: CommandSpec = {
  id: 'codes.stats',
  name: '编码统计',
  english: 'code-stats',
  args: [],
  permission: 'view',
  sideEffect: false,
  summary: '客户编码统计: 按规则/年份的数量、自动与手工、不合规则、编号空缺及原因、下一个编码',
  example: '编码统计',
  async run(ctx) {
    return { title: '编码统计', text: codeStatsText(await codeStats(ctx.core)) };
  },
};

/** 编码检查: the off-rule and near-duplicate report (also in the back office and `steward check`). */
export const codeCheckCommand: CommandSpec = {
  id: 'codes.check',
  name: '编码检查',
  english: 'code-check',
  args: [],
  permission: 'view',
  sideEffect: false,
  summary: '列出不符合编码规则的编码和只差大小写/全半角/分隔符的近似编码',
  example: '编码检查',
  async run(ctx) {
    return { title: '编码检查', text: codeReportText(await codeReport(ctx.core), CHAT_LIMIT) };
  },
};

function recodeId(raw: string | undefined): number {
  const id = Number((raw ?? '').replace(/^#/, ''));
  if (!Number.isInteger(id) || id <= 0)
    throw new DomainError('VALIDATION', '改编码申请单号应为数字, 例如「批准改编码 3」。', {
      errors: [{ field: 'id', message: '单号无效' }],
    });
  return id;
}

type RecodePayload = { from: string; to: string; reason: string };

/** 改编码 <旧编码> <新编码> [原因]: dry run → 确认 → an approver's OK → act. */
export const recodeCommand: Confirmable<RecodePayload> = {
  id: 'codes.recode',
  name: '改编码',
  english: 'recode',
  args: [
    { name: 'from', label: '旧编码', required: true },
    { name: 'to', label: '新编码', required: true },
    { name: 'reason', label: '原因', rest: true },
  ],
  permission: 'edit',
  sideEffect: true,
  summary: '改客户编码 (已有订单也可以): 先试运行, 确认后交审批人批准; 旧编码永久保留为别名',
  example: '改编码 C20260012 KH-0012 统一编码规则',
  async run(ctx) {
    const reason = (ctx.args.reason ?? '').trim() || DEFAULT_REASON;
    const pairs = [{ from: ctx.args.from!, to: ctx.args.to! }];
    const plan = await previewRecode(ctx.core, ctx.actor, pairs);
    if (plan.problems.length) return { text: recodePlanText(plan) };
    const row = plan.rows[0]!;
    return proposeConfirm(ctx, recodeCommand, { from: row.from, to: row.to, reason }, recodePlanText(plan, reason));
  },
  confirm: { label: '改编码', key: (p) => p.from, act: confirmRecode },
};

/** Files a confirmed recode: stored pending, approvers told in the same transaction. */
export async function confirmRecode(ctx: CommandContext, p: RecodePayload): Promise<Reply> {
  let approvers: Operator[] = [];
  const { recode } = await requestRecode(ctx.core, ctx.actor, [{ from: p.from, to: p.to }], p.reason, {
    notify: async (t, r, plan) => {
      approvers = await recodeApprovers(ctx.core, r, t);
      const text = `${recodePlanText(plan, r.reason)}\n申请人: ${r.requesterName}\n有效期至: ${localTime(ctx.core, r.expiresAt)}\n可回复「批准改编码 ${r.id}」或「驳回改编码 ${r.id} 理由」。`;
      const buttons = [
        { id: buttonId('approve-recode', String(r.id)), text: '批准改编码' },
        { id: buttonId('reject-recode', String(r.id)), text: '驳回' },
      ];
      for (const a of approvers)
        await ctx.deps.notifier.toOperator(a, { title: `改编码审批 #${r.id}`, text, buttons }, `recode:${r.id}`, t);
    },
  });
  const names = approvers.map((a) => a.displayName).join('、') || '(没有可用的审批人, 请联系管理员)';
  return {
    text: `已提交改编码申请 #${recode.id} (${p.from} → ${p.to}), 已通知审批人: ${names}。\n申请 ${localTime(ctx.core, recode.expiresAt)} 前有效。`,
  };
}

export const approveRecodeCommand: CommandSpec = {
  id: 'codes.recode.approve',
  name: '批准改编码',
  english: 'approve-recode',
  args: [{ name: 'id', label: '单号', required: true }],
  permission: 'approve',
  sideEffect: true,
  summary: '批准改编码申请并立即执行 (不能批准自己提交的)',
  example: '批准改编码 3',
  async run(ctx) {
    const { recode, rows } = await approveRecode(ctx.core, ctx.actor, recodeId(ctx.args.id), {
      notify: async (t, r, done) => {
        if (r.requesterId)
          await ctx.deps.notifier.toOperator(
            { id: r.requesterId },
            {
              text: `你申请的改编码 #${r.id} 已由 ${ctx.operator.displayName} 批准并执行: ${done.map((x) => recodedNote(x.from, x.to)).join('、')}。`,
            },
            `recode:${r.id}`,
            t,
          );
      },
    });
    const list = rows
      .slice(0, 10)
      .map((x) => recodedNote(x.from, x.to))
      .join('、');
    return {
      text: `改编码申请 #${recode.id} 已执行: ${list}${rows.length > 10 ? ` 等 ${rows.length} 个` : ''}。旧编码仍可查到这些客户。`,
      title: `已批准 · ${ctx.operator.displayName}`,
    };
  },
};

export const rejectRecodeCommand: CommandSpec = {
  id: 'codes.recode.reject',
  name: '驳回改编码',
  english: 'reject-recode',
  args: [
    { name: 'id', label: '单号', required: true },
    { name: 'note', label: '理由', rest: true },
  ],
  permission: 'approve',
  sideEffect: true,
  summary: '驳回改编码申请, 可写理由; 编码保持不变',
  example: '驳回改编码 3 新编码不对',
  async run(ctx) {
    const r = await rejectRecode(ctx.core, ctx.actor, recodeId(ctx.args.id), ctx.args.note ?? '');
    if (r.requesterId)
      await ctx.deps.notifier.toOperator(
        { id: r.requesterId },
        {
          text: `你申请的改编码 #${r.id} 被 ${ctx.operator.displayName} 驳回${r.decisionNote ? `, 理由: ${r.decisionNote}` : ''}。编码保持不变。`,
        },
        `recode:${r.id}`,
      );
    return { text: `已驳回改编码申请 #${r.id}, 编码保持不变。`, title: `已驳回 · ${ctx.operator.displayName}` };
  },
};

export const pendingRecodesCommand: CommandSpec = {
  id: 'codes.recode.pending',
  name: '改编码申请',
  english: 'recodes',
  args: [],
  permission: 'approve',
  sideEffect: false,
  summary: '列出等我审批的改编码申请',
  example: '改编码申请',
  async run(ctx) {
    const list = await pendingRecodes(ctx.core, ctx.actor);
    if (!list.length) return { text: '没有等你审批的改编码申请。' };
    return list.slice(0, 10).map((r) => ({
      text: recodeLine(ctx.core, r),
      buttons: [
        { id: buttonId('approve-recode', String(r.id)), text: '批准改编码' },
        { id: buttonId('reject-recode', String(r.id)), text: '驳回' },
      ],
    }));
  },
};
