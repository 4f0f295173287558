import crypto from 'node:crypto';
import type Koa from 'koa';
import type { Core } from '../../core/context.js';

const CSRF_COOKIE = 'steward_page_csrf';
const SESSION_COOKIE = 'steward_approver';
/** How long a proven approver may act in this browser without a new code. */
export const SESSION_MS = 30 * 60_000;

function mac(core: Core, purpose: string, data: string): string {
  return crypto.createHmac('sha256', `${purpose}:${core.keys.sessionSecret}`).update(data).digest('base64url');
}

function same(a: string, b: string): boolean {
  return a.length === b.length && crypto.timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

function cookieOptions(ctx: Koa.Context, maxAge: number) {
  // Strict: a form posted from another site carries neither cookie.
  return {
    httpOnly: true,
    sameSite: 'strict' as const,
    path: '/',
    secure: ctx.secure,
    overwrite: true,
    signed: false,
    maxAge,
  };
}

/**
 * The CSRF token for a form about `scope` (e.g. `approval:12`): bound to a random cookie of this
 * browser, set now when missing. Another site can neither read the cookie nor forge the token.
 */
export function csrfToken(ctx: Koa.Context, core: Core, scope: string): string {
  let seed = ctx.cookies.get(CSRF_COOKIE) ?? '';
  if (!/^[\w-]{24}$/.test(seed)) {
    seed = crypto.randomBytes(18).toString('base64url');
    ctx.cookies.set(CSRF_COOKIE, seed, cookieOptions(ctx, 7 * 86400_000));
  }
  return mac(core, 'page-csrf', `${seed}|${scope}`);
}

/** True when the posted token matches this browser's cookie and the scope. */
export function csrfValid(ctx: Koa.Context, core: Core, scope: string, token: string | null): boolean {
  const seed = ctx.cookies.get(CSRF_COOKIE) ?? '';
  if (!/^[\w-]{24}$/.test(seed) || !token) return false;
  return same(token, mac(core, 'page-csrf', `${seed}|${scope}`));
}

function originOf(value: string): string | null {
  try {
    return new URL(value).origin;
  } catch {
    return null;
  }
}

/**
 * True when a browser says the POST came from another origin (Origin, else Referer), as the
 * back office checks it; ours is the request's own origin or PUBLIC_URL's.
 */
export function foreignOrigin(ctx: Koa.Context, core: Core): boolean {
  const origin = ctx.get('origin');
  const claimed = origin ? (originOf(origin) ?? 'null') : ctx.get('referer') ? originOf(ctx.get('referer')) : null;
  if (claimed === null) return false;
  return claimed !== ctx.origin && claimed !== originOf(core.config.PUBLIC_URL ?? '');
}

/** Marks this browser as operator `operatorId` for SESSION_MS (after a correct one-time code). */
export function startSession(ctx: Koa.Context, core: Core, operatorId: number): void {
  const body = `${operatorId}.${core.now().getTime() + SESSION_MS}`;
  ctx.cookies.set(SESSION_COOKIE, `${body}.${mac(core, 'approver-session', body)}`, cookieOptions(ctx, SESSION_MS));
}

/** The operator this browser proved to be within the last SESSION_MS, or null. */
export function sessionOperator(ctx: Koa.Context, core: Core): number | null {
  const m = /^(\d{1,10})\.(\d{1,15})\.([\w-]{43})$/.exec(ctx.cookies.get(SESSION_COOKIE) ?? '');
  if (!m || !same(m[3]!, mac(core, 'approver-session', `${m[1]}.${m[2]}`))) return null;
  return Number(m[2]) > core.now().getTime() ? Number(m[1]) : null;
}
