import type { ParameterizedContext } from 'koa';
import type { Core } from '../../core/context.js';
import { verifyPassword } from '../../core/operators.js';
import { LOGIN_LIMITS, LoginThrottle, loginKeys } from './throttle.js';
import { sessionUser, type SessionUser } from './session.js';

const MAX_PASSWORD = 1024;

/**
 * Checks an email and password for the login form. Wrong email, wrong password, inactive
 * account and throttled attempts all answer the same null, so the page reveals nothing about
 * which accounts exist; a throttled attempt is marked on `ctx.state` for the page's message.
 */
export function authenticator(core: Core, throttle = new LoginThrottle(core), limits = LOGIN_LIMITS) {
  return async function authenticate(email: string, password: string, ctx?: ParameterizedContext): Promise<SessionUser | null> {
    const normalized = String(email ?? '').trim().toLowerCase().slice(0, 200);
    const keys = loginKeys(ctx?.ip ?? 'unknown', normalized, limits);
    const log = ctx?.state.log ?? core.logger;
    const wait = await throttle.blockedFor(keys);
    if (wait > 0) {
      if (ctx) ctx.state.loginBlockedMs = wait;
      log.warn({ ip: ctx?.ip }, 'admin login throttled');
      return null;
    }
    const op = normalized ? await core.models.Operator.findOne({ where: { email: normalized } }) : null;
    // Always one scrypt, also for unknown accounts: timing must not tell whether the email exists.
    const ok = await verifyPassword(String(password ?? '').slice(0, MAX_PASSWORD), op?.passwordHash);
    if (!ok || !op || !op.active) {
      await throttle.recordFailure(keys);
      log.warn({ ip: ctx?.ip }, 'admin login failed');
      return null;
    }
    await throttle.clear(keys[1]!.key);
    log.info({ operatorId: op.id }, 'admin login');
    return sessionUser(op);
  };
}
