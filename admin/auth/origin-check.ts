import type Koa from 'koa';
import type { Core } from '../../core/context.js';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The origin part of a URL, or null when it is not one. */
function originOf(value: string | undefined): string | null {
  if (!value) return null;
  try {
    return new URL(value).origin;
  } catch {
    return null;
  }
}

/**
 * Refuses a state-changing back-office request that a browser says came from another origin.
 * SameSite=Lax cookies still ride along from another port of the same host, so the session alone
 * proves nothing: a browser always names the page's origin on a POST (Origin, else Referer), and it
 * must be ours (the request's own origin or PUBLIC_URL). Clients that send neither are not browsers
 * acting for a logged-in person and are let through to the usual session checks.
 */
export function sameOriginOnly(core: Core): Koa.Middleware {
  const publicOrigin = originOf(core.config.PUBLIC_URL);
  return async function sameOriginOnly(ctx, next) {
    if (SAFE.has(ctx.method)) return next();
    const claimed = ctx.get('origin') ? originOf(ctx.get('origin')) ?? 'null' : originOf(ctx.get('referer'));
    if (claimed !== null && claimed !== ctx.origin && claimed !== publicOrigin) {
      ctx.status = 403;
      ctx.type = 'text/plain; charset=utf-8';
      ctx.body = '请求来自其他网站, 已拒绝。请直接在后台页面里操作。';
      return;
    }
    await next();
  };
}
