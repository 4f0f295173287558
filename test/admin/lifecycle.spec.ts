import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { eachDialect, type Harness } from '../helpers/db.js';
import { createCustomer } from '../../core/customers/create.js';
import { createOrder, reserveStock } from '../../core/orders.js';
import { jobActor } from '../../core/context.js';
import type { CustomerView } from '../../core/customers/view.js';
import { clientAs, startAdmin, type AdminClient } from './helpers.js';
import { Notifier } from '../../bot/notify/notifier.js';

type Rec = {
  id: number;
  params: Record<string, unknown>;
  errors: Record<string, { message: string }>;
  recordActions: { name: string }[];
};
type ActionAnswer = {
  notice?: { message: string; type: string };
  record: Rec;
  error?: { code: string; details: Record<string, unknown> };
  precheck?: { blockers: { kind: string; text: string }[] };
  revealed?: { phone: string };
};

/** An action's answer, once it is known to be a 200. */
const answer = async (p: Promise<{ json: <T>() => T; status: number }>) => {
  const r = await p;
  expect(r.status).toBe(200);
  return r.json<ActionAnswer>();
};

interface LifecycleDesk {
  /** boss (admin), wang and zhao (sales), qian (finance), li (approver), kan (viewer). */
  as: Record<string, AdminClient>;
  /** mine, busy and clean (wang's; busy with an open order and a reservation), theirs (zhao's). */
  c: Record<string, CustomerView>;
  ids: Record<string, number>;
  /** The back office's address, for a test that logs in an operator of its own. */
  url: string;
  /** A fresh customer of this test's own, owned by `owner` (a login above) when given. */
  customer(name: string, owner?: string, phone?: string): Promise<CustomerView>;
}

/** The back office with one operator per role and four customers, set up for the calling describe. */
function lifecycleDesk(h: Harness): LifecycleDesk {
  let server: Awaited<ReturnType<typeof startAdmin>>;
  const desk: LifecycleDesk = {
    as: {},
    c: {},
    ids: {},
    url: '',
    customer: async (name, owner, phone) =>
      (await createCustomer(h.core, jobActor('test'), { name, phone, ownerId: owner ? ids[owner] : undefined }))
        .customer,
  };
  const { as, c, ids } = desk;
  beforeAll(async () => {
    // The bot's real notifier, as the server wires it: approvers' cards go to the outbox.
    server = await startAdmin(h.core, { notifier: new Notifier(h.core) });
    desk.url = server.url;
    for (const [login, roles] of [
      ['boss', ['admin']],
      ['wang', ['sales']],
      ['zhao', ['sales']],
      ['qian', ['finance']],
      ['li', ['approver']],
      ['kan', ['viewer']],
    ] as const) {
      const { client, operator } = await clientAs(h.core, server.url, login, [...roles]);
      as[login] = client;
      ids[login] = operator.id;
    }
    const job = jobActor('test');
    await h.core.models.Product.create({ sku: 'P-1', name: '螺丝', unit: '盒', price: '3.50' });
    c.mine = (
      await createCustomer(h.core, job, {
        name: '苏州停用测试有限公司',
        phone: '13900000001',
        address: '苏州市工业园区星湖街 328 号',
        ownerId: ids.wang,
      })
    ).customer;
    c.theirs = (await createCustomer(h.core, job, { name: '无锡别人家商行', ownerId: ids.zhao })).customer;
    c.busy = (await createCustomer(h.core, job, { name: '常州未了结贸易公司', ownerId: ids.wang })).customer;
    c.clean = (await createCustomer(h.core, job, { name: '南通可删除电子厂', ownerId: ids.wang })).customer;
    const order = await createOrder(h.core, job, { customerCode: c.busy.code, total: '800.00' });
    await reserveStock(h.core, job, { customerCode: c.busy.code, sku: 'P-1', quantity: 12, orderNumber: order.number });
  });
  afterAll(async () => server?.close());
  return desk;
}

eachDialect('back office: lifecycle actions by role: 停用 / 启用', (h) => {
  const desk = lifecycleDesk(h);
  const { as, c } = desk;
  /** wang's own customer of this test, deactivated by wang in the back office. */
  const deactivated = async (name: string) => {
    const customer = await desk.customer(name, 'wang');
    await answer(as.wang!.action('customers', customer.id, 'deactivate', { reason: '客户要求', memo: '', until: '' }));
    return customer;
  };

  it('lets sales deactivate their own customer with a reason, audited as door admin', async () => {
    const mine = await desk.customer('苏州停用测试一厂', 'wang');
    const body = await answer(
      as.wang!.action('customers', mine.id, 'deactivate', {
        reason: '客户要求',
        memo: '暂停合作一季度',
        until: '',
      }),
    );
    expect(body.notice).toMatchObject({ type: 'success' });
    expect(body.notice!.message).toContain('已停用 (原因: 客户要求)');
    expect(body.record.params.status).toBe('inactive');
    const audit = await h.core.models.AuditEvent.findOne({
      where: { customerId: mine.id, action: 'customer.deactivate' },
    });
    expect(audit).toMatchObject({ door: 'admin', operatorName: 'wang' });
  });

  it("shows core's refusal for a customer sales does not own, and for a missing reason", async () => {
    const theirs = await answer(as.wang!.action('customers', c.theirs!.id, 'deactivate', { reason: '客户要求' }));
    expect(theirs.error!.code).toBe('NOT_PERMITTED');
    expect(theirs.notice!.message).toContain('不归 wang 负责');
    const noReason = await answer(as.boss!.action('customers', c.theirs!.id, 'deactivate', { reason: '', memo: '' }));
    expect(noReason.error!.code).toBe('VALIDATION');
    expect(noReason.record.errors.reason!.message).toContain('停用原因只能是');
    expect(noReason.notice!.message).toMatch(/^输入有误 — 停用原因: 停用原因只能是/);
    expect((await h.core.models.Customer.findByPk(c.theirs!.id))!.status).toBe('active');
  });

  it('changes nothing on GET, so a link cannot deactivate anyone', async () => {
    const body = await answer(as.boss!.action('customers', c.theirs!.id, 'deactivate'));
    expect(body.record.params.status).toBe('active');
    expect((await h.core.models.Customer.findByPk(c.theirs!.id))!.status).toBe('active');
  });

  it('offers 停用 only on active and 启用 only on inactive customers', async () => {
    const inactive = await deactivated('苏州停用测试二厂');
    const mine = await answer(as.wang!.action('customers', inactive.id, 'show'));
    const names = mine.record.recordActions.map((a) => a.name);
    expect(names).toContain('reactivate');
    expect(names).not.toContain('deactivate');
  });

  it('reactivates through core and refuses a viewer with 403', async () => {
    const inactive = await deactivated('苏州停用测试三厂');
    expect((await as.kan!.action('customers', inactive.id, 'reactivate', {})).status).toBe(403);
    const body = await answer(as.wang!.action('customers', inactive.id, 'reactivate', {}));
    expect(body.notice!.message).toContain('已启用');
    expect((await h.core.models.Customer.findByPk(inactive.id))!.status).toBe('active');
  });
});

eachDialect('back office: lifecycle actions by role: 申请删除 → 同意 / 拒绝 → 回收站', (h) => {
  const desk = lifecycleDesk(h);
  const { as, c, ids } = desk;

  it('shows the full blocker list first and refuses the request while business is open', async () => {
    const check = await answer(as.wang!.action('customers', c.busy!.id, 'requestDeletion'));
    expect(check.precheck!.blockers.map((b) => b.kind)).toEqual(['openOrders', 'activeReservations']);
    expect(check.precheck!.blockers[0]!.text).toContain('¥800.00');
    const refused = await answer(as.wang!.action('customers', c.busy!.id, 'requestDeletion', { reason: '不再合作' }));
    expect(refused.error!.code).toBe('DELETE_BLOCKED');
    expect(refused.notice!.message).toContain('库存预留 1 条, 共 12 件');
    expect(await h.core.models.ApprovalRequest.count({ where: { customerId: c.busy!.id } })).toBe(0);
  });

  it('sends a request for a clean customer; the requester cannot approve it, an approver can', async () => {
    const sent = await answer(as.wang!.action('customers', c.clean!.id, 'requestDeletion', { reason: '重复录入' }));
    expect(sent.notice!.message).toMatch(/已提交删除申请 #\d+/);
    const request = (await h.core.models.ApprovalRequest.findOne({ where: { customerId: c.clean!.id } }))!;
    // Every approver (not the requester) got the approval card, queued with the request.
    const cards = await h.core.models.BotOutbox.findAll({
      where: { ref: `approval:${request.id}`, door: 'console' },
    });
    expect(cards.map((r) => r.targetId).sort()).toEqual(expect.arrayContaining([`op:${ids.boss}`, `op:${ids.li}`]));
    expect(cards.map((r) => r.targetId)).not.toContain(`op:${ids.wang}`);
    expect((await as.wang!.action('approval_requests', request.id, 'approve', {})).status).toBe(403);
    const self = await answer(as.boss!.action('approval_requests', request.id, 'approve', {}));
    expect(self.error).toBeUndefined();
    expect((await h.core.models.Customer.findByPk(c.clean!.id))!.status).toBe('deleted');
  });

  it('refuses an approver deciding their own request (four eyes)', async () => {
    const { customer } = await createCustomer(h.core, jobActor('t'), { name: '扬州自审测试厂' });
    const mine = await answer(as.boss!.action('customers', customer.id, 'requestDeletion', { reason: '测试' }));
    expect(mine.notice!.type).toBe('success');
    const request = (await h.core.models.ApprovalRequest.findOne({ where: { customerId: customer.id } }))!;
    const self = await answer(as.boss!.action('approval_requests', request.id, 'approve', {}));
    expect(self.error!.code).toBe('SELF_APPROVAL');
    const rejected = await answer(as.li!.action('approval_requests', request.id, 'reject', { note: '还有对账未完成' }));
    expect(rejected.notice!.message).toContain('已拒绝');
    expect((await h.core.models.ApprovalRequest.findByPk(request.id))!.decisionNote).toBe('还有对账未完成');
  });

  it('restores from the recycle bin for an approver; sales cannot see or use 恢复 or 彻底清除', async () => {
    // This test's own customer: wang asks to delete it, li approves, so it sits in the recycle bin.
    const clean = await desk.customer('南通回收站测试电子厂', 'wang');
    await answer(as.wang!.action('customers', clean.id, 'requestDeletion', { reason: '重复录入' }));
    const request = (await h.core.models.ApprovalRequest.findOne({ where: { customerId: clean.id } }))!;
    expect((await answer(as.li!.action('approval_requests', request.id, 'approve', {}))).error).toBeUndefined();
    const entry = (await h.core.models.RecycleEntry.findOne({ where: { customerId: clean.id } }))!;
    const seen = await answer(as.wang!.action('recycle_entries', entry.id, 'show'));
    expect(seen.record.recordActions.map((a) => a.name)).not.toContain('restore');
    expect(seen.record.recordActions.map((a) => a.name)).not.toContain('purge');
    expect((await as.wang!.action('recycle_entries', entry.id, 'restore', {})).status).toBe(403);
    expect((await as.li!.action('recycle_entries', entry.id, 'purge', {})).status).toBe(403);
    const adminView = await answer(as.boss!.action('recycle_entries', entry.id, 'show'));
    expect(adminView.record.recordActions.map((a) => a.name)).toEqual(expect.arrayContaining(['restore', 'purge']));
    const early = await answer(as.boss!.action('recycle_entries', entry.id, 'purge', {}));
    expect(early.notice!.message).toContain('之前不能清除');
    const restored = await answer(as.li!.action('recycle_entries', entry.id, 'restore', {}));
    expect(restored.notice!.message).toContain('已恢复');
    expect((await h.core.models.Customer.findByPk(clean.id))!.status).toBe('active');
  });
});

eachDialect('back office: lifecycle actions by role: 查看手机号 and 审计日志', (h) => {
  const desk = lifecycleDesk(h);
  const { as, c } = desk;
  type Audit = {
    records: { params: { action: string; door: string; operatorName: string; customerId: number | null } }[];
  };
  const audit = async (query: string) =>
    (await as.kan!.list('audit_events', query)).json<Audit>().records.map((r) => r.params);

  it('reveals to finance with an audit row, and is refused (403) to sales', async () => {
    expect((await as.wang!.action('customers', c.mine!.id, 'reveal', {})).status).toBe(403);
    const body = await answer(as.qian!.action('customers', c.mine!.id, 'reveal', { why: '核对对账单' }));
    expect(body.revealed!.phone).toBe('13900000001');
    const audit = await h.core.models.AuditEvent.findOne({
      where: { customerId: c.mine!.id, action: 'customer.reveal' },
    });
    expect(audit).toMatchObject({ door: 'admin', operatorName: 'qian' });
    expect(audit!.diff).toContain('核对对账单');
  });

  it('shows nothing on GET', async () => {
    const body = await answer(as.qian!.action('customers', c.mine!.id, 'reveal'));
    expect(JSON.stringify(body)).not.toContain('13900000001');
  });

  it('lists newest first and filters by customer, operator, door and date', async () => {
    // The history the audit log is read for, on this test's own customer: wang deactivates it, then
    // reactivates it, in the back office; then sun (finance, logged in for this test only) reveals its phone.
    const mine = await desk.customer('苏州审计日志测试有限公司', 'wang', '13900000002');
    const sun = await clientAs(h.core, desk.url, 'sun', ['finance']);
    await answer(as.wang!.action('customers', mine.id, 'deactivate', { reason: '客户要求', memo: '', until: '' }));
    await answer(as.wang!.action('customers', mine.id, 'reactivate', {}));
    await answer(sun.client.action('customers', mine.id, 'reveal', { why: '核对对账单' }));
    const all = await audit('');
    expect(all[0]!.action).toBe('customer.reveal');
    const forCustomer = await audit(`filters.customerId=${mine.id}`);
    expect(new Set(forCustomer.map((e) => e.customerId))).toEqual(new Set([mine.id]));
    expect(forCustomer.map((e) => e.action)).toEqual([
      'customer.reveal',
      'customer.reactivate',
      'customer.deactivate',
      'customer.create',
    ]);
    expect((await audit(`filters.operatorId=${sun.operator.id}`)).map((e) => e.action)).toEqual(['customer.reveal']);
    expect(new Set((await audit('filters.door=admin')).map((e) => e.door))).toEqual(new Set(['admin']));
    expect((await audit('filters.door=job')).length).toBeGreaterThan(0);
    expect(
      await audit(`filters.at~~from=${encodeURIComponent(new Date(Date.now() + 86400_000).toISOString())}`),
    ).toEqual([]);
  });

  it('is read-only for everyone, admins included', async () => {
    const event = (await h.core.models.AuditEvent.findOne())!;
    expect((await as.boss!.action('audit_events', event.id, 'edit', { action: 'x' })).status).toBe(403);
    expect((await as.boss!.action('audit_events', event.id, 'delete', {})).status).toBe(403);
    expect((await as.boss!.post('/admin/api/resources/audit_events/actions/new', { action: 'x' })).status).toBe(403);
  });
});
