import { STATUS_LABELS } from '../../core/customers/view.js';
import { formatYuan } from '../../core/money.js';
import { customerAnalysis } from '../../core/reports/index.js';
import { freshnessLine, ledgerFreshness } from '../../core/ledger/freshness.js';
import type { CommandSpec } from './registry.js';
import { isDeleted } from '../../core/customers/lifecycle.js';

export const statsCommand: CommandSpec = {
  id: 'stats',
  name: '统计',
  english: 'stats',
  args: [],
  permission: 'view',
  sideEffect: false,
  summary: '客户关键数据: 各状态数量、待审批、回收站',
  example: '统计',
  async run(ctx) {
    const { ApprovalRequest, RecycleEntry } = ctx.core.models;
    // The same report as the back-office dashboard and the monthly-report job.
    const a = await customerAnalysis(ctx.core, ctx.actor);
    const feed = freshnessLine(ctx.core, await ledgerFreshness(ctx.core));
    const pending = await ApprovalRequest.count({ where: { status: 'pending' } });
    const bin = await RecycleEntry.count({ where: { restoredAt: null, purgedAt: null } });
    const lines = (['active', 'inactive', 'deleted'] as const).map((s) => `${STATUS_LABELS[s]}: ${a.byStatus[s] ?? 0}`);
    const s = a.sales12m;
    // A deleted customer keeps its sales in history; say so, as the dashboard does.
    const top = a.top10
      .slice(0, 3)
      .map(
        (t, i) => `${i + 1}. ${t.code} ${t.name}${isDeleted(t.status) ? ' (已删除)' : ''} ${formatYuan(t.salesCents)}`,
      )
      .join('\n');
    return {
      text: `客户统计\n${lines.join('  ')}\n近 12 个月: ${s.orders} 单, ${formatYuan(s.totalCents)}, 平均客单价 ${formatYuan(s.averageOrderCents)}\n${top ? `销售额前 3:\n${top}\n` : ''}待审批删除申请: ${pending}\n回收站: ${bin}\n${feed}`,
    };
  },
};
