import type { Transaction } from 'sequelize';
import type { CustomerStatus, OrderStatus, ReceivableStatus, ReservationStatus } from '../../models/index.js';
import type { Core } from '../context.js';
import { asDay, chunks, IN_LIST, isMysql, selectRows } from '../data/sql.js';
import { together } from './together.js';

/** What the push needs of a customer. */
export interface CustomerRow {
  id: number;
  code: string;
  status: CustomerStatus;
}
export interface OrderRow {
  id: number;
  number: string;
  customerId: number;
  customerCode: string;
  status: OrderStatus;
  date: string;
  total: string | number;
  source: string;
}
export interface ReceivableRow {
  id: number;
  number: string;
  customerId: number;
  customerCode: string;
  orderNumber: string | null;
  amount: string | number;
  paid: string | number;
  dueDate: string;
  status: ReceivableStatus;
  source: string;
}
export interface ReservationRow {
  id: number;
  number: string;
  customerId: number;
  customerCode: string;
  orderNumber: string | null;
  product: string;
  quantity: number;
  status: ReservationStatus;
  source: string;
}

/** Keyed rows from SELECTs over IN lists of at most IN_LIST values (see core/data/sql.ts). */
async function byKey<T extends object>(
  core: Core,
  sql: string,
  keys: string[],
  key: (r: T) => string,
  t: Transaction | null,
): Promise<Map<string, T>> {
  const out = new Map<string, T>();
  // Issued together (see `together`); the lists are in key order, so row locks are taken in order too.
  // MySQL takes a call's 1,000 keys in one statement (SQLite's bound variables are fewer).
  const size = isMysql(core.models.sequelize) ? 1000 : IN_LIST;
  await together(
    core,
    chunks([...new Set(keys)].sort(), size).map((list) => async () => {
      for (const r of await selectRows<T>(core.models.sequelize, sql, [list], t)) out.set(key(r), r);
    }),
  );
  return out;
}

/**
 * The customers a call names, by code. On MySQL they are locked (FOR UPDATE) in code order, so a
 * 停用 committed meanwhile cannot slip past the rule, and two pushes never lock in opposite orders.
 */
export async function loadCustomers(
  core: Core,
  codes: string[],
  t: Transaction | null,
): Promise<Map<string, CustomerRow>> {
  const lock = t && isMysql(core.models.sequelize) ? ' FOR UPDATE' : '';
  const rows = await byKey<CustomerRow & { mergedInto?: number | null }>(
    core,
    `SELECT id, code, status, merged_into AS mergedInto FROM customers WHERE code IN (?)${lock}`,
    codes,
    (r) => r.code,
    t,
  );
  // A merged customer's old code (kept by the ERP, printed on documents) lands on its survivor.
  const merged = [...rows.values()].filter((r) => r.mergedInto);
  if (merged.length) {
    const survivors = await byKey<CustomerRow>(
      core,
      `SELECT id, code, status FROM customers WHERE id IN (?)${lock}`,
      merged.map((r) => String(r.mergedInto)),
      (r) => String(r.id),
      t,
    );
    for (const r of merged) {
      const s = survivors.get(String(r.mergedInto));
      if (s) rows.set(r.code, s);
    }
  }
  for (const r of rows.values()) delete r.mergedInto;
  return rows;
}

/** Existing orders by number (pushed ones, and the ones receivables and reservations link to). */
export async function loadOrders(core: Core, numbers: string[], t: Transaction | null): Promise<Map<string, OrderRow>> {
  const rows = await byKey<OrderRow>(
    core,
    `SELECT o.id, o.number, o.customer_id AS customerId, c.code AS customerCode, o.status, o.order_date AS date, o.total, o.source
    FROM sales_orders o JOIN customers c ON c.id = o.customer_id WHERE o.number IN (?)`,
    numbers,
    (r) => r.number.toUpperCase(),
    t,
  );
  for (const r of rows.values()) r.date = asDay(r.date);
  return rows;
}

export async function loadReceivables(
  core: Core,
  numbers: string[],
  t: Transaction | null,
): Promise<Map<string, ReceivableRow>> {
  const rows = await byKey<ReceivableRow>(
    core,
    `SELECT r.id, r.number, r.customer_id AS customerId, c.code AS customerCode, o.number AS orderNumber, r.amount, r.paid, r.due_date AS dueDate, r.status, r.source
    FROM receivables r JOIN customers c ON c.id = r.customer_id LEFT JOIN sales_orders o ON o.id = r.order_id WHERE r.number IN (?)`,
    numbers,
    (r) => r.number.toUpperCase(),
    t,
  );
  for (const r of rows.values()) r.dueDate = asDay(r.dueDate);
  return rows;
}

export async function loadReservations(
  core: Core,
  numbers: string[],
  t: Transaction | null,
): Promise<Map<string, ReservationRow>> {
  return byKey<ReservationRow>(
    core,
    `SELECT s.id, s.number, s.customer_id AS customerId, c.code AS customerCode, o.number AS orderNumber, p.sku AS product, s.quantity, s.status, s.source
    FROM reservations s JOIN customers c ON c.id = s.customer_id JOIN products p ON p.id = s.product_id LEFT JOIN sales_orders o ON o.id = s.order_id WHERE s.number IN (?)`,
    numbers,
    (r) => r.number.toUpperCase(),
    t,
  );
}

/** Product ids by sku. */
export async function loadProducts(core: Core, skus: string[], t: Transaction | null): Promise<Map<string, number>> {
  const rows = await byKey<{ id: number; sku: string }>(
    core,
    'SELECT id, sku FROM products WHERE sku IN (?)',
    skus,
    (r) => r.sku,
    t,
  );
  return new Map([...rows].map(([k, r]) => [k, Number(r.id)]));
}
