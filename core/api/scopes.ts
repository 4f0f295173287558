import type { Role } from '../../models/index.js';
import type { Actor } from '../context.js';
import { DomainError } from '../errors.js';

/** What an API token may be granted (api/types.ts's Scope is the same list). */
export const API_SCOPES = ['customers:read', 'customers:write', 'ledger:read', 'ledger:write'] as const;
export type ApiScope = (typeof API_SCOPES)[number];

export const SCOPE_LABELS: Record<ApiScope, string> = {
  'customers:read': '读取客户',
  'customers:write': '新建/修改/停用/启用/申请删除客户',
  'ledger:read': '读取进销存单据',
  'ledger:write': '推送进销存单据',
};

/**
 * Roles a token acts with in core's permission table. Writers get sales and finance together:
 * between them they may create, edit, deactivate, reactivate, request deletion and handle orders
 * and payments, and having finance lifts the 「销售只能停用自己负责的客户」 rule, which is about a
 * person's own accounts and means nothing for a system. Never approver or admin: a token cannot
 * approve a deletion, restore, purge or manage people.
 */
export function rolesForScopes(scopes: readonly ApiScope[]): Role[] {
  const roles = new Set<Role>(['viewer']);
  if (scopes.includes('customers:write') || scopes.includes('ledger:write')) {
    roles.add('sales');
    roles.add('finance');
  }
  return [...roles];
}

/** The actor core functions see for a call made with a token: door `api`, named `API:<token>`. */
export function apiActor(tokenName: string, scopes: readonly ApiScope[], requestId?: string): Actor {
  const roles = rolesForScopes(scopes);
  return {
    door: 'api',
    requestId,
    operator: { id: null, displayName: `API:${tokenName}`, active: true, roleList: () => roles },
  };
}

/** Parses `customers:read,ledger:write`; unknown or empty lists are refused in Chinese. */
export function parseScopes(input: string | readonly string[]): ApiScope[] {
  const list = (typeof input === 'string' ? input.split(/[,，\s]+/) : [...input]).map((s) => s.trim()).filter(Boolean);
  const unknown = list.filter((s) => !(API_SCOPES as readonly string[]).includes(s));
  if (unknown.length || !list.length) {
    const what = unknown.length ? `不认识的权限范围: ${unknown.join(', ')}` : '至少需要一个权限范围';
    throw new DomainError('VALIDATION', `${what}。可用: ${API_SCOPES.join(', ')}`, {
      errors: [{ field: 'scopes', message: what }],
    });
  }
  return [...new Set(list)] as ApiScope[];
}
