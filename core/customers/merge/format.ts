import type { CustomerMerge } from '../../../models/index.js';
import type { Core } from '../../context.js';
import { localTime } from '../../deletion/approvals.js';
import type { MovedRows } from './move.js';
import { MOVED_TABLES } from './move.js';
import type { MergePlan } from './plan.js';

const STATUS: Record<string, string> = { active: '启用', inactive: '停用', deleted: '已删除' };

/** The comparison and pre-check as text (chat and CLI show the same): differences, what moves, totals after. */
export function planText(core: Core, plan: MergePlan, reason: string | null): string {
  const { keep, absorbed, totals } = plan;
  const lines = [
    `合并客户: 保留 ${keep.code} ${keep.name} (${STATUS[keep.status]}), 并入 ${absorbed.map((a) => `${a.code} ${a.name} (${STATUS[a.status]})`).join('、')}。`,
  ];
  if (plan.differences.length) {
    lines.push('字段差异 (合并后取值):');
    for (const d of plan.differences) {
      const others = d.others.map((o) => `${o.code}「${o.value}」`).join('; ');
      lines.push(
        `• ${d.label}: ${keep.code}「${d.keep}」${others ? `; ${others}` : ''} → 用「${d.result}」${d.overridden ? ' (你指定的)' : ''}`,
      );
    }
    lines.push('默认保留 ' + keep.code + ' 的值; 要改用别的值, 在命令后加 字段=值, 例如 名称=… 联系人=… 手机=…');
  } else lines.push('字段没有差异。');
  lines.push('将转移到保留客户:');
  for (const m of plan.moves)
    lines.push(
      `• ${m.code}: ${m.counts.length ? m.counts.map((c) => `${c.label} ${c.rows}`).join('、') : '没有关联数据'}`,
    );
  const last = totals.lastOrderAt ? `, 最近下单 ${localTime(core, totals.lastOrderAt).slice(0, 10)}` : '';
  lines.push(
    `合并后 ${keep.code}: 订单 ${totals.orders} 张 共 ${totals.orderAmount} 元, 未收应收 ${totals.openReceivables} 笔 ${totals.outstanding} 元, 库存预留 ${totals.activeReservations} 笔${last}。`,
  );
  lines.push(
    `并入的编码成为 ${keep.code} 的旧编码: 查询、导入、API 和单据推送用旧编码都会找到 ${keep.code}。审计记录两边都保留; 审批人同意后执行, ${core.config.RECYCLE_RETENTION_DAYS} 天内可撤销。`,
  );
  if (reason) lines.push(`原因: ${reason}`);
  return lines.join('\n');
}

/** A pending request in one line, for approvers. */
export function mergeLine(core: Core, m: CustomerMerge): string {
  const absorbed = (JSON.parse(m.absorbed) as Array<{ code: string }>).map((a) => a.code).join('、');
  return `合并单 #${m.id}: ${absorbed} 并入 ${m.keepCode}, 申请人 ${m.requesterName}, 原因: ${m.reason}, ${localTime(core, m.expiresAt)} 前有效。`;
}

/** What moved, per table, summed over the absorbed customers: 订单 3、应收 1. */
export function movedText(moved: MovedRows): string {
  const parts = MOVED_TABLES.filter((t) => moved[t.table]?.length).map((t) => `${t.label} ${moved[t.table]!.length}`);
  return parts.length ? parts.join('、') : '没有关联数据';
}
