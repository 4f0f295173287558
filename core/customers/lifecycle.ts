import { Op } from 'sequelize';
import { CUSTOMER_STATUSES, type Customer, type CustomerStatus } from '../../models/index.js';
import type { Core } from '../context.js';
import { DomainError } from '../errors.js';
import { localParts } from './codes.js';

/**
 * The customer lifecycle in one table. `customers.status` holds one of these states; a merged
 * customer is a `deleted` tombstone with `mergedInto` set. A new state (a credit hold, say) is a
 * line here and a row in TRANSITIONS; every check in the code asks the functions below.
 */
export const STATES: readonly CustomerStatus[] = CUSTOMER_STATUSES;

/** The lifecycle changes: the states each may start from, and the states it may leave the customer in. */
export const TRANSITIONS = {
  /** 修改 (chat, back office, API, import): the state stays as it is. */
  edit: { from: ['active', 'inactive'], to: ['active', 'inactive'] },
  /** 停用, alone or in 全部停用. */
  deactivate: { from: ['active'], to: ['inactive'] },
  /** 启用, by hand or when the 停用至 date comes. */
  reactivate: { from: ['inactive'], to: ['active'] },
  /** 保留 in the inactive review: the customer stays active and out of the review for a while. */
  keep: { from: ['active'], to: ['active'] },
  /** 删除 (request, approval): into the recycle bin. */
  delete: { from: ['active', 'inactive'], to: ['deleted'] },
  /** 恢复 from the recycle bin: back to the state it had before. */
  restore: { from: ['deleted'], to: ['active', 'inactive'] },
  /** 合并: each absorbed customer becomes a tombstone pointing at the survivor (who keeps its state). */
  merge: { from: ['active', 'inactive'], to: ['deleted'] },
  /** 撤销合并: an absorbed customer comes back in the state it had. */
  unmerge: { from: ['deleted'], to: ['active', 'inactive'] },
} as const satisfies Record<string, { from: readonly CustomerStatus[]; to: readonly CustomerStatus[] }>;
export type Change = keyof typeof TRANSITIONS;

/** True when `change` may start from `status`. */
export function mayTransition(status: string, change: Change): boolean {
  return (TRANSITIONS[change].from as readonly string[]).includes(status);
}

/** States whose customers still count: listed, searched, exported, checked for duplicates. */
export const LIVE_STATES: readonly CustomerStatus[] = ['active', 'inactive'];

/** True for a customer that is not deleted (in the recycle bin, or a merged tombstone). */
export function isLive(status: string): boolean {
  return (LIVE_STATES as readonly string[]).includes(status);
}

/** True for a deleted customer: in the recycle bin, or a merged tombstone. */
export function isDeleted(status: string): boolean {
  return !isLive(status);
}

/** True for a 停用 customer: it carries a deactivation reason, date and maybe a 停用至 date. */
export function isInactive(status: string): boolean {
  return status === 'inactive';
}

/** A `where` on customers.status for live customers only. */
export function liveStatus(): { [Op.in]: CustomerStatus[] } {
  return { [Op.in]: [...LIVE_STATES] };
}

/** Business a customer may take: `new` documents (orders, reservations) or `wind-down` work (cancel, complete, payment, release). */
export type BusinessKind = 'new' | 'wind-down';

/**
 * The open-for-business rule: new business only for an active customer; winding down also while
 * inactive, so an inactive customer's open business can be cleared before a delete; nothing once deleted.
 */
export function isOpenForBusiness(status: string, kind: BusinessKind): boolean {
  return kind === 'new' ? status === 'active' : isLive(status);
}

function dateText(d: Date | null, tz: string): string {
  if (!d) return '未知日期';
  const p = localParts(d, tz);
  return `${p.year}-${p.month}-${p.day}`;
}

/** Throws, in Chinese with the reason and date, when isOpenForBusiness says no. */
export function assertOpenForBusiness(core: Core, c: Customer, kind: BusinessKind): void {
  if (isOpenForBusiness(c.status, kind)) return;
  if (isDeleted(c.status)) {
    throw new DomainError(
      'CUSTOMER_DELETED',
      `客户 ${c.code} 已删除, 不能再办理业务。如需继续合作, 请先「恢复客户 ${c.code}」。`,
      { code: c.code },
    );
  }
  const memo = c.deactivationMemo ? ` (${c.deactivationMemo})` : '';
  throw new DomainError(
    'CUSTOMER_INACTIVE',
    `客户 ${c.code} ${c.name} 已于 ${dateText(c.deactivatedAt, core.config.STEWARD_TIMEZONE)} 停用, 原因: ${c.deactivationReason ?? '未填写'}${memo}。不能新建订单或预留; 如需恢复合作请先「启用客户 ${c.code}」。`,
    { code: c.code, reason: c.deactivationReason, deactivatedAt: c.deactivatedAt },
  );
}
