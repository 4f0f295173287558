import type { Transaction } from 'sequelize';
import type { ApprovalRequest } from '../../models/index.js';
import type { Core } from '../context.js';
import { formatYuan, type Cents } from '../money.js';
import { SALES_STATUSES, asCents, asCount, centsOf, select } from '../reports/sql.js';

/** What a customer has been worth: shown before a deletion is proposed and on the approval card. */
export interface CooperationHistory {
  /** Lifetime sales orders (confirmed, shipped, completed). */
  orders: number;
  amountCents: Cents;
  /** YYYY-MM-DD of the latest such order, or null. */
  lastOrderDate: string | null;
  /** 1 = the largest customer by lifetime sales; null when it never bought. */
  rank: number | null;
  /** How many customers have any sales (the rank is among them). */
  ranked: number;
  /** In the top 20 % by sales: the delete prompt warns and suggests 停用 first. */
  top: boolean;
}

const SALES_IN = SALES_STATUSES.map((s) => `'${s}'`).join(',');

/**
 * One statement: the customer's own figures on its (customer_id, status) index, and its rank as
 * the number of customers whose lifetime sales are larger (one GROUP BY over sales orders, read in
 * customer_id order from the same index; no rows are loaded into the process).
 */
const HISTORY_SQL = `WITH per AS (
    SELECT customer_id, SUM(${centsOf('total')}) AS amount FROM sales_orders WHERE status IN (${SALES_IN}) GROUP BY customer_id
  ), me AS (
    SELECT COUNT(*) AS orders, COALESCE(SUM(${centsOf('total')}), 0) AS amount, MAX(order_date) AS last_date
    FROM sales_orders WHERE customer_id = :id AND status IN (${SALES_IN})
  )
  SELECT me.orders AS orders, me.amount AS amount, me.last_date AS lastDate,
    (SELECT COUNT(*) FROM per WHERE per.amount > me.amount) AS ahead, (SELECT COUNT(*) FROM per) AS ranked
  FROM me`;

/** A DATEONLY value from either driver as YYYY-MM-DD. */
function day(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  return v instanceof Date ? v.toISOString().slice(0, 10) : String(v).slice(0, 10);
}

/** The customer's cooperation history and rank among all customers by lifetime sales. */
export async function cooperationHistory(core: Core, customerId: number, t?: Transaction): Promise<CooperationHistory> {
  const [row] = await select<Record<string, unknown>>(core, HISTORY_SQL, { id: customerId }, t);
  const orders = asCount(row?.orders);
  const ranked = asCount(row?.ranked);
  const rank = orders ? asCount(row?.ahead) + 1 : null;
  return {
    orders,
    amountCents: asCents(row?.amount),
    lastOrderDate: day(row?.lastDate),
    rank,
    ranked,
    top: rank !== null && rank <= Math.max(1, Math.ceil(ranked * 0.2)),
  };
}

/** 「合作历史: 订单 12 张, 共 34,560.00 元, 最近下单 2026-10-03; 销售额排名 3 / 48」, and the warning for a top customer. */
export function historyText(h: CooperationHistory, code: string): string {
  if (!h.orders) return '合作历史: 没有成交订单。';
  const line = `合作历史: 订单 ${h.orders} 张, 共 ${formatYuan(h.amountCents)}, 最近下单 ${h.lastOrderDate ?? '—'}; 销售额排名 ${h.rank} / ${h.ranked}。`;
  if (!h.top) return line;
  return `⚠ 重要客户: 销售额排在前 20%。建议先「停用客户 ${code}」(不能再下新单, 数据和历史都保留, 随时可启用), 确实不再需要再删除。\n${line}`;
}

/** The history stored with a deletion request (in its handling JSON), for the approval card, page and back office. */
export function storedHistory(request: Pick<ApprovalRequest, 'handling'>): CooperationHistory | null {
  try {
    const h = request.handling ? (JSON.parse(request.handling) as { history?: CooperationHistory }).history : undefined;
    return h ?? null;
  } catch {
    return null;
  }
}

/** historyText of the stored history, or '' for requests filed before it was kept. */
export function requestHistoryText(request: Pick<ApprovalRequest, 'handling' | 'customerCode'>): string {
  const h = storedHistory(request);
  return h ? historyText(h, request.customerCode) : '';
}
