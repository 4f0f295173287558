import type { Actor } from '../context.js';
import { DomainError } from '../errors.js';
import { can } from '../permissions.js';

/**
 * What a deleted customer's code answers: 「C… 已删除 (在回收站, 可「恢复客户 C…」)」 to someone
 * who may restore it, and 「C… 已删除」 with whom to ask to anyone else. `then` says what it
 * means for the request (不能修改…).
 */
export function deletedText(actor: Pick<Actor, 'operator'>, code: string, then?: string): string {
  const tail = then ? `, ${then}` : '';
  if (can(actor.operator, 'restore')) return `${code} 已删除 (在回收站, 可「恢复客户 ${code}」)${tail}。`;
  return `${code} 已删除${tail}。如需恢复, 请联系审批人或管理员。`;
}

/** CUSTOMER_DELETED with deletedText. */
export function deletedError(actor: Pick<Actor, 'operator'>, code: string, then?: string): DomainError {
  return new DomainError('CUSTOMER_DELETED', deletedText(actor, code, then), { code });
}
