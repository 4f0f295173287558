import type { Transaction } from 'sequelize';
import type { JsherpWriteAction } from '../../../models/index.js';
import type { AuditInput } from '../../audit.js';
import type { Actor, Core } from '../../context.js';

/** Our lifecycle actions that jshERP mirrors, and the write each one asks for. */
const WRITES: Record<string, JsherpWriteAction> = {
  'customer.deactivate': 'disable',
  'customer.reactivate': 'enable',
  'customer.delete': 'delete',
  'customer.restore': 'restore',
};

/**
 * Called by appendAudit inside every lifecycle transaction: when JSHERP_WRITE_BACK is on and the
 * customer is linked, queues the matching write to jshERP in the same transaction, so a 停用 that
 * commits always reaches jshERP (applied after commit, retried while jshERP is down) and a
 * rolled-back one never does.
 */
export async function enqueueJsherpWrite(
  core: Core,
  t: Transaction,
  actor: Actor,
  input: Pick<AuditInput, 'action' | 'customerId' | 'customerCode' | 'info'>,
): Promise<void> {
  const action = WRITES[input.action];
  const { JSHERP_DATABASE_URL: url, JSHERP_TENANT_ID: tenantId, JSHERP_WRITE_BACK: on } = core.config;
  if (!action || !url || tenantId === undefined || !on || !input.customerId) return;
  const link = await core.models.JsherpLink.findOne({
    where: { tenantId, customerId: input.customerId },
    transaction: t,
  });
  if (!link) return;
  const approvalId = typeof input.info?.requestId === 'number' ? input.info.requestId : null;
  await core.models.JsherpWrite.create(
    {
      tenantId,
      jshId: Number(link.jshId),
      customerId: input.customerId,
      customerCode: input.customerCode ?? link.customerCode,
      action,
      notBefore: core.now(),
      approvalId,
      requestedBy: actor.operator.displayName.slice(0, 100),
      result: null,
      error: null,
      createdAt: core.now(),
      doneAt: null,
    },
    { transaction: t },
  );
}
