import { approve, localTime, pendingFor, reject } from '../../core/deletion/approvals.js';
import { requestDeletion } from '../../core/deletion/request.js';
import { precheck, type Blocker } from '../../core/deletion/precheck.js';
import { historyText } from '../../core/deletion/history.js';
import { mergeLine } from '../../core/customers/merge/format.js';
import { pendingMerges } from '../../core/customers/merge/request.js';
import { centsToDecimal } from '../../core/money.js';
import { erpHandling } from '../../core/orders/clear.js';
import { listRecycleBin, restoreCustomer } from '../../core/deletion/recycle.js';
import { getCustomer } from '../../core/customers/search.js';
import { DomainError } from '../../core/errors.js';
import { identitiesOf } from '../../core/operators.js';
import { buttonId } from '../buttons.js';
import type { Reply } from '../types.js';
import type { Operator } from '../../models/index.js';
import type { CommandContext } from './context.js';
import type { CommandSpec } from './registry.js';
import { resolveCustomer } from './resolve.js';
import { proposeConfirm, type Confirmable } from './confirmations.js';
import { isInactive, mayTransition } from '../../core/customers/lifecycle.js';

/** How to clear each blocking document: the local doors by name, the ERP's in the ERP. */
function clearingHints(blockers: Blocker[]): string {
  const docs = blockers.flatMap((b) => b.docs ?? []);
  const local = docs
    .filter((d) => d.source === 'local')
    .slice(0, 8)
    .map((d) =>
      d.type === 'order'
        ? `取消订单 ${d.number}`
        : d.type === 'receivable'
          ? `登记收款 ${d.number} ${centsToDecimal(d.amountCents ?? 0)}`
          : `释放预留 ${d.number}`,
    );
  // Pushed or synced documents come back by themselves; a file's by the next import.
  const erp = (file: boolean) =>
    docs
      .filter((d) => d.source !== 'local' && (d.source === 'file') === file)
      .slice(0, 8)
      .map((d) => `${d.number} (${d.source})`);
  const [synced, imported] = [erp(false), erp(true)];
  return [
    local.length ? `本系统的单据可以这样处理: ${local.join(' / ')}` : '',
    synced.length ? `来自 ERP 的单据请在 ERP 中处理, 结果会自动同步过来: ${synced.join('、')}` : '',
    imported.length ? `来自导入文件的单据${erpHandling('file')}: ${imported.join('、')}` : '',
  ]
    .filter(Boolean)
    .join('\n');
}

type DeletePayload = { code: string; reason: string; note?: string | null };

export const deleteCommand: Confirmable<DeletePayload> = {
  id: 'customer.delete',
  name: '删除客户',
  english: 'delete',
  args: [
    { name: 'code', label: '编码', required: true },
    { name: 'reason', label: '原因', rest: true },
  ],
  permission: 'requestDeletion',
  sideEffect: true,
  summary: '申请删除客户: 先检查未了结业务, 确认后交审批人审批, 删除后进回收站可恢复; 可加 备注=处理说明',
  example: '删除客户 C20260012 重复录入 备注=订单已在ERP取消',
  async run(ctx) {
    const found = await resolveCustomer(ctx, ctx.args.code!, '删除客户', ctx.args.reason ?? '');
    if (found.reply) return found.reply;
    const check = await precheck(ctx.core, ctx.actor, found.code);
    if (check.blockers.length) {
      const lines = check.blockers.map((b, i) => `${i + 1}. ${b.text}`).join('\n');
      const hints = clearingHints(check.blockers);
      return {
        text: `客户 ${check.code} ${check.name} 还有业务未了结, 不能删除:\n${lines}\n${check.suggestion}${hints ? `\n${hints}` : ''}`,
        buttons: [{ id: buttonId('help', '停用客户'), text: '怎样停用' }],
      };
    }
    if (!ctx.args.reason)
      return {
        text: `${historyText(check.history, check.code)}\n请写明删除原因。\n例如: 删除客户 ${check.code} 重复录入`,
      };
    const note = (ctx.raw.named['备注'] ?? ctx.raw.named['note'] ?? '').trim() || null;
    return proposeConfirm(
      ctx,
      deleteCommand,
      { code: check.code, reason: ctx.args.reason, note },
      `${historyText(check.history, check.code)}\n将为客户 ${check.code} ${check.name} 提交删除申请 (原因: ${ctx.args.reason}${note ? `; 备注: ${note}` : ''})。\n检查通过: 没有未完成订单、未收款或库存预留。审批人同意后, 客户进入回收站, ${ctx.core.config.RECYCLE_RETENTION_DAYS} 天内可恢复, 历史记录保留。`,
    );
  },
  confirm: { label: '删除', key: (p) => p.code, act: confirmDelete },
};

/** Runs a confirmed delete request and notifies the approvers. */
export async function confirmDelete(ctx: CommandContext, p: DeletePayload): Promise<Reply> {
  let approvers: Operator[] = [];
  // The approvers' cards are queued in the request's transaction: both are committed, or neither.
  const request = await requestDeletion(ctx.core, ctx.actor, p.code, p.reason, {
    note: p.note ?? null,
    notify: async (transaction, r, customer) => {
      approvers = await ctx.deps.notifier.approvalRequested(r, ctx.operator, customer.name, {
        origin: ctx.msg,
        transaction,
      });
    },
  });
  const names = approvers.map((a) => a.displayName).join('、') || '(没有可用的审批人, 请联系管理员)';
  // @-mentions are accounts on the channel the message came from.
  const accounts = await identitiesOf(
    ctx.core,
    approvers.map((a) => a.id),
  );
  const mentions = approvers.flatMap((a) =>
    (accounts.get(a.id) ?? []).filter((i) => i.channel === ctx.msg.channel).map((i) => i.externalId),
  );
  return {
    text: `已提交删除申请 #${request.id} (客户 ${request.customerCode}), 已通知审批人: ${names}。\n申请 ${localTime(ctx.core, request.expiresAt)} 前有效。`,
    mentions,
  };
}

export const restoreCommand: Confirmable<{ code: string }> = {
  id: 'customer.restore',
  name: '恢复客户',
  english: 'restore',
  args: [{ name: 'code', label: '编码', required: true }],
  permission: 'restore',
  sideEffect: true,
  summary: '从回收站恢复客户 (原编码、原状态和全部历史)',
  example: '恢复客户 C20260012',
  async run(ctx) {
    const found = await resolveCustomer(ctx, ctx.args.code!, '恢复客户', '', { includeDeleted: true });
    if (found.reply) return found.reply;
    const c = await getCustomer(ctx.core, ctx.actor, found.code, { includeDeleted: true });
    if (!c || !mayTransition(c.status, 'restore'))
      throw new DomainError('CONFLICT', `客户 ${found.code} 没有被删除, 无需恢复。`);
    return proposeConfirm(
      ctx,
      restoreCommand,
      { code: c.code },
      `将从回收站恢复客户 ${c.code} ${c.name}, 恢复到删除前的状态, 历史记录不变。`,
    );
  },
  confirm: { label: '恢复', key: (p) => p.code, act: confirmRestore },
};

/** Runs a confirmed restore. */
export async function confirmRestore(ctx: CommandContext, p: { code: string }): Promise<Reply> {
  const r = await restoreCustomer(ctx.core, ctx.actor, p.code);
  return { text: `已恢复客户 ${r.code}, 状态: ${isInactive(r.status) ? '停用' : '启用'}。` };
}

export const recycleCommand: CommandSpec = {
  id: 'recycle.list',
  name: '回收站',
  english: 'recycle',
  args: [],
  permission: 'view',
  sideEffect: false,
  summary: '查看回收站里可恢复的客户',
  example: '回收站',
  async run(ctx) {
    const entries = await listRecycleBin(ctx.core, ctx.actor, { limit: 20 });
    if (!entries.length) return { text: '回收站是空的。' };
    const lines = entries.map(
      (e) =>
        `• ${e.customerCode} ${e.customerName} — ${localTime(ctx.core, e.deletedAt).slice(0, 10)} 删除, ${localTime(ctx.core, e.retainUntil).slice(0, 10)} 前可恢复`,
    );
    return { text: `回收站 (${entries.length}):\n${lines.join('\n')}\n发送「恢复客户 编码」恢复。` };
  },
};

export const pendingCommand: CommandSpec = {
  id: 'approval.pending',
  name: '待审批',
  english: 'pending',
  args: [],
  permission: 'approve',
  sideEffect: false,
  summary: '列出等我审批的删除申请和合并申请',
  example: '待审批',
  async run(ctx) {
    const [list, merges] = await Promise.all([pendingFor(ctx.core, ctx.actor), pendingMerges(ctx.core, ctx.actor)]);
    if (!list.length && !merges.length) return { text: '没有等你审批的申请。' };
    return [
      ...list.slice(0, 10).map((r) => ({
        text: `审批单 #${r.id}: 删除客户 ${r.customerCode}, 原因: ${r.reason}, ${localTime(ctx.core, r.expiresAt)} 前有效。`,
        buttons: [
          { id: buttonId('approve', String(r.id)), text: '同意' },
          { id: buttonId('reject', String(r.id)), text: '拒绝' },
        ],
      })),
      // Merges wait for the same approvers: one list, so none is overlooked.
      ...merges.slice(0, 10).map((m) => ({
        text: mergeLine(ctx.core, m),
        buttons: [
          { id: buttonId('approve-merge', String(m.id)), text: '批准合并' },
          { id: buttonId('reject-merge', String(m.id)), text: '驳回' },
        ],
      })),
    ];
  },
};

/** The card a button press came from was answered in place; the others are greyed out later. */
function clicked(ctx: CommandContext): { channel: string; userId: string } | undefined {
  return ctx.msg.buttonId ? { channel: ctx.msg.channel, userId: ctx.msg.userId } : undefined;
}

function requestId(raw: string | undefined): number {
  const id = Number((raw ?? '').replace(/^#/, ''));
  if (!Number.isInteger(id) || id <= 0)
    throw new DomainError('VALIDATION', `审批单号应为数字, 例如「同意 12」。`, {
      errors: [{ field: 'id', message: '单号无效' }],
    });
  return id;
}

export const approveCommand: CommandSpec = {
  id: 'approval.approve',
  name: '同意',
  english: 'approve',
  args: [{ name: 'id', label: '单号', required: true }],
  permission: 'approve',
  sideEffect: true,
  summary: '同意删除申请 (与卡片上的「同意」按钮相同)',
  example: '同意 12',
  async run(ctx) {
    const result = await approve(ctx.core, ctx.actor, requestId(ctx.args.id));
    const r = result.request;
    const until = localTime(ctx.core, result.restorableUntil!).slice(0, 10);
    const receipt = `你申请删除的客户 ${r.customerCode} 已由 ${ctx.operator.displayName} 同意删除。快照保存在回收站第 ${result.recycleEntryId} 条, ${until} 前可用「恢复客户 ${r.customerCode}」恢复。`;
    await ctx.deps.notifier.approvalDecided(r, ctx.operator, receipt, clicked(ctx));
    return {
      text: `已同意审批单 #${r.id}: 客户 ${r.customerCode} 已删除 (回收站第 ${result.recycleEntryId} 条, ${until} 前可恢复)。`,
      title: `已同意 · ${ctx.operator.displayName}`,
    };
  },
};

export const rejectCommand: CommandSpec = {
  id: 'approval.reject',
  name: '拒绝',
  english: 'reject',
  args: [
    { name: 'id', label: '单号', required: true },
    { name: 'note', label: '理由', rest: true },
  ],
  permission: 'approve',
  sideEffect: true,
  summary: '拒绝删除申请, 可写理由',
  example: '拒绝 12 客户还有售后',
  async run(ctx) {
    const { request: r } = await reject(ctx.core, ctx.actor, requestId(ctx.args.id), ctx.args.note ?? '');
    const receipt = `你申请删除的客户 ${r.customerCode} 被 ${ctx.operator.displayName} 拒绝${r.decisionNote ? `, 理由: ${r.decisionNote}` : ''}。客户保持原状。`;
    await ctx.deps.notifier.approvalDecided(r, ctx.operator, receipt, clicked(ctx));
    return { text: `已拒绝审批单 #${r.id} (客户 ${r.customerCode})。`, title: `已拒绝 · ${ctx.operator.displayName}` };
  },
};
