import type { Transaction } from 'sequelize';
import type { Customer, LedgerDocType, OrderStatus, Reservation, SalesOrder, Receivable } from '../../models/index.js';
import type { Actor, Core } from '../context.js';
import { DomainError } from '../errors.js';
import { centsToDecimal, formatYuan, toCents } from '../money.js';
import { recordLedgerEvents, touchLedgerFeed, type LedgerChange } from '../ledger/events.js';

/** Allowed order moves; anything else is refused with the current status. */
export const MOVES: Record<string, { from: OrderStatus[]; to: OrderStatus; kind: 'new' | 'wind-down'; label: string }> =
  {
    confirm: { from: ['draft'], to: 'confirmed', kind: 'new', label: '确认' },
    ship: { from: ['confirmed'], to: 'shipped', kind: 'wind-down', label: '发货' },
    complete: { from: ['shipped', 'confirmed'], to: 'completed', kind: 'wind-down', label: '完成' },
    cancel: { from: ['draft', 'confirmed'], to: 'cancelled', kind: 'wind-down', label: '取消' },
  };
export const ORDER_STATUS_LABELS: Record<OrderStatus, string> = {
  draft: '草稿',
  confirmed: '已确认',
  shipped: '已发货',
  completed: '已完成',
  cancelled: '已取消',
};

/** Checks the move against the order's status, applies it and records the ledger event. */
export async function applyMove(
  core: Core,
  actor: Actor,
  t: Transaction,
  order: SalesOrder,
  move: keyof typeof MOVES,
  customer: Customer | null,
): Promise<void> {
  const spec = MOVES[move]!;
  if (!spec.from.includes(order.status)) {
    throw new DomainError(
      'CONFLICT',
      `订单 ${order.number} 当前是「${ORDER_STATUS_LABELS[order.status as OrderStatus]}」, 不能${spec.label}。`,
      { number: order.number, status: order.status },
    );
  }
  const before = order.status;
  await order.update({ status: spec.to }, { transaction: t });
  const change: LedgerChange =
    spec.to === 'cancelled' ? 'cancelled' : spec.to === 'completed' ? 'completed' : 'updated';
  if (customer)
    await noteLocalChange(core, actor, t, {
      docType: 'order',
      docNumber: order.number,
      customer,
      change,
      before: { status: before },
      after: { status: spec.to },
    });
}

/** Adds a payment to an open receivable (refusing overpayment) and records the ledger event. */
export async function applyPayment(
  core: Core,
  actor: Actor,
  t: Transaction,
  r: Receivable,
  cents: number,
  customer: Customer | null,
  ref: string,
): Promise<void> {
  const outstanding = toCents(r.amount) - toCents(r.paid);
  if (r.status !== 'open') throw new DomainError('CONFLICT', `应收款 ${ref} 已结清。`, { number: ref });
  if (cents > outstanding)
    throw new DomainError('CONFLICT', `收款 ${formatYuan(cents)} 超过未收金额 ${formatYuan(outstanding)}。`, {
      number: ref,
      outstanding: centsToDecimal(outstanding),
    });
  const before = { paid: centsToDecimal(toCents(r.paid)), status: r.status };
  const paid = toCents(r.paid) + cents;
  await r.update(
    { paid: centsToDecimal(paid), status: paid >= toCents(r.amount) ? 'paid' : 'open' },
    { transaction: t },
  );
  if (customer)
    await noteLocalChange(core, actor, t, {
      docType: 'receivable',
      docNumber: ref,
      customer,
      change: 'paid',
      before,
      after: { paid: centsToDecimal(paid), status: r.status, amount: centsToDecimal(toCents(r.amount)) },
    });
}

/** Releases an active reservation and records the ledger event. */
export async function applyRelease(
  core: Core,
  actor: Actor,
  t: Transaction,
  r: Reservation,
  customer: Customer | null,
): Promise<void> {
  const ref = r.number ?? `#${r.id}`;
  if (r.status !== 'active') throw new DomainError('CONFLICT', `库存预留 ${ref} 已释放。`, { number: ref });
  await r.update({ status: 'released' }, { transaction: t });
  if (customer)
    await noteLocalChange(core, actor, t, {
      docType: 'reservation',
      docNumber: ref,
      customer,
      change: 'released',
      before: { status: 'active', quantity: r.quantity },
      after: { status: 'released', quantity: r.quantity },
    });
}

interface LocalChange {
  docType: LedgerDocType;
  docNumber: string;
  customer: Customer;
  change: LedgerChange;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

/** A change made here is a ledger event of source local, and keeps the local feed fresh. */
export async function noteLocalChange(
  core: Core,
  actor: Actor,
  t: Transaction,
  c: LocalChange,
  orderDate?: string,
): Promise<void> {
  const at = core.now();
  await recordLedgerEvents(core, t, [
    {
      docType: c.docType,
      docNumber: c.docNumber,
      customerId: c.customer.id,
      change: c.change,
      before: c.before,
      after: c.after,
      source: 'local',
      door: actor.door,
      actorName: actor.operator.displayName,
      at,
    },
  ]);
  await touchLedgerFeed(core, t, {
    source: 'local',
    at,
    documents: 1,
    orders: c.docType === 'order',
    lastDocumentDate: orderDate ?? null,
  });
}
