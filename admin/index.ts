import fs from 'node:fs';
import path from 'node:path';
import Router from '@koa/router';
import AdminJS, { type CurrentAdmin } from 'adminjs';
import { buildAuthenticatedRouter } from '@adminjs/koa';
import type Koa from 'koa';
import type { ApprovalNotifier } from '../core/notify-port.js';
import type { Core } from '../core/context.js';
import type { Mount } from '../cli/server/app.js';
import { authenticator } from './auth/authenticate.js';
import { reloadOperator, sessionOptions } from './auth/session.js';
import { LOGIN_LIMITS, LoginThrottle } from './auth/throttle.js';
import { COMPONENTS, componentFiles, componentLoader } from './components.js';
import { dashboardData } from './dashboard.js';
import { locale } from './locale/index.js';
import { sameOriginOnly } from './auth/origin-check.js';
import { buildResources } from './resources/index.js';
import { dataRoutes, formidableOptions, uploadGuard } from './data/routes.js';
import { ZH_PATCH } from './zh-patch.js';

export const ADMIN_ROOT = '/admin';

export interface AdminOptions {
  /** How long a login lasts; the browser is sent back to the login page after it. */
  sessionMaxAgeMs?: number;
  limits?: typeof LOGIN_LIMITS;
  /** Tells approvers about deletion requests made here (the bot's notifier, from the composition root). */
  notifier?: ApprovalNotifier;
}

/** The AdminJS instance: resources, Chinese texts, the dashboard. No routes yet. */
export function buildAdminJS(core: Core, notifier?: ApprovalNotifier): AdminJS {
  return new AdminJS({
    rootPath: ADMIN_ROOT,
    loginPath: `${ADMIN_ROOT}/login`,
    logoutPath: `${ADMIN_ROOT}/logout`,
    resources: buildResources(core, notifier),
    componentLoader: componentLoader(),
    dashboard: {
      component: COMPONENTS.Dashboard,
      handler: async (_request, _response, context) => dashboardData(core, context.currentAdmin as CurrentAdmin | undefined, ADMIN_ROOT),
    },
    locale,
    branding: { companyName: '客户主数据管家', logo: false, withMadeWithLove: false, favicon: `${ADMIN_ROOT}/steward/favicon.svg` },
    settings: { defaultPerPage: 20 },
    assets: { scripts: [`${ADMIN_ROOT}/steward/zh.js`] },
  });
}

/**
 * In development AdminJS serves `.adminjs/bundle.js` as it finds it; drop it when a component
 * is newer so the next request rebuilds it. In production `initialize()` writes it at start.
 */
async function prepareBundle(admin: AdminJS): Promise<void> {
  if (process.env.NODE_ENV === 'production') {
    await admin.initialize();
    return;
  }
  const bundle = path.resolve(process.env.ADMIN_JS_TMP_DIR ?? '.adminjs', 'bundle.js');
  const built = fs.statSync(bundle, { throwIfNoEntry: false })?.mtimeMs;
  if (built !== undefined && componentFiles().some((f) => fs.statSync(f).mtimeMs > built)) fs.rmSync(bundle, { force: true });
}

const GOOGLE_FONTS = 'fonts.googleapis.com';
const FAVICON = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#3040d6"/><text x="16" y="23" font-size="18" text-anchor="middle" fill="#fff">客</text></svg>';
const FONT_LINK = /<link[^>]+fonts\.googleapis\.com[^>]*>/g;

/** Answers 403 (not AdminJS's 200 with an error notice) when an action is not accessible to the operator. */
function forbiddenAs403(): Koa.Middleware {
  return async function forbiddenAs403(ctx, next) {
    await next();
    const body = ctx.body as { record?: { baseError?: { type?: string } }; notice?: { type?: string } } | undefined;
    if (body && typeof body === 'object' && body.notice?.type === 'error' && body.record?.baseError?.type === 'ForbiddenError') ctx.status = 403;
  };
}

/** The login page answers 401 on a failed attempt and 429 with its own message while throttled. */
function loginOutcome(admin: AdminJS): Koa.Middleware {
  return async function loginOutcome(ctx, next) {
    await next();
    if (ctx.method !== 'POST' || ctx.path !== `${ADMIN_ROOT}/login` || ctx.status === 302) return;
    if (ctx.state.loginBlockedMs) {
      ctx.status = 429;
      ctx.set('Retry-After', String(Math.ceil(Number(ctx.state.loginBlockedMs) / 1000)));
      ctx.body = await admin.renderLogin({ action: `${ADMIN_ROOT}/login`, errorMessage: 'tooManyLoginAttempts' });
    } else ctx.status = 401;
  };
}

/** Mounts the back office at /admin on the shared Koa app (which already has app.keys). */
export function adminMount(core: Core, opts: AdminOptions = {}): Mount {
  return async function mountAdmin(app) {
    const admin = buildAdminJS(core, opts.notifier);
    await prepareBundle(admin);
    const router = new Router({ prefix: ADMIN_ROOT });
    router.use(async function adminHeaders(ctx, next) {
      ctx.set('X-Frame-Options', 'DENY');
      ctx.set('Cache-Control', 'no-store');
      await next();
      // AdminJS's pages link a Google Fonts stylesheet; offline that blocks rendering until DNS gives up.
      if (typeof ctx.body === 'string' && ctx.body.includes(GOOGLE_FONTS)) ctx.body = ctx.body.replace(FONT_LINK, '');
    });
    router.get('/steward/favicon.svg', (ctx) => {
      ctx.type = 'image/svg+xml';
      ctx.body = FAVICON;
    });
    router.get('/steward/zh.js', (ctx) => {
      ctx.type = 'text/javascript; charset=utf-8';
      ctx.body = ZH_PATCH;
    });
    router.use(sameOriginOnly(core));
    router.use(forbiddenAs403());
    router.use(loginOutcome(admin));
    router.use(reloadOperator(core));
    router.use(uploadGuard(core));
    buildAuthenticatedRouter(admin, app, {
      authenticate: authenticator(core, new LoginThrottle(core), opts.limits ?? LOGIN_LIMITS),
      sessionOptions: sessionOptions(core, opts.sessionMaxAgeMs ?? 8 * 3600_000),
    }, router, formidableOptions(core));
    dataRoutes(core, router);
    app.use(router.routes());
    app.use(router.allowedMethods());
  };
}
