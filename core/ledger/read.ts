import type { Actor, Core } from '../context.js';
import { DomainError } from '../errors.js';
import { centsToDecimal, toCents } from '../money.js';
import { assertCan } from '../permissions.js';
import { loadOrders, loadReceivables, loadReservations } from './load.js';
import { ledgerStatus } from './plan.js';
import type { LedgerDocType } from './types.js';
import { DOC_TYPE_LABELS, normalizeDocNumber } from './validate.js';

/** A ledger document as other systems see it (the API's answer to GET and PUT). */
export type LedgerDocView =
  | {
      type: 'order';
      number: string;
      customerCode: string;
      date: string;
      total: string;
      status: 'open' | 'closed' | 'cancelled';
      source: string;
    }
  | {
      type: 'receivable';
      number: string;
      customerCode: string;
      amount: string;
      paid: string;
      outstanding: string;
      dueDate: string;
      status: string;
      orderNumber: string | null;
      source: string;
    }
  | {
      type: 'reservation';
      number: string;
      customerCode: string;
      product: string;
      quantity: number;
      released: boolean;
      orderNumber: string | null;
      source: string;
    };

const money = (v: string | number) => centsToDecimal(toCents(v));

/** Reads one document by its number; NOT_FOUND when we have none. */
export async function getLedgerDoc(
  core: Core,
  actor: Actor,
  type: LedgerDocType,
  rawNumber: string,
): Promise<LedgerDocView> {
  assertCan(actor.operator, 'view');
  const number = normalizeDocNumber(rawNumber);
  const notFound = () =>
    new DomainError(
      'NOT_FOUND',
      `找不到${DOC_TYPE_LABELS[type]} ${number}。请核对单号; 单据要先推送 (PUT) 才能查询。`,
      { type, number },
    );
  if (type === 'order') {
    const o = (await loadOrders(core, [number], null)).get(number);
    if (!o) throw notFound();
    return {
      type,
      number: o.number,
      customerCode: o.customerCode,
      date: o.date,
      total: money(o.total),
      status: ledgerStatus(o.status),
      source: o.source,
    };
  }
  if (type === 'receivable') {
    const r = (await loadReceivables(core, [number], null)).get(number);
    if (!r) throw notFound();
    return {
      type,
      number: r.number,
      customerCode: r.customerCode,
      amount: money(r.amount),
      paid: money(r.paid),
      outstanding: centsToDecimal(toCents(r.amount) - toCents(r.paid)),
      dueDate: r.dueDate,
      status: r.status,
      orderNumber: r.orderNumber,
      source: r.source,
    };
  }
  const s = (await loadReservations(core, [number], null)).get(number);
  if (!s) throw notFound();
  return {
    type,
    number: s.number,
    customerCode: s.customerCode,
    product: s.product,
    quantity: Number(s.quantity),
    released: s.status === 'released',
    orderNumber: s.orderNumber,
    source: s.source,
  };
}
