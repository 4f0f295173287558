import { beforeAll, expect, it } from '@jest/globals';
import type { Actor } from '../../core/context.js';
import { deactivate } from '../../core/customers/status.js';
import { approve } from '../../core/deletion/approvals.js';
import { requestDeletion } from '../../core/deletion/request.js';
import { applyLedger } from '../../core/ledger/apply.js';
import { ledgerFreshness } from '../../core/ledger/freshness.js';
import { createOrder, createReceivable, moveOrder, reserveStock } from '../../core/orders.js';
import { cancelOrderByNumber, recordPaymentByNumber, releaseReservationByNumber } from '../../core/orders/clear.js';
import { previewDoc } from '../../core/orders/preview.js';
import { eachDialect, type Harness } from '../helpers/db.js';
import { expectRefused, newCustomer, product } from '../core/fixtures.js';

let admin: Actor;
let finance: Actor;
let sku: string;
const erp: Actor = {
  door: 'api',
  operator: { id: null, displayName: 'erp-token', active: true, roleList: () => ['admin'] },
};

/** An admin (back office), finance (WeCom) and a product; each block gets its own database. */
function setupActors(h: Harness): void {
  beforeAll(async () => {
    admin = await h.actor('门管理员', ['admin'], 'admin');
    finance = await h.actor('门财务', ['finance'], 'wecom');
    sku = await product(h.core, 'P-CORE');
  });
}

eachDialect("core/orders: the by-number doors for a delete's blockers: ERP documents, receivables", (h) => {
  setupActors(h);

  it('refuses ERP receivables and reservations with the ERP message, and writes nothing', async () => {
    const c = await newCustomer(h, admin);
    await applyLedger(
      h.core,
      erp,
      [
        {
          type: 'receivable',
          number: 'AR-77',
          customerCode: c.code,
          amount: '500.00',
          paid: '0',
          dueDate: '2026-12-31',
        },
        { type: 'reservation', number: 'RS-77', customerCode: c.code, product: sku, quantity: 3, released: false },
      ],
      { source: 'api' },
    );
    await expectRefused(
      recordPaymentByNumber(h.core, finance, 'AR-77', '100'),
      'CONFLICT',
      '应收款 AR-77 来自 ERP (api), 请在 ERP 中处理, 处理结果会自动同步过来。',
    );
    await expectRefused(
      releaseReservationByNumber(h.core, admin, 'RS-77'),
      'CONFLICT',
      '库存预留 RS-77 来自 ERP (api)',
    );
    await expectRefused(previewDoc(h.core, admin, 'reservation', 'RS-77'), 'CONFLICT', '来自 ERP (api)');
    expect(
      await h.core.models.AuditEvent.count({
        where: { customerId: c.id, action: ['receivable.payment', 'reservation.release'] },
      }),
    ).toBe(0);
  });

  it('finds a local receivable by its order number or #id, and refuses one that is settled', async () => {
    const c = await newCustomer(h, admin);
    const o = await createOrder(h.core, admin, { customerCode: c.code, total: '100.00' });
    const r = await createReceivable(h.core, admin, { orderNumber: o.number, amount: '100.00', dueDate: '2026-12-31' });
    expect((await recordPaymentByNumber(h.core, finance, `#${r.id}`, '40')).ref).toBe(o.number);
    const done = await recordPaymentByNumber(h.core, finance, o.number.toLowerCase(), '60.00');
    expect([done.outstandingCents, done.receivable.status]).toEqual([0, 'paid']);
    await expectRefused(recordPaymentByNumber(h.core, finance, o.number, '1'), 'CONFLICT', `应收款 ${o.number} 已结清`);
    await expectRefused(recordPaymentByNumber(h.core, finance, 'NO-SUCH', '1'), 'NOT_FOUND', '找不到应收款 NO-SUCH');
    await expectRefused(recordPaymentByNumber(h.core, admin, o.number, 'abc'), 'VALIDATION');
  });
});

eachDialect(
  "core/orders: the by-number doors for a delete's blockers: inactive and deleted customers, the local feed",
  (h) => {
    setupActors(h);

    it("winds down an inactive customer's business, refuses a completed order and a deleted customer", async () => {
      const c = await newCustomer(h, admin);
      const o = await createOrder(h.core, admin, { customerCode: c.code, total: '20.00' });
      const s = await reserveStock(h.core, admin, { customerCode: c.code, sku, quantity: 2 });
      await deactivate(h.core, admin, c.code, { reason: '客户要求' });
      expect((await cancelOrderByNumber(h.core, admin, o.number)).status).toBe('cancelled');
      expect((await releaseReservationByNumber(h.core, admin, String(s.id))).ref).toBe(`#${s.id}`);
      await expectRefused(
        releaseReservationByNumber(h.core, admin, `#${s.id}`),
        'CONFLICT',
        `库存预留 #${s.id} 已释放`,
      );
      const done = await newCustomer(h, admin);
      const d = await createOrder(h.core, admin, { customerCode: done.code, total: '30.00' });
      await moveOrder(h.core, admin, d.number, 'confirm');
      await moveOrder(h.core, admin, d.number, 'complete');
      await expectRefused(cancelOrderByNumber(h.core, admin, d.number), 'CONFLICT', '当前是「已完成」, 不能取消');
      const approver = await h.actor('门审批', ['approver']);
      await approve(h.core, approver, (await requestDeletion(h.core, admin, done.code, '测试')).id);
      await expectRefused(previewDoc(h.core, admin, 'order', d.number), 'CUSTOMER_DELETED');
    });

    it('keeps the local feed fresh: local orders count as received order data', async () => {
      const c = await newCustomer(h, admin);
      await createOrder(h.core, admin, { customerCode: c.code, total: '15.00' });
      const f = await ledgerFreshness(h.core);
      expect(f).toMatchObject({ hasOrders: true, stale: false, notice: null });
      expect(f.feeds.find((x) => x.source === 'local')!.documents).toBeGreaterThan(0);
    });
  },
);
