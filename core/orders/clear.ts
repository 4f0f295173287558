// The doors for a delete's blockers: chat 取消订单 / 登记收款 / 释放预留 and the back office.
import type { Transaction } from 'sequelize';
import type { Customer, LedgerDocType, Reservation, SalesOrder, Receivable } from '../../models/index.js';
import { withTransaction } from '../../models/tx.js';
import type { Actor, Core } from '../context.js';
import { DomainError } from '../errors.js';
import { centsToDecimal, parseAmount, toCents } from '../money.js';
import { assertCan } from '../permissions.js';
import { appendAudit } from '../audit.js';
import { assertOpenForBusiness } from '../customers/status.js';
import { assertOwnerMay } from '../customers/ownership.js';
import { MOVES, applyMove, applyPayment, applyRelease } from './apply.js';
import { findOrder, findReceivable, findReservation } from './find.js';

const DOC_NAMES: Record<LedgerDocType, string> = { order: '订单', receivable: '应收款', reservation: '库存预留' };

/**
 * Whether a document may be cleared here at all: it is ours (an ERP's change in the ERP) and still
 * open in the way that step clears. Doors use it to offer the action; the functions below decide.
 */
export function clearableHere(type: LedgerDocType, doc: { source?: string | null; status: string }): boolean {
  if ((doc.source ?? 'local') !== 'local') return false;
  if (type === 'order') return (MOVES.cancel!.from as string[]).includes(doc.status);
  return doc.status === (type === 'receivable' ? 'open' : 'active');
}

/** How an ERP's document changes here: by the next push or sync, or (from a file) the next import. */
export function erpHandling(source: string): string {
  return source === 'file'
    ? '请在 ERP 中处理, 再把新的导出文件导入 (命令行 steward ledger import, 或后台「导入单据」)'
    : '请在 ERP 中处理, 处理结果会自动同步过来';
}

/** Documents pushed by an ERP change there; here they only change by the next sync. */
export function assertLocal(type: LedgerDocType, ref: string, source: string): void {
  if (source === 'local') return;
  throw new DomainError('CONFLICT', `${DOC_NAMES[type]} ${ref} 来自 ERP (${source}), ${erpHandling(source)}。`, {
    number: ref,
    source,
  });
}

/** The document's customer, if the actor may wind its business down (sales: own customers only). */
async function windDownCustomer(core: Core, actor: Actor, t: Transaction, customerId: number): Promise<Customer> {
  const customer = await core.models.Customer.findByPk(customerId, { transaction: t });
  if (!customer) throw new DomainError('NOT_FOUND', `找不到该单据的客户 (#${customerId})。`);
  assertOwnerMay(core, actor, customer, 'handle');
  assertOpenForBusiness(core, customer, 'wind-down');
  return customer;
}

/** 取消订单 <单号>: cancels a local draft or confirmed order, audited, as a ledger event. */
export async function cancelOrderByNumber(core: Core, actor: Actor, number: string): Promise<SalesOrder> {
  assertCan(actor.operator, 'orders');
  return withTransaction(core.models.sequelize, async (t) => {
    const order = await findOrder(core, number, t);
    assertLocal('order', order.number, order.source);
    const customer = await windDownCustomer(core, actor, t, order.customerId);
    const before = order.status;
    await applyMove(core, actor, t, order, 'cancel', customer);
    await appendAudit(core, t, actor, {
      action: 'order.cancel',
      customerId: customer.id,
      customerCode: customer.code,
      before: { status: before },
      after: { status: 'cancelled' },
      info: { number: order.number, total: centsToDecimal(toCents(order.total)) },
    });
    return order;
  });
}

/** 登记收款 <单号> <金额>: records a payment on a local receivable, audited, as a ledger event. */
export async function recordPaymentByNumber(
  core: Core,
  actor: Actor,
  number: string,
  amount: string | number,
): Promise<{ receivable: Receivable; ref: string; outstandingCents: number }> {
  assertCan(actor.operator, 'payments');
  const cents = parseAmount(amount, 'amount', '收款金额');
  return withTransaction(core.models.sequelize, async (t) => {
    const { r, ref } = await findReceivable(core, number, t);
    assertLocal('receivable', ref, r.source);
    const customer = await windDownCustomer(core, actor, t, r.customerId);
    const before = { paid: centsToDecimal(toCents(r.paid)), status: r.status };
    await applyPayment(core, actor, t, r, cents, customer, ref);
    await appendAudit(core, t, actor, {
      action: 'receivable.payment',
      customerId: customer.id,
      customerCode: customer.code,
      before,
      after: { paid: centsToDecimal(toCents(r.paid)), status: r.status },
      info: { number: ref, amount: centsToDecimal(cents) },
    });
    return { receivable: r, ref, outstandingCents: toCents(r.amount) - toCents(r.paid) };
  });
}

/** 释放预留 <单号>: releases a local reservation (by its number or `#id`), audited, as a ledger event. */
export async function releaseReservationByNumber(
  core: Core,
  actor: Actor,
  number: string,
): Promise<{ reservation: Reservation; ref: string }> {
  assertCan(actor.operator, 'orders');
  return withTransaction(core.models.sequelize, async (t) => {
    const { r, ref } = await findReservation(core, number, t);
    assertLocal('reservation', ref, r.source);
    const customer = await windDownCustomer(core, actor, t, r.customerId);
    await applyRelease(core, actor, t, r, customer);
    await appendAudit(core, t, actor, {
      action: 'reservation.release',
      customerId: customer.id,
      customerCode: customer.code,
      before: { status: 'active' },
      after: { status: 'released' },
      info: { number: ref, quantity: r.quantity },
    });
    return { reservation: r, ref };
  });
}
