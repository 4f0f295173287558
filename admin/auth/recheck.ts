import type Koa from 'koa';
import type Router from '@koa/router';
import type { Core } from '../../core/context.js';
import { verifyPassword } from '../../core/credentials/passwords.js';
import { LOGIN_LIMITS, LoginThrottle, loginKeys, type LoginLimits } from '../../core/credentials/throttle.js';
import type { SessionExtras, SessionUser } from './session.js';

/** How long a typed password vouches for the person at the keyboard (seed 000: 输入密码或进行其他身份验证). */
export const RECHECK_AFTER_MS = 10 * 60_000;
export const RECHECK_PATH = '/steward/reauth';

/** Destructive or sensitive back-office actions, by resource: '*' is every POST to that resource. */
const GUARDED: Record<string, string[]> = {
  approval_requests: ['approve'],
  customer_merges: ['approve'],
  recycle_entries: ['purge', 'restore'],
  customers: ['reveal'],
  operators: ['new', 'edit', 'linkIdentity', 'resetPassword', 'unlockLogin'],
  api_tokens: ['*'],
};
const ACTION = /^\/admin\/api\/resources\/([^/]+)\/(?:actions|records\/[^/]+|bulk)\/([^/?]+)$/;

/** Sent to AdminJS's pages: a 401 with this code takes the browser to the password page and back. */
export const RECHECK_JS = `(function () {
  var send = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.send = function () {
    var xhr = this;
    xhr.addEventListener('load', function () {
      if (xhr.status !== 401) return;
      try {
        var e = JSON.parse(xhr.responseText).error;
        if (e && e.code === 'REAUTH_REQUIRED') window.location.assign(e.reauthUrl + '?back=' + encodeURIComponent(location.pathname + location.search));
      } catch (ignored) { /* not ours */ }
    });
    return send.apply(this, arguments);
  };
})();
`;

type Session = SessionExtras & { adminUser?: SessionUser };
const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Where to go back to: a back-office path only (never another site). */
function backPath(root: string, raw: unknown): string {
  const back = String(raw ?? '');
  return back.startsWith(`${root}/`) && !back.startsWith('//') && !/[\r\n\\]/.test(back) ? back : root;
}

function page(root: string, back: string, message: string, error: boolean): string {
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><link rel="icon" href="${root}/steward/favicon.svg"><title>验证身份 · 客户主数据管家</title>
<style>body{font-family:system-ui,"PingFang SC","Microsoft YaHei",sans-serif;max-width:420px;margin:48px auto;padding:0 16px}label{display:block;margin:12px 0 4px}input{width:100%;padding:6px;font-size:16px}button{margin-top:16px;padding:8px 20px;font-size:16px}.msg{padding:10px;background:#f4f4f5}.err{background:#fdecea}</style></head>
<body><h2>请再次输入密码</h2><p class="msg${error ? ' err' : ''}" role="${error ? 'alert' : 'status'}">${esc(message)}</p>
<form method="post" action="${root}${RECHECK_PATH}"><input type="hidden" name="back" value="${esc(back)}"><label for="password">登录密码</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">验证</button></form><p><a href="${esc(back)}">返回</a></p></body></html>`;
}

/** Refuses a guarded action when the password was last typed more than RECHECK_AFTER_MS ago. */
export function recheckBeforeDestructive(core: Core, root: string): Koa.Middleware {
  return async function recheckBeforeDestructive(ctx, next) {
    const m = ctx.method === 'POST' ? ACTION.exec(ctx.path) : null;
    const guarded = m ? GUARDED[decodeURIComponent(m[1]!)] : undefined;
    const session = ctx.session as Session | null;
    if (
      !m ||
      !guarded ||
      !(guarded.includes('*') || guarded.includes(decodeURIComponent(m[2]!))) ||
      !session?.adminUser
    )
      return next();
    if (core.now().getTime() - Number(session.passwordAt ?? 0) <= RECHECK_AFTER_MS) return next();
    ctx.status = 401;
    ctx.body = {
      error: {
        code: 'REAUTH_REQUIRED',
        message: '此操作需要再次输入密码 (上次输入已超过 10 分钟)。验证后请重新操作。',
        reauthUrl: `${root}${RECHECK_PATH}`,
      },
    };
  };
}

/** 验证身份: the password again; wrong ones count against the same login delays as the login form. */
export function recheckRoutes(core: Core, router: Router, root: string, limits: LoginLimits = LOGIN_LIMITS): void {
  const throttle = new LoginThrottle(core);
  router.get(RECHECK_PATH, (ctx) => {
    if (!(ctx.session as Session | null)?.adminUser) return ctx.redirect(`${root}/login`);
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = page(
      root,
      backPath(root, ctx.query.back),
      '删除审批、彻底清除、恢复、查看完整个人信息和管理操作员之前, 需要确认是您本人。验证后请重新操作一次。',
      false,
    );
  });
  router.post(RECHECK_PATH, async (ctx) => {
    const session = ctx.session as Session | null;
    const user = session?.adminUser;
    if (!user) return ctx.redirect(`${root}/login`);
    const body = (ctx.request as { body?: Record<string, unknown> }).body ?? {};
    const back = backPath(root, body.back);
    const keys = loginKeys(ctx.ip, user.email, limits);
    ctx.type = 'text/html; charset=utf-8';
    const wait = await throttle.blockedFor(keys);
    const op = wait > 0 ? null : await core.models.Operator.findByPk(user.operatorId);
    if (wait > 0 || !op || !(await verifyPassword(String(body.password ?? '').slice(0, 1024), op.passwordHash))) {
      if (wait <= 0) await throttle.recordFailure(keys);
      ctx.status = wait > 0 ? 429 : 401;
      ctx.body = page(
        root,
        back,
        wait > 0 ? `密码输错次数过多, 请 ${Math.ceil(wait / 1000)} 秒后再试。` : '密码不正确, 请重新输入。',
        true,
      );
      return;
    }
    await throttle.clear(keys[0]!.key);
    session.passwordAt = core.now().getTime();
    ctx.redirect(back);
  });
}
