import type Koa from 'koa';
import { sweepIdempotency } from '../core/api/idempotency.js';
import { serveDocs, DOCS_PATH } from './docs.js';
import { apiError, send, toErrorAnswer } from './errors.js';
import { openApiDocument } from './openapi.js';
import { API_BASE, ApiRegistry, type RegistryOptions } from './registry.js';
import { apiRoutes } from './routes/index.js';
import type { ApiDeps, ApiRoute } from './types.js';

export { API_BASE, ApiRegistry } from './registry.js';

export interface ApiDoor {
  registry: ApiRegistry;
  /** Koa middleware answering everything under /api; other paths pass through. */
  middleware: Koa.Middleware;
  /** Stops the idempotency sweep. */
  stop(): Promise<void>;
}

/** How often expired Idempotency-Keys are deleted (by every instance; the DELETE is idempotent). */
const SWEEP_EVERY_MS = 10 * 60_000;

/** The HTTP API door: /api/v1 (JSON, bearer tokens), its OpenAPI document and /api/docs. */
export function createApiDoor(deps: ApiDeps, opts: RegistryOptions & { routes?: ApiRoute[] } = {}): ApiDoor {
  const routes = opts.routes ?? apiRoutes();
  const registry = new ApiRegistry(routes, deps, opts);
  let openapi: string | null = null;
  // Not async itself: most requests only pass through (a chat message costs one promise fewer).
  const middleware: Koa.Middleware = function apiDoor(ctx, next) {
    const p = ctx.path;
    return p !== '/api' && !p.startsWith('/api/') ? next() : answer(ctx, p);
  };
  const answer = async (ctx: Koa.Context, p: string): Promise<void> => {
    if (p.startsWith(`${API_BASE}/`) && p !== `${API_BASE}/openapi.json`) return registry.dispatch(ctx);
    if (p === `${API_BASE}/openapi.json` && ctx.method === 'GET') {
      openapi ??= JSON.stringify(openApiDocument(routes));
      ctx.type = 'application/json';
      ctx.body = openapi;
      return;
    }
    if ((p === DOCS_PATH || p.startsWith(`${DOCS_PATH}/`)) && serveDocs(ctx)) return;
    const a = toErrorAnswer(
      apiError('NOT_FOUND', `没有这个地址: ${ctx.method} ${p}。接口在 ${API_BASE}/ 下, 说明见 ${DOCS_PATH}。`, {
        path: p,
      }),
      deps.core.logger,
    );
    send(ctx, a.status, a.body, a.headers);
  };
  const sweep = () =>
    void sweepIdempotency(deps.core).catch((err: unknown) =>
      deps.core.logger.warn({ err }, 'api: idempotency sweep failed'),
    );
  const timer = setInterval(sweep, SWEEP_EVERY_MS);
  timer.unref();
  return {
    registry,
    middleware,
    async stop() {
      clearInterval(timer);
    },
  };
}

/** Mounts the API on the shared app; returns its stopper. Mount it before the back office, whose session middleware it does not need. */
export function apiMount(deps: ApiDeps, opts: RegistryOptions = {}): (app: Koa) => () => Promise<void> {
  return function mountApi(app) {
    const door = createApiDoor(deps, opts);
    app.use(door.middleware);
    return door.stop;
  };
}
