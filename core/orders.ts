import type { Transaction } from 'sequelize';
import type { Customer, LedgerDocType, OrderStatus, Reservation, SalesOrder, Receivable } from '../models/index.js';
import { withTransaction } from '../models/tx.js';
import type { Actor, Core } from './context.js';
import { DomainError, validationError } from './errors.js';
import { centsToDecimal, formatYuan, parseAmount, toCents } from './money.js';
import { assertCan } from './permissions.js';
import { localParts, nextSequence, prepareSequence } from './customers/codes.js';
import { appendAudit } from './audit.js';
import { assertOpenForBusiness } from './customers/status.js';
import { assertOwnerMay } from './customers/ownership.js';
import { recordLedgerEvents, touchLedgerFeed, type LedgerChange } from './ledger/events.js';
import { findByCode } from './customers/view.js';

/** Allowed order moves; anything else is refused with the current status. */
const MOVES: Record<string, { from: OrderStatus[]; to: OrderStatus; kind: 'new' | 'wind-down'; label: string }> = {
  confirm: { from: ['draft'], to: 'confirmed', kind: 'new', label: '确认' },
  ship: { from: ['confirmed'], to: 'shipped', kind: 'wind-down', label: '发货' },
  complete: { from: ['shipped', 'confirmed'], to: 'completed', kind: 'wind-down', label: '完成' },
  cancel: { from: ['draft', 'confirmed'], to: 'cancelled', kind: 'wind-down', label: '取消' },
};
const ORDER_STATUS_LABELS: Record<OrderStatus, string> = {
  draft: '草稿',
  confirmed: '已确认',
  shipped: '已发货',
  completed: '已完成',
  cancelled: '已取消',
};

function isDate(s: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`));
}

function today(core: Core): string {
  const p = localParts(core.now(), core.config.STEWARD_TIMEZONE);
  return `${p.year}-${p.month}-${p.day}`;
}

/** Creates a draft order; refused for an inactive or deleted customer. */
export async function createOrder(
  core: Core,
  actor: Actor,
  input: { customerCode: string; total: string | number; orderDate?: string; number?: string },
  opts: { transaction?: Transaction } = {},
): Promise<SalesOrder> {
  assertCan(actor.operator, 'orders');
  const cents = parseAmount(input.total, 'total', '订单金额');
  const orderDate = input.orderDate ?? today(core);
  if (!isDate(orderDate)) throw validationError([{ field: 'orderDate', message: '订单日期格式应为 YYYY-MM-DD' }]);
  if (!input.number && !opts.transaction) await prepareSequence(core, `order-${orderDate.slice(0, 4)}`);
  return withTransaction(
    core.models.sequelize,
    async (t) => {
      const customer = await findByCode(core, input.customerCode, t, true);
      assertOpenForBusiness(core, customer, 'new');
      const year = orderDate.slice(0, 4);
      const number =
        input.number ?? `SO${year}${String(await nextSequence(core, `order-${year}`, t)).padStart(6, '0')}`;
      const order = await core.models.SalesOrder.create(
        { number, customerId: customer.id, status: 'draft', orderDate, total: centsToDecimal(cents) },
        { transaction: t },
      );
      const at = new Date(`${orderDate}T00:00:00Z`);
      if (!customer.lastOrderAt || customer.lastOrderAt < at)
        await customer.update({ lastOrderAt: at }, { transaction: t });
      await noteLocalChange(
        core,
        actor,
        t,
        {
          docType: 'order',
          docNumber: number,
          customer,
          change: 'created',
          before: null,
          after: { status: 'draft', total: order.total, date: orderDate },
        },
        orderDate,
      );
      return order;
    },
    opts.transaction,
  );
}

async function findOrder(core: Core, number: string, t?: Transaction): Promise<SalesOrder> {
  const n = number.trim();
  const order = await core.models.SalesOrder.findOne({
    where: { number: [n, n.toUpperCase()] },
    transaction: t,
    lock: t?.LOCK.UPDATE,
  });
  if (!order) throw new DomainError('NOT_FOUND', `找不到订单 ${number}。请核对单号。`, { number });
  return order;
}

/** Moves an order along draft → confirmed → shipped → completed, or cancels it. */
export async function moveOrder(
  core: Core,
  actor: Actor,
  number: string,
  move: keyof typeof MOVES,
): Promise<SalesOrder> {
  assertCan(actor.operator, 'orders');
  return withTransaction(core.models.sequelize, async (t) => {
    const order = await findOrder(core, number, t);
    const customer = await core.models.Customer.findByPk(order.customerId, { transaction: t });
    if (customer) assertOpenForBusiness(core, customer, MOVES[move]!.kind);
    await applyMove(core, actor, t, order, move, customer);
    return order;
  });
}

/** Checks the move against the order's status, applies it and records the ledger event. */
async function applyMove(
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

interface LocalChange {
  docType: LedgerDocType;
  docNumber: string;
  customer: Customer;
  change: LedgerChange;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

/** A change made here is a ledger event of source local, and keeps the local feed fresh. */
async function noteLocalChange(
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

/** Books a receivable against an order. */
export async function createReceivable(
  core: Core,
  actor: Actor,
  input: { orderNumber: string; amount: string | number; dueDate: string },
): Promise<Receivable> {
  assertCan(actor.operator, 'orders');
  const cents = parseAmount(input.amount, 'amount', '应收金额');
  if (!isDate(input.dueDate)) throw validationError([{ field: 'dueDate', message: '到期日格式应为 YYYY-MM-DD' }]);
  return withTransaction(core.models.sequelize, async (t) => {
    const order = await findOrder(core, input.orderNumber, t);
    const customer = await core.models.Customer.findByPk(order.customerId, { transaction: t });
    if (customer) assertOpenForBusiness(core, customer, 'new');
    return core.models.Receivable.create(
      {
        customerId: order.customerId,
        orderId: order.id,
        amount: centsToDecimal(cents),
        paid: '0.00',
        dueDate: input.dueDate,
        status: 'open',
      },
      { transaction: t },
    );
  });
}

/** Records a payment; the receivable closes when fully paid. Overpayment is refused. */
export async function recordPayment(
  core: Core,
  actor: Actor,
  receivableId: number,
  amount: string | number,
): Promise<Receivable> {
  assertCan(actor.operator, 'payments');
  const cents = parseAmount(amount, 'amount', '收款金额');
  return withTransaction(core.models.sequelize, async (t) => {
    const r = await core.models.Receivable.findByPk(receivableId, { transaction: t, lock: t.LOCK.UPDATE });
    if (!r) throw new DomainError('NOT_FOUND', `找不到应收款 #${receivableId}。`);
    const customer = await core.models.Customer.findByPk(r.customerId, { transaction: t });
    if (customer) assertOpenForBusiness(core, customer, 'wind-down');
    await applyPayment(core, actor, t, r, cents, customer, await receivableRef(core, r, t));
    return r;
  });
}

/** The number a receivable is known by: its own, its order's, or `#id` (as the delete pre-check lists it). */
async function receivableRef(core: Core, r: Receivable, t?: Transaction): Promise<string> {
  if (r.number) return r.number;
  const order = r.orderId ? await core.models.SalesOrder.findByPk(r.orderId, { transaction: t }) : null;
  return order?.number ?? `#${r.id}`;
}

async function applyPayment(
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

/** Holds stock for a customer; refused for an inactive or deleted customer. */
export async function reserveStock(
  core: Core,
  actor: Actor,
  input: { customerCode: string; sku: string; quantity: number; orderNumber?: string },
): Promise<Reservation> {
  assertCan(actor.operator, 'orders');
  if (!Number.isInteger(input.quantity) || input.quantity <= 0)
    throw validationError([{ field: 'quantity', message: '预留数量必须是正整数' }]);
  return withTransaction(core.models.sequelize, async (t) => {
    const customer = await findByCode(core, input.customerCode, t, true);
    assertOpenForBusiness(core, customer, 'new');
    const product = await core.models.Product.findOne({ where: { sku: input.sku }, transaction: t });
    if (!product) throw new DomainError('NOT_FOUND', `找不到产品 ${input.sku}。`);
    const order = input.orderNumber ? await findOrder(core, input.orderNumber, t) : null;
    return core.models.Reservation.create(
      {
        productId: product.id,
        customerId: customer.id,
        orderId: order?.id ?? null,
        quantity: input.quantity,
        status: 'active',
      },
      { transaction: t },
    );
  });
}

/** Releases held stock. */
export async function releaseReservation(core: Core, actor: Actor, reservationId: number): Promise<Reservation> {
  assertCan(actor.operator, 'orders');
  return withTransaction(core.models.sequelize, async (t) => {
    const r = await core.models.Reservation.findByPk(reservationId, { transaction: t, lock: t.LOCK.UPDATE });
    if (!r) throw new DomainError('NOT_FOUND', `找不到库存预留 #${reservationId}。`);
    const customer = await core.models.Customer.findByPk(r.customerId, { transaction: t });
    if (customer) assertOpenForBusiness(core, customer, 'wind-down');
    await applyRelease(core, actor, t, r, customer);
    return r;
  });
}

async function applyRelease(
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

// ---- The doors for a delete's blockers (chat 取消订单 / 登记收款 / 释放预留 and the back office) ----

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

/** Documents pushed by an ERP change there; here they only change by the next sync. */
function assertLocal(type: LedgerDocType, ref: string, source: string): void {
  if (source === 'local') return;
  throw new DomainError(
    'CONFLICT',
    `${DOC_NAMES[type]} ${ref} 来自 ERP (${source}), 请在 ERP 中处理, 处理结果会自动同步过来。`,
    { number: ref, source },
  );
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

/** Finds a receivable by its number, `#id`, or the number of its order (which must have one open receivable). */
async function findReceivable(core: Core, raw: string, t?: Transaction): Promise<{ r: Receivable; ref: string }> {
  const ref = raw.trim();
  const { Receivable: R, SalesOrder: O } = core.models;
  const lock = t?.LOCK.UPDATE;
  const byId = /^#(\d+)$/.exec(ref);
  const own = byId
    ? await R.findByPk(Number(byId[1]), { transaction: t, lock })
    : await R.findOne({ where: { number: [ref, ref.toUpperCase()] }, transaction: t, lock });
  if (own) return { r: own, ref: await receivableRef(core, own, t) };
  const order = byId ? null : await O.findOne({ where: { number: ref.toUpperCase() }, transaction: t });
  const list = order
    ? await R.findAll({ where: { orderId: order.id }, order: [['id', 'ASC']], transaction: t, lock })
    : [];
  const open = list.filter((x) => x.status === 'open');
  if (open.length > 1)
    throw new DomainError(
      'CONFLICT',
      `订单 ${order!.number} 有 ${open.length} 笔未结清应收款 (${open.map((x) => x.number ?? `#${x.id}`).join('、')}), 请用应收单号登记。`,
      { number: order!.number },
    );
  const r = open[0] ?? list[0];
  if (!r)
    throw new DomainError('NOT_FOUND', `找不到应收款 ${ref}。请核对单号 (应收单号、订单号或 #编号)。`, { number: ref });
  return { r, ref: r.number ?? order!.number };
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

async function findReservation(core: Core, raw: string, t?: Transaction): Promise<{ r: Reservation; ref: string }> {
  const ref = raw.trim();
  const byId = /^#?(\d+)$/.exec(ref);
  const lock = t?.LOCK.UPDATE;
  const r =
    (await core.models.Reservation.findOne({ where: { number: [ref, ref.toUpperCase()] }, transaction: t, lock })) ??
    (byId ? await core.models.Reservation.findByPk(Number(byId[1]), { transaction: t, lock }) : null);
  if (!r) throw new DomainError('NOT_FOUND', `找不到库存预留 ${ref}。请核对预留单号或 #编号。`, { number: ref });
  return { r, ref: r.number ?? `#${r.id}` };
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
