import type { Core } from '../../context.js';
import { selectRows } from '../../data/sql.js';
import { centsToDecimal, toCents } from '../../money.js';
import { OPEN_ORDER_STATUSES } from '../../../models/index.js';
import type { LedgerDoc } from '../types.js';
import type { LedgerFileType } from './columns.js';

const PAGE = 1000;

interface OpenOrder {
  id: number;
  number: string;
  code: string;
  date: unknown;
  total: string | number;
}
interface OpenReceivable {
  id: number;
  number: string;
  code: string;
  amount: string | number;
  dueDate: unknown;
  orderNumber: string | null;
}

const day = (v: unknown) => (v instanceof Date ? v.toISOString().slice(0, 10) : String(v).slice(0, 10));

/**
 * Snapshot mode: the documents of this type that came from files (source 'file') and are still
 * open, but which the new full export no longer lists, as the documents that close them: orders
 * closed, receivables fully paid. Documents from the API, jshERP or made here are never touched.
 */
export async function snapshotClosings(
  core: Core,
  type: LedgerFileType,
  seen: ReadonlyMap<string, number>,
): Promise<LedgerDoc[]> {
  const out: LedgerDoc[] = [];
  const { sequelize } = core.models;
  let after = 0;
  for (;;) {
    if (type === 'orders') {
      const rows = await selectRows<OpenOrder>(
        sequelize,
        `SELECT o.id, o.number, c.code, o.order_date AS date, o.total FROM sales_orders o JOIN customers c ON c.id = o.customer_id
        WHERE o.source = 'file' AND o.status IN (?) AND o.id > ? ORDER BY o.id LIMIT ${PAGE}`,
        [[...OPEN_ORDER_STATUSES], after],
      );
      for (const r of rows) {
        if (!seen.has(r.number.toUpperCase()))
          out.push({
            type: 'order',
            number: r.number,
            customerCode: r.code,
            date: day(r.date),
            total: centsToDecimal(toCents(r.total)),
            status: 'closed',
          });
      }
      if (rows.length < PAGE) return out;
      after = Number(rows[rows.length - 1]!.id);
    } else {
      const rows = await selectRows<OpenReceivable>(
        sequelize,
        `SELECT r.id, r.number, c.code, r.amount, r.due_date AS dueDate, o.number AS orderNumber FROM receivables r JOIN customers c ON c.id = r.customer_id
        LEFT JOIN sales_orders o ON o.id = r.order_id WHERE r.source = 'file' AND r.status = 'open' AND r.number IS NOT NULL AND r.id > ? ORDER BY r.id LIMIT ${PAGE}`,
        [after],
      );
      for (const r of rows) {
        const amount = centsToDecimal(toCents(r.amount));
        if (!seen.has(r.number.toUpperCase()))
          out.push({
            type: 'receivable',
            number: r.number,
            customerCode: r.code,
            amount,
            paid: amount,
            dueDate: day(r.dueDate),
            orderNumber: r.orderNumber,
          });
      }
      if (rows.length < PAGE) return out;
      after = Number(rows[rows.length - 1]!.id);
    }
  }
}
