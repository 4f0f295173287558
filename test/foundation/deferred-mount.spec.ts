import http from 'node:http';
import { expect, it } from '@jest/globals';
import { buildApp, stoppersOf, type Mount } from '../../cli/server/app.js';
import { deferredMount } from '../../cli/server/deferred.js';
import { buildMounts } from '../../cli/server/mounts.js';
import { eachDialect } from '../helpers/db.js';

/** Serves the app on loopback for `fn`, then stops it and its mounts. */
async function serving(app: Awaited<ReturnType<typeof buildApp>>, fn: (url: string) => Promise<void>): Promise<void> {
  const server = http.createServer(app.callback());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    await fn(`http://127.0.0.1:${(server.address() as { port: number }).port}`);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    for (const stop of stoppersOf(app)) await stop();
  }
}

const underShop = (p: string) => p.startsWith('/shop');

eachDialect('a door loaded by its first request', (h) => {
  it('is not loaded by other requests; its first request loads it once, in its place among the middleware', async () => {
    let loads = 0;
    let stopped = 0;
    const door: Mount = (app) => {
      app.use(async (ctx, next) => {
        if (ctx.path !== '/shop/hello') return next();
        ctx.body = { hello: 'shop', requestId: ctx.state.requestId as string };
      });
      return async () => void stopped++;
    };
    const app = await buildApp(h.core, [deferredMount(h.core, underShop, async () => (loads++, door))]);
    await serving(app, async (url) => {
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      expect((await fetch(`${url}/elsewhere`)).status).toBe(404);
      expect(loads).toBe(0);
      const [a, b] = await Promise.all([fetch(`${url}/shop/hello`), fetch(`${url}/shop/hello`)]);
      // The app's own middleware (request ids) ran before it, as for any mount.
      expect([a.status, b.status, ((await a.json()) as { requestId?: string }).requestId]).toEqual([
        200,
        200,
        a.headers.get('x-request-id'),
      ]);
      expect((await fetch(`${url}/shop/other`)).status).toBe(404);
      expect(loads).toBe(1);
    });
    expect(stopped).toBe(1);
  });

  it('answers 503 while it cannot load, and loads on a later request once it can', async () => {
    let fail = true;
    const app = await buildApp(h.core, [
      deferredMount(h.core, underShop, async () => {
        if (fail) throw new Error('cannot load');
        return (a) => void a.use(async (ctx) => void (ctx.body = 'ok'));
      }),
    ]);
    await serving(app, async (url) => {
      const refused = await fetch(`${url}/shop`);
      expect({ status: refused.status, body: (await refused.json()) as unknown }).toEqual({
        status: 503,
        body: { error: { code: 'UNAVAILABLE', message: '后台未能启动, 请查看服务日志。' } },
      });
      fail = false;
      const ok = await fetch(`${url}/shop`);
      expect([ok.status, await ok.text()]).toEqual([200, 'ok']);
    });
  });

  it("serves the real back office through the server's mounts: the login page on the first /admin request", async () => {
    const app = await buildApp(h.core, await buildMounts(h.core));
    await serving(app, async (url) => {
      const login = await fetch(`${url}/admin/login`);
      expect(login.status).toBe(200);
      expect(await login.text()).toContain('<html');
    });
  }, 120_000);
});
