import type { Transaction } from 'sequelize';
import type { Core } from '../context.js';
import type { HandlingRecord } from '../ledger/handling.js';

/**
 * Everything that references a customer, as raw rows (personal fields stay encrypted), and the
 * deletion's 关联数据处理记录 when given.
 */
export async function takeSnapshot(
  core: Core,
  customerId: number,
  t: Transaction,
  extra: { handling?: HandlingRecord | null } = {},
): Promise<Record<string, unknown>> {
  const { Customer, SalesOrder, Receivable, Reservation, ApprovalRequest } = core.models;
  const where = { customerId };
  const [customer, orders, receivables, reservations, approvals] = await Promise.all([
    Customer.findByPk(customerId, { transaction: t, raw: true }),
    SalesOrder.findAll({ where, transaction: t, raw: true }),
    Receivable.findAll({ where, transaction: t, raw: true }),
    Reservation.findAll({ where, transaction: t, raw: true }),
    ApprovalRequest.findAll({ where, transaction: t, raw: true }),
  ]);
  return {
    takenAt: core.now().toISOString(),
    customer,
    orders,
    receivables,
    reservations,
    approvals,
    ...(extra.handling ? { handling: extra.handling } : {}),
  };
}
