import type Koa from 'koa';
import type Router from '@koa/router';
import type { Core } from '../../core/context.js';
import { changeOwnPassword } from '../../core/credentials/admin-account.js';
import { isDomainError } from '../../core/errors.js';
import { adminActor, type SessionExtras, type SessionUser } from './session.js';

export const PASSWORD_PATH = '/steward/password';

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function page(root: string, message: string, error: boolean): string {
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><link rel="icon" href="${root}/steward/favicon.svg"><title>修改密码 · 客户主数据管家</title>
<style>body{font-family:system-ui,"PingFang SC","Microsoft YaHei",sans-serif;max-width:420px;margin:48px auto;padding:0 16px}label{display:block;margin:12px 0 4px}input{width:100%;padding:6px;font-size:16px}button{margin-top:16px;padding:8px 20px;font-size:16px}.msg{padding:10px;background:#f4f4f5}.err{background:#fdecea}</style></head>
<body><h2>请设置新密码</h2><p class="msg${error ? ' err' : ''}" role="${error ? 'alert' : 'status'}">${esc(message)}</p>
<form method="post" action="${root}${PASSWORD_PATH}"><label for="password">新密码 (至少 8 位)</label><input id="password" name="password" type="password" autocomplete="new-password" required minlength="8">
<label for="password2">再输入一次</label><input id="password2" name="password2" type="password" autocomplete="new-password" required minlength="8">
<button type="submit">保存新密码</button></form><p><a href="${root}/logout">退出登录</a></p></body></html>`;
}

type Session = SessionExtras & { adminUser?: SessionUser };

/** Sends an operator who logged in with a one-time password to 修改密码 before anything else. */
export function mustChangeFirst(root: string): Koa.Middleware {
  return async function mustChangeFirst(ctx, next) {
    const session = ctx.session as Session | null;
    // The two-step pages come first (see second-factor.ts); then the password.
    const free = [PASSWORD_PATH, '/logout', '/login', '/steward/2fa', '/steward/2fa-setup'].some(
      (p) => ctx.path === `${root}${p}`,
    );
    if (!session?.adminUser || !session.mustChangePassword || free || ctx.path.startsWith(`${root}/frontend/`))
      return next();
    if (ctx.path.startsWith(`${root}/api/`)) {
      ctx.status = 403;
      ctx.body = { error: { code: 'PASSWORD_CHANGE_REQUIRED', message: '请先修改一次性密码, 再继续操作。' } };
      return;
    }
    ctx.redirect(`${root}${PASSWORD_PATH}`);
  };
}

/**
 * 修改密码: a page of our own (AdminJS has none), after a one-time password. Saving ends every
 * session of the operator, this one included, and sends them to log in with the new password.
 */
export function passwordRoutes(core: Core, router: Router, root: string): void {
  router.get(PASSWORD_PATH, (ctx) => {
    const session = ctx.session as Session | null;
    if (!session?.adminUser) return ctx.redirect(`${root}/login`);
    // Only after a one-time password: a voluntary change would need the current password, which admins set in 操作员.
    if (!session.mustChangePassword) return ctx.redirect(root);
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = page(root, '您使用的是一次性密码, 请先设置自己的新密码。保存后需要用新密码重新登录。', false);
  });
  router.post(PASSWORD_PATH, async (ctx) => {
    const session = ctx.session as Session | null;
    const user = session?.adminUser;
    if (!user) return ctx.redirect(`${root}/login`);
    if (!session.mustChangePassword) return ctx.redirect(root);
    const body = (ctx.request as { body?: Record<string, unknown> }).body ?? {};
    const [password, again] = [String(body.password ?? ''), String(body.password2 ?? '')];
    ctx.type = 'text/html; charset=utf-8';
    if (password !== again) {
      ctx.status = 400;
      ctx.body = page(root, '两次输入的新密码不一致, 请重新输入。', true);
      return;
    }
    try {
      await changeOwnPassword(
        core,
        adminActor(user, ctx.state.requestId as string | undefined),
        user.operatorId,
        password,
      );
    } catch (err) {
      if (!isDomainError(err)) throw err;
      ctx.status = 400;
      ctx.body = page(root, err.message, true);
      return;
    }
    session.adminUser = undefined;
    ctx.redirect(`${root}/login`);
  });
}
