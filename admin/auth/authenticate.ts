import type { ParameterizedContext } from 'koa';
import type { Core } from '../../core/context.js';
import type { Logger } from '../../core/logger.js';
import type { Operator } from '../../models/index.js';
import { hashPassword, needsRehash, verifyPassword } from '../../core/credentials/passwords.js';
import { mustChangePassword } from '../../core/credentials/admin-account.js';
import { credentialStamp } from '../../core/credentials/sessions.js';
import { LOGIN_LIMITS, LoginThrottle, loginKeys } from '../../core/credentials/throttle.js';
import { secondFactorAtLogin } from './second-factor.js';
import { sessionUser, type SessionExtras, type SessionUser } from './session.js';

const MAX_PASSWORD = 1024;

/** The email as stored: trimmed, lower case, at most 200 characters. */
function normalizedEmail(email: string): string {
  return String(email ?? '')
    .trim()
    .toLowerCase()
    .slice(0, 200);
}

/** The active operator this email and password belong to, with the password as checked; else null. */
async function activeOperator(
  core: Core,
  normalized: string,
  password: string,
): Promise<{ op: Operator; typed: string } | null> {
  const op = normalized ? await core.models.Operator.findOne({ where: { email: normalized } }) : null;
  const typed = String(password ?? '').slice(0, MAX_PASSWORD);
  // Always one scrypt, also for unknown accounts: timing must not tell whether the email exists.
  const ok = await verifyPassword(typed, op?.passwordHash);
  return ok && op && op.active ? { op, typed } : null;
}

/** Replaces a hash made with weaker scrypt parameters now that the password is known. */
async function rehash(core: Core, op: Operator, typed: string, log: Logger): Promise<void> {
  // Only if nobody changed the password meanwhile; a rehash ends the operator's other sessions once.
  const [changed] = await core.models.Operator.update(
    { passwordHash: await hashPassword(typed) },
    { where: { id: op.id, passwordHash: op.passwordHash } },
  );
  if (changed) await op.reload();
  log.info({ operatorId: op.id }, 'admin password rehashed with current scrypt parameters');
}

/** Fills the new session: credential stamp, password age, forced change and the second factor's state. */
async function startSession(core: Core, ctx: ParameterizedContext, op: Operator): Promise<void> {
  const extras: SessionExtras = {
    stamp: credentialStamp(op),
    passwordAt: core.now().getTime(),
    mustChangePassword: await mustChangePassword(core, op.id),
  };
  Object.assign(ctx.session!, extras, await secondFactorAtLogin(core, op));
  // Lets the session store create this session's row (see session-store.ts).
  ctx.state.adminLogin = op.id;
}

/**
 * Checks an email and password for the login form. Wrong email, wrong password, inactive
 * account and delayed attempts all answer the same null, so the page reveals nothing about
 * which accounts exist; a delayed attempt is marked on `ctx.state` for the page's message.
 * A hash made with weaker scrypt parameters is replaced now that the password is known.
 */
export function authenticator(core: Core, throttle = new LoginThrottle(core), limits = LOGIN_LIMITS) {
  return async function authenticate(
    email: string,
    password: string,
    ctx?: ParameterizedContext,
  ): Promise<SessionUser | null> {
    const normalized = normalizedEmail(email);
    const keys = loginKeys(ctx?.ip ?? 'unknown', normalized, limits);
    const log = ctx?.state.log ?? core.logger;
    const wait = await throttle.blockedFor(keys);
    if (wait > 0) {
      if (ctx) ctx.state.loginBlockedMs = wait;
      log.warn({ ip: ctx?.ip }, 'admin login delayed');
      return null;
    }
    const found = await activeOperator(core, normalized, password);
    if (!found) {
      await throttle.recordFailure(keys);
      log.warn({ ip: ctx?.ip }, 'admin login failed');
      return null;
    }
    const { op, typed } = found;
    await throttle.clear(keys[0]!.key);
    if (needsRehash(op.passwordHash)) await rehash(core, op, typed, log);
    if (ctx?.session) await startSession(core, ctx, op);
    log.info({ operatorId: op.id }, 'admin login');
    return sessionUser(op);
  };
}
