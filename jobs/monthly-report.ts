import type { Core } from '../core/context.js';
import type { Notice } from '../core/notify-port.js';
import { formatYuan } from '../core/money.js';
import {
  customerAnalysis,
  receivablesAging,
  salesByMonth,
  type CustomerAnalysis,
  type ReceivablesAging,
  type SalesByMonth,
} from '../core/reports/index.js';
import { STATUS_LABELS } from '../core/customers/view.js';
import { freshnessLine, ledgerFreshness } from '../core/ledger/freshness.js';
import { notifyAdmins } from './runner.js';
import type { Job } from './types.js';
import { JOB_TITLES } from '../core/job-labels.js';
import { isOpenForBusiness } from '../core/customers/lifecycle.js';

/** Group messages allow about 4 KB (WeCom's markdown 4096 bytes, DingTalk's about 5000); stay well under. */
export const MAX_MESSAGE_BYTES = 3500;

/** Splits sections into messages under `max` UTF-8 bytes; a section never straddles two messages unless it alone is too long. */
export function splitMessages(title: string, sections: string[], max = MAX_MESSAGE_BYTES): Notice[] {
  const out: string[] = [];
  let current = '';
  const pieces = sections.flatMap((s) => (Buffer.byteLength(s) > max ? s.split('\n') : [s]));
  for (const piece of pieces) {
    const next = current ? `${current}\n\n${piece}` : piece;
    if (Buffer.byteLength(next) > max && current) {
      out.push(current);
      current = piece;
    } else current = next;
  }
  if (current) out.push(current);
  return out.map((text, i) => ({ title: out.length > 1 ? `${title} (${i + 1}/${out.length})` : title, text }));
}

function analysisSection(a: CustomerAnalysis): string {
  const status = (Object.keys(a.byStatus) as (keyof typeof a.byStatus)[])
    .map((s) => `${STATUS_LABELS[s]} ${a.byStatus[s]}`)
    .join(' · ');
  const categories = a.byCategory.map((c) => `${c.category} ${c.count}`).join(' · ');
  const months = a.newPerMonth
    .slice(-6)
    .map((m) => `${m.month}: ${m.count}`)
    .join(' · ');
  const s = a.sales12m;
  const top = a.top10
    .map(
      (t, i) =>
        `${i + 1}. ${t.code} ${t.name}${isOpenForBusiness(t.status, 'new') ? '' : ` (${t.statusLabel})`} ${formatYuan(t.salesCents)} / ${t.orders} 单`,
    )
    .join('\n');
  return [
    '**客户分析**',
    `客户状态: ${status}`,
    `客户分类: ${categories || '—'}`,
    `近 6 个月新增客户: ${months}`,
    `近 12 个月 (${s.from} 至 ${s.to}): ${s.orders} 单, 合计 ${formatYuan(s.totalCents)}, 平均客单价 ${formatYuan(s.averageOrderCents)}, 下单客户 ${s.customersWithOrders} 个, 人均 ${s.ordersPerCustomer} 单`,
    `**销售额前 10 名**\n${top || '暂无'}`,
  ].join('\n');
}

function salesSection(s: SalesByMonth): string {
  const lines = s.months.map(
    (m) =>
      `${m.month}: ${formatYuan(m.totalCents)} (${m.orders} 单)${m.deletedCents ? `, 其中已删除客户 ${formatYuan(m.deletedCents)}` : ''}`,
  );
  return ['**月度销售**', ...lines, s.deletedNote].join('\n');
}

function agingSection(a: ReceivablesAging): string {
  return [
    '**应收账龄** (截至 ' + a.asOf + ')',
    ...a.buckets.map((b) => `${b.label}: ${b.count} 笔, ${formatYuan(b.outstandingCents)}`),
    `合计未收 ${formatYuan(a.totalCents)}, 其中未到期 ${formatYuan(a.notDueCents)}`,
  ].join('\n');
}

/** The monthly digest as messages, from the same report functions as 统计 and the dashboard. */
export async function monthlyReport(core: Core, actor: Parameters<typeof customerAnalysis>[1]): Promise<Notice[]> {
  const [analysis, sales, aging, ledger] = await Promise.all([
    customerAnalysis(core, actor),
    salesByMonth(core, actor, { months: 12 }),
    receivablesAging(core, actor),
    ledgerFreshness(core),
  ]);
  const link = `详细图表和 Excel 导出见后台「报表」: ${core.config.PUBLIC_URL}/admin/pages/salesReport`;
  // Said first: without order data the sales figures below are empty or out of date.
  return splitMessages('月度客户分析', [
    freshnessLine(core, ledger),
    analysisSection(analysis),
    salesSection(sales),
    agingSection(aging),
    link,
  ]);
}

/** 1st of the month: the customer analysis digest to the team group (admins' chat when no group is set up). */
export const monthlyReportJob: Job = {
  name: 'monthly-report',
  title: JOB_TITLES['monthly-report']!,
  schedule: '0 9 1 * *',
  async run({ core, actor, notifier, dryRun }) {
    const messages = await monthlyReport(core, actor);
    const toGroup = await notifier.hasTeamGroup();
    if (dryRun) return { summary: `试运行: 月报共 ${messages.length} 条消息, 未发送。`, detail: { messages } };
    if (toGroup) for (const m of messages) await notifier.toGroup(m, [], undefined, 'job:monthly-report');
    // 1:1 messages are plain text: drop the markdown bold marks.
    else
      for (const m of messages)
        await notifyAdmins(
          core,
          notifier,
          m.title ?? '月度客户分析',
          m.text.replace(/\*\*/g, ''),
          'job:monthly-report',
        );
    return {
      summary: `月报已发送到${toGroup ? '群' : '管理员 (未配置群机器人)'}: ${messages.length} 条消息。`,
      detail: { messages: messages.length, toGroup },
    };
  },
};
