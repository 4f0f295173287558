import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { Actor } from '../../core/context.js';
import { createCustomer } from '../../core/customers/create.js';
import type { CustomerView } from '../../core/customers/view.js';
import { applyLedger } from '../../core/ledger/apply.js';
import { createOrder, createReceivable, moveOrder, reserveStock } from '../../core/orders.js';
import { flushChecks } from '../../core/ledger/handling.js';
import { eachDialect, type Harness } from '../helpers/db.js';
import { product } from '../core/fixtures.js';
import { clientAs, loginOperator, startAdmin, type AdminClient } from '../admin/helpers.js';

type Rec = { id: number; params: Record<string, unknown>; recordActions: { name: string }[] };
type ActionAnswer = {
  notice?: { message: string; type: string };
  record: Rec;
  error?: { code: string };
  approvalId?: number;
};

let server: Awaited<ReturnType<typeof startAdmin>>;
const as: Record<string, AdminClient> = {};
const ids: Record<string, number> = {};
let customer: CustomerView;
const erp: Actor = {
  door: 'api',
  operator: { id: null, displayName: 'erp-token', active: true, roleList: () => ['admin'] },
};
const w: Record<string, string> = {};
const START = Date.parse('2026-12-01T02:00:00Z');
let clock = START;
const answer = async (p: Promise<{ json: <T>() => T; status: number }>) => {
  const r = await p;
  expect(r.status).toBe(200);
  return r.json<ActionAnswer>();
};
/** Moves the clock a minute on (each step stamps its own minute). */
const ticker = (h: Harness) => () => h.setNow(new Date((clock += 60_000)));
/** The id of the local order, receivable or reservation matching `where`. */
const finder =
  (h: Harness) => async (model: 'SalesOrder' | 'Receivable' | 'Reservation', where: Record<string, unknown>) =>
    (await (h.core.models[model] as unknown as { findOne(o: unknown): Promise<{ id: number } | null> }).findOne({
      where,
    }))!.id;

/** 张三's customer with an open order, an open receivable, a reservation and an ERP order; the back office signed in. */
function setupBusyCustomer(h: Harness): void {
  const tick = ticker(h);

  beforeAll(async () => {
    clock = START;
    tick();
    server = await startAdmin(h.core);
    await loginOperator(h.core, 'zhangsan', ['sales'], '张三');
    for (const [login, roles] of [
      ['boss', ['admin']],
      ['zhangsan', ['sales']],
      ['lisi', ['sales']],
      ['qian', ['finance']],
      ['zhou', ['approver']],
      ['kan', ['viewer']],
    ] as const) {
      const { client, operator } = await clientAs(h.core, server.url, login, [...roles]);
      as[login] = client;
      ids[login] = operator.id;
    }
    const job: Actor = {
      door: 'cli',
      operator: { id: null, displayName: '初始化', active: true, roleList: () => ['admin'] },
    };
    const sku = await product(h.core, 'P-ADMIN');
    customer = (await createCustomer(h.core, job, { name: '扬州后台处理贸易公司', ownerId: ids.zhangsan })).customer;
    const order = await createOrder(h.core, job, { customerCode: customer.code, total: '640.00' });
    await moveOrder(h.core, job, order.number, 'confirm');
    w.order = order.number;
    const billed = await createOrder(h.core, job, { customerCode: customer.code, total: '250.00' });
    await moveOrder(h.core, job, billed.number, 'confirm');
    await moveOrder(h.core, job, billed.number, 'complete');
    w.receivable = String(
      (await createReceivable(h.core, job, { orderNumber: billed.number, amount: '250.00', dueDate: '2026-12-31' })).id,
    );
    w.billed = billed.number;
    w.reservation = String((await reserveStock(h.core, job, { customerCode: customer.code, sku, quantity: 5 })).id);
    await applyLedger(
      h.core,
      erp,
      [
        {
          type: 'order',
          number: 'ERP-AD-9',
          customerCode: customer.code,
          date: '2026-11-28',
          total: '90.00',
          status: 'open',
        },
      ],
      { source: 'api' },
    );
  });
  afterAll(async () => server?.close());
}

eachDialect('back office: 取消订单 / 登记收款 / 释放预留, and the handling record on the approval', (h) => {
  // One database, in order: the handling record shows what the steps before it did.
  setupBusyCustomer(h);
  precheckAndWhoSeesWhat(h);
  refusalsThenActions(h);
  theHandlingRecord(h);
});

/** 申请删除 records its pre-check; each action is offered only where the permission table allows. */
function precheckAndWhoSeesWhat(h: Harness): void {
  const tick = ticker(h);
  const idOf = finder(h);

  it('申请删除 shows the blockers and records the check as door admin', async () => {
    tick();
    const check = (await answer(as.zhangsan!.action('customers', customer.id, 'requestDeletion'))) as ActionAnswer & {
      precheck: { blockers: { kind: string }[] };
    };
    expect(check.precheck.blockers.map((b) => b.kind)).toEqual([
      'openOrders',
      'unpaidReceivables',
      'activeReservations',
    ]);
    await flushChecks(h.core); // the pre-check's row is written behind its answer
    const row = await h.core.models.DeletionCheck.findOne({
      where: { customerId: customer.id },
      order: [['id', 'DESC']],
    });
    expect(row).toMatchObject({ stage: 'precheck', door: 'admin', operatorName: '张三' });
  });

  it('shows each action only to roles the permission table allows, and only on local documents', async () => {
    const orderId = await idOf('SalesOrder', { number: w.order });
    const erpId = await idOf('SalesOrder', { number: 'ERP-AD-9' });
    const actions = async (who: string, resource: string, id: number | string) =>
      (await answer(as[who]!.action(resource, id, 'show'))).record.recordActions.map((a) => a.name);
    expect(await actions('boss', 'sales_orders', orderId)).toContain('cancelOrder');
    expect(await actions('boss', 'sales_orders', erpId)).not.toContain('cancelOrder');
    expect(await actions('kan', 'sales_orders', orderId)).not.toContain('cancelOrder');
    expect(await actions('qian', 'sales_orders', orderId)).not.toContain('cancelOrder');
    expect(await actions('qian', 'receivables', w.receivable!)).toContain('recordPayment');
    expect(await actions('zhangsan', 'receivables', w.receivable!)).not.toContain('recordPayment');
    expect(await actions('zhangsan', 'reservations', w.reservation!)).toContain('release');
    // A viewer posting the action anyway is refused before core is reached.
    expect((await as.kan!.action('sales_orders', orderId, 'cancelOrder', {})).status).toBe(403);
    expect((await h.core.models.SalesOrder.findByPk(orderId))!.status).toBe('confirmed');
  });
}

/** Refusals change nothing; 取消订单, 登记收款 and 释放预留 act through core. */
function refusalsThenActions(h: Harness): void {
  const tick = ticker(h);
  const idOf = finder(h);

  it("refuses the ERP's order, another salesperson, and a bad amount, changing nothing", async () => {
    const erpOrder = await answer(
      as.boss!.action('sales_orders', await idOf('SalesOrder', { number: 'ERP-AD-9' }), 'cancelOrder', {}),
    );
    expect(erpOrder.notice).toEqual({
      message: '订单 ERP-AD-9 来自 ERP (api), 请在 ERP 中处理, 处理结果会自动同步过来。',
      type: 'error',
    });
    const theirs = await answer(
      as.lisi!.action('sales_orders', await idOf('SalesOrder', { number: w.order }), 'cancelOrder', {}),
    );
    expect(theirs.notice!.message).toContain('不归 lisi 负责; 销售只能处理自己负责的客户');
    const bad = await answer(as.qian!.action('receivables', w.receivable!, 'recordPayment', { amount: '12.345' }));
    expect(bad.notice!.message).toContain('收款金额格式不对');
    const over = await answer(as.qian!.action('receivables', w.receivable!, 'recordPayment', { amount: '250.01' }));
    expect(over.notice!.message).toBe('收款 ¥250.01 超过未收金额 ¥250.00。');
    expect(
      await h.core.models.AuditEvent.count({
        where: { customerId: customer.id, action: ['order.cancel', 'receivable.payment', 'reservation.release'] },
      }),
    ).toBe(0);
  });

  it('取消订单, 登记收款 and 释放预留 act through core, audited as door admin', async () => {
    tick();
    const cancelled = await answer(
      as.zhangsan!.action('sales_orders', await idOf('SalesOrder', { number: w.order }), 'cancelOrder', {}),
    );
    expect(cancelled.notice).toMatchObject({
      type: 'success',
      message: expect.stringContaining(`已取消订单 ${w.order}`),
    });
    expect(cancelled.record.params.status).toBe('cancelled');
    tick();
    const paid = await answer(as.qian!.action('receivables', w.receivable!, 'recordPayment', { amount: '250' }));
    expect(paid.notice!.message).toContain(`已登记应收款 ${w.billed} 收款 ¥250.00, 已结清`);
    expect(paid.record.params.status).toBe('paid');
    tick();
    const released = await answer(as.zhangsan!.action('reservations', w.reservation!, 'release', {}));
    expect(released.notice!.message).toContain(`已释放库存预留 #${w.reservation} (5 件)`);
    const audit = await h.core.models.AuditEvent.findAll({
      where: { customerId: customer.id, action: ['order.cancel', 'receivable.payment', 'reservation.release'] },
      order: [['id', 'ASC']],
    });
    expect(audit.map((a) => [a.action, a.operatorName, a.door])).toEqual([
      ['order.cancel', '张三', 'admin'],
      ['receivable.payment', 'qian', 'admin'],
      ['reservation.release', '张三', 'admin'],
    ]);
  });
}

/** The approver sees it all on the approval; the dashboard shows the feed's freshness. */
function theHandlingRecord(h: Harness): void {
  const tick = ticker(h);

  it('the approver sees the handling record in the back office: the precheck, each clearing, the ERP push, the note', async () => {
    tick();
    await applyLedger(
      h.core,
      erp,
      [
        {
          type: 'order',
          number: 'ERP-AD-9',
          customerCode: customer.code,
          date: '2026-11-28',
          total: '90.00',
          status: 'closed',
        },
      ],
      { source: 'api' },
    );
    tick();
    const sent = await answer(
      as.zhangsan!.action('customers', customer.id, 'requestDeletion', {
        reason: '重复录入',
        note: 'ERP 订单已在 ERP 关闭',
      }),
    );
    expect(sent.notice!.type).toBe('success');
    const shown = await answer(as.zhou!.action('approval_requests', sent.approvalId!, 'show'));
    const handling = String(shown.record.params.handling);
    expect(shown.record.params.requesterNote).toBe('ERP 订单已在 ERP 关闭');
    expect(handling).toMatch(
      /删除前检查 \(张三 · 后台\): 未完成订单 2 张 \(.*\), 合计 ¥730\.00; 未收款 1 笔, 未收金额 ¥250\.00; 库存预留 1 条, 共 5 件/,
    );
    expect(handling).toMatch(new RegExp(`订单 ${w.order} 已取消 · 张三 · 后台 · 2026-12-01 \\d\\d:\\d\\d`));
    expect(handling).toContain(`应收款 ${w.billed} 已收款 ¥250.00, 已结清 · qian · 后台`);
    expect(handling).toContain(`库存预留 #${w.reservation} 已释放 · 张三 · 后台`);
    expect(handling).toMatch(/订单 ERP-AD-9 已关闭 · erp-token · ERP 推送 \(api\) · 2026-12-01/);
    expect(handling).toContain('申请人备注: ERP 订单已在 ERP 关闭');
    tick();
    const approved = await answer(as.zhou!.action('approval_requests', sent.approvalId!, 'approve', {}));
    expect(approved.notice!.type).toBe('success');
    const entry = await h.core.models.RecycleEntry.findOne({ where: { approvalId: sent.approvalId! } });
    expect((JSON.parse(entry!.snapshot) as { handling: { lines: string[] } }).handling.lines.join('\n')).toContain(
      `订单 ${w.order} 已取消 · 张三 · 后台`,
    );
  });

  it("the dashboard shows the ledger feed's freshness", async () => {
    const data = (await as.kan!.get('/admin/api/dashboard')).json<{
      ledger: { source: string; stale: boolean; text: string };
    }>();
    expect(data.ledger).toMatchObject({ source: 'api', stale: false });
    expect(data.ledger.text).toMatch(/^进销存数据: 最近收到单据 2026-12-01 \d\d:\d\d \(来源: ERP 推送 \(API\)\)/);
  });
}
