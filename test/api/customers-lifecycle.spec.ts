import { Writable } from 'node:stream';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import pino from 'pino';
import { approve } from '../../core/deletion/approvals.js';
import { assertOpenForBusiness } from '../../core/customers/status.js';
import { createOrder } from '../../core/orders.js';
import { eachDialect } from '../helpers/db.js';
import { itAnsweredAsDocumented, type ApiHarness, type RecordingNotifier } from '../helpers/api-app.js';
import { newCustomer, refusal } from '../core/fixtures.js';
import { startCustomersApi } from './customers-api.js';

eachDialect('API customers: 停用/启用 and transactable', (h) => {
  let api: ApiHarness, reader: string, writer: string;
  beforeAll(async () => {
    ({ api, reader, writer } = await startCustomersApi(h));
  });
  afterAll(async () => api?.close());
  const admin = () => h.actor('API客户管理员', ['admin']);

  it("停用 through the API makes transactable answer 409 with the reason and core's message; 启用 makes it 200 again", async () => {
    // Owned by a salesperson: the token is not that person, and the 「只能停用自己的客户」 rule is not for systems.
    const owner = await h.operator('停用测试销售', ['sales']);
    const c = await newCustomer(h, await admin(), { ownerId: owner.id });
    const check = () => api.call('GET', `/api/v1/customers/${c.code}/transactable`, { token: reader });
    const deactivate = (body: object) =>
      api.call('POST', `/api/v1/customers/${c.code}/deactivate`, { token: writer, body });
    expect(await check()).toMatchObject({ status: 200, body: { ok: true } });

    const noMemo = await deactivate({ reason: '其他' });
    expect(noMemo.status).toBe(422);
    expect(noMemo.body.error.details.errors).toEqual([{ field: 'memo', message: '原因为「其他」时必须填写备注' }]);
    const badReason = await deactivate({ reason: '不想要了' });
    expect(badReason.status).toBe(422);
    expect(badReason.body.error.details.errors[0]).toMatchObject({
      field: 'reason',
      message: expect.stringContaining('字段「reason」(停用原因)只能是'),
    });

    const off = await deactivate({ reason: '信用风险', memo: '逾期未付', until: '2099-12-31' });
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

    const again = await deactivate({ reason: '信用风险' });
    expect(again.status).toBe(409);
    const on = await api.call('POST', `/api/v1/customers/${c.code}/reactivate`, { token: writer });
    expect(on.status).toBe(200);
    expect(on.body.status).toBe('active');
    expect(await check()).toMatchObject({ status: 200, body: { ok: true } });
    expect((await api.call('GET', '/api/v1/customers/NOPE/transactable', { token: reader })).status).toBe(404);
  });

  itAnsweredAsDocumented(() => api);
});

eachDialect('API customers: deletion request', (h) => {
  let api: ApiHarness, reader: string, writer: string, notifier: RecordingNotifier;
  beforeAll(async () => {
    ({ api, reader, writer, notifier } = await startCustomersApi(h));
  });
  afterAll(async () => api?.close());
  const admin = () => h.actor('API客户管理员', ['admin']);

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

  itAnsweredAsDocumented(() => api);
});

eachDialect('API customers: deletion blockers and the access log', (h) => {
  let api: ApiHarness, reader: string, writer: string;
  beforeAll(async () => {
    ({ api, reader, writer } = await startCustomersApi(h));
  });
  afterAll(async () => api?.close());
  const admin = () => h.actor('API客户管理员', ['admin']);

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

  itAnsweredAsDocumented(() => api);
});
