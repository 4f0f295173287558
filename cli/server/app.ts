import crypto from 'node:crypto';
import { withCorrelation } from '../../core/correlation.js';
import Koa from 'koa';
import { leaseStatus } from '../../core/leases.js';
import Router from '@koa/router';
import type { Core } from '../../core/context.js';
import { databaseHealth } from '../../core/boot.js';
import { freshnessJson, ledgerFreshness } from '../../core/ledger/freshness.js';
import { errorResponder } from './http-errors.js';
import { httpDuration, httpRequests } from '../../core/metrics.js';
import { securityHeaders } from './security-headers.js';

/** Adds routes or middleware to the app (the bot, the back office); may return its stopper. */
export type Mount = (app: Koa, router: Router) => void | Stopper | Promise<void | Stopper>;
export type Stopper = () => Promise<void>;

const stoppers = new WeakMap<Koa, Stopper[]>();

/** What the mounts asked to run at shutdown, in reverse mount order. */
export function stoppersOf(app: Koa): Stopper[] {
  return [...(stoppers.get(app) ?? [])].reverse();
}

/** Which door a path belongs to, for the request metrics (a few fixed values, never the path itself). */
export function doorOf(path: string): string {
  if (path.startsWith('/api/')) return 'api';
  if (path === '/admin' || path.startsWith('/admin/')) return 'admin';
  if (path.startsWith('/webhooks/') || path.startsWith('/approvals') || path.startsWith('/review')) return 'bot';
  if (path === '/healthz') return 'health';
  if (path === '/metrics') return 'metrics';
  return 'other';
}

/** Tags each request with an id and a child logger, counts it, and logs one line when it ends. */
function requestLogger(core: Core): Koa.Middleware {
  return async function requestLogger(ctx, next) {
    const id = ctx.get('x-request-id').slice(0, 64) || crypto.randomUUID();
    ctx.state.requestId = id;
    // Every line logged while this request runs carries `correlationId` = this id (core/correlation.ts).
    ctx.state.log = core.logger;
    ctx.set('X-Request-Id', id);
    const started = process.hrtime.bigint();
    try {
      await withCorrelation(id, next);
    } finally {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const door = doorOf(ctx.path);
      httpRequests.inc({ door, method: ctx.method, status: String(ctx.status) });
      httpDuration.observe({ door }, ms / 1000);
      // Hot read paths (the API's transactable check, called before every ERP order) set quietLog: only failures are logged.
      // Messenger callbacks log themselves: each refusal (a 4xx with its reason) and each handled
      // message under its correlation id, so their access line would only repeat that.
      const quiet =
        (ctx.path === '/healthz' && ctx.status === 200) ||
        (ctx.state.quietLog === true && ctx.status < 500) ||
        (ctx.path.startsWith('/webhooks/') && ctx.status < 400);
      if (!quiet) {
        ctx.state.log.info(
          // Written after the request's scope closed: its id goes in by hand.
          { correlationId: id, method: ctx.method, path: ctx.path, status: ctx.status, ms: Math.round(ms * 10) / 10 },
          'request',
        );
      }
    }
  };
}

/** The Koa app: request ids and logs, one error mapper, /healthz, then the mounts. */
export async function buildApp(core: Core, mounts: Mount[] = []): Promise<Koa> {
  // Only behind a reverse proxy may X-Forwarded-For be believed (login throttling is per IP).
  const app = new Koa({ proxy: core.config.TRUST_PROXY });
  app.keys = [core.keys.sessionSecret];
  app.silent = true;
  app.use(requestLogger(core));
  app.use(securityHeaders());
  app.use(errorResponder());
  const router = new Router();
  router.get('/healthz', async (ctx) => {
    try {
      const health = await databaseHealth(core);
      // Whether 进销存 data is flowing: a stale feed is not an outage, so the status stays ok.
      const { source, lastReceivedAt, lastOrderReceivedAt, stale, notice } = freshnessJson(await ledgerFreshness(core));
      // Which long connections are held, by any instance (no holder names: they carry host names).
      const sockets = (await leaseStatus(core)).map((l) => ({ name: l.name, held: l.live }));
      ctx.body = {
        status: 'ok',
        ...health,
        ledger: { source, lastReceivedAt, lastOrderReceivedAt, stale, notice },
        sockets,
      };
    } catch (err) {
      ctx.status = 503;
      ctx.body = {
        status: 'unavailable',
        database: core.models.sequelize.getDialect() === 'sqlite' ? 'sqlite' : 'mysql',
        reason: `数据库不可用: ${(err as Error).message}`,
      };
    }
  });
  const stops: Stopper[] = [];
  for (const mount of mounts) {
    const stop = await mount(app, router);
    if (typeof stop === 'function') stops.push(stop);
  }
  stoppers.set(app, stops);
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
