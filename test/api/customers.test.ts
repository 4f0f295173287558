import { Writable } from 'node:stream';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import pino from 'pino';
import { approve } from '../../core/deletion/approvals.js';
import { assertOpenForBusiness } from '../../core/customers/status.js';
import { createOrder } from '../../core/orders.js';
import { eachDialect } from '../helpers/db.js';
import { RecordingNotifier, startApi, type ApiHarness } from '../helpers/api-app.js';
import { newCustomer, refusal, uniqueName } from '../core/fixtures.js';

eachDialect('API customers: list, get, create, update, 停用/启用, deletion request, transactable', (h) => {
  let api: ApiHarness;
  let reader: string;
  let writer: string;
  const notifier = new RecordingNotifier();
  beforeAll(async () => {
    api = await startApi(h, { notifier });
    reader = await api.token(['customers:read'], 'crm-reader');
    writer = await api.token(['customers:read', 'customers:write'], 'erp');
  });
  afterAll(async () => api?.close());

  const admin = () => h.actor('API客户管理员', ['admin']);

  it('lists by status, owner (id or name), category and updatedSince, in cursor pages', async () => {
    const owner = await h.operator('列表销售甲', ['sales']);
    const made = [];
    for (let i = 0; i < 3; i++)
      made.push(await newCustomer(h, await admin(), { ownerId: owner.id, category: '零售商' }));
    const first = await api.call('GET', `/api/v1/customers?owner=${encodeURIComponent('列表销售甲')}&limit=2`, {
      token: reader,
    });
    expect(first.status).toBe(200);
    expect(first.body.items.map((c: { code: string }) => c.code)).toEqual(made.slice(0, 2).map((c) => c.code));
    expect(first.body.items[0]).toMatchObject({
      owner: { id: owner.id, name: '列表销售甲' },
      category: '零售商',
      status: 'active',
      version: 1,
    });
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await api.call(
      'GET',
      `/api/v1/customers?owner=${owner.id}&limit=2&cursor=${first.body.nextCursor}`,
      { token: reader },
    );
    expect(second.body).toEqual({ items: [expect.objectContaining({ code: made[2]!.code })], nextCursor: null });

    const since = new Date(made[2]!.updatedAt.getTime() - 1000).toISOString();
    const recent = await api.call(
      'GET',
      `/api/v1/customers?category=${encodeURIComponent('零售商')}&updatedSince=${encodeURIComponent(since)}&status=active&limit=200`,
      { token: reader },
    );
    expect(recent.body.items.map((c: { code: string }) => c.code)).toContain(made[2]!.code);
    expect(
      recent.body.items.every(
        (c: { category: string; status: string }) => c.category === '零售商' && c.status === 'active',
      ),
    ).toBe(true);

    const bad = await api.call('GET', '/api/v1/customers?limit=500&cursor=%%%', { token: reader });
    expect(bad.status).toBe(422);
    expect(bad.body.error.details.errors).toContainEqual({
      field: 'limit',
      message: '字段「limit」(每页条数)不能大于 200',
    });
    const cursor = await api.call('GET', '/api/v1/customers?cursor=garbage', { token: reader });
    expect(cursor.status).toBe(422);
    expect(cursor.body.error.details.errors).toEqual([
      { field: 'cursor', message: '分页游标 cursor 无效: 请原样使用上一页返回的 nextCursor' },
    ]);
    const nobody = await api.call('GET', `/api/v1/customers?owner=${encodeURIComponent('没有这个人')}`, {
      token: reader,
    });
    expect(nobody.status).toBe(422);
    expect(nobody.body.error.message).toContain('找不到负责人「没有这个人」');
  });

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

  it('updates with If-Match: 428 without it, 412 on a stale version, 200 with the current one', async () => {
    const c = await newCustomer(h, await admin());
    const path = `/api/v1/customers/${c.code}`;
    const none = await api.call('PATCH', path, { token: writer, body: { note: '无版本' } });
    expect(none.status).toBe(428);
    expect(none.body.error).toMatchObject({
      code: 'PRECONDITION_REQUIRED',
      message: expect.stringContaining('If-Match'),
    });
    const ok = await api.call('PATCH', path, {
      token: writer,
      body: { note: '第一次修改' },
      headers: { 'If-Match': '1' },
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ note: '第一次修改', version: 2 });
    expect(ok.headers.get('etag')).toBe('"2"');
    const stale = await api.call('PATCH', path, {
      token: writer,
      body: { note: '基于旧版本' },
      headers: { 'If-Match': '"1"' },
    });
    expect(stale.status).toBe(412);
    expect(stale.body.error).toMatchObject({
      code: 'PRECONDITION_FAILED',
      details: { currentVersion: 2, expected: 1 },
    });
    expect((await h.core.models.Customer.findByPk(c.id))!.note).toBe('第一次修改');
    const junk = await api.call('PATCH', path, {
      token: writer,
      body: { note: 'x' },
      headers: { 'If-Match': 'latest' },
    });
    expect(junk.status).toBe(422);
    const empty = await api.call('PATCH', path, { token: writer, body: {}, headers: { 'If-Match': '2' } });
    expect(empty.status).toBe(422);
    expect(empty.body.error.details.errors[0].message).toBe('请求体不能为空对象');
  });

  it("停用 through the API makes transactable answer 409 with the reason and core's message; 启用 makes it 200 again", async () => {
    // Owned by a salesperson: the token is not that person, and the 「只能停用自己的客户」 rule is not for systems.
    const owner = await h.operator('停用测试销售', ['sales']);
    const c = await newCustomer(h, await admin(), { ownerId: owner.id });
    const check = () => api.call('GET', `/api/v1/customers/${c.code}/transactable`, { token: reader });
    expect(await check()).toMatchObject({ status: 200, body: { ok: true } });

    const noMemo = await api.call('POST', `/api/v1/customers/${c.code}/deactivate`, {
      token: writer,
      body: { reason: '其他' },
    });
    expect(noMemo.status).toBe(422);
    expect(noMemo.body.error.details.errors).toEqual([{ field: 'memo', message: '原因为「其他」时必须填写备注' }]);
    const badReason = await api.call('POST', `/api/v1/customers/${c.code}/deactivate`, {
      token: writer,
      body: { reason: '不想要了' },
    });
    expect(badReason.status).toBe(422);
    expect(badReason.body.error.details.errors[0]).toMatchObject({
      field: 'reason',
      message: expect.stringContaining('字段「reason」(停用原因)只能是'),
    });

    const off = await api.call('POST', `/api/v1/customers/${c.code}/deactivate`, {
      token: writer,
      body: { reason: '信用风险', memo: '逾期未付', until: '2099-12-31' },
    });
    expect(off.status).toBe(200);
    expect(off.body).toMatchObject({
      status: 'inactive',
      deactivation: { reason: '信用风险', memo: '逾期未付', until: '2099-12-31' },
    });
    const refused = await check();
    expect(refused.status).toBe(409);
    const row = (await h.core.models.Customer.findByPk(c.id))!;
    const coreSays = await refusal(Promise.resolve().then(() => assertOpenForBusiness(h.core, row, 'new')));
    expect(refused.body).toEqual({
      ok: false,
      status: 'inactive',
      reason: '信用风险',
      since: off.body.deactivation.since,
      until: '2099-12-31',
      message: coreSays.message,
    });
    expect(refused.body.message).toContain('停用, 原因: 信用风险 (逾期未付)');
    const event = await h.core.models.AuditEvent.findOne({
      where: { customerId: c.id, action: 'customer.deactivate' },
    });
    expect([event!.door, event!.operatorName]).toEqual(['api', 'API:erp']);

    const again = await api.call('POST', `/api/v1/customers/${c.code}/deactivate`, {
      token: writer,
      body: { reason: '信用风险' },
    });
    expect(again.status).toBe(409);
    const on = await api.call('POST', `/api/v1/customers/${c.code}/reactivate`, { token: writer });
    expect(on.status).toBe(200);
    expect(on.body.status).toBe('active');
    expect(await check()).toMatchObject({ status: 200, body: { ok: true } });
    expect((await api.call('GET', '/api/v1/customers/NOPE/transactable', { token: reader })).status).toBe(404);
  });

  it('turns a deletion request into a pending approval, notifies approvers, and never deletes directly', async () => {
    const c = await newCustomer(h, await admin());
    const r = await api.call('POST', `/api/v1/customers/${c.code}/deletion-request`, {
      token: writer,
      body: { reason: '重复录入', note: '已在 ERP 合并' },
    });
    expect(r.status).toBe(202);
    expect(r.body).toMatchObject({
      request: { status: 'pending', customerCode: c.code, reason: '重复录入' },
      message: expect.stringContaining('已通知审批人'),
    });
    const request = await h.core.models.ApprovalRequest.findByPk(r.body.request.id);
    expect(request).toMatchObject({ status: 'pending', customerId: c.id, requesterNote: '已在 ERP 合并' });
    expect((await h.core.models.Customer.findByPk(c.id))!.status).toBe('active');
    expect(notifier.calls).toContainEqual({
      requestId: request!.id,
      customerCode: c.code,
      requester: 'API:erp',
      customerName: c.name,
    });
    const event = await h.core.models.AuditEvent.findOne({ where: { customerId: c.id, action: 'deletion.request' } });
    expect([event!.door, event!.operatorName]).toEqual(['api', 'API:erp']);

    const twice = await api.call('POST', `/api/v1/customers/${c.code}/deletion-request`, {
      token: writer,
      body: { reason: '重复录入' },
    });
    expect(twice.status).toBe(409);
    expect(twice.body.error.message).toContain('已有待审批的删除申请');

    // An approver decides in chat or the back office; then the ERP sees a deleted customer.
    await approve(h.core, await h.actor('API审批人', ['approver']), request!.id);
    const gone = await api.call('GET', `/api/v1/customers/${c.code}/transactable`, { token: reader });
    expect(gone.status).toBe(409);
    expect(gone.body).toMatchObject({
      ok: false,
      status: 'deleted',
      reason: null,
      message: expect.stringContaining('已删除'),
    });
    expect((await api.call('GET', `/api/v1/customers/${c.code}`, { token: reader })).body.status).toBe('deleted');
  });

  it('refuses a deletion request while business is open, listing the blockers', async () => {
    const c = await newCustomer(h, await admin());
    await createOrder(h.core, await admin(), { customerCode: c.code, total: '1200.00' });
    const r = await api.call('POST', `/api/v1/customers/${c.code}/deletion-request`, {
      token: writer,
      body: { reason: '不再合作' },
    });
    expect(r.status).toBe(409);
    expect(r.body.error).toMatchObject({
      code: 'DELETE_BLOCKED',
      message: expect.stringContaining('还有业务未了结'),
      details: { blockers: [expect.objectContaining({ kind: 'openOrders', count: 1 })] },
    });
    expect(await h.core.models.ApprovalRequest.count({ where: { customerId: c.id } })).toBe(0);
  });

  it('logs no access line for the transactable check itself, but does for a refused token and for other calls', async () => {
    const c = await newCustomer(h, await admin());
    const lines: { path?: string; status?: number; msg?: string }[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _e, done) {
        lines.push(JSON.parse(chunk.toString()));
        done();
      },
    });
    const before = h.core.logger;
    h.core.logger = pino({ level: 'info' }, sink);
    try {
      expect((await api.call('GET', `/api/v1/customers/${c.code}/transactable`, { token: reader })).status).toBe(200);
      expect((await api.call('GET', '/api/v1/customers/NOPE/transactable', { token: reader })).status).toBe(404);
      expect((await api.call('GET', `/api/v1/customers/${c.code}/transactable`, { token: 'bad' })).status).toBe(401);
      expect((await api.call('GET', `/api/v1/customers/${c.code}`, { token: reader })).status).toBe(200);
    } finally {
      h.core.logger = before;
    }
    const requests = lines.filter((l) => l.msg === 'request').map((l) => [l.path, l.status]);
    expect(requests).toEqual([
      [`/api/v1/customers/${c.code}/transactable`, 401],
      [`/api/v1/customers/${c.code}`, 200],
    ]);
  });

  it('answered every request as the OpenAPI document says', () => {
    expect(api.registry.violations).toEqual([]);
  });
});
