import { afterAll, beforeAll, beforeEach, expect } from '@jest/globals';
import type { Actor } from '../../core/context.js';
import { createCustomer } from '../../core/customers/create.js';
import type { CustomerView } from '../../core/customers/view.js';
import { applyLedger } from '../../core/ledger/apply.js';
import { flushChecks } from '../../core/ledger/handling.js';
import { createOrder, createReceivable, moveOrder, reserveStock } from '../../core/orders.js';
import type { Harness } from '../helpers/db.js';
import { product, uniqueName } from '../core/fixtures.js';
import { clientAs, loginOperator, startAdmin, type AdminClient } from '../admin/helpers.js';

export type Rec = { id: number; params: Record<string, unknown>; recordActions: { name: string }[] };
export type ActionAnswer = {
  notice?: { message: string; type: string };
  record: Rec;
  error?: { code: string };
  approvalId?: number;
};

let server: Awaited<ReturnType<typeof startAdmin>>;
/** The signed-in back office clients, and their operators' ids, by login. */
export const as: Record<string, AdminClient> = {};
export const ids: Record<string, number> = {};
export const erp: Actor = {
  door: 'api',
  operator: { id: null, displayName: 'erp-token', active: true, roleList: () => ['admin'] },
};
const job: Actor = {
  door: 'cli',
  operator: { id: null, displayName: '初始化', active: true, roleList: () => ['admin'] },
};
const START = Date.parse('2026-12-01T02:00:00Z');
let clock = START;
let erpOrders = 0;

export const answer = async (p: Promise<{ json: <T>() => T; status: number }>) => {
  const r = await p;
  expect(r.status).toBe(200);
  return r.json<ActionAnswer>();
};
/** Moves the clock a minute on (each step stamps its own minute). */
export const ticker = (h: Harness) => () => h.setNow(new Date((clock += 60_000)));
/** The id of the local order, receivable or reservation matching `where`. */
export const finder =
  (h: Harness) => async (model: 'SalesOrder' | 'Receivable' | 'Reservation', where: Record<string, unknown>) =>
    (await (h.core.models[model] as unknown as { findOne(o: unknown): Promise<{ id: number } | null> }).findOne({
      where,
    }))!.id;

/**
 * The back office started, with boss, 张三 and 李四 (sales), qian (finance), zhou (approver), kan (viewer)
 * signed in at START + 1 minute; each test starts on that minute too, so a guarded action stays within
 * the ten minutes a typed password vouches for.
 */
export function setupBackOffice(h: Harness): void {
  const tick = ticker(h);
  const atStart = () => {
    clock = START;
    tick();
  };

  beforeAll(async () => {
    atStart();
    server = await startAdmin(h.core);
    await loginOperator(h.core, 'zhangsan', ['sales'], '张三');
    for (const [login, roles] of [
      ['boss', ['admin']],
      ['zhangsan', ['sales']],
      ['lisi', ['sales']],
      ['qian', ['finance']],
      ['zhou', ['approver']],
      ['kan', ['viewer']],
    ] as const) {
      const { client, operator } = await clientAs(h.core, server.url, login, [...roles]);
      as[login] = client;
      ids[login] = operator.id;
    }
  });
  beforeEach(atStart);
  afterAll(async () => server?.close());
}

/** The ERP pushes its order for the customer, open or closed. */
export const pushErpOrder = (h: Harness, customerCode: string, number: string, status: 'open' | 'closed') =>
  applyLedger(h.core, erp, [{ type: 'order', number, customerCode, date: '2026-11-28', total: '90.00', status }], {
    source: 'api',
  });

export interface Busy {
  customer: CustomerView;
  /** The confirmed local order (640.00). */
  order: string;
  /** The completed order billed as the open receivable (250.00). */
  billed: string;
  receivable: string;
  /** A reservation of 5 units. */
  reservation: string;
  /** The ERP's open order (90.00). */
  erpOrder: string;
}

/** A test's own customer of 张三's with an open order, an open receivable, a reservation and an ERP order. */
export async function busyCustomer(h: Harness): Promise<Busy> {
  const sku = await product(h.core, 'P-ADMIN');
  const customer = (await createCustomer(h.core, job, { name: uniqueName('扬州后台处理'), ownerId: ids.zhangsan }))
    .customer;
  const order = await createOrder(h.core, job, { customerCode: customer.code, total: '640.00' });
  await moveOrder(h.core, job, order.number, 'confirm');
  const billed = await createOrder(h.core, job, { customerCode: customer.code, total: '250.00' });
  await moveOrder(h.core, job, billed.number, 'confirm');
  await moveOrder(h.core, job, billed.number, 'complete');
  const receivable = await createReceivable(h.core, job, {
    orderNumber: billed.number,
    amount: '250.00',
    dueDate: '2026-12-31',
  });
  const reservation = await reserveStock(h.core, job, { customerCode: customer.code, sku, quantity: 5 });
  const erpOrder = `ERP-AD-${++erpOrders}`;
  await pushErpOrder(h, customer.code, erpOrder, 'open');
  return {
    customer,
    order: order.number,
    billed: billed.number,
    receivable: String(receivable.id),
    reservation: String(reservation.id),
    erpOrder,
  };
}

/** 申请删除's pre-check as 张三, then 取消订单, 登记收款 and 释放预留 in the back office, a minute apart. */
export async function precheckAndClear(h: Harness, b: Busy): Promise<void> {
  const tick = ticker(h);
  tick();
  await answer(as.zhangsan!.action('customers', b.customer.id, 'requestDeletion'));
  await flushChecks(h.core);
  tick();
  const orderId = await finder(h)('SalesOrder', { number: b.order });
  expect((await answer(as.zhangsan!.action('sales_orders', orderId, 'cancelOrder', {}))).notice!.type).toBe('success');
  tick();
  const paid = await answer(as.qian!.action('receivables', b.receivable, 'recordPayment', { amount: '250' }));
  expect(paid.notice!.type).toBe('success');
  tick();
  expect((await answer(as.zhangsan!.action('reservations', b.reservation, 'release', {}))).notice!.type).toBe(
    'success',
  );
}
