import type { Core } from '../../context.js';
import { chunks, selectRows } from '../../data/sql.js';
import { centsToDecimal, toCents, type Cents } from '../../money.js';
import type { LedgerDoc } from '../types.js';
import { normalizeDocNumber } from '../validate.js';
import type { JshOrder } from './read.js';

/** An order we hold from jshERP that is still open on our side. */
export interface HeldOrder {
  number: string;
  code: string;
  date: string;
  totalCents: Cents;
}
/** A jshERP receivable we hold (one per customer, JSH-AR-<jsh id>). */
export interface HeldReceivable {
  number: string;
  code: string;
  amountCents: Cents;
  paidCents: Cents;
  dueDate: string;
  status: string;
}

/** The receivable's document number: one per jshERP customer. */
export const receivableNumber = (jshId: number) => `JSH-AR-${jshId}`;

const day = (v: unknown) => (v instanceof Date ? v.toISOString().slice(0, 10) : String(v).slice(0, 10));

/** Our open orders that came from jshERP, by (normalised) number. */
export async function heldOpenOrders(core: Core): Promise<Map<string, HeldOrder>> {
  const rows = await selectRows<{ number: string; code: string; order_date: unknown; total: string | number }>(
    core.models.sequelize,
    "SELECT o.number, c.code, o.order_date, o.total FROM sales_orders o JOIN customers c ON c.id = o.customer_id WHERE o.source = 'jsherp' AND o.status IN ('draft', 'confirmed', 'shipped')",
    [],
  );
  return new Map(
    rows.map((r) => [
      r.number,
      { number: r.number, code: r.code, date: day(r.order_date), totalCents: toCents(r.total) },
    ]),
  );
}

/** Our jshERP receivables: all of them, or those with these numbers. */
export async function heldReceivables(core: Core, numbers: string[] | null): Promise<Map<string, HeldReceivable>> {
  const sql =
    "SELECT r.number, c.code, r.amount, r.paid, r.due_date, r.status FROM receivables r JOIN customers c ON c.id = r.customer_id WHERE r.source = 'jsherp'";
  type Row = {
    number: string;
    code: string;
    amount: string | number;
    paid: string | number;
    due_date: unknown;
    status: string;
  };
  const rows: Row[] = [];
  if (numbers === null) rows.push(...(await selectRows<Row>(core.models.sequelize, sql, [])));
  else
    for (const part of chunks(numbers))
      rows.push(...(await selectRows<Row>(core.models.sequelize, `${sql} AND r.number IN (?)`, [part])));
  return new Map(
    rows.map((r) => [
      r.number,
      {
        number: r.number,
        code: r.code,
        amountCents: toCents(r.amount),
        paidCents: toCents(r.paid),
        dueDate: day(r.due_date),
        status: r.status,
      },
    ]),
  );
}

/** The open-order document for a live jshERP order, or null when ours already says the same. */
export function openOrderDoc(o: JshOrder, code: string, held: HeldOrder | undefined): LedgerDoc | null {
  if (held && held.date === o.date && held.totalCents === o.totalCents) return null;
  return {
    type: 'order',
    number: o.number,
    customerCode: code,
    date: o.date,
    total: centsToDecimal(o.totalCents),
    status: 'open',
  };
}

/** Closes (完成销售) or cancels (deleted in jshERP) an order we hold open. */
export function windDownDoc(held: HeldOrder, status: 'closed' | 'cancelled'): LedgerDoc {
  return {
    type: 'order',
    number: held.number,
    customerCode: held.code,
    date: held.date,
    total: centsToDecimal(held.totalCents),
    status,
  };
}

/**
 * The receivable document for a customer's jshERP balance, or null when nothing changes:
 * a positive balance is owed in full (paid 0); when it drops to 0 or below, what we hold is paid.
 */
export function receivableDoc(
  jshId: number,
  code: string,
  balance: Cents,
  held: HeldReceivable | undefined,
  today: string,
): LedgerDoc | null {
  const number = receivableNumber(jshId);
  if (balance > 0) {
    if (held && held.amountCents === balance && held.paidCents === 0) return null;
    return {
      type: 'receivable',
      number,
      customerCode: code,
      amount: centsToDecimal(balance),
      paid: '0.00',
      dueDate: held?.dueDate ?? today,
    };
  }
  if (!held || held.paidCents >= held.amountCents) return null;
  return {
    type: 'receivable',
    number,
    customerCode: code,
    amount: centsToDecimal(held.amountCents),
    paid: centsToDecimal(held.amountCents),
    dueDate: held.dueDate,
  };
}

/** Our form of their number (as applyLedger stores it). */
export const ourNumber = (jshNumber: string) => normalizeDocNumber(jshNumber);
