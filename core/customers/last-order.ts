import type { Sequelize, Transaction } from 'sequelize';
import type { Core } from '../context.js';
import { asDate, asDay, chunks, selectRows } from '../data/sql.js';

/*
 * 最近下单 is derived, not stored by the ledger: a customer's last order date is the later of
 *  - customers.last_order_at, dates known from outside our orders (a jshERP sync's closed sales, a
 *    merge, history entered before the link), and
 *  - the newest order in sales_orders, whatever its status (a cancelled order was still placed, and
 *    the inactive review counts it as contact too), read as one entry of its (customer_id, order_date) index.
 * A push of 1,000 orders therefore never rewrites 1,000 customer rows (that write alone cost as much
 * as inserting the orders). Every reader that shows, sorts or filters 最近下单 goes through here.
 */

/** The SQL for one customer's 最近下单, `alias` naming the customers table in the statement. */
export function lastOrderSql(sequelize: Sequelize, alias: string): string {
  const q = (n: string) => sequelize.getQueryInterface().quoteIdentifier(n);
  const newest = `(SELECT MAX(lo.${q('order_date')}) FROM ${q('sales_orders')} lo WHERE lo.${q('customer_id')} = ${q(alias)}.${q('id')})`;
  const column = `${q(alias)}.${q('last_order_at')}`;
  const mysql = sequelize.getDialect() === 'mysql';
  // SQLite keeps DATETIME as 'YYYY-MM-DD hh:mm:ss…' text: compare like with like.
  const day = mysql ? `CAST(${newest} AS DATETIME)` : `(${newest} || ' 00:00:00.000 +00:00')`;
  const later = mysql
    ? `GREATEST(${column}, COALESCE(${day}, ${column}))`
    : `MAX(${column}, COALESCE(${day}, ${column}))`;
  // Most customers have no outside date: then the orders alone. The subquery runs once either way.
  return `CASE WHEN ${column} IS NULL THEN ${day} ELSE ${later} END`;
}

/** The newest order date of each customer, as UTC midnight. */
async function newestOrders(core: Core, ids: number[], t?: Transaction | null): Promise<Map<number, Date>> {
  const out = new Map<number, Date>();
  for (const part of chunks([...new Set(ids)])) {
    const rows = await selectRows<{ id: number; d: unknown }>(
      core.models.sequelize,
      'SELECT customer_id AS id, MAX(order_date) AS d FROM sales_orders WHERE customer_id IN (?) GROUP BY customer_id',
      [part],
      t,
    );
    for (const r of rows) out.set(Number(r.id), new Date(`${asDay(r.d)}T00:00:00Z`));
  }
  return out;
}

interface HasLastOrder {
  id: number;
  lastOrderAt: Date | null;
}

/**
 * Sets each row's lastOrderAt to its 最近下单 (one query for all). On a model instance the value is
 * set without marking it changed, so a later save does not write it back.
 */
export async function withLastOrders<T extends HasLastOrder>(
  core: Core,
  rows: T[],
  t?: Transaction | null,
): Promise<T[]> {
  if (!rows.length) return rows;
  const newest = await newestOrders(
    core,
    rows.map((r) => r.id),
    t,
  );
  for (const r of rows) {
    const ordered = newest.get(r.id);
    const column = asDate(r.lastOrderAt);
    const value = ordered && (!column || ordered > column) ? ordered : column;
    const model = r as unknown as {
      setDataValue?: (k: string, v: unknown) => void;
      changed?: (k: string, v: boolean) => void;
    };
    if (typeof model.setDataValue === 'function') {
      model.setDataValue('lastOrderAt', value);
      model.changed?.('lastOrderAt', false);
    } else r.lastOrderAt = value;
  }
  return rows;
}
