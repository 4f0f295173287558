import type { Transaction } from 'sequelize';
import type { Product } from '../../models/index.js';
import { withTransaction } from '../../models/tx.js';
import type { Core } from '../context.js';
import { touchLedgerFeed } from '../ledger/events.js';
import { centsToDecimal } from '../money.js';

export const DAY = 86400_000;
export const isoDate = (d: Date) => d.toISOString().slice(0, 10);

/** A demo customer with its own random stream, so every run seeds the same history. */
export interface DemoCustomer {
  id: number;
  r: () => number;
}

/** Order numbers run on across customers; `orders` counts what was written. */
interface Tally {
  seq: number;
  orders: number;
}

/** One completed (or, for some, still open) order with its receivable, and a reservation on a few. */
async function seedOrder(
  core: Core,
  t: Transaction,
  c: DemoCustomer,
  at: { i: number; k: number; date: Date },
  products: Product[],
  tally: Tally,
): Promise<void> {
  const { SalesOrder, Receivable, Reservation } = core.models;
  const { i, k, date } = at;
  const open = k === 0 && i < 40 && i % 7 === 0;
  const total = 500 + Math.floor(c.r() * 50000);
  const order = await SalesOrder.create(
    {
      number: `SO${isoDate(date).slice(0, 4)}${String(tally.seq++).padStart(6, '0')}`,
      customerId: c.id,
      status: open ? 'confirmed' : 'completed',
      orderDate: isoDate(date),
      total: centsToDecimal(total * 100),
    },
    { transaction: t },
  );
  const unpaid = k === 0 && i < 40 && i % 9 === 0;
  await Receivable.create(
    {
      customerId: c.id,
      orderId: order.id,
      amount: centsToDecimal(total * 100),
      paid: unpaid ? centsToDecimal(Math.floor(total * 30)) : centsToDecimal(total * 100),
      dueDate: isoDate(new Date(date.getTime() + 30 * DAY)),
      status: unpaid ? 'open' : 'paid',
    },
    { transaction: t },
  );
  if (k === 0 && i < 40 && i % 11 === 0) {
    await Reservation.create(
      {
        productId: products[i % products.length]!.id,
        customerId: c.id,
        orderId: order.id,
        quantity: 10 + i,
        status: 'active',
      },
      { transaction: t },
    );
  }
  tally.orders++;
}

/** The i-th customer's history: 0–39 trade regularly; 40–44 went quiet over a year ago; 45–49 never ordered. */
async function seedCustomerHistory(
  core: Core,
  t: Transaction,
  c: DemoCustomer,
  i: number,
  products: Product[],
  now: number,
  tally: Tally,
): Promise<void> {
  const createdAt = new Date(now - (760 - i * 3) * DAY);
  await core.models.sequelize.query('UPDATE customers SET created_at = ? WHERE id = ?', {
    replacements: [createdAt, c.id],
    transaction: t,
  });
  if (i >= 45 && i < 50) return;
  const n = 3 + Math.floor(c.r() * 10);
  const quietFrom = i >= 40 && i < 50 ? 400 : 0;
  let last = 0;
  for (let k = 0; k < n; k++) {
    const ago = quietFrom + Math.floor(c.r() * (720 - quietFrom - i * 2)) + 1;
    const date = new Date(now - ago * DAY);
    await seedOrder(core, t, c, { i, k, date }, products, tally);
    last = Math.max(last, date.getTime());
  }
  await core.models.Customer.update({ lastOrderAt: new Date(last) }, { where: { id: c.id }, transaction: t });
}

/** Two years of orders, receivables and reservations for the demo customers, in one transaction; returns the order count. */
export async function seedOrderHistory(
  core: Core,
  created: DemoCustomer[],
  products: Product[],
  now: number,
): Promise<number> {
  const tally: Tally = { seq: 1, orders: 0 };
  await withTransaction(core.models.sequelize, async (t) => {
    for (const [i, c] of created.entries()) await seedCustomerHistory(core, t, c, i, products, now, tally);
    // The demo's orders are local documents: the local feed is fresh, so the review has data to judge.
    await touchLedgerFeed(core, t, {
      source: 'local',
      at: new Date(now),
      documents: tally.orders,
      orders: true,
      lastDocumentDate: null,
    });
  });
  return tally.orders;
}
