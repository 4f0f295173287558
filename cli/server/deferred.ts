import type Koa from 'koa';
import type Router from '@koa/router';
import type { Core } from '../../core/context.js';
import type { Mount, Stopper } from './app.js';

/** Runs middleware in order, as Koa does for the app. */
function compose(stack: Koa.Middleware[]): Koa.Middleware {
  return function composed(ctx, next) {
    const run = (i: number): Promise<unknown> =>
      i === stack.length ? Promise.resolve(next()) : Promise.resolve(stack[i]!(ctx, () => run(i + 1)));
    return run(0);
  };
}

/**
 * A door loaded by the first request for its paths: the back office (AdminJS) takes about a second
 * and ~80 MB of RSS to load, which the start, /healthz, the bot and the API need not pay for, nor
 * a server whose back office is not in use. Its middleware keeps its place in the app: requests for
 * its paths wait until it is loaded, other requests pass through. If loading fails, the error is
 * logged, its paths answer 503, and the next request tries again.
 */
export function deferredMount(core: Core, owns: (path: string) => boolean, load: () => Promise<Mount>): Mount {
  return function mountDeferred(app: Koa, router: Router) {
    const stack: Koa.Middleware[] = [];
    // The door sees the real app (keys, context for its session), but what it `use`s lands here.
    const collecting = new Proxy(app, {
      get: (target, prop, receiver) =>
        prop === 'use' ? (mw: Koa.Middleware) => (stack.push(mw), collecting) : Reflect.get(target, prop, receiver),
    });
    let loaded: Promise<{ run: Koa.Middleware; stop?: Stopper }> | undefined;
    const start = () =>
      (loaded ??= (async () => {
        const started = Date.now();
        stack.length = 0;
        const stop = await (await load())(collecting, router);
        core.logger.info({ ms: Date.now() - started }, 'deferred door loaded');
        return { run: compose(stack), stop: typeof stop === 'function' ? stop : undefined };
      })().catch((err: unknown) => {
        core.logger.error({ err }, 'loading a door failed');
        loaded = undefined;
        throw err;
      }));
    const enter = async (ctx: Koa.Context, next: Koa.Next) => {
      const door = await start().catch(() => null);
      if (!door) {
        ctx.status = 503;
        ctx.body = { error: { code: 'UNAVAILABLE', message: '后台未能启动, 请查看服务日志。' } };
        return;
      }
      return door.run(ctx, next);
    };
    // Not async itself: requests for other doors only pass through.
    app.use(function deferredDoor(ctx, next) {
      return owns(ctx.path) ? enter(ctx, next) : next();
    });
    return async () => {
      const door = await loaded?.catch(() => null);
      await door?.stop?.();
    };
  };
}
