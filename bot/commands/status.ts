import { getCustomer } from '../../core/customers/search.js';
import { DEACTIVATION_REASONS } from '../../core/customers/schema.js';
import { checkDeactivation, deactivate, reactivate } from '../../core/customers/status.js';
import { localParts } from '../../core/customers/codes.js';
import { DomainError } from '../../core/errors.js';
import { assertOwnerMay } from '../../core/customers/ownership.js';
import type { Reply } from '../types.js';
import type { CommandContext } from './context.js';
import type { CommandSpec } from './registry.js';
import { resolveCustomer } from './resolve.js';
import { proposeConfirm, type Confirmable } from './confirmations.js';
import { mayTransition } from '../../core/customers/lifecycle.js';

type DeactivatePayload = { code: string; reason: string; memo: string | null; until: string | null };

export const deactivateCommand: Confirmable<DeactivatePayload> = {
  id: 'customer.deactivate',
  name: '停用客户',
  english: 'deactivate',
  args: [
    { name: 'code', label: '编码', required: true },
    { name: 'reason', label: '原因' },
    { name: 'memo', label: '备注', rest: true },
  ],
  permission: 'deactivate',
  sideEffect: true,
  summary: `停用客户 (需确认)。原因: ${DEACTIVATION_REASONS.join('/')}; 可加 停用至=YYYY-MM-DD`,
  example: '停用客户 C20260012 客户要求 暂停合作半年',
  async run(ctx) {
    const found = await resolveCustomer(
      ctx,
      ctx.args.code!,
      '停用客户',
      [ctx.args.reason, ctx.args.memo].filter(Boolean).join(' '),
    );
    if (found.reply) return found.reply;
    if (!ctx.args.reason)
      return { text: `请写停用原因: ${DEACTIVATION_REASONS.join(' / ')}。\n例如: 停用客户 ${found.code} 客户要求` };
    const p = localParts(ctx.core.now(), ctx.core.config.STEWARD_TIMEZONE);
    const input = checkDeactivation(
      { reason: ctx.args.reason, memo: ctx.args.memo, until: ctx.raw.named['停用至'] ?? ctx.raw.named['until'] },
      `${p.year}-${p.month}-${p.day}`,
    );
    const c = (await getCustomer(ctx.core, ctx.actor, found.code))!;
    assertOwnerMay(ctx.core, ctx.actor, c, 'deactivate');
    if (!mayTransition(c.status, 'deactivate'))
      throw new DomainError('CONFLICT', `客户 ${c.code} 当前是停用状态, 无需再停用。`, { code: c.code });
    const until = input.until ? `, 停用至 ${input.until} 自动启用` : '';
    return proposeConfirm(
      ctx,
      deactivateCommand,
      { code: c.code, ...input },
      `将停用客户 ${c.code} ${c.name}, 原因: ${input.reason}${input.memo ? ` (${input.memo})` : ''}${until}。\n停用后不能再新建订单和预留, 数据和历史都保留, 可随时「启用客户 ${c.code}」。`,
    );
  },
  confirm: { label: '停用', key: (p) => p.code, act: confirmDeactivate },
};

export const reactivateCommand: CommandSpec = {
  id: 'customer.reactivate',
  name: '启用客户',
  english: 'reactivate',
  args: [{ name: 'code', label: '编码', required: true }],
  permission: 'reactivate',
  sideEffect: true,
  summary: '重新启用已停用的客户',
  example: '启用客户 C20260012',
  async run(ctx) {
    const found = await resolveCustomer(ctx, ctx.args.code!, '启用客户');
    if (found.reply) return found.reply;
    const c = await reactivate(ctx.core, ctx.actor, found.code);
    return { text: `已启用客户 ${c.code} ${c.name}, 可以正常下单了。` };
  },
};

/** Runs a confirmed deactivation. */
export async function confirmDeactivate(ctx: CommandContext, p: DeactivatePayload): Promise<Reply> {
  const c = await deactivate(ctx.core, ctx.actor, p.code, p);
  return {
    text: `已停用客户 ${c.code} ${c.name} (原因: ${p.reason})。之后的新订单会被拒绝; 如需恢复合作请发「启用客户 ${c.code}」。`,
  };
}
