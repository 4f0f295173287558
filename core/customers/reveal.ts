import { withTransaction } from '../../models/tx.js';
import { appendAudit } from '../audit.js';
import type { Actor, Core } from '../context.js';
import { assertCan } from '../permissions.js';
import { findByCode, toView } from './view.js';

/** Shows the full phone and address to someone allowed to see them, and audits that they did. */
export async function revealCustomer(
  core: Core,
  actor: Actor,
  code: string,
  why = '',
): Promise<{ code: string; phone: string | null; address: string | null; contact: string | null }> {
  assertCan(actor.operator, 'revealPersonal');
  return withTransaction(core.models.sequelize, async (t) => {
    const row = await findByCode(core, code, t);
    const v = toView(core, row);
    await appendAudit(core, t, actor, {
      action: 'customer.reveal',
      customerId: row.id,
      customerCode: row.code,
      info: { fields: ['phone', 'address', 'contact'], why: why.slice(0, 200) },
    });
    return { code: v.code, phone: v.phone, address: v.address, contact: v.contact };
  });
}
