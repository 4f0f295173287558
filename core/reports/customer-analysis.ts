import { Op } from 'sequelize';
import { CUSTOMER_STATUSES, type CustomerStatus } from '../../models/index.js';
import type { Actor, Core } from '../context.js';
import type { Cents } from '../money.js';
import { assertCan } from '../permissions.js';
import { STATUS_LABELS } from '../customers/view.js';
import { addDays, addMonths, localToday, monthStart, recentMonths } from './periods.js';
import { SALES_STATUSES, asCents, asCount, centsOf, select } from './sql.js';
import { ownerCondition, type OwnerFilter } from './filters.js';

export interface MonthCount {
  month: string;
  count: number;
}

export interface TopCustomer {
  customerId: number;
  code: string;
  name: string;
  status: CustomerStatus;
  statusLabel: string;
  salesCents: Cents;
  orders: number;
}

export interface CustomerAnalysis {
  byStatus: Record<CustomerStatus, number>;
  /** Customers not deleted, per 客户分类; `null` category is reported as 未分类. */
  byCategory: { category: string; count: number }[];
  newPerMonth: MonthCount[];
  /** Sales orders (confirmed, shipped, completed) in the last 12 months. */
  sales12m: {
    from: string;
    to: string;
    orders: number;
    totalCents: Cents;
    customersWithOrders: number;
    averageOrderCents: Cents;
    ordersPerCustomer: number;
  };
  top10: TopCustomer[];
  /** The owner the figures are limited to, when one was chosen. */
  ownerId?: number;
}

const SALES_IN = SALES_STATUSES.map((s) => `'${s}'`).join(',');

/** Customers per status (one indexed GROUP BY), of the whole book or one owner's. */
export async function countsByStatus(core: Core, filter: OwnerFilter = {}): Promise<Record<CustomerStatus, number>> {
  const owner = ownerCondition(filter);
  const rows = await select<{ status: CustomerStatus; n: unknown }>(
    core,
    `SELECT status, COUNT(*) AS n FROM customers WHERE 1 = 1${owner.sql} GROUP BY status`,
    owner.replacements,
  );
  const out = Object.fromEntries(CUSTOMER_STATUSES.map((s) => [s, 0])) as Record<CustomerStatus, number>;
  for (const r of rows) if (r.status in out) out[r.status] = asCount(r.n);
  return out;
}

/** New customers per local calendar month, in one pass over the (status, created_at) index. */
export async function newCustomersPerMonth(core: Core, months = 12, filter: OwnerFilter = {}): Promise<MonthCount[]> {
  const owner = ownerCondition(filter);
  const keys = recentMonths(core, months);
  const tz = core.config.STEWARD_TIMEZONE;
  const bounds = [...keys, addMonths(keys[keys.length - 1]!, 1)].map((k) => monthStart(k, tz));
  const replacements: Record<string, unknown> = { from: bounds[0], to: bounds[keys.length], ...owner.replacements };
  const cols = keys.map((_, i) => {
    replacements[`a${i}`] = bounds[i];
    replacements[`b${i}`] = bounds[i + 1];
    return `SUM(CASE WHEN created_at >= :a${i} AND created_at < :b${i} THEN 1 ELSE 0 END) AS m${i}`;
  });
  const statuses = CUSTOMER_STATUSES.map((s) => `'${s}'`).join(',');
  const [row] = await select<Record<string, unknown>>(
    core,
    `SELECT ${cols.join(', ')} FROM customers WHERE status IN (${statuses}) AND created_at >= :from AND created_at < :to${owner.sql}`,
    replacements,
  );
  return keys.map((month, i) => ({ month, count: asCount(row?.[`m${i}`]) }));
}

async function byCategory(core: Core, filter: OwnerFilter): Promise<{ category: string; count: number }[]> {
  const owner = ownerCondition(filter);
  const rows = await select<{ category: string | null; n: unknown }>(
    core,
    `SELECT category, COUNT(*) AS n FROM customers WHERE status <> 'deleted'${owner.sql} GROUP BY category`,
    owner.replacements,
  );
  return rows.map((r) => ({ category: r.category ?? '未分类', count: asCount(r.n) })).sort((a, b) => b.count - a.count);
}

/** The top customers by sales since `from` (exclusive of drafts and cancellations), of the whole book or one owner's. */
export async function topCustomers(
  core: Core,
  from: string,
  limit = 10,
  filter: OwnerFilter = {},
): Promise<TopCustomer[]> {
  const owner = ownerCondition(filter, 'c');
  const join = owner.sql ? ' JOIN customers c ON c.id = o.customer_id' : '';
  const rows = await select<{ customer_id: number; cents: unknown; n: unknown }>(
    core,
    `SELECT o.customer_id AS customer_id, SUM(${centsOf('o.total')}) AS cents, COUNT(*) AS n FROM sales_orders o${join} WHERE o.order_date >= :from AND o.status IN (${SALES_IN})${owner.sql} GROUP BY o.customer_id ORDER BY cents DESC LIMIT ${Number(limit)}`,
    { from, ...owner.replacements },
  );
  if (!rows.length) return [];
  const customers = await core.models.Customer.findAll({
    where: { id: { [Op.in]: rows.map((r) => Number(r.customer_id)) } },
    attributes: ['id', 'code', 'name', 'status'],
  });
  const byId = new Map(customers.map((c) => [c.id, c]));
  return rows.map((r) => {
    const c = byId.get(Number(r.customer_id));
    const status = (c?.status ?? 'deleted') as CustomerStatus;
    return {
      customerId: Number(r.customer_id),
      code: c?.code ?? '?',
      name: c?.name ?? '?',
      status,
      statusLabel: STATUS_LABELS[status],
      salesCents: asCents(r.cents),
      orders: asCount(r.n),
    };
  });
}

/**
 * 客户分析: counts by status and 客户分类, new customers per month, average order value,
 * order frequency and the top 10 by sales over the last 12 months. Shared by the bot's 统计,
 * the back-office dashboard and the monthly report.
 */
export async function customerAnalysis(
  core: Core,
  actor: Actor,
  opts: { months?: number } & OwnerFilter = {},
): Promise<CustomerAnalysis> {
  assertCan(actor.operator, 'view');
  const owner = ownerCondition(opts, 'c');
  const filter: OwnerFilter = opts.ownerId === undefined ? {} : { ownerId: opts.ownerId };
  const to = localToday(core);
  const from = addDays(to, -364);
  const [byStatus, categories, newPerMonth, totals, top10] = await Promise.all([
    countsByStatus(core, filter),
    byCategory(core, filter),
    newCustomersPerMonth(core, opts.months ?? 12, filter),
    select<{ n: unknown; cents: unknown; customers: unknown }>(
      core,
      `SELECT COUNT(*) AS n, SUM(${centsOf('o.total')}) AS cents, COUNT(DISTINCT o.customer_id) AS customers FROM sales_orders o${owner.sql ? ' JOIN customers c ON c.id = o.customer_id' : ''} WHERE o.order_date >= :from AND o.status IN (${SALES_IN})${owner.sql}`,
      { from, ...owner.replacements },
    ),
    topCustomers(core, from, 10, filter),
  ]);
  const orders = asCount(totals[0]?.n);
  const totalCents = asCents(totals[0]?.cents);
  const customersWithOrders = asCount(totals[0]?.customers);
  return {
    byStatus,
    byCategory: categories,
    newPerMonth,
    top10,
    ...filter,
    sales12m: {
      from,
      to,
      orders,
      totalCents,
      customersWithOrders,
      averageOrderCents: orders ? Math.round(totalCents / orders) : 0,
      ordersPerCustomer: customersWithOrders ? Math.round((orders / customersWithOrders) * 10) / 10 : 0,
    },
  };
}
