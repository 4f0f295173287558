import { Op, QueryTypes } from 'sequelize';
import type { Actor, Core } from '../context.js';
import { assertCan } from '../permissions.js';

export interface PendingApproval {
  id: number;
  customerCode: string;
  customerName: string;
  reason: string;
  requester: string;
  createdAt: Date;
  expiresAt: Date;
}

/** Deletion requests still waiting for a decision (not expired), oldest first. */
export async function pendingApprovals(core: Core, actor: Actor, limit = 20): Promise<PendingApproval[]> {
  assertCan(actor.operator, 'view');
  const rows = await core.models.ApprovalRequest.findAll({
    where: { status: 'pending', expiresAt: { [Op.gt]: core.now() } },
    order: [['id', 'ASC']],
    limit,
  });
  const [customers, operators] = await Promise.all([
    core.models.Customer.findAll({
      where: { id: { [Op.in]: rows.map((r) => r.customerId) } },
      attributes: ['id', 'name'],
    }),
    core.models.Operator.findAll({
      where: { id: { [Op.in]: rows.map((r) => r.requesterId) } },
      attributes: ['id', 'displayName'],
    }),
  ]);
  const names = new Map(customers.map((c) => [c.id, c.name]));
  const people = new Map(operators.map((o) => [o.id, o.displayName]));
  return rows.map((r) => ({
    id: r.id,
    customerCode: r.customerCode,
    customerName: names.get(r.customerId) ?? '',
    reason: r.reason,
    requester: people.get(r.requesterId) ?? `#${r.requesterId}`,
    createdAt: r.createdAt,
    expiresAt: r.expiresAt,
  }));
}

export interface LastBackup {
  takenAt: Date;
  verifyStatus: string;
  verifiedAt: Date | null;
  reason: string;
  totalRows: number;
}

/**
 * The newest backup and its verification, or null when there is none yet, including when the
 * backup_records table does not exist (an installation older than the backup feature).
 */
export async function lastBackup(core: Core, actor: Actor): Promise<LastBackup | null> {
  assertCan(actor.operator, 'view');
  const qi = core.models.sequelize.getQueryInterface();
  if (!(await qi.tableExists('backup_records'))) return null;
  const [row] = await core.models.sequelize.query<{
    taken_at: string | Date;
    verify_status: string;
    verified_at: string | Date | null;
    reason: string;
    total_rows: unknown;
  }>(
    'SELECT taken_at, verify_status, verified_at, reason, total_rows FROM backup_records WHERE pruned_at IS NULL ORDER BY taken_at DESC LIMIT 1',
    { type: QueryTypes.SELECT },
  );
  if (!row) return null;
  const date = (v: string | Date | null) => (v === null ? null : v instanceof Date ? v : new Date(v));
  return {
    takenAt: date(row.taken_at)!,
    verifyStatus: row.verify_status,
    verifiedAt: date(row.verified_at),
    reason: row.reason,
    totalRows: Number(row.total_rows),
  };
}
