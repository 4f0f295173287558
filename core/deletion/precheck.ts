import { fn, col, Op, type Transaction } from 'sequelize';
import { OPEN_ORDER_STATUSES } from '../../models/index.js';
import type { Actor, Core } from '../context.js';
import { formatYuan, toCents, type Cents } from '../money.js';
import { assertCan } from '../permissions.js';
import { findByCode } from '../customers/view.js';

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

/**
 * Every reason the customer cannot be deleted now, with figures, found in three indexed
 * queries (not stopping at the first linked document).
 */
export async function collectBlockers(core: Core, customerId: number, t?: Transaction): Promise<Blocker[]> {
  const { SalesOrder, Receivable, Reservation } = core.models;
  const [orders, receivables, reservations] = await Promise.all([
    SalesOrder.findAll({ where: { customerId, status: { [Op.in]: [...OPEN_ORDER_STATUSES] } }, attributes: ['number', 'total'], order: [['orderDate', 'ASC']], transaction: t, raw: true }),
    Receivable.findAll({ where: { customerId, status: 'open' }, attributes: [[fn('COUNT', col('id')), 'n'], [fn('SUM', col('amount')), 'amount'], [fn('SUM', col('paid')), 'paid']], transaction: t, raw: true }) as unknown as Promise<{ n: number | string; amount: string | number | null; paid: string | number | null }[]>,
    Reservation.findAll({ where: { customerId, status: 'active' }, attributes: [[fn('COUNT', col('id')), 'n'], [fn('SUM', col('quantity')), 'qty']], transaction: t, raw: true }) as unknown as Promise<{ n: number | string; qty: number | string | null }[]>,
  ]);
  const blockers: Blocker[] = [];
  if (orders.length) {
    const amount = orders.reduce((s, o) => s + toCents(o.total), 0);
    const numbers = orders.map((o) => o.number);
    const shown = numbers.slice(0, 5).join('、') + (numbers.length > 5 ? ` 等` : '');
    blockers.push({ kind: 'openOrders', count: orders.length, numbers, amountCents: amount, text: `未完成订单 ${orders.length} 张 (${shown}), 合计 ${formatYuan(amount)}` });
  }
  const r = receivables[0];
  if (r && Number(r.n) > 0) {
    const outstanding = toCents(r.amount) - toCents(r.paid);
    blockers.push({ kind: 'unpaidReceivables', count: Number(r.n), amountCents: outstanding, text: `未收款 ${Number(r.n)} 笔, 未收金额 ${formatYuan(outstanding)}` });
  }
  const s = reservations[0];
  if (s && Number(s.n) > 0) {
    blockers.push({ kind: 'activeReservations', count: Number(s.n), quantity: Number(s.qty), text: `库存预留 ${Number(s.n)} 条, 共 ${Number(s.qty)} 件` });
  }
  return blockers;
}

/** precheck(code): all blockers at once, plus the suggestion to deactivate instead. */
export async function precheck(core: Core, actor: Actor, rawCode: string): Promise<PrecheckResult> {
  assertCan(actor.operator, 'view');
  const customer = await findByCode(core, rawCode);
  const blockers = await collectBlockers(core, customer.id);
  return {
    code: customer.code, name: customer.name, customerId: customer.id, blockers,
    suggestion: blockers.length ? `先处理完以上业务再删除; 如只是不再合作, 建议改为「停用客户 ${customer.code}」, 停用后不能再下新单, 数据和历史都保留。` : null,
  };
}
