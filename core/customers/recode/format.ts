import type { CustomerRecode } from '../../../models/index.js';
import type { Core } from '../../context.js';
import { localTime } from '../../deletion/approvals.js';
import type { RecodePlan } from './plan.js';
import { recodeRows } from './request.js';

/** The dry run in words: each change, each problem, and what happens to the old codes. */
export function recodePlanText(plan: RecodePlan, reason?: string, limit = 30): string {
  const lines: string[] = [];
  if (plan.rows.length) {
    lines.push(`改编码 ${plan.rows.length} 个客户${plan.rows.length > limit ? ` (列出前 ${limit} 个)` : ''}:`);
    for (const r of plan.rows.slice(0, limit)) {
      const own = r.reason && r.reason !== reason ? ` 原因: ${r.reason}` : '';
      lines.push(`• ${r.from} ${r.name} → ${r.to}${r.orders ? ` (${r.orders} 张订单跟随客户, 无需改动)` : ''}${own}`);
    }
  }
  if (plan.problems.length) {
    lines.push(`不能改 ${plan.problems.length} 处${plan.problems.length > limit ? ` (列出前 ${limit} 处)` : ''}:`);
    for (const p of plan.problems.slice(0, limit)) lines.push(`✗ ${p.message}`);
    lines.push('有不能改的行时整批不会提交, 请改正后重试。');
  }
  if (reason) lines.push(`原因: ${reason}`);
  lines.push('旧编码会一直保留为别名: 打印过的单据和进销存里的旧编码仍能查到这个客户。需审批人批准后才执行。');
  return lines.join('\n');
}

/** One pending request, for lists and approvers. */
export function recodeLine(core: Core, r: CustomerRecode): string {
  const rows = recodeRows(r);
  const list = rows
    .slice(0, 5)
    .map((x) => `${x.from}→${x.to}`)
    .join('、');
  return `改编码申请 #${r.id}: ${list}${rows.length > 5 ? ` 等 ${rows.length} 个` : ''}\n原因: ${r.reason}\n申请人: ${r.requesterName}, ${localTime(core, r.expiresAt)} 前有效`;
}
