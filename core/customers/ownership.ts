import type { Actor, Core, OperatorLike } from '../context.js';
import { DomainError } from '../errors.js';
import type { Transaction } from 'sequelize';
import type { Role } from '../../models/index.js';

/**
 * What an operator may do to a customer depending on who owns it. `handle` is business on the
 * customer (orders, receivables, reservations, the review's 保留); `recode` is 改编码.
 */
export const OWNER_ACTIONS = [
  'edit',
  'deactivate',
  'requestDeletion',
  'changeOwner',
  'merge',
  'recode',
  'handle',
] as const;
export type OwnerAction = (typeof OWNER_ACTIONS)[number];

/** The verb each action is refused with: 「销售只能{verb}自己负责的客户」. */
export const OWNER_VERBS: Record<OwnerAction, string> = {
  edit: '修改',
  deactivate: '停用',
  requestDeletion: '申请删除',
  changeOwner: '更换负责人',
  merge: '合并',
  recode: '改编码',
  handle: '处理',
};

/** Roles that act on every customer whatever SALES_SCOPE says. */
const WHOLE_BOOK: readonly Role[] = ['admin', 'finance'];

/** What of the customer the rule reads. */
export interface Owned {
  code: string;
  ownerId: number | null;
}

type Scope = Pick<Core, 'config'>;

/**
 * The operator id a salesperson is limited to under SALES_SCOPE=own, or undefined when the
 * operator acts on every customer (admin, finance, SALES_SCOPE=all, or not a salesperson).
 */
export function ownScope(core: Scope, operator: Pick<OperatorLike, 'id' | 'roleList'>): number | undefined {
  if (core.config.SALES_SCOPE === 'all') return undefined;
  const roles = operator.roleList();
  if (!roles.includes('sales') || roles.some((r) => WHOLE_BOOK.includes(r))) return undefined;
  return operator.id ?? undefined;
}

/**
 * The one ownership rule: under SALES_SCOPE=own (the default) a salesperson (without admin or
 * finance) may act only on customers they own; everyone else, and everyone under
 * SALES_SCOPE=all, is limited by the role table alone (core/permissions.ts).
 */
export function ownerMay(
  core: Scope,
  operator: Pick<OperatorLike, 'id' | 'roleList'>,
  customer: Pick<Owned, 'ownerId'>,
  _action: OwnerAction,
): boolean {
  const own = ownScope(core, operator);
  return own === undefined || customer.ownerId === own;
}

/** Throws NOT_PERMITTED when ownerMay says no; checked by core for every door, and by chat before any prompt. */
export function assertOwnerMay(core: Scope, actor: Actor, customer: Owned, action: OwnerAction): void {
  if (ownerMay(core, actor.operator, customer, action)) return;
  throw new DomainError(
    'NOT_PERMITTED',
    `客户 ${customer.code} 不归 ${actor.operator.displayName} 负责; 销售只能${OWNER_VERBS[action]}自己负责的客户。请联系负责人或管理员。`,
    { code: customer.code, action },
  );
}

/** Operators' names by id, for showing owners by name (never by id) in replies and audit diffs. */
export async function ownerNames(
  core: Pick<Core, 'models'>,
  ids: unknown[],
  t?: Transaction,
): Promise<Map<number, string>> {
  const wanted = [...new Set(ids.filter((v): v is number => typeof v === 'number'))];
  if (!wanted.length) return new Map();
  const rows = await core.models.Operator.findAll({
    where: { id: wanted },
    attributes: ['id', 'displayName'],
    transaction: t,
  });
  return new Map(rows.map((o) => [o.id, o.displayName]));
}
