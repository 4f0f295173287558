import { beforeAll, expect, it } from '@jest/globals';
import type { Actor } from '../../core/context.js';
import { checkTransactable } from '../../core/api/transactable.js';
import { deactivate } from '../../core/customers/status.js';
import { approve } from '../../core/deletion/approvals.js';
import { requestDeletion } from '../../core/deletion/request.js';
import { precheck } from '../../core/deletion/precheck.js';
import { applyLedger } from '../../core/ledger/apply.js';
import type { LedgerDoc } from '../../core/ledger/types.js';
import { eachDialect, type Harness } from '../helpers/db.js';
import { newCustomer } from '../core/fixtures.js';

let erp: Actor;

/** Pushes as the ERP, and makes a customer 停用 (信用风险) returning the message checkTransactable gives for it. */
function erpFeed(h: Harness) {
  const push = (docs: LedgerDoc[], atomic = false) => applyLedger(h.core, erp, docs, { source: 'api', atomic });
  const inactiveCustomer = async () => {
    const c = await newCustomer(h, erp);
    await deactivate(h.core, erp, c.code, { reason: '信用风险', memo: '逾期三个月' });
    const t = await checkTransactable(h.core, c.code);
    return { c, message: t.ok ? '' : t.message };
  };
  return { push, inactiveCustomer };
}

/** jshERP (the system of record) syncs an open order SYNC-OPEN of ¥50 for `customerCode`. */
function syncOpenOrder(h: Harness, customerCode: string) {
  return applyLedger(
    h.core,
    erp,
    [
      {
        type: 'order',
        number: 'SYNC-OPEN',
        customerCode,
        date: '2026-03-12',
        total: '50.00',
        status: 'open',
      },
    ],
    { source: 'jsherp', existingBusiness: true },
  );
}

/** The ERP's API actor (sales and finance), on 2026-03-15; each block gets its own database. */
function setupErp(h: Harness): void {
  beforeAll(async () => {
    erp = await h.actor('API:erp-rules', ['sales', 'finance'], 'api');
    h.setNow(new Date('2026-03-15T02:00:00Z'));
  });
}

eachDialect('ledger push: the 停用 rule for new business', (h) => {
  setupErp(h);
  const { push, inactiveCustomer } = erpFeed(h);

  it('refuses a new open order and a new active reservation for an inactive customer, with the transactable message', async () => {
    const { c, message } = await inactiveCustomer();
    expect(message).toContain('已于 2026-03-15 停用, 原因: 信用风险 (逾期三个月)');
    const r = await push([
      { type: 'order', number: 'IN-OPEN', customerCode: c.code, date: '2026-03-10', total: 100, status: 'open' },
      { type: 'reservation', number: 'IN-RES', customerCode: c.code, product: 'SKU-1', quantity: 2, released: false },
      { type: 'order', number: 'IN-HIST', customerCode: c.code, date: '2025-03-10', total: 100, status: 'closed' },
    ]);
    expect(r.outcomes.map((o) => [o.result, o.error?.code, o.error?.message])).toEqual([
      ['error', 'CUSTOMER_INACTIVE', message],
      ['error', 'CUSTOMER_INACTIVE', message],
      ['created', undefined, undefined],
    ]);
    expect(await h.core.models.SalesOrder.count({ where: { number: 'IN-OPEN' } })).toBe(0);
  });

  it('refuses moving a closed order back to open for an inactive customer', async () => {
    const c = await newCustomer(h, erp);
    await push([
      { type: 'order', number: 'RO-1', customerCode: c.code, date: '2026-03-01', total: 10, status: 'closed' },
    ]);
    await deactivate(h.core, erp, c.code, { reason: '客户要求' });
    const r = await push([
      { type: 'order', number: 'RO-1', customerCode: c.code, date: '2026-03-01', total: 10, status: 'open' },
    ]);
    expect(r.outcomes[0]!.error).toMatchObject({
      code: 'CUSTOMER_INACTIVE',
      message: expect.stringContaining('不能新建订单或预留'),
    });
    expect((await h.core.models.SalesOrder.findOne({ where: { number: 'RO-1' } }))!.status).toBe('completed');
  });

  it('accepts a receivable for a deleted or inactive customer (money owed stays visible)', async () => {
    const { c } = await inactiveCustomer();
    const r = await push([
      { type: 'receivable', number: 'DEBT-1', customerCode: c.code, amount: 99, paid: 0, dueDate: '2026-05-01' },
    ]);
    expect(r.outcomes[0]!.result).toBe('created');
    expect((await precheck(h.core, erp, c.code)).blockers.map((b) => b.kind)).toEqual(['unpaidReceivables']);
  });
});

eachDialect('ledger push: a sync of the system of record, and the feed', (h) => {
  setupErp(h);
  const { inactiveCustomer } = erpFeed(h);

  it("a sync of the system of record (existingBusiness) records a 停用 customer's open order with a warning, so the delete check sees it", async () => {
    const { c, message } = await inactiveCustomer();
    const r = await syncOpenOrder(h, c.code);
    expect(r.outcomes.map((o) => [o.result, o.warning?.code, o.warning?.message])).toEqual([
      ['created', 'CUSTOMER_INACTIVE', message],
    ]);
    expect((await precheck(h.core, erp, c.code)).blockers.map((b) => b.text)).toEqual([
      '未完成订单 1 张 (SYNC-OPEN), 合计 ¥50.00',
    ]);
    // Sent again, nothing changes and nothing is said twice.
    const again = await syncOpenOrder(h, c.code);
    expect(again.outcomes.map((o) => [o.result, o.warning])).toEqual([['unchanged', undefined]]);
  });

  it('keeps the feed fresh: last received, last order, newest document date, count', async () => {
    const c = await newCustomer(h, erp);
    await applyLedger(
      h.core,
      erp,
      [{ type: 'order', number: 'FEED-1', customerCode: c.code, date: '2026-03-09', total: 1, status: 'closed' }],
      { source: 'file' },
    );
    await applyLedger(
      h.core,
      erp,
      [{ type: 'order', number: 'FEED-0', customerCode: c.code, date: '2026-01-09', total: 1, status: 'closed' }],
      { source: 'file' },
    );
    const feed = await h.core.models.LedgerFeed.findByPk('file');
    expect(feed).toMatchObject({ lastDocumentDate: '2026-03-09', documents: 2 });
    expect(feed!.lastReceivedAt.toISOString()).toBe('2026-03-15T02:00:00.000Z');
    expect(feed!.lastOrderReceivedAt!.toISOString()).toBe('2026-03-15T02:00:00.000Z');
  });
});

eachDialect('ledger push: an inactive customer winds down', (h) => {
  setupErp(h);
  const { push } = erpFeed(h);

  it('lets an inactive customer wind down: close, cancel, pay, release, correct an amount', async () => {
    const c = await newCustomer(h, erp);
    await push([
      { type: 'order', number: 'WD-1', customerCode: c.code, date: '2026-03-01', total: 100, status: 'open' },
      { type: 'order', number: 'WD-2', customerCode: c.code, date: '2026-03-01', total: 100, status: 'open' },
      {
        type: 'receivable',
        number: 'WD-R',
        customerCode: c.code,
        amount: '500.00',
        paid: 0,
        dueDate: '2026-04-01',
        orderNumber: 'WD-1',
      },
      { type: 'reservation', number: 'WD-S', customerCode: c.code, product: 'SKU-WD', quantity: 3, released: false },
    ]);
    await deactivate(h.core, erp, c.code, { reason: '客户要求' });
    const r = await push([
      { type: 'order', number: 'WD-1', customerCode: c.code, date: '2026-03-01', total: 120, status: 'open' },
      { type: 'order', number: 'WD-2', customerCode: c.code, date: '2026-03-01', total: 100, status: 'cancelled' },
      {
        type: 'receivable',
        number: 'WD-R',
        customerCode: c.code,
        amount: '500.00',
        paid: '200.00',
        dueDate: '2026-04-01',
        orderNumber: 'WD-1',
      },
      { type: 'reservation', number: 'WD-S', customerCode: c.code, product: 'SKU-WD', quantity: 3, released: true },
      { type: 'receivable', number: 'WD-R2', customerCode: c.code, amount: '80.00', paid: 0, dueDate: '2026-04-01' },
    ]);
    expect(r.outcomes.map((o) => o.result)).toEqual(['updated', 'updated', 'updated', 'updated', 'created']);
    const changes = await h.core.models.LedgerEvent.findAll({ where: { customerId: c.id }, order: [['id', 'ASC']] });
    expect(changes.map((e) => `${e.docNumber}:${e.change}`).slice(-5)).toEqual([
      'WD-1:updated',
      'WD-2:cancelled',
      'WD-R:updated',
      'WD-S:released',
      'WD-R2:created',
    ]);
  });
});

eachDialect('ledger push: the delete pre-check', (h) => {
  setupErp(h);
  const { push } = erpFeed(h);

  it('shows pushed open orders and receivables in the delete pre-check, and clears them when closed and paid', async () => {
    const c = await newCustomer(h, erp);
    await push([
      { type: 'order', number: 'PC-1', customerCode: c.code, date: '2026-03-01', total: '1000.00', status: 'open' },
      { type: 'order', number: 'PC-2', customerCode: c.code, date: '2026-03-02', total: '234.56', status: 'open' },
      {
        type: 'receivable',
        number: 'PC-R',
        customerCode: c.code,
        amount: '1234.56',
        paid: '34.56',
        dueDate: '2026-04-01',
        orderNumber: 'PC-1',
      },
      { type: 'reservation', number: 'PC-S', customerCode: c.code, product: 'SKU-PC', quantity: 7, released: false },
    ]);
    const before = await precheck(h.core, erp, c.code);
    expect(before.blockers.map((b) => b.text)).toEqual([
      '未完成订单 2 张 (PC-1、PC-2), 合计 ¥1,234.56',
      '未收款 1 笔, 未收金额 ¥1,200.00',
      '库存预留 1 条, 共 7 件',
    ]);
    await push([
      { type: 'order', number: 'PC-1', customerCode: c.code, date: '2026-03-01', total: '1000.00', status: 'closed' },
      { type: 'order', number: 'PC-2', customerCode: c.code, date: '2026-03-02', total: '234.56', status: 'cancelled' },
      {
        type: 'receivable',
        number: 'PC-R',
        customerCode: c.code,
        amount: '1234.56',
        paid: '1234.56',
        dueDate: '2026-04-01',
        orderNumber: 'PC-1',
      },
      { type: 'reservation', number: 'PC-S', customerCode: c.code, product: 'SKU-PC', quantity: 7, released: true },
    ]);
    expect((await precheck(h.core, erp, c.code)).blockers).toEqual([]);
    const paid = await h.core.models.LedgerEvent.findOne({ where: { docNumber: 'PC-R', change: 'paid' } });
    expect(JSON.parse(paid!.after!)).toEqual({
      customerCode: c.code,
      amount: '1234.56',
      paid: '1234.56',
      dueDate: '2026-04-01',
      status: 'paid',
      orderNumber: 'PC-1',
    });
  });
});

eachDialect('ledger push: products and links made on the way, a deleted customer', (h) => {
  setupErp(h);
  const { push } = erpFeed(h);

  it('creates an unknown product for a reservation, and links a receivable to an order of the same call', async () => {
    const c = await newCustomer(h, erp);
    await push([
      {
        type: 'reservation',
        number: 'NP-1',
        customerCode: c.code,
        product: 'NEW-SKU-42',
        quantity: 4,
        released: false,
        orderNumber: 'NP-O',
      },
      {
        type: 'receivable',
        number: 'NP-R',
        customerCode: c.code,
        amount: 10,
        paid: 0,
        dueDate: '2026-05-01',
        orderNumber: 'np-o',
      },
      { type: 'order', number: 'NP-O', customerCode: c.code, date: '2026-03-01', total: 10, status: 'open' },
    ]);
    const product = await h.core.models.Product.findOne({ where: { sku: 'NEW-SKU-42' } });
    expect(product).toMatchObject({ name: 'NEW-SKU-42' });
    const order = await h.core.models.SalesOrder.findOne({ where: { number: 'NP-O' } });
    expect(await h.core.models.Reservation.findOne({ where: { number: 'NP-1' } })).toMatchObject({
      productId: product!.id,
      orderId: order!.id,
      status: 'active',
      source: 'api',
    });
    expect(await h.core.models.Receivable.findOne({ where: { number: 'NP-R' } })).toMatchObject({
      orderId: order!.id,
      status: 'open',
    });
  });

  it('refuses new business for a deleted customer, and still takes a closed historical order and a receivable', async () => {
    const admin = await h.actor('规则管理员', ['admin']);
    const approver = await h.actor('规则审批人', ['approver']);
    const c = await newCustomer(h, admin);
    await approve(h.core, approver, (await requestDeletion(h.core, admin, c.code, '重复录入')).id);
    const r = await push([
      { type: 'order', number: 'DEL-1', customerCode: c.code, date: '2026-03-01', total: 1, status: 'open' },
      { type: 'order', number: 'DEL-2', customerCode: c.code, date: '2025-03-01', total: 1, status: 'cancelled' },
      { type: 'receivable', number: 'DEL-R', customerCode: c.code, amount: 5, paid: 0, dueDate: '2026-04-01' },
    ]);
    expect(r.outcomes.map((o) => o.error?.code ?? o.result)).toEqual(['CUSTOMER_DELETED', 'created', 'created']);
    expect(r.outcomes[0]!.error!.message).toBe(
      `客户 ${c.code} 已删除, 不能再办理业务。如需继续合作, 请先「恢复客户 ${c.code}」。`,
    );
  });
});
