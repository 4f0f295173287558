import fs from 'node:fs';
import path from 'node:path';
import Router from '@koa/router';
import AdminJS, { type CurrentAdmin } from 'adminjs';
import { buildAuthenticatedRouter } from '@adminjs/koa';
import type Koa from 'koa';
import type { ApprovalNotifier } from '../core/notify-port.js';
import type { Core } from '../core/context.js';
import { endSessions } from '../core/credentials/sessions.js';
import { LOGIN_LIMITS, LoginThrottle, type LoginLimits } from '../core/credentials/throttle.js';
import { authenticator } from './auth/authenticate.js';
import { httpsOnly, refreshTokenRefused, unknownActionAs404 } from './auth/guards.js';
import { adminHeaders } from './auth/headers.js';
import { mustChangeFirst, passwordRoutes } from './auth/password-page.js';
import { secondFactorFirst, secondFactorRoutes } from './auth/second-factor.js';
import { RECHECK_JS, recheckBeforeDestructive, recheckRoutes } from './auth/recheck.js';
import { reloadOperator, sessionOptions, type SessionUser } from './auth/session.js';
import { COMPONENTS, componentFiles, componentLoader } from './components.js';
import { minifiedFrontEnd } from './front-end-assets.js';
import { dashboardData } from './dashboard.js';
import { localeFor } from './locale/index.js';
import { sameOriginOnly } from './auth/origin-check.js';
import { buildResources } from './resources/index.js';
import { dataRoutes, formidableOptions, uploadGuard } from './data/routes.js';
import { ZH_PATCH } from './zh-patch.js';
import { LIST_CSS } from './format/list-style.js';
import { reportPages } from './reports/pages.js';
import { reportExportRoute } from './reports/export-route.js';

export const ADMIN_ROOT = '/admin';

export interface AdminOptions {
  /** How long a login lasts; the browser is sent back to the login page after it. */
  sessionMaxAgeMs?: number;
  limits?: LoginLimits;
  /** Tells approvers about deletion requests made here (the bot's notifier, from the composition root). */
  notifier?: ApprovalNotifier;
}

/** The AdminJS instance: resources, Chinese texts, the dashboard. No routes yet. */
export function buildAdminJS(core: Core, notifier?: ApprovalNotifier): AdminJS {
  const resources = buildResources(core, notifier);
  return new AdminJS({
    rootPath: ADMIN_ROOT,
    loginPath: `${ADMIN_ROOT}/login`,
    logoutPath: `${ADMIN_ROOT}/logout`,
    resources,
    componentLoader: componentLoader(),
    // Read by the date cells (components/local-time.ts): times show in the company's zone.
    env: { STEWARD_TIMEZONE: core.config.STEWARD_TIMEZONE },
    dashboard: {
      component: COMPONENTS.Dashboard,
      handler: async (_request, _response, context) =>
        dashboardData(core, context.currentAdmin as CurrentAdmin | undefined, ADMIN_ROOT),
    },
    pages: reportPages(core, ADMIN_ROOT, {
      salesReport: COMPONENTS.SalesReport,
      agingReport: COMPONENTS.AgingReport,
      customerReport: COMPONENTS.CustomerReport,
    }),
    locale: localeFor(resources.map((r) => r.options.id)),
    branding: {
      companyName: '客户主数据管家',
      logo: false,
      withMadeWithLove: false,
      favicon: `${ADMIN_ROOT}/steward/favicon.svg`,
    },
    settings: { defaultPerPage: 20 },
    assets: {
      scripts: [`${ADMIN_ROOT}/steward/zh.js`, `${ADMIN_ROOT}/steward/reauth.js`],
      styles: [`${ADMIN_ROOT}/steward/list.css`],
    },
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
  if (built !== undefined && componentFiles().some((f) => fs.statSync(f).mtimeMs > built))
    fs.rmSync(bundle, { force: true });
}

const FAVICON =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#3040d6"/><text x="16" y="23" font-size="18" text-anchor="middle" fill="#fff">客</text></svg>';
/** What the back office serves itself under /admin/steward/: file, content type, body. */
const STATIC_ASSETS: readonly [string, string, string][] = [
  ['favicon.svg', 'image/svg+xml', FAVICON],
  ['zh.js', 'text/javascript; charset=utf-8', ZH_PATCH],
  ['reauth.js', 'text/javascript; charset=utf-8', RECHECK_JS],
  ['list.css', 'text/css; charset=utf-8', LIST_CSS],
];

/** Is this request for the back office (its pages, API, assets)? */
const underAdmin = (path: string) => path === ADMIN_ROOT || path.startsWith(`${ADMIN_ROOT}/`);

/** Runs `mw` for back-office requests only: the session and AdminJS's asset mounts are no business of the bot or the API. */
function adminOnly(mw: Koa.Middleware): Koa.Middleware {
  return function adminOnly(ctx, next) {
    return underAdmin(ctx.path) ? mw(ctx, next) : next();
  };
}

/** The app as AdminJS's router builder sees it: whatever it adds to the app runs under /admin only. */
function scopedApp(app: Koa): Koa {
  return new Proxy(app, {
    get: (target, prop, receiver) =>
      prop === 'use' ? (mw: Koa.Middleware) => target.use(adminOnly(mw)) : Reflect.get(target, prop, receiver),
  });
}

/** Answers 403 (not AdminJS's 200 with an error notice) when an action is not accessible to the operator. */
function forbiddenAs403(): Koa.Middleware {
  return async function forbiddenAs403(ctx, next) {
    await next();
    const body = ctx.body as { record?: { baseError?: { type?: string } }; notice?: { type?: string } } | undefined;
    if (
      body &&
      typeof body === 'object' &&
      body.notice?.type === 'error' &&
      body.record?.baseError?.type === 'ForbiddenError'
    )
      ctx.status = 403;
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
export function adminMount(core: Core, opts: AdminOptions = {}): (app: Koa) => Promise<void> {
  return async function mountAdmin(app) {
    const admin = buildAdminJS(core, opts.notifier);
    await prepareBundle(admin);
    // Before the session is read: a refused request must not act, nor touch the session cookie.
    app.use(adminOnly(httpsOnly(core)));
    app.use(adminOnly(sameOriginOnly(core)));
    app.use(adminOnly(minifiedFrontEnd(ADMIN_ROOT)));
    const router = new Router({ prefix: ADMIN_ROOT });
    router.use(adminHeaders());
    for (const [file, type, body] of STATIC_ASSETS) {
      router.get(`/steward/${file}`, (ctx) => {
        ctx.type = type;
        ctx.body = body;
      });
    }
    router.post('/refresh-token', refreshTokenRefused);
    router.use(unknownActionAs404(admin));
    router.use(forbiddenAs403());
    router.use(loginOutcome(admin));
    router.use(reloadOperator(core));
    router.use(secondFactorFirst(ADMIN_ROOT));
    router.use(mustChangeFirst(ADMIN_ROOT));
    router.use(recheckBeforeDestructive(core, ADMIN_ROOT));
    // Logging out ends every session of the operator, on every device; AdminJS's own route then clears this one.
    router.get('/logout', async function endEverySession(ctx, next) {
      const user = (ctx.session as { adminUser?: SessionUser } | null)?.adminUser;
      if (user?.operatorId) await endSessions(core, user.operatorId);
      await next();
    });
    router.use(uploadGuard(core));
    buildAuthenticatedRouter(
      admin,
      scopedApp(app),
      {
        authenticate: authenticator(core, new LoginThrottle(core), opts.limits ?? LOGIN_LIMITS),
        sessionOptions: sessionOptions(core, opts.sessionMaxAgeMs ?? core.config.ADMIN_SESSION_HOURS * 3600_000),
      },
      router,
      formidableOptions(core),
    );
    passwordRoutes(core, router, ADMIN_ROOT);
    recheckRoutes(core, router, ADMIN_ROOT, opts.limits ?? LOGIN_LIMITS);
    secondFactorRoutes(core, router, ADMIN_ROOT, opts.limits ?? LOGIN_LIMITS);
    dataRoutes(core, router);
    reportExportRoute(core, router);
    app.use(router.routes());
    app.use(router.allowedMethods());
  };
}
