import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { expect, it } from '@jest/globals';
import { buildApp } from '../../cli/server/app.js';
import { seedDemo } from '../../core/demo/seed.js';
import { createCustomer } from '../../core/customers/create.js';
import { DomainError } from '../../core/errors.js';
import { identitiesOf } from '../../core/operators.js';
import { eachDialect } from '../helpers/db.js';
import { openCore, prepareDatabase } from '../../core/boot.js';

async function get(app: Awaited<ReturnType<typeof buildApp>>, path: string) {
  const server = http.createServer(app.callback());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const res = await fetch(`http://127.0.0.1:${(server.address() as { port: number }).port}${path}`);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  } finally {
    server.close();
  }
}

eachDialect('server foundation: /healthz and TRUST_PROXY', (h) => {
  it('GET /healthz reports the dialect and up-to-date migrations', async () => {
    const app = await buildApp(h.core);
    // The ledger feed's freshness rides along (test/ledger-doors covers it); the health keys are unchanged.
    const { status, body } = await get(app, '/healthz');
    expect({ status, body: { ...body, ledger: undefined, sockets: undefined } }).toEqual({
      status: 200,
      body: { status: 'ok', database: h.dialect === 'sqlite' ? 'sqlite' : 'mysql', migrations: 'up-to-date' },
    });
  });

  it('GET /healthz lists the long connections and whether an instance holds each, without holder names', async () => {
    const { acquireLease } = await import('../../core/leases.js');
    await acquireLease(h.core, 'feishu-ws:cli_healthz', 'host-a:123:x', 60_000);
    const app = await buildApp(h.core);
    const { body } = await get(app, '/healthz');
    expect((body as { sockets: unknown[] }).sockets).toContainEqual({ name: 'feishu-ws:cli_healthz', held: true });
    expect(JSON.stringify(body)).not.toContain('host-a');
  });

  it('GET /healthz is 503 with the reason when the database is unreachable', async () => {
    // A SQLite file whose folder is a regular file cannot be opened; port 1 refuses MySQL connections.
    const config = {
      ...h.core.config,
      DATABASE_URL:
        h.dialect === 'sqlite'
          ? `sqlite:${fileURLToPath(import.meta.url)}/x.sqlite`
          : 'mysql://root@127.0.0.1:1/nothing',
    };
    const broken = openCore(config, h.core.logger);
    const res = await get(await buildApp(broken), '/healthz');
    expect(res.status).toBe(503);
    expect(res.body.status).toBe('unavailable');
    expect(String(res.body.reason)).toMatch(/^数据库不可用: /);
    await broken.models.sequelize.close();
  });

  it('believes X-Forwarded-For only with TRUST_PROXY', async () => {
    const ipOf = async (trust: boolean) => {
      const app = await buildApp({ ...h.core, config: { ...h.core.config, TRUST_PROXY: trust } }, [
        (_a, r) => void r.get('/ip', (ctx) => (ctx.body = { ip: ctx.ip })),
      ]);
      const server = http.createServer(app.callback());
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      try {
        const res = await fetch(`http://127.0.0.1:${(server.address() as { port: number }).port}/ip`, {
          headers: { 'x-forwarded-for': '10.1.2.3' },
        });
        return ((await res.json()) as { ip: string }).ip;
      } finally {
        server.close();
      }
    };
    expect(await ipOf(false)).toBe('127.0.0.1');
    expect(await ipOf(true)).toBe('10.1.2.3');
  });
});

// Demo data is seeded into an empty database only: this block has one of its own.
eachDialect('server foundation: demo data', (h) => {
  it('seeds demo data once; a second start adds nothing', async () => {
    const first = await seedDemo(h.core);
    expect(first.seeded).toBe(true);
    const counts = async () => ({
      customers: await h.core.models.Customer.count(),
      orders: await h.core.models.SalesOrder.count(),
      operators: await h.core.models.Operator.count(),
    });
    const before = await counts();
    expect(before.customers).toBe(60);
    expect(await seedDemo(h.core)).toEqual({ seeded: false, customers: 0, orders: 0 });
    await prepareDatabase(h.core);
    expect(await counts()).toEqual(before);
    const statuses = (await h.core.models.Customer.findAll({ attributes: ['status'] })).map((c) => c.status);
    expect(new Set(statuses)).toEqual(new Set(['active', 'inactive', 'deleted']));
    const ops = await h.core.models.Operator.findAll();
    const linked = await identitiesOf(
      h.core,
      ops.map((o) => o.id),
    );
    const ids = ops
      .map((o) => `${(linked.get(o.id) ?? []).map((i) => `${i.channel}=${i.externalId}`).join(',')}:${o.roles}`)
      .sort();
    // Each demo operator answers on every shipped messenger under the same id.
    expect(ids).toEqual(
      ['demo-admin', 'demo-approver', 'demo-finance', 'demo-sales2', 'demo-sales']
        .map(
          (id, i) => `dingtalk=${id},feishu=${id},wecom=${id}:${['admin', 'approver', 'finance', 'sales', 'sales'][i]}`,
        )
        .sort(),
    );
  });
});

eachDialect('server foundation: duplicate codes', (h) => {
  it('a duplicate code surfaces as the CODE_TAKEN domain error, even when the race reaches the database', async () => {
    const actor = await h.actor('管理员甲', ['admin']);
    await createCustomer(h.core, actor, { name: '唯一编码测试一', code: 'UNIQ-1' });
    const err = await createCustomer(h.core, actor, { name: '唯一编码测试二', code: 'uniq-1' }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).code).toBe('CODE_TAKEN');
    expect((err as DomainError).message).toBe('客户编码「UNIQ-1」已被占用。请换一个编码, 或留空自动生成。');
    const racing = await Promise.allSettled(
      [1, 2, 3].map((i) => createCustomer(h.core, actor, { name: `并发编码${i}`, code: 'RACE-1' })),
    );
    expect(racing.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(
      racing
        .filter((r) => r.status === 'rejected')
        .map((r) => ((r as PromiseRejectedResult).reason as DomainError).code),
    ).toEqual(['CODE_TAKEN', 'CODE_TAKEN']);
  });
});
