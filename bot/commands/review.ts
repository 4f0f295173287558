import { ownScope } from '../../core/customers/ownership.js';
import { deactivateMany } from '../../core/customers/status.js';
import { DomainError } from '../../core/errors.js';
import { findInactive } from '../../core/review/inactive.js';
import { inactiveLine } from '../../core/review/format.js';
import { keepCustomer } from '../../core/review/keep.js';
import { localTime } from '../../core/deletion/approvals.js';
import type { Reply } from '../types.js';
import type { CommandContext } from './context.js';
import type { CommandSpec } from './registry.js';
import { proposeConfirm, type Confirmable } from './confirmations.js';

/** How many customers a chat answer lists; the rest are counted. */
const LISTED = 30;
/** 全部停用 acts on at most this many customers per confirmation. */
const BULK_LIMIT = 100;

/** Sales limited to their own customers (core's ownership rule) see those; everyone else sees all, with the owner named. */
function onlyOwn(ctx: CommandContext): boolean {
  return ownScope(ctx.core, ctx.operator) !== undefined;
}

function parseDays(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const text = raw.replace(/天$/, '');
  if (!/^\d{1,4}$/.test(text) || Number(text) < 1 || Number(text) > 3650) {
    throw new DomainError('VALIDATION', `天数应为 1–3650 之间的整数, 例如「不活跃客户 180」; 收到的是「${raw}」。`, {
      errors: [{ field: 'days', message: '1–3650 的整数' }],
    });
  }
  return Number(text);
}

/** Where order data comes from, for the notice when none is flowing. */
function ledgerHint(last: string | null, source: string | null): string {
  return last
    ? `最近一次收到订单数据: ${last} (来源 ${source ?? '未知'})。请检查进销存的同步。`
    : '接入进销存 (API 推送、文件导入或 jshERP 同步) 后即可审查。';
}

export const inactiveCommand: CommandSpec = {
  id: 'review.inactive',
  name: '不活跃客户',
  english: 'inactive',
  args: [{ name: 'days', label: '天数' }],
  permission: 'view',
  sideEffect: false,
  summary: '列出超过 N 天 (默认 180) 没有下单的启用客户, 含从未下单的',
  example: '不活跃客户 180',
  async run(ctx) {
    const own = onlyOwn(ctx);
    const result = await findInactive(ctx.core, ctx.actor, {
      days: parseDays(ctx.args.days),
      figures: LISTED,
      ...(own ? { ownerId: ctx.operator.id } : {}),
    });
    const n = result.customers.length;
    const whose = own ? '你负责的' : '';
    if (result.notice)
      return {
        title: '不活跃客户',
        text: `${result.notice}, 无法判断客户是否活跃, 本次不标记任何客户为不活跃或「从未下单」。\n${ledgerHint(result.ledger.lastOrderReceivedAt ? localTime(ctx.core, result.ledger.lastOrderReceivedAt) : null, result.ledger.source)}`,
      };
    if (!n)
      return {
        text: `${whose}启用客户里没有超过 ${result.days} 天未下单的 (已排除 ${result.keepDays} 天内选择保留的)。`,
      };
    const lines = result.customers
      .slice(0, LISTED)
      .map((c, i) => `${i + 1}. ${inactiveLine(ctx.core, c)}${own ? '' : ` · 负责人 ${c.owner ?? '未分配'}`}`);
    const more = n > LISTED ? `\n… 另有 ${n - LISTED} 个未列出。` : '';
    const how = `\n处理: 停用客户 <编码> 长期无交易 / 保留客户 <编码> (${result.keepDays} 天内不再提醒)${own ? ' / 全部停用' : ''}`;
    return {
      title: `不活跃客户 (超过 ${result.days} 天未下单)`,
      text: `${whose}启用客户中 ${n} 个超过 ${result.days} 天没有下单 (自 ${result.since} 起无订单):\n${lines.join('\n')}${more}${how}`,
    };
  },
};

export const keepCommand: CommandSpec = {
  id: 'review.keep',
  name: '保留客户',
  english: 'keep',
  args: [
    { name: 'code', label: '编码', required: true },
    { name: 'note', label: '备注', rest: true },
  ],
  permission: 'deactivate',
  sideEffect: true,
  summary: '不活跃客户审查: 保留这个客户, 一段时间内不再提醒',
  example: '保留客户 C20260041 年底有新项目',
  async run(ctx) {
    const kept = await keepCustomer(ctx.core, ctx.actor, ctx.args.code!, ctx.args.note);
    return {
      text: `已保留客户 ${kept.code} ${kept.name}, ${localTime(ctx.core, kept.until).slice(0, 10)} 前的不活跃审查不再提醒。这个决定已记录, 会计入下次审查的汇总。`,
    };
  },
};

export const deactivateAllCommand: Confirmable<{ codes: string[] }> = {
  id: 'review.deactivate-all',
  name: '全部停用',
  english: 'deactivate-all',
  args: [],
  permission: 'deactivate',
  sideEffect: true,
  summary: '不活跃客户审查: 停用你负责的全部不活跃客户 (先列清单, 需确认)',
  example: '全部停用',
  async run(ctx) {
    const result = await findInactive(ctx.core, ctx.actor, { ownerId: ctx.operator.id, limit: BULK_LIMIT, figures: 0 });
    const codes = result.customers.map((c) => c.code);
    if (result.notice) return { text: `${result.notice}, 无法判断客户是否活跃, 不能批量停用。` };
    if (!codes.length) return { text: `你负责的启用客户里没有超过 ${result.days} 天未下单的, 无需停用。` };
    const list = result.customers.map((c, i) => `${i + 1}. ${c.code} ${c.name}`).join('\n');
    const cap = codes.length === BULK_LIMIT ? `\n(一次最多 ${BULK_LIMIT} 个, 其余的下次再处理。)` : '';
    return proposeConfirm(
      ctx,
      deactivateAllCommand,
      { codes },
      `将停用以下 ${codes.length} 个超过 ${result.days} 天未下单的客户, 原因: 长期无交易:\n${list}${cap}\n停用后不能再新建订单和预留, 数据和历史都保留, 可随时「启用客户 <编码>」。`,
    );
  },
  confirm: { label: '全部停用', key: () => '全部停用', act: confirmDeactivateAll },
};

/** Runs a confirmed 全部停用 (core's deactivateMany: one transaction), reporting any that changed meanwhile. */
export async function confirmDeactivateAll(ctx: CommandContext, p: { codes: string[] }): Promise<Reply> {
  const { done, skipped } = await deactivateMany(ctx.core, ctx.actor, p.codes, { reason: '长期无交易' });
  const rest = skipped.length
    ? `\n未停用 ${skipped.length} 个:\n${skipped.map((s) => `${s.code}: ${s.reason}`).join('\n')}`
    : '';
  return {
    text: `已停用 ${done.length} 个客户 (原因: 长期无交易)${done.length ? `: ${done.join('、')}` : ''}。如需恢复合作, 发送「启用客户 <编码>」。${rest}`,
  };
}
