import type Koa from 'koa';
import type { Core } from '../../core/context.js';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
const FOREIGN = new Set(['cross-site', 'same-site']);

/** The origin part of a URL, or null when it is not one. */
function originOf(value: string | undefined): string | null {
  if (!value) return null;
  try {
    return new URL(value).origin;
  } catch {
    return null;
  }
}

function refuse(ctx: Koa.Context, message: string): void {
  ctx.status = 403;
  ctx.type = 'text/plain; charset=utf-8';
  ctx.body = message;
}

export const FOREIGN_MESSAGE = '请求来自其他网站, 已拒绝。请直接在后台页面里操作。';
export const NO_ORIGIN_MESSAGE =
  '请求没有标明来源 (Origin/Referer), 已拒绝。请在浏览器里打开后台页面操作; 若经过代理, 请让代理保留 Origin 头。';

/**
 * CSRF defence for the back office: every state-changing request must name our own origin
 * (the request's, or PUBLIC_URL's) in Origin, else Referer. SameSite=Lax cookies still ride along
 * from another port of the same host, and every browser names the page's origin on a POST, so a
 * request naming none is refused too. Runs before the session is read, so a refused request can
 * neither act nor touch the session cookie. Logging out (a GET link) is refused from other sites.
 */
export function sameOriginOnly(core: Core): Koa.Middleware {
  const publicOrigin = originOf(core.config.PUBLIC_URL);
  return async function sameOriginOnly(ctx, next) {
    if (SAFE.has(ctx.method)) {
      if (ctx.path.endsWith('/logout') && FOREIGN.has(ctx.get('sec-fetch-site'))) {
        ctx.redirect('/admin');
        return;
      }
      return next();
    }
    const claimed = ctx.get('origin') ? (originOf(ctx.get('origin')) ?? 'null') : originOf(ctx.get('referer'));
    if (claimed === null) return refuse(ctx, NO_ORIGIN_MESSAGE);
    if (claimed !== ctx.origin && claimed !== publicOrigin) return refuse(ctx, FOREIGN_MESSAGE);
    if (FOREIGN.has(ctx.get('sec-fetch-site'))) return refuse(ctx, FOREIGN_MESSAGE);
    await next();
  };
}
