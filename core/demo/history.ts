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

/** One demo order, with what its receivable and reservation need. */
interface PlannedOrder {
  number: string;
  customerId: number;
  date: Date;
  total: number;
  open: boolean;
  unpaid: boolean;
  /** The product index of its reservation, if it has one. */
  reserve: number | null;
  quantity: number;
}

/** One customer's dates: when it was created and (if it ever ordered) its newest order. */
interface PlannedCustomer {
  id: number;
  createdAt: Date;
  lastOrderAt: Date | null;
}

/**
 * The i-th customer's history: 0–39 trade regularly; 40–44 went quiet over a year ago; 45–49
 * never ordered. Orders 0 of the first 40 are sometimes still open, unpaid or holding stock.
 * The random stream is drawn in a fixed order (count, then each order's date and total).
 */
function planCustomer(
  c: DemoCustomer,
  i: number,
  now: number,
  seq: { n: number },
  orders: PlannedOrder[],
): PlannedCustomer {
  const createdAt = new Date(now - (760 - i * 3) * DAY);
  if (i >= 45 && i < 50) return { id: c.id, createdAt, lastOrderAt: null };
  const n = 3 + Math.floor(c.r() * 10);
  const quietFrom = i >= 40 && i < 50 ? 400 : 0;
  let last = 0;
  for (let k = 0; k < n; k++) {
    const ago = quietFrom + Math.floor(c.r() * (720 - quietFrom - i * 2)) + 1;
    const date = new Date(now - ago * DAY);
    const first = k === 0 && i < 40;
    orders.push({
      number: `SO${isoDate(date).slice(0, 4)}${String(seq.n++).padStart(6, '0')}`,
      customerId: c.id,
      date,
      total: 500 + Math.floor(c.r() * 50000),
      open: first && i % 7 === 0,
      unpaid: first && i % 9 === 0,
      reserve: first && i % 11 === 0 ? i : null,
      quantity: 10 + i,
    });
    last = Math.max(last, date.getTime());
  }
  return { id: c.id, createdAt, lastOrderAt: new Date(last) };
}

/** The orders, then their receivables and reservations (linked by the ids read back by number). */
async function writeOrders(core: Core, t: Transaction, orders: PlannedOrder[], products: Product[]): Promise<void> {
  const { SalesOrder, Receivable, Reservation } = core.models;
  await SalesOrder.bulkCreate(
    orders.map((o) => ({
      number: o.number,
      customerId: o.customerId,
      status: o.open ? 'confirmed' : 'completed',
      orderDate: isoDate(o.date),
      total: centsToDecimal(o.total * 100),
    })),
    { transaction: t },
  );
  // Read back rather than guessed from insertId + i: Galera's auto_increment_increment is the node count.
  const rows = await SalesOrder.findAll({
    attributes: ['id', 'number'],
    where: { number: orders.map((o) => o.number) },
    transaction: t,
  });
  const ids = new Map(rows.map((r) => [r.number, r.id]));
  await Receivable.bulkCreate(
    orders.map((o) => ({
      customerId: o.customerId,
      orderId: ids.get(o.number)!,
      amount: centsToDecimal(o.total * 100),
      paid: o.unpaid ? centsToDecimal(Math.floor(o.total * 30)) : centsToDecimal(o.total * 100),
      dueDate: isoDate(new Date(o.date.getTime() + 30 * DAY)),
      status: o.unpaid ? 'open' : 'paid',
    })),
    { transaction: t },
  );
  const reserved = orders.filter((o) => o.reserve !== null);
  await Reservation.bulkCreate(
    reserved.map((o) => ({
      productId: products[o.reserve! % products.length]!.id,
      customerId: o.customerId,
      orderId: ids.get(o.number)!,
      quantity: o.quantity,
      status: 'active' as const,
    })),
    { transaction: t },
  );
}

/**
 * Two years of orders, receivables and reservations for the demo customers, in one transaction,
 * written a table at a time (one statement each, not one per row); returns the order count.
 */
export async function seedOrderHistory(
  core: Core,
  created: DemoCustomer[],
  products: Product[],
  now: number,
): Promise<number> {
  const orders: PlannedOrder[] = [];
  const seq = { n: 1 };
  const customers = created.map((c, i) => planCustomer(c, i, now, seq, orders));
  await withTransaction(core.models.sequelize, async (t) => {
    await writeOrders(core, t, orders, products);
    for (const c of customers) {
      await core.models.sequelize.query('UPDATE customers SET created_at = ?, last_order_at = ? WHERE id = ?', {
        replacements: [c.createdAt, c.lastOrderAt, c.id],
        transaction: t,
      });
    }
    // The demo's orders are local documents: the local feed is fresh, so the review has data to judge.
    await touchLedgerFeed(core, t, {
      source: 'local',
      at: new Date(now),
      documents: orders.length,
      orders: true,
      lastDocumentDate: null,
    });
  });
  return orders.length;
}
