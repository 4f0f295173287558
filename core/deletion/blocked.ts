import type { Transaction } from 'sequelize';
import type { Customer } from '../../models/index.js';
import type { Core } from '../context.js';
import { DomainError } from '../errors.js';
import { collectBlockers, type Blocker } from './precheck.js';

/** Why a request or an approval was refused, kept past its rolled-back transaction so the check is still recorded. */
export interface Refusal {
  customerId: number;
  customerCode: string;
  blockers: Blocker[];
}

/** Where refuseIfBlocked leaves the refusal for the caller's catch. */
export interface RefusalSlot {
  refusal: Refusal | null;
}

function blockedError(code: string, blockers: Blocker[]): DomainError {
  const lines = blockers.map((b, i) => `${i + 1}. ${b.text}`).join('\n');
  return new DomainError(
    'DELETE_BLOCKED',
    `客户 ${code} 还有业务未了结, 不能删除:\n${lines}\n请先处理完以上业务; 如只是不再合作, 建议改为「停用客户 ${code}」。`,
    { code, blockers },
  );
}

/** Refuses the deletion with every blocker if the customer still has open business; notes the refusal in `slot`. */
export async function refuseIfBlocked(
  core: Core,
  customer: Customer,
  t: Transaction,
  slot: RefusalSlot,
): Promise<void> {
  const blockers = await collectBlockers(core, customer.id, t);
  if (!blockers.length) return;
  slot.refusal = { customerId: customer.id, customerCode: customer.code, blockers };
  throw blockedError(customer.code, blockers);
}
