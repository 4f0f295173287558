import type { Actor, Core } from '../context.js';
import { formatYuan, type Cents } from '../money.js';
import { assertCan } from '../permissions.js';
import { addMonths, recentMonths } from './periods.js';
import { MAX_MONTHS, monthRange, ownerCondition, type OwnerFilter } from './filters.js';
import { SALES_STATUSES, asCents, asCount, centsOf, select } from './sql.js';

export interface SalesMonth {
  month: string;
  orders: number;
  totalCents: Cents;
  /** The part of `totalCents` from customers who are deleted now. */
  deletedCents: Cents;
  deletedOrders: number;
}

export interface SalesByMonth {
  months: SalesMonth[];
  totalCents: Cents;
  deletedCents: Cents;
  /** Chinese: how much of the total belongs to deleted customers (they stay in the figures). */
  deletedNote: string;
}

const SALES_IN = SALES_STATUSES.map((s) => `'${s}'`).join(',');

export interface SalesByMonthOptions extends OwnerFilter {
  /** The last `months` months up to the current one (default 12), unless `from`/`to` name the range. */
  months?: number;
  /** First and last month ('YYYY-MM'), both included; either alone is paired with the current month. */
  from?: string;
  to?: string;
}

/** The month keys a request covers, oldest first. */
function monthsOf(core: Core, opts: SalesByMonthOptions): string[] {
  if (opts.from === undefined && opts.to === undefined)
    return recentMonths(core, Math.min(Math.max(opts.months ?? 12, 1), MAX_MONTHS));
  const current = recentMonths(core, 1)[0]!;
  return monthRange(opts.from ?? addMonths(opts.to ?? current, -11), opts.to ?? current);
}

/**
 * Sales per local calendar month for the last `months` months, or a chosen month range, of the
 * whole book or one owner's customers. Orders of deleted customers stay in the totals, so a
 * delete never changes past figures, and the share is reported apart.
 */
export async function salesByMonth(core: Core, actor: Actor, opts: SalesByMonthOptions = {}): Promise<SalesByMonth> {
  assertCan(actor.operator, 'view');
  const keys = monthsOf(core, opts);
  const owner = ownerCondition(opts, 'c');
  const rows = await select<{ month: string; n: unknown; cents: unknown; del: unknown; deln: unknown }>(
    core,
    `SELECT SUBSTR(o.order_date, 1, 7) AS month, COUNT(*) AS n, SUM(${centsOf('o.total')}) AS cents,
       SUM(CASE WHEN c.status = 'deleted' THEN ${centsOf('o.total')} ELSE 0 END) AS del,
       SUM(CASE WHEN c.status = 'deleted' THEN 1 ELSE 0 END) AS deln
     FROM sales_orders o JOIN customers c ON c.id = o.customer_id
     WHERE o.order_date >= :from AND o.order_date < :until AND o.status IN (${SALES_IN})${owner.sql}
     GROUP BY SUBSTR(o.order_date, 1, 7)`,
    { from: `${keys[0]}-01`, until: `${addMonths(keys[keys.length - 1]!, 1)}-01`, ...owner.replacements },
  );
  const byMonth = new Map(rows.map((r) => [String(r.month), r]));
  const months = keys.map((month) => {
    const r = byMonth.get(month);
    return {
      month,
      orders: asCount(r?.n),
      totalCents: asCents(r?.cents),
      deletedCents: asCents(r?.del),
      deletedOrders: asCount(r?.deln),
    };
  });
  const totalCents = months.reduce((s, m) => s + m.totalCents, 0);
  const deletedCents = months.reduce((s, m) => s + m.deletedCents, 0);
  const share = totalCents ? ((deletedCents / totalCents) * 100).toFixed(1) : '0.0';
  const deletedNote = deletedCents
    ? `合计 ${formatYuan(totalCents)}, 其中 ${formatYuan(deletedCents)} (${share}%) 属于已删除客户; 删除客户不会改变历史销售额。`
    : `合计 ${formatYuan(totalCents)}, 其中没有已删除客户的销售额。`;
  return { months, totalCents, deletedCents, deletedNote };
}
