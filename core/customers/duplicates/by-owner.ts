import type { Operator } from '../../../models/index.js';
import type { Actor, Core } from '../../context.js';
import { ownScope as salesScope } from '../ownership.js';
import { DISMISS_HINT, pairList } from './format.js';
import { findDuplicatePairs, type DuplicatePair } from './scan.js';

/** One person's part of the weekly 疑似重复 section. */
export interface OwnerDuplicates {
  operator: Operator;
  pairs: DuplicatePair[];
  /** The admins' share: pairs no active owner looks after. */
  unassigned: boolean;
}

/**
 * 疑似重复 per owner for the weekly review: each active owner gets the pairs that involve one of
 * their customers (a pair across two owners goes to both, so each sees the colleague's record);
 * pairs without an active owner on either side go to every active admin.
 */
export async function duplicatesByOwner(core: Core): Promise<{ total: number; recipients: OwnerDuplicates[] }> {
  const { pairs } = await findDuplicatePairs(core);
  if (!pairs.length) return { total: 0, recipients: [] };
  const operators = await core.models.Operator.findAll({ where: { active: true } });
  const byId = new Map(operators.map((o) => [o.id, o]));
  const owned = new Map<number, DuplicatePair[]>();
  const orphans: DuplicatePair[] = [];
  for (const p of pairs) {
    const owners = [...new Set([p.a.ownerId, p.b.ownerId])].filter((id): id is number => id !== null && byId.has(id));
    for (const id of owners) owned.set(id, [...(owned.get(id) ?? []), p]);
    if (!owners.length) orphans.push(p);
  }
  const recipients: OwnerDuplicates[] = [...owned].map(([id, list]) => ({
    operator: byId.get(id)!,
    pairs: list,
    unassigned: false,
  }));
  if (orphans.length)
    for (const admin of operators.filter((o) => o.roleList().includes('admin')))
      recipients.push({ operator: admin, pairs: orphans, unassigned: true });
  return { total: pairs.length, recipients };
}

/** How many pairs one person's digest lists. */
export const DIGEST_PAIRS = 20;

/** The 疑似重复 section of one person's weekly digest. */
export function ownerDuplicatesText(name: string, r: Pick<OwnerDuplicates, 'pairs' | 'unassigned'>): string {
  const whose = r.unassigned ? '没有可用负责人的客户中' : '你负责的客户中';
  return [
    `${name} 你好, ${whose}有 ${r.pairs.length} 对疑似重复 (同手机、同名称, 或与已并入的客户相同):`,
    ...pairList(r.pairs, DIGEST_PAIRS),
    DISMISS_HINT,
  ].join('\n');
}

/** Sales limited to their own customers (SALES_SCOPE=own) see the pairs of their own customers unless they name one; others see all. */
export function ownScope(core: Core, actor: Actor): number | undefined {
  return salesScope(core, actor.operator);
}
