import { beforeAll, expect, it } from '@jest/globals';
import { auditPersonalValues, verifyAuditChain } from '../../core/audit.js';
import type { Actor } from '../../core/context.js';
import { editCustomer } from '../../core/customers/edit.js';
import { searchCustomers } from '../../core/customers/search.js';
import { deactivate } from '../../core/customers/status.js';
import type { CustomerView } from '../../core/customers/view.js';
import { approve } from '../../core/deletion/approvals.js';
import { requestDeletion } from '../../core/deletion/request.js';
import { listRecycleBin, purgeableEntries, purgeEntry, restoreCustomer } from '../../core/deletion/recycle.js';
import { createOrder, createReceivable, moveOrder, recordPayment } from '../../core/orders.js';
import { eachDialect, type Harness } from '../helpers/db.js';
import { eventsOf, expectRefused, newCustomer } from './fixtures.js';

let admin: Actor;
let sales: Actor;
let approver: Actor;
let finance: Actor;
const T0 = new Date('2026-02-01T03:00:00Z');

/** Deletes a customer the normal way (request by sales, approval); returns its recycle bin entry. */
function remover(h: Harness) {
  return async function remove(c: CustomerView, why = '测试删除'): Promise<number> {
    const req = await requestDeletion(h.core, sales, c.code, why);
    return (await approve(h.core, approver, req.id)).recycleEntryId!;
  };
}

/** A customer with personal data, an edit, a paid order; deleted, restored and deleted again. */
async function deletedTwiceWithMoneyHistory(h: Harness, remove: ReturnType<typeof remover>) {
  const c = await newCustomer(h, admin, {
    ownerId: sales.operator.id!,
    name: '成都锦程茶业有限公司',
    contact: '周杰',
    phone: '13788889999',
    address: '成都市锦江区春熙路 9 号',
    note: '周总喜欢喝茶',
  });
  await editCustomer(h.core, admin, c.code, { phone: '13788880000' });
  const order = await createOrder(h.core, sales, { customerCode: c.code, total: '520.00' });
  await moveOrder(h.core, sales, order.number, 'confirm');
  await moveOrder(h.core, sales, order.number, 'complete');
  const r = await createReceivable(h.core, admin, {
    orderNumber: order.number,
    amount: '520.00',
    dueDate: '2026-03-01',
  });
  await recordPayment(h.core, finance, r.id, '520.00');
  const firstEntry = await remove(c, '第一次删除');
  await restoreCustomer(h.core, admin, c.code);
  const entryId = await remove(c);
  return { c, firstEntry, entryId };
}

/** No audit event of the customer holds personal values any more, and the chain still verifies. */
async function expectAuditRedacted(h: Harness, customerId: number, entryId: number): Promise<void> {
  const events = await eventsOf(h.core, customerId);
  expect(events.at(-1)).toMatchObject({ action: 'customer.purge' });
  expect(JSON.parse(events.at(-1)!.diff)).toMatchObject({
    info: { recycleEntryId: entryId, redactedEvents: expect.any(Number) },
  });
  for (const e of events) {
    expect(auditPersonalValues(h.core, e)).toBeNull();
    for (const secret of ['锦程', '周杰', '1378888']) expect(e.diff).not.toContain(secret);
  }
  expect(await verifyAuditChain(h.core)).toMatchObject({ ok: true });
}

/** Admin, sales, approver and finance, at T0; each block gets its own database. */
function setupActors(h: Harness): void {
  beforeAll(async () => {
    admin = await h.actor('回收管理员', ['admin']);
    sales = await h.actor('回收销售', ['sales']);
    approver = await h.actor('回收审批人', ['approver']);
    finance = await h.actor('回收财务', ['finance']);
    h.setNow(T0);
  });
}

eachDialect('recycle bin: restore', (h: Harness) => {
  setupActors(h);
  const remove = remover(h);

  it('restore gives back the same id and code, the previous status and the whole history', async () => {
    const c = await newCustomer(h, admin, { ownerId: sales.operator.id!, phone: '13622223333' });
    await deactivate(h.core, admin, c.code, { reason: '信用风险', memo: '逾期三个月' });
    await remove(c);
    const before = (await eventsOf(h.core, c.id)).map((e) => e.id);
    const { code, status } = await restoreCustomer(h.core, approver, ` ${c.code.toLowerCase()} `);
    expect({ code, status }).toEqual({ code: c.code, status: 'inactive' });
    const row = await h.core.models.Customer.findByPk(c.id);
    expect(row).toMatchObject({
      id: c.id,
      code: c.code,
      status: 'inactive',
      deactivationReason: '信用风险',
      deactivationMemo: '逾期三个月',
    });
    const events = await eventsOf(h.core, c.id);
    expect(events.map((e) => e.action)).toEqual([
      'customer.create',
      'customer.deactivate',
      'deletion.request',
      'customer.delete',
      'customer.restore',
    ]);
    expect(events.slice(0, -1).map((e) => e.id)).toEqual(before);
    expect((await searchCustomers(h.core, sales, { phone: '13622223333' })).items.map((i) => i.code)).toEqual([c.code]);
    expect((await listRecycleBin(h.core, sales)).map((e) => e.customerCode)).not.toContain(c.code);
    await expectRefused(restoreCustomer(h.core, approver, c.code), 'NOT_FOUND', '回收站里没有');
  });

  it('restore an active customer that was deleted, and delete it again later', async () => {
    const c = await newCustomer(h, admin, { ownerId: sales.operator.id! });
    await remove(c, '第一次');
    expect((await restoreCustomer(h.core, admin, c.code)).status).toBe('active');
    await remove(c, '第二次');
    expect((await restoreCustomer(h.core, admin, c.code)).status).toBe('active');
    expect(await h.core.models.RecycleEntry.count({ where: { customerId: c.id } })).toBe(2);
  });
});

eachDialect('recycle bin: refusals, and purge only when due or forced', (h: Harness) => {
  setupActors(h);
  const remove = remover(h);

  it('refuse restore to those without the role and for unknown codes', async () => {
    const c = await newCustomer(h, admin, { ownerId: sales.operator.id! });
    await remove(c);
    await expectRefused(restoreCustomer(h.core, sales, c.code), 'NOT_PERMITTED', '恢复客户', '管理员 / 审批人');
    await expectRefused(restoreCustomer(h.core, admin, 'NOPE-404'), 'NOT_FOUND', '「NOPE-404」');
  });

  it('purge before the retention period only when forced, and never a restored entry', async () => {
    const c = await newCustomer(h, admin, { ownerId: sales.operator.id!, phone: '13233334444' });
    const entryId = await remove(c);
    await purgeEntry(h.core, admin, entryId, { force: true });
    expect((await h.core.models.Customer.findByPk(c.id))?.name).toBe(`已删除客户-${c.id}`);

    const d = await newCustomer(h, admin, { ownerId: sales.operator.id! });
    const dEntry = await remove(d);
    await restoreCustomer(h.core, admin, d.code);
    await expectRefused(purgeEntry(h.core, admin, dEntry, { force: true }), 'CONFLICT', '已恢复, 不能清除');
    await expectRefused(purgeEntry(h.core, admin, 999999), 'NOT_FOUND');
  });
});

eachDialect('recycle bin: purge erases personal data', (h: Harness) => {
  setupActors(h);
  const remove = remover(h);

  it('purge erases personal data in the row and the snapshot, keeps the money history, redacts the audit and keeps the chain valid', async () => {
    const { c, firstEntry, entryId } = await deletedTwiceWithMoneyHistory(h, remove);

    await expectRefused(purgeEntry(h.core, approver, entryId), 'NOT_PERMITTED', '彻底清除', '管理员');
    await expectRefused(purgeEntry(h.core, admin, entryId), 'CONFLICT', '保留期到 2026-07-31 11:00');
    expect(await purgeableEntries(h.core)).toEqual([]);

    h.setNow(new Date(T0.getTime() + 181 * 86400_000));
    try {
      expect((await purgeableEntries(h.core)).map((e) => e.id)).toContain(entryId);
      const { redactedEvents } = await purgeEntry(h.core, admin, entryId);
      expect(redactedEvents).toBeGreaterThanOrEqual(2);
    } finally {
      h.setNow(T0);
    }

    const anonymous = `已删除客户-${c.id}`;
    const row = await h.core.models.Customer.findByPk(c.id, { raw: true });
    expect(row).toMatchObject({
      code: c.code,
      name: anonymous,
      contact: null,
      phoneEnc: null,
      phoneHash: null,
      addressEnc: null,
      note: null,
      status: 'deleted',
    });
    const entry = await h.core.models.RecycleEntry.findByPk(entryId);
    expect(entry?.customerName).toBe(anonymous);
    expect(entry?.purgedAt).toBeInstanceOf(Date);
    const snapshot = JSON.parse(entry!.snapshot) as {
      customer: Record<string, unknown>;
      orders: unknown[];
      receivables: unknown[];
    };
    expect(snapshot.customer).toMatchObject({
      name: anonymous,
      contact: null,
      phoneEnc: null,
      phoneHash: null,
      addressEnc: null,
    });
    for (const secret of ['锦程', '周杰', '春熙路', '喝茶']) expect(entry!.snapshot).not.toContain(secret);
    expect(snapshot.orders).toHaveLength(1);
    const older = await h.core.models.RecycleEntry.findByPk(firstEntry);
    expect(older?.customerName).toBe(anonymous);
    for (const secret of ['锦程', '周杰', '春熙路']) expect(older!.snapshot).not.toContain(secret);
    expect(snapshot.receivables).toHaveLength(1);

    expect(await h.core.models.SalesOrder.count({ where: { customerId: c.id } })).toBe(1);
    expect(await h.core.models.Receivable.count({ where: { customerId: c.id } })).toBe(1);

    await expectAuditRedacted(h, c.id, entryId);

    await expectRefused(restoreCustomer(h.core, admin, c.code), 'CONFLICT', '彻底清除', '无法恢复');
    await expectRefused(purgeEntry(h.core, admin, entryId), 'CONFLICT', '已清除过');
    expect((await searchCustomers(h.core, admin, { phone: '13788880000', includeDeleted: true })).items).toEqual([]);
  });
});
