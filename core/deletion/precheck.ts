import { QueryTypes, type Transaction } from 'sequelize';
import { OPEN_ORDER_STATUSES } from '../../models/index.js';
import type { Actor, Core } from '../context.js';
import { formatYuan, toCents, type Cents } from '../money.js';
import { assertCan } from '../permissions.js';
import { normalizeCode } from '../customers/codes.js';
import { customerNotFound } from '../customers/view.js';

export interface Blocker {
  kind: 'openOrders' | 'unpaidReceivables' | 'activeReservations' | 'pendingApproval';
  count: number;
  /** Chinese, with the figures, ready to show. */
  text: string;
  numbers?: string[];
  amountCents?: Cents;
  quantity?: number;
}

export interface PrecheckResult {
  code: string;
  name: string;
  customerId: number;
  blockers: Blocker[];
  /** What to do instead when blocked. */
  suggestion: string | null;
}

/** One row of the blocker query; the columns mean different things per `kind`. */
interface BlockerRow {
  kind: 'customer' | 'order' | 'receivable' | 'reservation';
  /** Order number, or the customer's code. */
  ref: string | null;
  /** Order date, or the customer's name. */
  label: string | null;
  /** Order total, receivables' amount, reserved quantity, or the customer's id. */
  amount: string | number | null;
  paid: string | number | null;
  n: string | number;
}

/**
 * The open orders as rows, unpaid receivables and active reservations as sums, each on its
 * (customer_id, status) index, in one round trip. `customer` is `:id` or a subquery by code,
 * in which case a first row carries the customer itself.
 */
function blockerSql(customer: ':id' | '(SELECT id FROM customers WHERE code = :code)'): string {
  const self = customer === ':id' ? '' : `SELECT 'customer' AS kind, code AS ref, name AS label, id AS amount, NULL AS paid, 1 AS n FROM customers WHERE code = :code
  UNION ALL `;
  return `${self}SELECT 'order' AS kind, number AS ref, order_date AS label, total AS amount, NULL AS paid, 1 AS n
    FROM sales_orders WHERE customer_id = ${customer} AND status IN (:open)
  UNION ALL
  SELECT 'receivable', NULL, NULL, SUM(amount), SUM(paid), COUNT(*) FROM receivables WHERE customer_id = ${customer} AND status = 'open'
  UNION ALL
  SELECT 'reservation', NULL, NULL, SUM(quantity), NULL, COUNT(*) FROM reservations WHERE customer_id = ${customer} AND status = 'active'`;
}

const BY_ID = blockerSql(':id');
const BY_CODE = blockerSql('(SELECT id FROM customers WHERE code = :code)');

/** Turns the query's rows into blockers with their figures and Chinese text. */
function toBlockers(rows: BlockerRow[]): Blocker[] {
  const orders = rows.filter((r) => r.kind === 'order').sort((a, b) => String(a.label).localeCompare(String(b.label)) || String(a.ref).localeCompare(String(b.ref)));
  const blockers: Blocker[] = [];
  if (orders.length) {
    const amount = orders.reduce((sum, o) => sum + toCents(o.amount), 0);
    const numbers = orders.map((o) => String(o.ref));
    const shown = numbers.slice(0, 5).join('、') + (numbers.length > 5 ? ' 等' : '');
    blockers.push({ kind: 'openOrders', count: orders.length, numbers, amountCents: amount, text: `未完成订单 ${orders.length} 张 (${shown}), 合计 ${formatYuan(amount)}` });
  }
  const r = rows.find((row) => row.kind === 'receivable');
  if (r && Number(r.n) > 0) {
    const outstanding = toCents(r.amount) - toCents(r.paid);
    blockers.push({ kind: 'unpaidReceivables', count: Number(r.n), amountCents: outstanding, text: `未收款 ${Number(r.n)} 笔, 未收金额 ${formatYuan(outstanding)}` });
  }
  const s = rows.find((row) => row.kind === 'reservation');
  if (s && Number(s.n) > 0) {
    blockers.push({ kind: 'activeReservations', count: Number(s.n), quantity: Number(s.amount), text: `库存预留 ${Number(s.n)} 条, 共 ${Number(s.amount)} 件` });
  }
  return blockers;
}

/**
 * Every reason the customer cannot be deleted now, with figures (not stopping at the first
 * linked document). Used inside the request and approval transactions.
 */
export async function collectBlockers(core: Core, customerId: number, t?: Transaction): Promise<Blocker[]> {
  const rows = await core.models.sequelize.query<BlockerRow>(BY_ID, { replacements: { id: customerId, open: [...OPEN_ORDER_STATUSES] }, type: QueryTypes.SELECT, transaction: t });
  return toBlockers(rows);
}

/** precheck(code): all blockers at once, plus the suggestion to deactivate instead. One query. */
export async function precheck(core: Core, actor: Actor, rawCode: string): Promise<PrecheckResult> {
  assertCan(actor.operator, 'view');
  const code = normalizeCode(rawCode);
  const rows = await core.models.sequelize.query<BlockerRow>(BY_CODE, { replacements: { code, open: [...OPEN_ORDER_STATUSES] }, type: QueryTypes.SELECT });
  const customer = rows.find((r) => r.kind === 'customer');
  if (!customer) throw customerNotFound(code);
  const blockers = toBlockers(rows);
  return {
    code: String(customer.ref), name: String(customer.label), customerId: Number(customer.amount), blockers,
    suggestion: blockers.length ? `先处理完以上业务再删除; 如只是不再合作, 建议改为「停用客户 ${customer.ref}」, 停用后不能再下新单, 数据和历史都保留。` : null,
  };
}
