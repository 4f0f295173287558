import type Koa from 'koa';
import type AdminJS from 'adminjs';
import type { Core } from '../../core/context.js';

const ACTION_PATH =
  /^\/admin(?:\/api)?\/resources\/([^/]+)(?:\/actions\/([^/?]+)|\/records\/[^/]+\/([^/?]+)|\/bulk\/([^/?]+))\/?$/;

/**
 * With PUBLIC_URL on https, a plain-http request is sent to the https address (GET) or refused
 * with a reason (anything else), instead of failing on the Secure session cookie.
 */
export function httpsOnly(core: Core): Koa.Middleware {
  const publicUrl = core.config.PUBLIC_URL;
  const required = publicUrl.startsWith('https://');
  return async function httpsOnly(ctx, next) {
    if (!required || ctx.secure) return next();
    if (ctx.method === 'GET' || ctx.method === 'HEAD') {
      ctx.status = 308;
      ctx.redirect(new URL(ctx.originalUrl, publicUrl).toString());
      return;
    }
    ctx.status = 400;
    ctx.type = 'text/plain; charset=utf-8';
    ctx.body = `后台只能通过 HTTPS 访问: 请打开 ${new URL('/admin', publicUrl).toString()}。若已在用 HTTPS, 请确认反向代理发送了 X-Forwarded-Proto 且设置了 TRUST_PROXY=true。`;
  };
}

/** 404 with a Chinese answer for a resource or action name AdminJS does not have (it would throw a 500). */
export function unknownActionAs404(admin: AdminJS): Koa.Middleware {
  return async function unknownActionAs404(ctx, next) {
    const m = ACTION_PATH.exec(ctx.path);
    if (m) {
      const [, resourceId, ...names] = m;
      const action = decodeURIComponent(names.find(Boolean) ?? '');
      const resource = admin.resources.find((r) => r.decorate().id() === decodeURIComponent(resourceId!));
      const known = resource ? Object.prototype.hasOwnProperty.call(resource.decorate().actions, action) : false;
      if (!known) {
        ctx.status = 404;
        const message = resource
          ? `没有名为「${action.slice(0, 60)}」的操作。请从页面上的按钮进入。`
          : `没有名为「${decodeURIComponent(resourceId!).slice(0, 60)}」的数据表。请从左侧菜单进入。`;
        if (ctx.path.startsWith('/admin/api/')) ctx.body = { error: { code: 'NOT_FOUND', message } };
        else {
          ctx.type = 'text/plain; charset=utf-8';
          ctx.body = message;
        }
        return;
      }
    }
    await next();
  };
}

/** AdminJS's token refresh needs an auth provider we do not use: without one it is a plain 401, not a 500. */
export function refreshTokenRefused(ctx: Koa.Context): void {
  ctx.status = 401;
  ctx.body = { error: { code: 'UNAUTHENTICATED', message: '后台不使用令牌续期; 登录过期时请重新登录。' } };
}
