import { beforeAll, expect, it } from '@jest/globals';
import type { Actor } from '../../core/context.js';
import { deactivate, deactivateMany, reactivate } from '../../core/customers/status.js';
import { approve } from '../../core/deletion/approvals.js';
import { requestDeletion } from '../../core/deletion/request.js';
import {
  createOrder,
  createReceivable,
  moveOrder,
  recordPayment,
  releaseReservation,
  reserveStock,
} from '../../core/orders.js';
import { toCents } from '../../core/money.js';
import { eachDialect, type Harness } from '../helpers/db.js';
import { eventsOf, expectRefused, newCustomer, product } from './fixtures.js';

let admin: Actor;
let sales: Actor;
let sales2: Actor;
let finance: Actor;
let sku: string;

/** An admin, two salespeople, finance and a product, on 2026-03-15; each block gets its own database. */
function setupActors(h: Harness): void {
  beforeAll(async () => {
    admin = await h.actor('状态管理员', ['admin']);
    sales = await h.actor('状态销售甲', ['sales']);
    sales2 = await h.actor('状态销售乙', ['sales']);
    finance = await h.actor('状态财务', ['finance']);
    sku = await product(h.core);
    h.setNow(new Date('2026-03-15T02:00:00Z'));
  });
}

eachDialect('停用: the reason list and the until date', (h) => {
  setupActors(h);

  it('take the reason from the fixed list, and require a memo for 其他', async () => {
    const c = await newCustomer(h, admin);
    const bad = await expectRefused(
      deactivate(h.core, admin, c.code, { reason: '看不顺眼' }),
      'VALIDATION',
      '停用原因只能是: 长期无交易 / 客户要求 / 信用风险 / 信息错误 / 合并重复 / 其他',
    );
    expect(bad.details.errors).toEqual([{ field: 'reason', message: expect.stringContaining('停用原因只能是') }]);
    await expectRefused(
      deactivate(h.core, admin, c.code, { reason: '其他', memo: '  ' }),
      'VALIDATION',
      '原因为「其他」时必须填写备注',
    );
    await expectRefused(
      deactivate(h.core, admin, c.code, { reason: '客户要求', until: '2026/06/30' }),
      'VALIDATION',
      '停用至日期格式应为 YYYY-MM-DD',
    );
    await expectRefused(
      deactivate(h.core, admin, c.code, { reason: '客户要求', until: '2026-03-15' }),
      'VALIDATION',
      '停用至日期必须晚于今天',
    );
    const view = await deactivate(h.core, admin, c.code, { reason: '其他', memo: '客户搬迁, 暂停合作' });
    expect(view).toMatchObject({
      status: 'inactive',
      deactivationReason: '其他',
      deactivationMemo: '客户搬迁, 暂停合作',
      reactivateOn: null,
    });
  });

  it('keep an optional until date for the reactivation job, and audit the change', async () => {
    const c = await newCustomer(h, admin);
    const view = await deactivate(h.core, admin, c.code, { reason: '客户要求', until: '2026-06-30' });
    expect(view).toMatchObject({ status: 'inactive', deactivationReason: '客户要求', reactivateOn: '2026-06-30' });
    const events = await eventsOf(h.core, c.id);
    expect(events.map((e) => e.action)).toEqual(['customer.create', 'customer.deactivate']);
    expect(JSON.parse(events[1]!.diff)).toMatchObject({
      before: { status: 'active' },
      after: { status: 'inactive', deactivationReason: '客户要求', reactivateOn: '2026-06-30' },
    });
    await expectRefused(deactivate(h.core, admin, c.code, { reason: '客户要求' }), 'CONFLICT', '已经是停用状态');
  });
});

eachDialect('停用 and the order rule: no new business, winding down allowed', (h) => {
  setupActors(h);

  it('refuse new orders and reservations for an inactive customer, saying why and since when', async () => {
    const c = await newCustomer(h, admin);
    await deactivate(h.core, admin, c.code, { reason: '信用风险', memo: '多次逾期' });
    for (const attempt of [
      createOrder(h.core, sales, { customerCode: c.code, total: '100.00' }),
      reserveStock(h.core, sales, { customerCode: c.code, sku, quantity: 3 }),
    ]) {
      const err = await expectRefused(
        attempt,
        'CUSTOMER_INACTIVE',
        c.code,
        '已于 2026-03-15 停用',
        '原因: 信用风险',
        '多次逾期',
        `启用客户 ${c.code}`,
      );
      expect(err.details).toMatchObject({ code: c.code, reason: '信用风险' });
    }
    expect(await h.core.models.SalesOrder.count({ where: { customerId: c.id } })).toBe(0);
    expect(await h.core.models.Reservation.count({ where: { customerId: c.id } })).toBe(0);
  });

  it("still allow winding down an inactive customer's business: cancel, complete, payment, release", async () => {
    const c = await newCustomer(h, admin);
    const toCancel = await createOrder(h.core, sales, { customerCode: c.code, total: '50.00' });
    const toFinish = await createOrder(h.core, sales, { customerCode: c.code, total: '300.00' });
    const toConfirm = await createOrder(h.core, sales, { customerCode: c.code, total: '20.00' });
    await moveOrder(h.core, sales, toFinish.number, 'confirm');
    const receivable = await createReceivable(h.core, admin, {
      orderNumber: toFinish.number,
      amount: '300.00',
      dueDate: '2026-04-15',
    });
    const reservation = await reserveStock(h.core, sales, {
      customerCode: c.code,
      sku,
      quantity: 4,
      orderNumber: toFinish.number,
    });
    await deactivate(h.core, admin, c.code, { reason: '长期无交易' });

    await expectRefused(moveOrder(h.core, sales, toConfirm.number, 'confirm'), 'CUSTOMER_INACTIVE');
    expect((await moveOrder(h.core, sales, toCancel.number, 'cancel')).status).toBe('cancelled');
    expect((await moveOrder(h.core, sales, toFinish.number, 'complete')).status).toBe('completed');
    const paid = await recordPayment(h.core, finance, receivable.id, '300.00');
    expect(paid.status).toBe('paid');
    expect((await releaseReservation(h.core, sales, reservation.id)).status).toBe('released');
  });
});

eachDialect('启用, and who may 停用', (h) => {
  setupActors(h);

  it('reactivate: back to active, deactivation fields cleared, orders accepted again', async () => {
    const c = await newCustomer(h, admin);
    await deactivate(h.core, admin, c.code, { reason: '客户要求', until: '2026-09-01' });
    const view = await reactivate(h.core, finance, c.code);
    expect(view).toMatchObject({
      status: 'active',
      deactivationReason: null,
      deactivationMemo: null,
      reactivateOn: null,
      deactivatedAt: null,
    });
    const order = await createOrder(h.core, sales, { customerCode: c.code, total: '88.80' });
    expect(order.status).toBe('draft');
    await expectRefused(reactivate(h.core, admin, c.code), 'CONFLICT', '已经是启用状态');
    const events = await eventsOf(h.core, c.id);
    expect(JSON.parse(events.at(-1)!.diff)).toMatchObject({
      before: { status: 'inactive', deactivationReason: '客户要求', reactivateOn: '2026-09-01' },
      after: { status: 'active' },
    });
  });

  it('let sales deactivate only the customers they own, unless they are also admin', async () => {
    const owner = await h.operator('状态销售甲', ['sales']);
    const c = await newCustomer(h, admin, { ownerId: owner.id });
    const err = await expectRefused(
      deactivate(h.core, sales2, c.code, { reason: '客户要求' }),
      'NOT_PERMITTED',
      `客户 ${c.code} 不归 状态销售乙 负责`,
    );
    expect(err.details).toMatchObject({ code: c.code });
    expect((await h.core.models.Customer.findByPk(c.id))?.status).toBe('active');
    expect((await deactivate(h.core, sales, c.code, { reason: '客户要求' })).status).toBe('inactive');

    const unowned = await newCustomer(h, admin);
    await expectRefused(
      deactivate(h.core, sales, unowned.code, { reason: '客户要求' }),
      'NOT_PERMITTED',
      '销售只能停用自己负责的客户',
    );
    const salesAdmin = await h.actor('销售兼管理员', ['sales', 'admin']);
    expect((await deactivate(h.core, salesAdmin, unowned.code, { reason: '客户要求' })).status).toBe('inactive');
    const viewer = await h.actor('状态只读', ['viewer']);
    await expectRefused(reactivate(h.core, viewer, unowned.code), 'NOT_PERMITTED', '启用客户');
  });
});

eachDialect('全部停用, and a deleted customer', (h) => {
  setupActors(h);

  it('全部停用 (deactivateMany): the listed customers in one transaction, each audited; ones that changed meanwhile are skipped with the reason', async () => {
    const owner = await h.operator('状态销售甲', ['sales']);
    const [a, b, stopped] = [
      await newCustomer(h, admin, { ownerId: owner.id }),
      await newCustomer(h, admin, { ownerId: owner.id }),
      await newCustomer(h, admin, { ownerId: owner.id }),
    ];
    const theirs = await newCustomer(h, admin);
    await deactivate(h.core, admin, stopped.code, { reason: '客户要求' });
    const r = await deactivateMany(h.core, sales, [a.code, stopped.code, theirs.code, b.code], {
      reason: '长期无交易',
    });
    expect(r.done).toEqual([a.code, b.code]);
    expect(r.skipped).toEqual([
      { code: stopped.code, reason: expect.stringContaining('已经是停用状态') },
      { code: theirs.code, reason: expect.stringContaining('销售只能停用自己负责的客户') },
    ]);
    for (const c of [a, b]) {
      expect(await h.core.models.Customer.findByPk(c.id)).toMatchObject({
        status: 'inactive',
        deactivationReason: '长期无交易',
      });
      expect((await eventsOf(h.core, c.id)).map((e) => e.action)).toContain('customer.deactivate');
    }
    expect((await h.core.models.Customer.findByPk(theirs.id))?.status).toBe('active');
    await expectRefused(
      deactivateMany(h.core, sales, [theirs.code], { reason: '看不顺眼' }),
      'VALIDATION',
      '停用原因只能是',
    );
  });

  it('refuse new orders and reservations for a deleted customer, and any deactivate/reactivate', async () => {
    const approver = await h.actor('状态审批人', ['approver']);
    const c = await newCustomer(h, admin, { ownerId: sales.operator.id! });
    const req = await requestDeletion(h.core, sales, c.code, '测试删除');
    await approve(h.core, approver, req.id);
    await expectRefused(
      createOrder(h.core, sales, { customerCode: c.code, total: '10.00' }),
      'CUSTOMER_DELETED',
      `已删除`,
      `恢复客户 ${c.code}`,
    );
    await expectRefused(reserveStock(h.core, sales, { customerCode: c.code, sku, quantity: 1 }), 'CUSTOMER_DELETED');
    await expectRefused(deactivate(h.core, admin, c.code, { reason: '客户要求' }), 'CUSTOMER_DELETED');
    await expectRefused(reactivate(h.core, admin, c.code), 'CUSTOMER_DELETED', `恢复客户 ${c.code}`);
  });
});

eachDialect('order input checks', (h) => {
  setupActors(h);

  it('reject bad order input in Chinese', async () => {
    const c = await newCustomer(h, admin);
    await expectRefused(
      createOrder(h.core, sales, { customerCode: c.code, total: '0' }),
      'VALIDATION',
      '订单金额必须大于 0',
    );
    await expectRefused(
      createOrder(h.core, sales, { customerCode: c.code, total: '一百块' }),
      'VALIDATION',
      '订单金额格式不对',
    );
    await expectRefused(
      createOrder(h.core, sales, { customerCode: c.code, total: '12.345' }),
      'VALIDATION',
      '最多两位小数',
    );
    await expectRefused(
      createOrder(h.core, sales, { customerCode: c.code, total: '10', orderDate: '2026-13-45' }),
      'VALIDATION',
      '订单日期格式应为 YYYY-MM-DD',
    );
    const order = await createOrder(h.core, sales, { customerCode: c.code, total: '¥1,234.50' });
    const stored = await h.core.models.SalesOrder.findByPk(order.id);
    expect(toCents(stored!.total)).toBe(123450);
    await expectRefused(
      createReceivable(h.core, admin, { orderNumber: order.number, amount: '-1', dueDate: '2026-04-01' }),
      'VALIDATION',
      '应收金额格式不对',
    );
    const r = await createReceivable(h.core, admin, {
      orderNumber: order.number,
      amount: '100',
      dueDate: '2026-04-01',
    });
    await expectRefused(recordPayment(h.core, finance, r.id, '100.01'), 'CONFLICT', '超过未收金额 ¥100.00');
    await expectRefused(
      reserveStock(h.core, sales, { customerCode: c.code, sku, quantity: 1.5 }),
      'VALIDATION',
      '预留数量必须是正整数',
    );
    await expectRefused(createOrder(h.core, sales, { customerCode: 'NOPE-1', total: '1.00' }), 'CUSTOMER_NOT_FOUND');
  });
});
