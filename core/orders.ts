import type { Transaction } from 'sequelize';
import type { Reservation, SalesOrder, Receivable } from '../models/index.js';
import { withTransaction } from '../models/tx.js';
import type { Actor, Core } from './context.js';
import { DomainError, validationError } from './errors.js';
import { centsToDecimal, parseAmount } from './money.js';
import { assertCan } from './permissions.js';
import { localParts, nextSequence, prepareSequence } from './customers/codes.js';
import { assertOpenForBusiness } from './customers/status.js';
import { findByCode } from './customers/view.js';
import { MOVES, applyMove, applyPayment, applyRelease, noteLocalChange } from './orders/apply.js';
import { findOrder, receivableRef } from './orders/find.js';

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
      // 最近下单 follows from the order itself (core/customers/last-order.ts).
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
