import type { Actor, Core } from '../context.js';
import { cooperationHistory, type CooperationHistory } from '../deletion/history.js';
import { toCents, type Cents } from '../money.js';
import { assertCan } from '../permissions.js';

const OPEN_ORDER = ['draft', 'confirmed', 'shipped'];

/** What the customer page tells beyond the fields: business at a glance, what is pending, and its history. */
export interface CustomerStory {
  status: string;
  pendingDeletion: { id: number; requester: number; expiresAt: Date } | null;
  pendingMerge: { id: number } | null;
  business: { openOrders: number; receivableCents: Cents; reservations: number; history: CooperationHistory };
  timeline: { id: number; at: Date; operatorName: string; door: string; action: string; diff: string }[];
}

/** One read per part, each by the customer's id (indexed); the timeline is the newest `limit` audit events. */
export async function customerStory(
  core: Core,
  actor: Actor,
  customerId: number,
  limit = 50,
): Promise<CustomerStory | null> {
  assertCan(actor.operator, 'view');
  const { Customer, SalesOrder, Receivable, Reservation, ApprovalRequest, AuditEvent, CustomerMerge } = core.models;
  const customer = await Customer.findByPk(customerId, { attributes: ['id', 'status'] });
  if (!customer) return null;
  const where = { customerId };
  const [openOrders, receivables, reservations, pending, history, events] = await Promise.all([
    SalesOrder.count({ where: { ...where, status: OPEN_ORDER } }),
    Receivable.findAll({ where: { ...where, status: 'open' }, attributes: ['amount', 'paid'], raw: true }),
    Reservation.count({ where: { ...where, status: 'active' } }),
    ApprovalRequest.findOne({ where: { ...where, status: 'pending' }, order: [['id', 'DESC']] }),
    cooperationHistory(core, customerId),
    AuditEvent.findAll({
      where: { customerId },
      order: [['id', 'DESC']],
      limit,
      attributes: ['id', 'at', 'operatorName', 'door', 'action', 'diff'],
    }),
  ]);
  const merge = await CustomerMerge.findOne({
    where: { status: 'pending', keepCustomerId: customerId },
    attributes: ['id'],
  });
  return {
    status: customer.status,
    pendingDeletion: pending ? { id: pending.id, requester: pending.requesterId, expiresAt: pending.expiresAt } : null,
    pendingMerge: merge ? { id: merge.id } : null,
    business: {
      openOrders,
      receivableCents: receivables.reduce((a, r) => a + toCents(r.amount) - toCents(r.paid), 0),
      reservations,
      history,
    },
    timeline: events.map((e) => ({
      id: e.id,
      at: e.at,
      operatorName: e.operatorName,
      door: e.door,
      action: e.action,
      diff: e.diff,
    })),
  };
}
