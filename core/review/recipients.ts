import type { Core } from '../context.js';
import type { Operator } from '../../models/index.js';
import { activeOperators } from '../operators.js';
import type { InactiveCustomer } from './inactive.js';

/** One person's part of the weekly review. */
export interface ReviewRecipient {
  operator: Operator;
  customers: InactiveCustomer[];
  /** True for the admins' copy of the customers nobody active owns. */
  unassigned: boolean;
}

/** Who gets which customers: each active owner their own; unassigned or orphaned ones go to every active admin. */
export async function reviewRecipients(core: Core, customers: InactiveCustomer[]): Promise<ReviewRecipient[]> {
  const operators = await activeOperators(core);
  const byId = new Map(operators.map((o) => [o.id, o]));
  const admins = operators.filter((o) => o.roleList().includes('admin'));
  const owned = new Map<number, InactiveCustomer[]>();
  const orphans: InactiveCustomer[] = [];
  for (const c of customers) {
    if (c.ownerId !== null && byId.has(c.ownerId)) owned.set(c.ownerId, [...(owned.get(c.ownerId) ?? []), c]);
    else orphans.push(c);
  }
  const out: ReviewRecipient[] = [...owned].map(([id, list]) => ({
    operator: byId.get(id)!,
    customers: list,
    unassigned: false,
  }));
  if (orphans.length) for (const admin of admins) out.push({ operator: admin, customers: orphans, unassigned: true });
  return out;
}
