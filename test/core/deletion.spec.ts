import { beforeAll, expect, it } from '@jest/globals';
import type { Actor } from '../../core/context.js';
import { createCustomer } from '../../core/customers/create.js';
import { getCustomer, searchCustomers } from '../../core/customers/search.js';
import { approve, expireApprovals, pendingFor, reject } from '../../core/deletion/approvals.js';
import { requestDeletion } from '../../core/deletion/request.js';
import { precheck } from '../../core/deletion/precheck.js';
import { listRecycleBin } from '../../core/deletion/recycle.js';
import {
  createOrder,
  createReceivable,
  moveOrder,
  recordPayment,
  releaseReservation,
  reserveStock,
} from '../../core/orders.js';
import { eachDialect, type Harness } from '../helpers/db.js';
import { eventsOf, expectRefused, newCustomer, product } from './fixtures.js';

let admin: Actor;
let sales: Actor;
let finance: Actor;
let approver: Actor;
let approver2: Actor;
let sku: string;
const T0 = new Date('2026-05-10T02:00:00Z');

/** A customer with two open orders, an open receivable (part paid) and two active reservations, plus settled business that must not count. */
async function busyCustomer(h: Harness) {
  const c = await newCustomer(h, admin, { ownerId: sales.operator.id! });
  const draft = await createOrder(h.core, sales, { customerCode: c.code, total: '1000.00' });
  const confirmed = await createOrder(h.core, sales, { customerCode: c.code, total: '234.56' });
  await moveOrder(h.core, sales, confirmed.number, 'confirm');
  const done = await createOrder(h.core, sales, { customerCode: c.code, total: '777.00' });
  await moveOrder(h.core, sales, done.number, 'confirm');
  await moveOrder(h.core, sales, done.number, 'complete');
  const open = await createReceivable(h.core, admin, {
    orderNumber: done.number,
    amount: '500.00',
    dueDate: '2026-06-01',
  });
  await recordPayment(h.core, finance, open.id, '120.50');
  const settled = await createReceivable(h.core, admin, {
    orderNumber: done.number,
    amount: '277.00',
    dueDate: '2026-06-01',
  });
  await recordPayment(h.core, finance, settled.id, '277.00');
  const r1 = await reserveStock(h.core, sales, { customerCode: c.code, sku, quantity: 5 });
  const r2 = await reserveStock(h.core, sales, { customerCode: c.code, sku, quantity: 7 });
  const r3 = await reserveStock(h.core, sales, { customerCode: c.code, sku, quantity: 100 });
  await releaseReservation(h.core, sales, r3.id);
  return { c, draft, confirmed, done, open, reservations: [r1, r2] };
}

/** Admin, sales, finance, two approvers and a product, at T0; each block gets its own database. */
function setupActors(h: Harness): void {
  beforeAll(async () => {
    admin = await h.actor('删除管理员', ['admin']);
    sales = await h.actor('删除销售', ['sales']);
    finance = await h.actor('删除财务', ['finance']);
    approver = await h.actor('审批人甲', ['approver']);
    approver2 = await h.actor('审批人乙', ['approver'], 'dingtalk');
    sku = await product(h.core);
    h.setNow(T0);
  });
}

eachDialect('safe delete: precheck, and requests refused for blockers', (h) => {
  setupActors(h);

  it('precheck lists every blocker kind at once, with figures, and suggests 停用', async () => {
    const { c, draft, confirmed } = await busyCustomer(h);
    const result = await precheck(h.core, sales, c.code);
    expect(result.blockers.map((b) => b.kind)).toEqual(['openOrders', 'unpaidReceivables', 'activeReservations']);
    const [orders, money, stock] = result.blockers;
    expect(orders).toMatchObject({ count: 2, amountCents: 123456 });
    expect(orders!.numbers!.sort()).toEqual([draft.number, confirmed.number].sort());
    expect(orders!.text).toContain('未完成订单 2 张');
    expect(orders!.text).toContain('¥1,234.56');
    expect(money).toMatchObject({ count: 1, amountCents: 37950 });
    expect(money!.text).toBe('未收款 1 笔, 未收金额 ¥379.50');
    expect(stock).toMatchObject({ count: 2, quantity: 12 });
    expect(stock!.text).toBe('库存预留 2 条, 共 12 件');
    expect(result.suggestion).toContain(`停用客户 ${c.code}`);
  });

  it('precheck of a customer with no business finds nothing to block', async () => {
    const c = await newCustomer(h, admin, { ownerId: sales.operator.id! });
    const result = await precheck(h.core, sales, ` ${c.code.toLowerCase()} `);
    expect(result).toEqual({
      code: c.code,
      name: c.name,
      customerId: c.id,
      blockers: [],
      suggestion: null,
      history: { orders: 0, amountCents: 0, lastOrderDate: null, rank: null, ranked: expect.any(Number), top: false },
    });
    await expectRefused(precheck(h.core, sales, 'NOPE-1'), 'CUSTOMER_NOT_FOUND', '找不到编码为「NOPE-1」的客户');
  });

  it('refuse a deletion request with all the blockers, creating nothing', async () => {
    const { c } = await busyCustomer(h);
    const err = await expectRefused(
      requestDeletion(h.core, sales, c.code, '不再合作'),
      'DELETE_BLOCKED',
      '未完成订单 2 张',
      '未收款 1 笔',
      '库存预留 2 条',
      `停用客户 ${c.code}`,
    );
    expect((err.details.blockers as unknown[]).length).toBe(3);
    expect(await h.core.models.ApprovalRequest.count({ where: { customerId: c.id } })).toBe(0);
  });
});

eachDialect('safe delete: a pending request, and who may decide it', (h) => {
  setupActors(h);

  it('create a pending request that expires after 48 h, with requester and reason', async () => {
    const c = await newCustomer(h, admin, { ownerId: sales.operator.id! });
    const op = await h.operator('删除销售', ['sales']);
    const req = await requestDeletion(h.core, sales, c.code, '  重复录入  ');
    expect(req).toMatchObject({
      status: 'pending',
      customerId: c.id,
      customerCode: c.code,
      requesterId: op.id,
      reason: '重复录入',
    });
    expect(req.expiresAt.getTime()).toBe(T0.getTime() + 48 * 3600_000);
    await expectRefused(
      requestDeletion(h.core, sales, c.code, '再来一次'),
      'CONFLICT',
      `已有待审批的删除申请 #${req.id}`,
    );
    await expectRefused(requestDeletion(h.core, sales, c.code, '   '), 'VALIDATION', '请写明删除原因');
    expect((await pendingFor(h.core, approver)).map((r) => r.id)).toContain(req.id);
    const mine = await pendingFor(h.core, admin);
    expect(mine.map((r) => r.id)).toContain(req.id);
  });

  it('require the approver or admin role, and refuse the requester (four eyes)', async () => {
    const c = await newCustomer(h, admin, { ownerId: sales.operator.id! });
    const req = await requestDeletion(h.core, admin, c.code, '测试');
    await expectRefused(approve(h.core, sales, req.id), 'NOT_PERMITTED', '审批删除', '管理员 / 审批人');
    await expectRefused(reject(h.core, finance, req.id, '不同意'), 'NOT_PERMITTED', '管理员 / 审批人');
    await expectRefused(approve(h.core, admin, req.id), 'SELF_APPROVAL', '不能自己审批');
    expect((await h.core.models.ApprovalRequest.findByPk(req.id))?.status).toBe('pending');
    await expectRefused(approve(h.core, approver, 999999), 'APPROVAL_NOT_FOUND');
  });
});

eachDialect('safe delete: requests expire after 48 h', (h) => {
  setupActors(h);

  it('refuse an expired request, then report it as already handled', async () => {
    const c = await newCustomer(h, admin, { ownerId: sales.operator.id! });
    const req = await requestDeletion(h.core, sales, c.code, '测试过期');
    h.setNow(new Date(T0.getTime() + 48 * 3600_000 + 60_000));
    try {
      await expectRefused(approve(h.core, approver, req.id), 'APPROVAL_EXPIRED', '过期', '重新提交申请');
      await expectRefused(approve(h.core, approver, req.id), 'ALREADY_DECIDED', '该申请已处理', '已过期');
    } finally {
      h.setNow(T0);
    }
    expect((await getCustomer(h.core, sales, c.code))?.status).toBe('active');
    expect((await eventsOf(h.core, c.id)).map((e) => e.action)).toEqual([
      'customer.create',
      'deletion.request',
      'deletion.expire',
    ]);
  });

  it('expire overdue requests in bulk (for the jobs), with an audit event each', async () => {
    const c = await newCustomer(h, admin, { ownerId: sales.operator.id! });
    const req = await requestDeletion(h.core, sales, c.code, '待过期');
    h.setNow(new Date(T0.getTime() + 49 * 3600_000));
    try {
      const expired = await expireApprovals(h.core, admin);
      expect(expired.map((r) => r.id)).toContain(req.id);
      expect(expired.every((r) => r.status === 'expired')).toBe(true);
      expect(await expireApprovals(h.core, admin)).toEqual([]);
    } finally {
      h.setNow(T0);
    }
    expect((await h.core.models.ApprovalRequest.findByPk(req.id))?.status).toBe('expired');
    expect((await eventsOf(h.core, c.id)).map((e) => e.action)).toEqual([
      'customer.create',
      'deletion.request',
      'deletion.expire',
    ]);
  });
});

eachDialect('safe delete: rejection, blockers at approval time, simultaneous approvers', (h) => {
  setupActors(h);

  it('reject with a note: the customer stays, a second decision is refused', async () => {
    const c = await newCustomer(h, admin, { ownerId: sales.operator.id! });
    const req = await requestDeletion(h.core, sales, c.code, '测试拒绝');
    const { request } = await reject(h.core, approver, req.id, '  还有合作意向 ');
    expect(request).toMatchObject({ status: 'rejected', decisionNote: '还有合作意向' });
    await expectRefused(approve(h.core, approver2, req.id), 'ALREADY_DECIDED', '该申请已处理', '已拒绝');
    expect((await getCustomer(h.core, sales, c.code))?.status).toBe('active');
  });

  it('check the blockers again at approval time', async () => {
    const c = await newCustomer(h, admin, { ownerId: sales.operator.id! });
    const req = await requestDeletion(h.core, sales, c.code, '申请后又下了单');
    const order = await createOrder(h.core, sales, { customerCode: c.code, total: '66.00' });
    await expectRefused(approve(h.core, approver, req.id), 'DELETE_BLOCKED', '未完成订单 1 张', order.number);
    expect((await h.core.models.ApprovalRequest.findByPk(req.id))?.status).toBe('pending');
    expect((await getCustomer(h.core, sales, c.code))?.status).toBe('active');
    expect(await h.core.models.RecycleEntry.count({ where: { customerId: c.id } })).toBe(0);
    await moveOrder(h.core, sales, order.number, 'cancel');
    const { recycleEntryId } = await approve(h.core, approver, req.id);
    expect(recycleEntryId).toEqual(expect.any(Number));
  });

  it('let exactly one of two simultaneous approvers delete; the other hears 该申请已处理', async () => {
    for (let round = 0; round < 3; round++) {
      const c = await newCustomer(h, admin, { ownerId: sales.operator.id! });
      const req = await requestDeletion(h.core, sales, c.code, `并发审批 ${round}`);
      const results = await Promise.allSettled([approve(h.core, approver, req.id), approve(h.core, approver2, req.id)]);
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect(lost[0]!.reason).toMatchObject({
        code: 'ALREADY_DECIDED',
        message: expect.stringContaining('该申请已处理'),
      });
      expect(await h.core.models.RecycleEntry.count({ where: { customerId: c.id } })).toBe(1);
      const deletes = (await eventsOf(h.core, c.id)).filter((e) => e.action === 'customer.delete');
      expect(deletes).toHaveLength(1);
    }
  });
});

eachDialect('safe delete: approval keeps a snapshot in the recycle bin', (h) => {
  setupActors(h);

  it('approve: a snapshot in the recycle bin, a tombstone that keeps code and history', async () => {
    const c = await newCustomer(h, admin, { ownerId: sales.operator.id!, phone: '13511112222', contact: '孙丽' });
    const old = await createOrder(h.core, sales, { customerCode: c.code, total: '45.00' });
    await moveOrder(h.core, sales, old.number, 'confirm');
    await moveOrder(h.core, sales, old.number, 'complete');
    const req = await requestDeletion(h.core, sales, c.code, '客户注销');
    const { request, recycleEntryId, restorableUntil } = await approve(h.core, approver2, req.id);
    expect(request.status).toBe('approved');
    expect(restorableUntil?.getTime()).toBe(T0.getTime() + 180 * 86400_000);
    const entry = await h.core.models.RecycleEntry.findByPk(recycleEntryId!);
    expect(entry).toMatchObject({
      customerId: c.id,
      customerCode: c.code,
      customerName: c.name,
      previousStatus: 'active',
      approvalId: req.id,
    });
    const snapshot = JSON.parse(entry!.snapshot) as {
      customer: { code: string; name: string };
      orders: { number: string }[];
      approvals: unknown[];
    };
    expect(snapshot.customer).toMatchObject({ code: c.code, name: c.name });
    expect(snapshot.orders.map((o) => o.number)).toEqual([old.number]);
    expect(snapshot.approvals).toHaveLength(1);
    expect((await listRecycleBin(h.core, sales)).map((e) => e.customerCode)).toContain(c.code);

    const row = await h.core.models.Customer.findByPk(c.id);
    expect(row?.status).toBe('deleted');
    expect((await searchCustomers(h.core, sales, { code: c.code })).items).toEqual([]);
    await expectRefused(createOrder(h.core, sales, { customerCode: c.code, total: '1.00' }), 'CUSTOMER_DELETED');
    await expectRefused(createCustomer(h.core, admin, { name: '抢注编码', code: c.code }), 'CODE_TAKEN');
    expect(await h.core.models.SalesOrder.count({ where: { customerId: c.id } })).toBe(1);
    expect((await eventsOf(h.core, c.id)).map((e) => e.action)).toEqual([
      'customer.create',
      'deletion.request',
      'customer.delete',
    ]);
    await expectRefused(requestDeletion(h.core, sales, c.code, '再删一次'), 'CUSTOMER_DELETED', '已删除, 无需再删除');
  });
});
