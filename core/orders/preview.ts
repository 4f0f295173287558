import type { LedgerDocType, OrderStatus, Reservation, SalesOrder, Receivable } from '../../models/index.js';
import type { Actor, Core } from '../context.js';
import { DomainError } from '../errors.js';
import { toCents } from '../money.js';
import { assertCan } from '../permissions.js';
import { assertOpenForBusiness } from '../customers/status.js';
import { assertOwnerMay } from '../customers/ownership.js';
import { MOVES, ORDER_STATUS_LABELS } from './apply.js';
import { assertLocal } from './clear.js';
import { findOrder, findReceivable, findReservation } from './find.js';

/** What a door shows before asking to confirm 取消订单 / 登记收款 / 释放预留. */
export interface DocPreview {
  type: LedgerDocType;
  ref: string;
  customerCode: string;
  customerName: string;
  /** Order total or receivable outstanding, in cents; reservation quantity. */
  amountCents?: number;
  quantity?: number;
}

/** Runs every check of the action on the document without changing anything, for the confirmation text. */
export async function previewDoc(core: Core, actor: Actor, type: LedgerDocType, raw: string): Promise<DocPreview> {
  assertCan(actor.operator, type === 'receivable' ? 'payments' : 'orders');
  const found =
    type === 'order'
      ? await findOrder(core, raw).then((r) => ({ doc: r, ref: r.number }))
      : type === 'receivable'
        ? await findReceivable(core, raw).then((x) => ({ doc: x.r, ref: x.ref }))
        : await findReservation(core, raw).then((x) => ({ doc: x.r, ref: x.ref }));
  const { doc, ref } = found;
  assertLocal(type, ref, doc.source);
  const customer = await core.models.Customer.findByPk(doc.customerId);
  if (!customer) throw new DomainError('NOT_FOUND', `找不到该单据的客户 (#${doc.customerId})。`);
  assertOwnerMay(core, actor, customer, 'handle');
  assertOpenForBusiness(core, customer, 'wind-down');
  const base = { type, ref, customerCode: customer.code, customerName: customer.name };
  if (type === 'order') {
    const o = doc as SalesOrder;
    if (!MOVES.cancel!.from.includes(o.status))
      throw new DomainError(
        'CONFLICT',
        `订单 ${ref} 当前是「${ORDER_STATUS_LABELS[o.status as OrderStatus]}」, 不能取消。`,
        { number: ref, status: o.status },
      );
    return { ...base, amountCents: toCents(o.total) };
  }
  if (type === 'receivable') {
    const r = doc as Receivable;
    if (r.status !== 'open') throw new DomainError('CONFLICT', `应收款 ${ref} 已结清。`, { number: ref });
    return { ...base, amountCents: toCents(r.amount) - toCents(r.paid) };
  }
  const s = doc as Reservation;
  if (s.status !== 'active') throw new DomainError('CONFLICT', `库存预留 ${ref} 已释放。`, { number: ref });
  return { ...base, quantity: s.quantity };
}
