import type Koa from 'koa';
import type Router from '@koa/router';
import QRCode from 'qrcode';
import type { Core } from '../../core/context.js';
import { isDomainError } from '../../core/errors.js';
import { checkTotp, enrolTotp, newTotpSecret, totpEnrolled, totpUri } from '../../core/credentials/totp.js';
import { LOGIN_LIMITS, LoginThrottle, loginKeys, type LoginLimits } from '../../core/credentials/throttle.js';
import type { Operator } from '../../models/index.js';
import { adminActor, type SessionExtras, type SessionUser } from './session.js';

export const TOTP_PATH = '/steward/2fa';
export const TOTP_SETUP_PATH = '/steward/2fa-setup';

/** What the session knows about the second factor between the password and the code. */
export interface SecondFactorState {
  totpPending?: boolean;
  totpEnrolRequired?: boolean;
  totpSetupSecret?: string;
}
type Session = SessionExtras & SecondFactorState & { adminUser?: SessionUser };

/** At login: whether this operator still owes a code, or must enrol first (ADMIN_2FA=required, admins and approvers). */
export async function secondFactorAtLogin(core: Core, op: Operator): Promise<SecondFactorState> {
  if (await totpEnrolled(core, op.id)) return { totpPending: true };
  const bound = op.roleList().some((r) => r === 'admin' || r === 'approver');
  return core.config.ADMIN_2FA === 'required' && bound ? { totpEnrolRequired: true } : {};
}

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function page(
  root: string,
  title: string,
  intro: string,
  action: string,
  message: string,
  error: boolean,
  extra = '',
): string {
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><link rel="icon" href="${root}/steward/favicon.svg"><title>${esc(title)} · 客户主数据管家</title>
<style>body{font-family:system-ui,"PingFang SC","Microsoft YaHei",sans-serif;max-width:420px;margin:48px auto;padding:0 16px}label{display:block;margin:12px 0 4px}input{width:100%;padding:6px;font-size:20px;letter-spacing:4px}button{margin-top:16px;padding:8px 20px;font-size:16px}.msg{padding:10px;background:#f4f4f5}.err{background:#fdecea}code{word-break:break-all}</style></head>
<body><h2>${esc(title)}</h2><p>${esc(intro)}</p>${message ? `<p class="msg${error ? ' err' : ''}" role="${error ? 'alert' : 'status'}">${esc(message)}</p>` : ''}${extra}
<form method="post" action="${root}${action}"><label for="code">验证器 App 中的 6 位验证码</label><input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 ]{6,7}" required>
<button type="submit">确认</button></form><p><a href="${root}/logout">退出登录</a></p></body></html>`;
}

/** Until the code is entered (or the factor enrolled where required), only these pages are open. */
export function secondFactorFirst(root: string): Koa.Middleware {
  return async function secondFactorFirst(ctx, next) {
    const s = ctx.session as Session | null;
    if (!s?.adminUser || !(s.totpPending || s.totpEnrolRequired)) return next();
    const target = s.totpPending ? `${root}${TOTP_PATH}` : `${root}${TOTP_SETUP_PATH}`;
    if (
      ctx.path === target ||
      ctx.path === `${root}/logout` ||
      ctx.path === `${root}/login` ||
      ctx.path.startsWith(`${root}/frontend/`)
    )
      return next();
    if (ctx.path.startsWith(`${root}/api/`)) {
      ctx.status = 403;
      ctx.body = { error: { code: 'SECOND_FACTOR_REQUIRED', message: '请先完成两步验证, 再继续操作。' } };
      return;
    }
    ctx.redirect(target);
  };
}

function sendHtml(ctx: Koa.Context, status: number, body: string): void {
  ctx.status = status;
  ctx.type = 'text/html; charset=utf-8';
  ctx.body = body;
}

/** The enrolment page: the QR code, the secret for typing in by hand, and the code form. */
async function setupPage(root: string, email: string, secret: string, msg = '', err = false): Promise<string> {
  const svg = await QRCode.toString(totpUri(email, secret), { type: 'svg', margin: 1, width: 220 });
  const qr = `<p><img alt="两步验证二维码" width="220" height="220" src="data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}"></p><p>无法扫码时手动输入密钥: <code>${esc(secret)}</code></p>`;
  return page(
    root,
    '开启两步验证',
    '用手机上的验证器 App (如 Microsoft Authenticator、Google 身份验证器、腾讯身份验证器) 扫描二维码, 再输入 App 显示的 6 位验证码。',
    TOTP_SETUP_PATH,
    msg,
    err,
    qr,
  );
}

/** The code page after the password; wrong codes are throttled like passwords. */
function verifyRoutes(core: Core, router: Router, root: string, limits: LoginLimits): void {
  const throttle = new LoginThrottle(core);
  const verifyPage = (msg = '', err = false) => page(root, '两步验证', '您的账号已开启两步验证。', TOTP_PATH, msg, err);
  router.get(TOTP_PATH, (ctx) => {
    const s = ctx.session as Session | null;
    if (!s?.adminUser) return ctx.redirect(`${root}/login`);
    if (!s.totpPending) return ctx.redirect(root);
    sendHtml(ctx, 200, verifyPage());
  });
  router.post(TOTP_PATH, async (ctx) => {
    const s = ctx.session as Session | null;
    if (!s?.adminUser?.operatorId || !s.totpPending) return ctx.redirect(s?.adminUser ? root : `${root}/login`);
    const keys = loginKeys(ctx.ip, `totp:${s.adminUser.email}`, limits);
    const wait = await throttle.blockedFor(keys);
    if (wait > 0)
      return sendHtml(ctx, 429, verifyPage(`验证码输错次数过多, 请 ${Math.ceil(wait / 1000)} 秒后再试。`, true));
    const code = String((ctx.request as { body?: Record<string, unknown> }).body?.code ?? '');
    if (!(await checkTotp(core, s.adminUser.operatorId, code))) {
      await throttle.recordFailure(keys);
      return sendHtml(ctx, 401, verifyPage('验证码不对, 请输入验证器 App 里当前显示的 6 位数字。', true));
    }
    await throttle.clear(keys[0]!.key);
    s.totpPending = false;
    ctx.redirect(root);
  });
}

/** Enrolment: show a new secret as a QR code, and keep it once a code proves the app has it. */
function enrolRoutes(core: Core, router: Router, root: string): void {
  router.get(TOTP_SETUP_PATH, async (ctx) => {
    const s = ctx.session as Session | null;
    if (!s?.adminUser) return ctx.redirect(`${root}/login`);
    if (s.totpPending) return ctx.redirect(`${root}${TOTP_PATH}`);
    // The secret waits in the (server-side) session until a code proves the app has it.
    s.totpSetupSecret ??= newTotpSecret();
    const why = s.totpEnrolRequired ? '本系统要求管理员和审批人开启两步验证。' : '';
    sendHtml(ctx, 200, await setupPage(root, s.adminUser.email, s.totpSetupSecret, why));
  });
  router.post(TOTP_SETUP_PATH, async (ctx) => {
    const s = ctx.session as Session | null;
    const user = s?.adminUser;
    if (!user || !s.totpSetupSecret || s.totpPending)
      return ctx.redirect(user ? `${root}${TOTP_SETUP_PATH}` : `${root}/login`);
    const code = String((ctx.request as { body?: Record<string, unknown> }).body?.code ?? '');
    try {
      await enrolTotp(
        core,
        adminActor(user, ctx.state.requestId as string | undefined),
        user.operatorId,
        s.totpSetupSecret,
        code,
      );
    } catch (err) {
      if (!isDomainError(err)) throw err;
      return sendHtml(ctx, 400, await setupPage(root, user.email, s.totpSetupSecret, err.message, true));
    }
    s.totpSetupSecret = undefined;
    s.totpEnrolRequired = false;
    ctx.redirect(root);
  });
}

/** 两步验证: the code after the password, and enrolment with a QR code (offered to everyone, required by ADMIN_2FA=required). */
export function secondFactorRoutes(core: Core, router: Router, root: string, limits: LoginLimits = LOGIN_LIMITS): void {
  verifyRoutes(core, router, root, limits);
  enrolRoutes(core, router, root);
}
