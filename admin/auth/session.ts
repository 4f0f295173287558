import type Koa from 'koa';
import type { CurrentAdmin } from 'adminjs';
import type { Actor, Core, OperatorLike } from '../../core/context.js';
import { ROLE_LABELS } from '../../core/permissions.js';
import type { Operator, Role } from '../../models/index.js';

/** What the signed session cookie holds: ids and labels only, never a hash or a secret. */
export interface SessionUser extends CurrentAdmin {
  id: string;
  email: string;
  title: string;
  operatorId: number;
  displayName: string;
  roles: Role[];
}

export const SESSION_COOKIE = 'steward.admin';

/** The session form of an operator (AdminJS shows `email` and `title` in the top bar). */
export function sessionUser(op: Operator): SessionUser {
  const roles = op.roleList();
  return {
    id: String(op.id), email: op.email ?? '', operatorId: op.id, displayName: op.displayName, roles,
    title: `${op.displayName} · ${roles.map((r) => ROLE_LABELS[r]).join('/') || '无角色'}`,
  };
}

/**
 * The operator behind a session. Its roles were reloaded from the database at the start of this
 * request (see `reloadOperator`), so a role taken away or an account deactivated applies at once.
 */
export function operatorOf(current: CurrentAdmin | undefined | null): OperatorLike {
  const user = current as Partial<SessionUser> | undefined;
  if (!user?.operatorId) return { id: null, displayName: '未登录', active: false, roleList: () => [] };
  const roles = [...(user.roles ?? [])];
  return { id: user.operatorId, displayName: user.displayName ?? user.email ?? '', active: true, roleList: () => roles };
}

/** The core actor for a back-office request: the logged-in operator, door `admin`. */
export function adminActor(current: CurrentAdmin | undefined | null, requestId?: string): Actor {
  return { operator: operatorOf(current), door: 'admin', ...(requestId ? { requestId } : {}) };
}

/** koa-session options: a signed, httpOnly, SameSite=Lax cookie that expires after `maxAgeMs`. */
export function sessionOptions(core: Core, maxAgeMs: number) {
  return {
    key: SESSION_COOKIE,
    maxAge: maxAgeMs,
    signed: true,
    httpOnly: true,
    sameSite: 'lax' as const,
    // Behind TLS (PUBLIC_URL https) the cookie is Secure; config requires TRUST_PROXY then, so koa reads X-Forwarded-Proto.
    secure: core.config.PUBLIC_URL.startsWith('https://'),
    renew: true,
    rolling: false,
  };
}

/**
 * Reloads the logged-in operator on every back-office request. An operator who was deleted,
 * deactivated or lost their password meanwhile is logged out; role changes apply immediately.
 */
export function reloadOperator(core: Core): Koa.Middleware {
  return async function reloadOperator(ctx, next) {
    const user = ctx.session?.adminUser as SessionUser | undefined;
    if (user?.operatorId) {
      const op = await core.models.Operator.findByPk(user.operatorId);
      if (!op || !op.active || !op.passwordHash) {
        ctx.state.log?.info({ operatorId: user.operatorId }, 'admin session dropped: operator gone or inactive');
        ctx.session!.adminUser = undefined;
      } else {
        const fresh = sessionUser(op);
        if (JSON.stringify(fresh) !== JSON.stringify(user)) ctx.session!.adminUser = fresh;
      }
    }
    await next();
  };
}
