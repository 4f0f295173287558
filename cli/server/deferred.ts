import type Koa from 'koa';
import type Router from '@koa/router';
import type { Core } from '../../core/context.js';
import type { Mount, Stopper } from './app.js';

const starters = new WeakMap<Koa, (() => void)[]>();

/** Starts loading every deferred door of this app (serve() calls it once it listens). */
export function startDeferred(app: Koa): void {
  for (const start of starters.get(app) ?? []) start();
}

/** Runs middleware in order, as Koa does for the app. */
function compose(stack: Koa.Middleware[]): Koa.Middleware {
  return function composed(ctx, next) {
    const run = (i: number): Promise<unknown> => (i === stack.length ? Promise.resolve(next()) : Promise.resolve(stack[i]!(ctx, () => run(i + 1))));
    return run(0);
  };
}

/**
 * A door loaded after the server listens: the back office (AdminJS) takes about a second and
 * ~60 MB to import, which /healthz, the bot and the API need not wait for. Its middleware keeps
 * its place in the app: requests for its paths wait until it is loaded (or load it, if they come
 * first); other requests pass through. If loading fails, the error is logged and its paths answer 503.
 */
export function deferredMount(core: Core, owns: (path: string) => boolean, load: () => Promise<Mount>): Mount {
  return function mountDeferred(app: Koa, router: Router) {
    const stack: Koa.Middleware[] = [];
    // The door sees the real app (keys, context for its session), but what it `use`s lands here.
    const collecting = new Proxy(app, { get: (target, prop, receiver) => (prop === 'use' ? (mw: Koa.Middleware) => (stack.push(mw), collecting) : Reflect.get(target, prop, receiver)) });
    let loaded: Promise<{ run: Koa.Middleware; stop?: Stopper }> | undefined;
    const start = () => (loaded ??= (async () => {
      const started = Date.now();
      const stop = await (await load())(collecting, router);
      core.logger.info({ ms: Date.now() - started }, 'deferred door loaded');
      return { run: compose(stack), stop: typeof stop === 'function' ? stop : undefined };
    })());
    starters.set(app, [...(starters.get(app) ?? []), () => void start().catch((err: unknown) => core.logger.error({ err }, 'loading a door failed'))]);
    app.use(async function deferredDoor(ctx, next) {
      if (!owns(ctx.path)) return next();
      const door = await start().catch(() => null);
      if (!door) {
        ctx.status = 503;
        ctx.body = { error: { code: 'UNAVAILABLE', message: '后台未能启动, 请查看服务日志。' } };
        return;
      }
      return door.run(ctx, next);
    });
    return async () => {
      const door = await loaded?.catch(() => null);
      await door?.stop?.();
    };
  };
}
