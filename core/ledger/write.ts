import type { Transaction } from 'sequelize';
import type { LedgerSource } from '../../models/index.js';
import type { Core } from '../context.js';
import { chunks, execMysql, formatMysql, insertRows, isMysql, selectRows } from '../data/sql.js';
import { loadProducts } from './load.js';
import type { Planned } from './plan.js';

type Value = string | number | Date | null;

/**
 * One UPDATE per IN_LIST rows, each column set by `CASE id WHEN … THEN … END`: a group of
 * differing changes in one statement, on both dialects.
 */
async function updateByCase(
  core: Core,
  t: Transaction,
  table: string,
  columns: string[],
  rows: { id: number; values: Value[] }[],
  common: Record<string, Value>,
): Promise<void> {
  const { sequelize } = core.models;
  for (const part of chunks(rows)) {
    const values: unknown[] = [];
    const sets = columns.map((col, i) => {
      for (const r of part) values.push(r.id, r.values[i]);
      return `${col} = CASE id ${part.map(() => 'WHEN ? THEN ?').join(' ')} END`;
    });
    for (const [col, v] of Object.entries(common)) {
      sets.push(`${col} = ?`);
      values.push(v);
    }
    values.push(part.map((r) => r.id));
    const sql = `UPDATE ${table} SET ${sets.join(', ')} WHERE id IN (?)`;
    if (isMysql(sequelize)) await execMysql(t, formatMysql(sql, values));
    else await sequelize.query(sql, { replacements: values, transaction: t });
  }
}

/** Everything the writes share. */
export interface WriteContext {
  core: Core;
  t: Transaction;
  source: LedgerSource;
  now: Date;
  /** Order ids by number, for receivables and reservations that link to an order. */
  orderIds: Map<string, number>;
}

/** New and changed orders. */
export async function writeOrders(w: WriteContext, items: Planned[]): Promise<void> {
  const { now, source } = w;
  const rows = items
    .filter((p) => p.result === 'created')
    .map((p) => {
      const a = p.after as { date: string; total: string; status: string };
      return {
        number: p.doc.number,
        customerId: p.customer.id,
        status: a.status,
        orderDate: a.date,
        total: a.total,
        source,
        createdAt: now,
        updatedAt: now,
      };
    });
  await insertRows(w.core.models.SalesOrder as never, rows, { transaction: w.t, chunk: 1000 });
  const changed = items
    .filter((p) => p.result === 'updated')
    .map((p) => {
      const a = p.after as { date: string; total: string; status: string };
      return { id: p.existingId!, values: [a.status, a.date, a.total] };
    });
  if (changed.length)
    await updateByCase(w.core, w.t, 'sales_orders', ['status', 'order_date', 'total'], changed, {
      source,
      updated_at: now,
    });
}

/** Fills `orderIds` for the order numbers that receivables and reservations link to. */
export async function resolveOrderLinks(w: WriteContext, items: Planned[]): Promise<void> {
  const wanted = [
    ...new Set(
      items.map((p) => p.after.orderNumber as string | null).filter((n): n is string => !!n && !w.orderIds.has(n)),
    ),
  ];
  for (const list of chunks(wanted)) {
    for (const r of await selectRows<{ id: number; number: string }>(
      w.core.models.sequelize,
      'SELECT id, number FROM sales_orders WHERE number IN (?)',
      [list],
      w.t,
    )) {
      w.orderIds.set(r.number.toUpperCase(), Number(r.id));
    }
  }
}

const linked = (w: WriteContext, p: Planned) => {
  const n = p.after.orderNumber as string | null;
  return n ? (w.orderIds.get(n) ?? null) : null;
};

/** New and changed receivables. */
export async function writeReceivables(w: WriteContext, items: Planned[]): Promise<void> {
  const { now, source } = w;
  const rows = items
    .filter((p) => p.result === 'created')
    .map((p) => {
      const a = p.after as { amount: string; paid: string; dueDate: string; status: string };
      return {
        number: p.doc.number,
        source,
        customerId: p.customer.id,
        orderId: linked(w, p),
        amount: a.amount,
        paid: a.paid,
        dueDate: a.dueDate,
        status: a.status,
        createdAt: now,
        updatedAt: now,
      };
    });
  await insertRows(w.core.models.Receivable as never, rows, { transaction: w.t, chunk: 1000 });
  const changed = items
    .filter((p) => p.result === 'updated')
    .map((p) => {
      const a = p.after as { amount: string; paid: string; dueDate: string; status: string };
      return { id: p.existingId!, values: [a.amount, a.paid, a.dueDate, a.status, linked(w, p)] };
    });
  if (changed.length)
    await updateByCase(w.core, w.t, 'receivables', ['amount', 'paid', 'due_date', 'status', 'order_id'], changed, {
      source,
      updated_at: now,
    });
}

/** Product ids by sku; an sku we have never seen becomes a Product (name = sku, price 0). */
async function productIds(w: WriteContext, skus: string[]): Promise<Map<string, number>> {
  const ids = await loadProducts(w.core, skus, w.t);
  const missing = [...new Set(skus.filter((s) => !ids.has(s)))];
  if (!missing.length) return ids;
  await insertRows(
    w.core.models.Product as never,
    missing.map((sku) => ({ sku, name: sku, unit: '件', price: '0.00', createdAt: w.now, updatedAt: w.now })),
    { transaction: w.t },
  );
  for (const [k, v] of await loadProducts(w.core, missing, w.t)) ids.set(k, v);
  return ids;
}

/** New and changed reservations. */
export async function writeReservations(w: WriteContext, items: Planned[]): Promise<void> {
  const todo = items.filter((p) => p.result !== 'unchanged');
  if (!todo.length) return;
  const { now, source } = w;
  const products = await productIds(
    w,
    todo.map((p) => p.after.product as string),
  );
  const pid = (p: Planned) => products.get(p.after.product as string)!;
  const rows = todo
    .filter((p) => p.result === 'created')
    .map((p) => {
      const a = p.after as { quantity: number; status: string };
      return {
        number: p.doc.number,
        source,
        productId: pid(p),
        customerId: p.customer.id,
        orderId: linked(w, p),
        quantity: a.quantity,
        status: a.status,
        createdAt: now,
        updatedAt: now,
      };
    });
  await insertRows(w.core.models.Reservation as never, rows, { transaction: w.t, chunk: 1000 });
  const changed = todo
    .filter((p) => p.result === 'updated')
    .map((p) => {
      const a = p.after as { quantity: number; status: string };
      return { id: p.existingId!, values: [pid(p), a.quantity, a.status, linked(w, p)] };
    });
  if (changed.length)
    await updateByCase(w.core, w.t, 'reservations', ['product_id', 'quantity', 'status', 'order_id'], changed, {
      source,
      updated_at: now,
    });
}
