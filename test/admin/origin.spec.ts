import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { createCustomer } from '../../core/customers/create.js';
import { jobActor } from '../../core/context.js';
import { eachDialect } from '../helpers/db.js';
import { clientAs, startAdmin, type AdminClient } from './helpers.js';

eachDialect('back office: a state-changing request from another origin is refused', (h) => {
  let server: Awaited<ReturnType<typeof startAdmin>>;
  let boss: AdminClient;

  beforeAll(async () => {
    server = await startAdmin(h.core);
    boss = (await clientAs(h.core, server.url, 'origin-boss', ['admin'])).client;
  });
  afterAll(async () => server?.close());

  /** Each test's own active customer, so none sees another's 停用. */
  const ownCustomer = async (name: string) => (await createCustomer(h.core, jobActor('t'), { name })).customer.id;

  /** 停用 customer `id` through the back office, with the admin's cookie, as a page at `origin` would send it. */
  const deactivateFrom = async (id: number, headers: Record<string, string>) => {
    const form = new FormData();
    form.set('reason', '客户要求');
    const cookie = [...boss.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    return fetch(`${server.url}/admin/api/resources/customers/records/${id}/deactivate`, {
      method: 'POST',
      body: form,
      redirect: 'manual',
      headers: { cookie, 'x-forwarded-for': boss.ip, ...headers },
    });
  };
  const status = async (id: number) => (await h.core.models.Customer.findByPk(id))!.status;

  it('refuses another site and another port of the same host, with a Chinese reason, and changes nothing', async () => {
    const id = await ownCustomer('跨站测试商行');
    const evil = await deactivateFrom(id, { origin: 'http://evil.example' });
    expect([evil.status, await evil.text()]).toEqual([403, '请求来自其他网站, 已拒绝。请直接在后台页面里操作。']);
    const otherPort = new URL(server.url);
    otherPort.port = String(Number(otherPort.port) + 1);
    expect((await deactivateFrom(id, { origin: otherPort.origin })).status).toBe(403);
    expect((await deactivateFrom(id, { referer: `${otherPort.origin}/attack.html` })).status).toBe(403);
    expect(await status(id)).toBe('active');
  });

  it("lets the back office's own pages through", async () => {
    const id = await ownCustomer('本站测试商行');
    expect(await status(id)).toBe('active');
    const own = await deactivateFrom(id, { origin: new URL(server.url).origin });
    expect(own.status).toBe(200);
    expect(await status(id)).toBe('inactive');
  });
});
