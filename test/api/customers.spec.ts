import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { eachDialect } from '../helpers/db.js';
import { itAnsweredAsDocumented, type ApiHarness } from '../helpers/api-app.js';
import { newCustomer, uniqueName } from '../core/fixtures.js';
import { startCustomersApi } from './customers-api.js';

eachDialect('API customers: list', (h) => {
  let api: ApiHarness, reader: string;
  beforeAll(async () => {
    ({ api, reader } = await startCustomersApi(h));
  });
  afterAll(async () => api?.close());
  const admin = () => h.actor('API客户管理员', ['admin']);
  const list = (query: string) => api.call('GET', `/api/v1/customers?${query}`, { token: reader });

  it('lists by status, owner (id or name), category and updatedSince, in cursor pages', async () => {
    const owner = await h.operator('列表销售甲', ['sales']);
    const made = [];
    for (let i = 0; i < 3; i++)
      made.push(await newCustomer(h, await admin(), { ownerId: owner.id, category: '零售商' }));
    const first = await list(`owner=${encodeURIComponent('列表销售甲')}&limit=2`);
    expect(first.status).toBe(200);
    expect(first.body.items.map((c: { code: string }) => c.code)).toEqual(made.slice(0, 2).map((c) => c.code));
    expect(first.body.items[0]).toMatchObject({
      owner: { id: owner.id, name: '列表销售甲' },
      category: '零售商',
      status: 'active',
      version: 1,
    });
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await list(`owner=${owner.id}&limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body).toEqual({ items: [expect.objectContaining({ code: made[2]!.code })], nextCursor: null });

    const since = new Date(made[2]!.updatedAt.getTime() - 1000).toISOString();
    const recent = await list(
      `category=${encodeURIComponent('零售商')}&updatedSince=${encodeURIComponent(since)}&status=active&limit=200`,
    );
    expect(recent.body.items.map((c: { code: string }) => c.code)).toContain(made[2]!.code);
    expect(
      recent.body.items.every(
        (c: { category: string; status: string }) => c.category === '零售商' && c.status === 'active',
      ),
    ).toBe(true);

    const bad = await list('limit=500&cursor=%%%');
    expect(bad.status).toBe(422);
    expect(bad.body.error.details.errors).toContainEqual({
      field: 'limit',
      message: '字段「limit」(每页条数)不能大于 200',
    });
    const cursor = await list('cursor=garbage');
    expect(cursor.status).toBe(422);
    expect(cursor.body.error.details.errors).toEqual([
      { field: 'cursor', message: '分页游标 cursor 无效: 请原样使用上一页返回的 nextCursor' },
    ]);
    const nobody = await list(`owner=${encodeURIComponent('没有这个人')}`);
    expect(nobody.status).toBe(422);
    expect(nobody.body.error.message).toContain('找不到负责人「没有这个人」');
  });

  itAnsweredAsDocumented(() => api);
});

eachDialect('API customers: get and update', (h) => {
  let api: ApiHarness, reader: string, writer: string;
  beforeAll(async () => {
    ({ api, reader, writer } = await startCustomersApi(h));
  });
  afterAll(async () => api?.close());
  const admin = () => h.actor('API客户管理员', ['admin']);

  it('gets one customer by code (any case), with its version as ETag; an unknown code is 404', async () => {
    const c = await newCustomer(h, await admin(), { phone: '13912345678' });
    const r = await api.call('GET', `/api/v1/customers/${c.code.toLowerCase()}`, { token: reader });
    expect(r.status).toBe(200);
    expect(r.headers.get('etag')).toBe('"1"');
    expect(r.body).toMatchObject({ code: c.code, name: c.name, phoneMasked: '139****5678', version: 1 });
    expect(JSON.stringify(r.body)).not.toContain('13912345678');
    const missing = await api.call('GET', '/api/v1/customers/NO-SUCH-CODE', { token: reader });
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatchObject({
      code: 'CUSTOMER_NOT_FOUND',
      message: expect.stringContaining('NO-SUCH-CODE'),
    });
  });

  it('updates with If-Match: 428 without it, 412 on a stale version, 200 with the current one', async () => {
    const c = await newCustomer(h, await admin());
    const patch = (body: object, ifMatch?: string) =>
      api.call('PATCH', `/api/v1/customers/${c.code}`, {
        token: writer,
        body,
        headers: ifMatch === undefined ? {} : { 'If-Match': ifMatch },
      });
    const none = await patch({ note: '无版本' });
    expect(none.status).toBe(428);
    expect(none.body.error).toMatchObject({
      code: 'PRECONDITION_REQUIRED',
      message: expect.stringContaining('If-Match'),
    });
    const ok = await patch({ note: '第一次修改' }, '1');
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ note: '第一次修改', version: 2 });
    expect(ok.headers.get('etag')).toBe('"2"');
    const stale = await patch({ note: '基于旧版本' }, '"1"');
    expect(stale.status).toBe(412);
    expect(stale.body.error).toMatchObject({
      code: 'PRECONDITION_FAILED',
      details: { currentVersion: 2, expected: 1 },
    });
    expect((await h.core.models.Customer.findByPk(c.id))!.note).toBe('第一次修改');
    const junk = await patch({ note: 'x' }, 'latest');
    expect(junk.status).toBe(422);
    const empty = await patch({}, '2');
    expect(empty.status).toBe(422);
    expect(empty.body.error.details.errors[0].message).toBe('请求体不能为空对象');
  });

  itAnsweredAsDocumented(() => api);
});

eachDialect('API customers: create', (h) => {
  let api: ApiHarness, writer: string;
  beforeAll(async () => {
    ({ api, writer } = await startCustomersApi(h));
  });
  afterAll(async () => api?.close());

  it('creates with an automatic or a typed code, warns about duplicates, and audits as API:<token>', async () => {
    const name = uniqueName('接口新建');
    const auto = await api.call('POST', '/api/v1/customers', {
      token: writer,
      body: { name, phone: '138 0000 1234', category: '电商' },
    });
    expect(auto.status).toBe(201);
    expect(auto.body.code).toMatch(/^C\d{8}$/);
    expect(auto.headers.get('location')).toBe(`/api/v1/customers/${auto.body.code}`);
    const event = await h.core.models.AuditEvent.findOne({
      where: { customerCode: auto.body.code, action: 'customer.create' },
    });
    expect({ door: event!.door, operatorName: event!.operatorName, operatorId: event!.operatorId }).toEqual({
      door: 'api',
      operatorName: 'API:erp',
      operatorId: null,
    });

    const typed = await api.call('POST', '/api/v1/customers', {
      token: writer,
      body: { code: 'erp-1001', name: uniqueName('手工编码') },
    });
    expect(typed.status).toBe(201);
    expect(typed.body.code).toBe('ERP-1001');
    const taken = await api.call('POST', '/api/v1/customers', {
      token: writer,
      body: { code: 'ERP-1001', name: uniqueName('重复编码') },
    });
    expect(taken.status).toBe(409);
    expect(taken.body.error.code).toBe('CODE_TAKEN');

    const dup = await api.call('POST', '/api/v1/customers', { token: writer, body: { name, contact: '另一人' } });
    expect(dup.status).toBe(409);
    expect(dup.body.error).toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining('可能与已有客户重复'),
      details: { duplicates: [expect.objectContaining({ code: auto.body.code, matchedOn: ['name'] })] },
    });
    const anyway = await api.call('POST', '/api/v1/customers', {
      token: writer,
      body: { name, contact: '另一人', allowDuplicates: true },
    });
    expect(anyway.status).toBe(201);
    expect(await h.core.models.Customer.count({ where: { name } })).toBe(2);

    const invalid = await api.call('POST', '/api/v1/customers', {
      token: writer,
      body: { name: uniqueName(), phone: 'call me' },
    });
    expect(invalid.status).toBe(422);
    expect(invalid.body.error.details.errors).toEqual([
      { field: 'phone', message: '手机/电话格式不对, 应为 5–20 位数字' },
    ]);
  });

  itAnsweredAsDocumented(() => api);
});
