import type Koa from 'koa';
import type { CurrentAdmin } from 'adminjs';
import type { Actor, Core, OperatorLike } from '../../core/context.js';
import { ROLE_LABELS } from '../../core/permissions.js';
import type { Operator, Role } from '../../models/index.js';
import { credentialStamp } from '../../core/credentials/sessions.js';
import { newSessionId, sessionStore } from './session-store.js';

/** The logged-in operator as AdminJS sees it (kept server-side in admin_sessions): ids and labels, never a hash or a secret. */
export interface SessionUser extends CurrentAdmin {
  id: string;
  email: string;
  title: string;
  operatorId: number;
  displayName: string;
  roles: Role[];
}

export const SESSION_COOKIE = 'steward.admin';
const ADMIN_PATH = '/admin';

/** The session form of an operator (AdminJS shows `email` and `title` in the top bar). */
export function sessionUser(op: Operator): SessionUser {
  const roles = op.roleList();
  return {
    id: String(op.id),
    email: op.email ?? '',
    operatorId: op.id,
    displayName: op.displayName,
    roles,
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
  return {
    id: user.operatorId,
    displayName: user.displayName ?? user.email ?? '',
    active: true,
    roleList: () => roles,
  };
}

/** The core actor for a back-office request: the logged-in operator, door `admin`. */
export function adminActor(current: CurrentAdmin | undefined | null, requestId?: string): Actor {
  return { operator: operatorOf(current), door: 'admin', ...(requestId ? { requestId } : {}) };
}

/**
 * koa-session options: the cookie holds only a random session id (signed, httpOnly, SameSite=Lax,
 * path /admin); what the session knows lives in `admin_sessions`, so it can be ended server-side.
 * The cookie is written only for a logged-in session: an anonymous request never replaces it.
 */
export function sessionOptions(core: Core, maxAgeMs: number) {
  const cookie = {
    maxAge: maxAgeMs,
    signed: true,
    httpOnly: true,
    sameSite: 'lax' as const,
    path: ADMIN_PATH,
    overwrite: true,
    // Behind TLS (PUBLIC_URL https) the cookie is Secure; config requires TRUST_PROXY then, so koa reads X-Forwarded-Proto.
    secure: core.config.PUBLIC_URL.startsWith('https://'),
  };
  return {
    key: SESSION_COOKIE,
    ...cookie,
    renew: true,
    rolling: false,
    store: sessionStore(core),
    genid: newSessionId,
    externalKey: {
      get: (ctx: Koa.Context) => ctx.cookies.get(SESSION_COOKIE, { signed: true }),
      set: (ctx: Koa.Context, sid: string) => {
        // AdminJS's login calls session.save() without awaiting it; koa-session's own commit sets the cookie in time.
        if (ctx.headerSent) return;
        if ((ctx.session as { adminUser?: unknown } | null)?.adminUser) ctx.cookies.set(SESSION_COOKIE, sid, cookie);
        // A session that just ended forgets its cookie; a request that came without one sets none.
        else if (ctx.cookies.get(SESSION_COOKIE))
          ctx.cookies.set(SESSION_COOKIE, '', { ...cookie, maxAge: 0, expires: new Date(0) });
      },
    },
  };
}

/** What the session row keeps next to the user: the credentials it was granted under, when the password was last typed. */
export interface SessionExtras {
  stamp?: string;
  passwordAt?: number;
  mustChangePassword?: boolean;
}

/**
 * Reloads the logged-in operator on every back-office request. A session granted under another
 * password, other roles or while active ends here (every session of that operator then fails
 * the same check); a changed display name is picked up.
 */
export function reloadOperator(core: Core): Koa.Middleware {
  return async function reloadOperator(ctx, next) {
    const session = ctx.session as (SessionExtras & { adminUser?: SessionUser }) | null;
    const user = session?.adminUser;
    if (session && user?.operatorId) {
      const op = await core.models.Operator.findByPk(user.operatorId);
      if (!op || !op.active || !op.passwordHash || credentialStamp(op) !== session.stamp) {
        ctx.state.log?.info(
          { operatorId: user.operatorId },
          'admin session ended: operator gone, inactive, or credentials changed',
        );
        // Not `ctx.session = null`: AdminJS's routes insist on a session object.
        session.adminUser = undefined;
      } else {
        const fresh = sessionUser(op);
        if (JSON.stringify(fresh) !== JSON.stringify(user)) session.adminUser = fresh;
      }
    }
    await next();
  };
}
