import type { Customer, OrderStatus } from '../../models/index.js';
import { OPEN_ORDER_STATUSES } from '../../models/index.js';
import type { Core } from '../context.js';
import { DomainError, isDomainError } from '../errors.js';
import { assertOpenForBusiness } from '../customers/status.js';
import { customerNotFound } from '../customers/view.js';
import { centsToDecimal, toCents } from '../money.js';
import type { LedgerChange } from './events.js';
import type { CustomerRow, OrderRow, ReceivableRow, ReservationRow } from './load.js';
import type { DocIn, OrderIn, ReceivableIn, ReservationIn } from './validate.js';
import { DOC_TYPE_LABELS } from './validate.js';
import { isOpenForBusiness } from '../customers/lifecycle.js';

type Fields = Record<string, unknown>;
export type OutcomeError = { code: string; message: string; details: Record<string, unknown> };

/** A document that will be written (or is unchanged), with its history entry. */
export interface Planned {
  doc: DocIn;
  customer: CustomerRow;
  existingId: number | null;
  result: 'created' | 'updated' | 'unchanged';
  change: LedgerChange;
  before: Fields | null;
  after: Fields;
  /** The 停用 rule's refusal, kept as a warning when the business already exists (existingBusiness). */
  warning?: OutcomeError;
}

export type Decision = Planned | { doc: DocIn; error: OutcomeError };

/** What planning needs besides the document. */
export interface PlanContext {
  core: Core;
  customers: Map<string, CustomerRow>;
  /** Full rows of the inactive and deleted customers named, for the 停用 message. */
  closed: Map<number, Customer>;
  /** Order numbers that exist or are created by this call: what receivables and reservations may link to. */
  linkable: Set<string>;
  /** Record new business of a 停用 customer with a warning instead of refusing it. */
  existingBusiness?: boolean;
}

export const asError = (e: DomainError): OutcomeError => ({ code: e.code, message: e.message, details: e.details });

/** The ERP's three order states as our statuses see them: draft and shipped are open too. */
export function ledgerStatus(s: OrderStatus): 'open' | 'closed' | 'cancelled' {
  return OPEN_ORDER_STATUSES.includes(s) ? 'open' : s === 'cancelled' ? 'cancelled' : 'closed';
}
const INTERNAL = { open: 'confirmed', closed: 'completed', cancelled: 'cancelled' } as const;

/** The customer a document names, or the refusal: unknown code, or a move to another customer. */
function owner(
  ctx: PlanContext,
  doc: DocIn,
  existing: { customerId: number; customerCode: string } | undefined,
): CustomerRow | OutcomeError {
  const customer = ctx.customers.get(doc.customerCode);
  if (!customer) return asError(customerNotFound(doc.customerCode));
  if (existing && existing.customerId !== customer.id) {
    const label = DOC_TYPE_LABELS[doc.type];
    return asError(
      new DomainError(
        'CONFLICT',
        `${label} ${doc.number} 属于客户 ${existing.customerCode}, 不能改到客户 ${doc.customerCode}。如确需换客户, 请在进销存中作废此单并用新单号重新录入。`,
        { number: doc.number, customerCode: existing.customerCode, requested: doc.customerCode },
      ),
    );
  }
  return customer;
}

/** The 停用 rule for new business, with the same message as every other door (and transactable). */
function refuseNew(ctx: PlanContext, customer: CustomerRow): OutcomeError | null {
  if (isOpenForBusiness(customer.status, 'new')) return null;
  const row = ctx.closed.get(customer.id);
  try {
    if (row) assertOpenForBusiness(ctx.core, row, 'new');
  } catch (err) {
    if (isDomainError(err)) return asError(err);
    throw err;
  }
  return null;
}

/** Attaches the 停用 rule's refusal as a warning to a document written anyway. */
function warned(p: Planned, refused: OutcomeError | null): Planned {
  return refused && p.result !== 'unchanged' ? { ...p, warning: refused } : p;
}

function decide(
  doc: DocIn,
  customer: CustomerRow,
  existingId: number | null,
  before: Fields | null,
  after: Fields,
  change: LedgerChange,
): Planned {
  const same = before !== null && JSON.stringify(before) === JSON.stringify(after);
  return {
    doc,
    customer,
    existingId,
    result: !before ? 'created' : same ? 'unchanged' : 'updated',
    change: !before ? 'created' : change,
    before,
    after,
  };
}

export function orderFields(r: OrderRow): Fields {
  return { customerCode: r.customerCode, date: r.date, total: centsToDecimal(toCents(r.total)), status: r.status };
}

/** An order: open → confirmed, closed → completed, cancelled; a new or reopened open order is new business. */
export function planOrder(ctx: PlanContext, doc: OrderIn, existing: OrderRow | undefined): Decision {
  const customer = owner(ctx, doc, existing);
  if ('message' in customer) return { doc, error: customer };
  const before = existing ? orderFields(existing) : null;
  const keep = existing && ledgerStatus(existing.status) === doc.status;
  const status: OrderStatus = keep ? existing.status : INTERNAL[doc.status];
  const opening = doc.status === 'open' && !keep;
  const refused = opening ? refuseNew(ctx, customer) : null;
  if (refused && !ctx.existingBusiness) return { doc, error: refused };
  const change: LedgerChange = keep
    ? 'updated'
    : doc.status === 'open'
      ? 'reopened'
      : doc.status === 'cancelled'
        ? 'cancelled'
        : 'closed';
  return warned(
    decide(
      doc,
      customer,
      existing?.id ?? null,
      before,
      { customerCode: customer.code, date: doc.date, total: centsToDecimal(doc.totalCents), status },
      change,
    ),
    refused,
  );
}

export function receivableFields(r: ReceivableRow): Fields {
  return {
    customerCode: r.customerCode,
    amount: centsToDecimal(toCents(r.amount)),
    paid: centsToDecimal(toCents(r.paid)),
    dueDate: r.dueDate,
    status: r.status,
    orderNumber: r.orderNumber ? r.orderNumber.toUpperCase() : null,
  };
}

/** The order number to link: only one that exists or comes in this same call. */
function linkedOrder(ctx: PlanContext, orderNumber: string | null): string | null {
  return orderNumber && ctx.linkable.has(orderNumber) ? orderNumber : null;
}

/** A receivable's history entry: paid when it becomes paid, reopened when it no longer is. */
function receivableChange(was: ReceivableRow['status'] | undefined, status: ReceivableRow['status']): LedgerChange {
  if (was !== 'paid' && status === 'paid') return 'paid';
  return was === 'paid' && status !== 'paid' ? 'reopened' : 'updated';
}

/**
 * A receivable is always accepted, even for an inactive or deleted customer: it is money already
 * owed, and refusing it would hide real debt from the delete check.
 */
export function planReceivable(ctx: PlanContext, doc: ReceivableIn, existing: ReceivableRow | undefined): Decision {
  const customer = owner(ctx, doc, existing);
  if ('message' in customer) return { doc, error: customer };
  const before = existing ? receivableFields(existing) : null;
  const paidUp = doc.paidCents >= doc.amountCents;
  const status = paidUp ? 'paid' : existing?.status === 'written_off' ? 'written_off' : 'open';
  // An order number we do not know (yet) is kept out of the link rather than refusing the money owed.
  const orderNumber = linkedOrder(ctx, doc.orderNumber);
  const change = receivableChange(existing?.status, status);
  return decide(
    doc,
    customer,
    existing?.id ?? null,
    before,
    {
      customerCode: customer.code,
      amount: centsToDecimal(doc.amountCents),
      paid: centsToDecimal(doc.paidCents),
      dueDate: doc.dueDate,
      status,
      orderNumber,
    },
    change,
  );
}

export function reservationFields(r: ReservationRow): Fields {
  return {
    customerCode: r.customerCode,
    product: r.product,
    quantity: Number(r.quantity),
    status: r.status,
    orderNumber: r.orderNumber ? r.orderNumber.toUpperCase() : null,
  };
}

/** A reservation's history entry: released when active stock is let go, reopened when held again. */
function reservationChange(was: ReservationRow['status'] | undefined, status: ReservationRow['status']): LedgerChange {
  if (was === 'active' && status === 'released') return 'released';
  return was === 'released' && status === 'active' ? 'reopened' : 'updated';
}

/** A reservation: held stock is new business; releasing is winding down. */
export function planReservation(ctx: PlanContext, doc: ReservationIn, existing: ReservationRow | undefined): Decision {
  const customer = owner(ctx, doc, existing);
  if ('message' in customer) return { doc, error: customer };
  const before = existing ? reservationFields(existing) : null;
  const status = doc.released ? 'released' : 'active';
  const refused = status === 'active' && existing?.status !== 'active' ? refuseNew(ctx, customer) : null;
  if (refused && !ctx.existingBusiness) return { doc, error: refused };
  const orderNumber = linkedOrder(ctx, doc.orderNumber);
  const change = reservationChange(existing?.status, status);
  return warned(
    decide(
      doc,
      customer,
      existing?.id ?? null,
      before,
      { customerCode: customer.code, product: doc.product, quantity: doc.quantity, status, orderNumber },
      change,
    ),
    refused,
  );
}
