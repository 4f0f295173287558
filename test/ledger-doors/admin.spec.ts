import { expect, it } from '@jest/globals';
import { flushChecks } from '../../core/ledger/handling.js';
import { eachDialect, type Harness } from '../helpers/db.js';
import {
  answer,
  as,
  busyCustomer,
  finder,
  precheckAndClear,
  pushErpOrder,
  setupBackOffice,
  ticker,
  type ActionAnswer,
} from './admin-setup.js';

eachDialect('back office: 取消订单 / 登记收款 / 释放预留, and the handling record on the approval', (h) => {
  // Each test gets its own busy customer (an open order, an open receivable, a reservation, an ERP order).
  setupBackOffice(h);
  precheckAndWhoSeesWhat(h);
  refusalsThenActions(h);
  theHandlingRecord(h);
});

/** 申请删除 records its pre-check; each action is offered only where the permission table allows. */
function precheckAndWhoSeesWhat(h: Harness): void {
  const tick = ticker(h);
  const idOf = finder(h);

  it('申请删除 shows the blockers and records the check as door admin', async () => {
    const { customer } = await busyCustomer(h);
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
    const w = await busyCustomer(h);
    const orderId = await idOf('SalesOrder', { number: w.order });
    const erpId = await idOf('SalesOrder', { number: w.erpOrder });
    const actions = async (who: string, resource: string, id: number | string) =>
      (await answer(as[who]!.action(resource, id, 'show'))).record.recordActions.map((a) => a.name);
    expect(await actions('boss', 'sales_orders', orderId)).toContain('cancelOrder');
    expect(await actions('boss', 'sales_orders', erpId)).not.toContain('cancelOrder');
    expect(await actions('kan', 'sales_orders', orderId)).not.toContain('cancelOrder');
    expect(await actions('qian', 'sales_orders', orderId)).not.toContain('cancelOrder');
    expect(await actions('qian', 'receivables', w.receivable)).toContain('recordPayment');
    expect(await actions('zhangsan', 'receivables', w.receivable)).not.toContain('recordPayment');
    expect(await actions('zhangsan', 'reservations', w.reservation)).toContain('release');
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
    const w = await busyCustomer(h);
    const erpOrder = await answer(
      as.boss!.action('sales_orders', await idOf('SalesOrder', { number: w.erpOrder }), 'cancelOrder', {}),
    );
    expect(erpOrder.notice).toEqual({
      message: `订单 ${w.erpOrder} 来自 ERP (api), 请在 ERP 中处理, 处理结果会自动同步过来。`,
      type: 'error',
    });
    const theirs = await answer(
      as.lisi!.action('sales_orders', await idOf('SalesOrder', { number: w.order }), 'cancelOrder', {}),
    );
    expect(theirs.notice!.message).toContain('不归 lisi 负责; 销售只能处理自己负责的客户');
    const bad = await answer(as.qian!.action('receivables', w.receivable, 'recordPayment', { amount: '12.345' }));
    expect(bad.notice!.message).toContain('收款金额格式不对');
    const over = await answer(as.qian!.action('receivables', w.receivable, 'recordPayment', { amount: '250.01' }));
    expect(over.notice!.message).toBe('收款 ¥250.01 超过未收金额 ¥250.00。');
    expect(
      await h.core.models.AuditEvent.count({
        where: { customerId: w.customer.id, action: ['order.cancel', 'receivable.payment', 'reservation.release'] },
      }),
    ).toBe(0);
  });

  it('取消订单, 登记收款 and 释放预留 act through core, audited as door admin', async () => {
    const w = await busyCustomer(h);
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
    const paid = await answer(as.qian!.action('receivables', w.receivable, 'recordPayment', { amount: '250' }));
    expect(paid.notice!.message).toContain(`已登记应收款 ${w.billed} 收款 ¥250.00, 已结清`);
    expect(paid.record.params.status).toBe('paid');
    tick();
    const released = await answer(as.zhangsan!.action('reservations', w.reservation, 'release', {}));
    expect(released.notice!.message).toContain(`已释放库存预留 #${w.reservation} (5 件)`);
    const audit = await h.core.models.AuditEvent.findAll({
      where: { customerId: w.customer.id, action: ['order.cancel', 'receivable.payment', 'reservation.release'] },
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
    const w = await busyCustomer(h);
    await precheckAndClear(h, w);
    tick();
    await pushErpOrder(h, w.customer.code, w.erpOrder, 'closed');
    tick();
    const sent = await answer(
      as.zhangsan!.action('customers', w.customer.id, 'requestDeletion', {
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
    expect(handling).toMatch(new RegExp(`订单 ${w.erpOrder} 已关闭 · erp-token · ERP 推送 \\(api\\) · 2026-12-01`));
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
    // The ERP's push, a minute after this test's local documents, is the newest document received.
    const w = await busyCustomer(h);
    tick();
    await pushErpOrder(h, w.customer.code, w.erpOrder, 'closed');
    const data = (await as.kan!.get('/admin/api/dashboard')).json<{
      ledger: { source: string; stale: boolean; text: string };
    }>();
    expect(data.ledger).toMatchObject({ source: 'api', stale: false });
    expect(data.ledger.text).toMatch(/^进销存数据: 最近收到单据 2026-12-01 \d\d:\d\d \(来源: ERP 推送 \(API\)\)/);
  });
}
