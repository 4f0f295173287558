import { beforeAll, expect, it } from '@jest/globals';
import type { Actor } from '../../core/context.js';
import { deactivate } from '../../core/customers/status.js';
import { createOrder } from '../../core/orders.js';
import { applyLedger } from '../../core/ledger/apply.js';
import { getCustomerForApi } from '../../core/api/customers.js';
import { lookupByCode } from '../../core/customers/lookup.js';
import type { LedgerDoc } from '../../core/ledger/types.js';
import { eachDialect, type Harness } from '../helpers/db.js';
import { expectRefused, newCustomer } from '../core/fixtures.js';

let erp: Actor;

/** Pushes documents as the ERP (door api), and reads the ledger events of one document number. */
function erpFeed(h: Harness) {
  const push = (docs: (LedgerDoc | Record<string, unknown>)[], opts: { atomic?: boolean; dryRun?: boolean } = {}) =>
    applyLedger(h.core, erp, docs, { source: 'api', ...opts });
  const events = (number: string) =>
    h.core.models.LedgerEvent.findAll({ where: { docNumber: number }, order: [['id', 'ASC']] });
  return { push, events };
}

/** The ERP's API actor, on 2026-03-15; each block gets its own database. */
function setupErp(h: Harness): void {
  beforeAll(async () => {
    erp = await h.actor('API:erp', ['admin'], 'api');
    h.setNow(new Date('2026-03-15T02:00:00Z'));
  });
}

eachDialect('ledger push: upsert by document number', (h) => {
  setupErp(h);
  const { push, events } = erpFeed(h);

  it('creates, then answers unchanged for the same document, then updates a changed one', async () => {
    const c = await newCustomer(h, erp);
    const order: LedgerDoc = {
      type: 'order',
      number: 'xs-2026-0001',
      customerCode: c.code.toLowerCase(),
      date: '2026-03-01',
      total: '1200.50',
      status: 'open',
    };
    const first = await push([order]);
    expect(first).toMatchObject({
      applied: true,
      counts: { created: 1, updated: 0, unchanged: 0, error: 0 },
      outcomes: [{ index: 0, type: 'order', number: 'XS-2026-0001', result: 'created', applied: true }],
    });
    const row = await h.core.models.SalesOrder.findOne({ where: { number: 'XS-2026-0001' } });
    expect(row).toMatchObject({ customerId: c.id, status: 'confirmed', orderDate: '2026-03-01', source: 'api' });
    expect(String(row!.total)).toMatch(/^1200\.50?$/);

    const again = await push([{ ...order, total: 1200.5 }]);
    expect(again.outcomes[0]).toMatchObject({ result: 'unchanged' });
    expect(await events('XS-2026-0001')).toHaveLength(1);

    const closed = await push([{ ...order, status: 'closed', total: '1300' }]);
    expect(closed.outcomes[0]).toMatchObject({ result: 'updated' });
    const history = await events('XS-2026-0001');
    expect(history.map((e) => e.change)).toEqual(['created', 'closed']);
    expect(JSON.parse(history[1]!.before!)).toEqual({
      customerCode: c.code,
      date: '2026-03-01',
      total: '1200.50',
      status: 'confirmed',
    });
    expect(JSON.parse(history[1]!.after!)).toEqual({
      customerCode: c.code,
      date: '2026-03-01',
      total: '1300.00',
      status: 'completed',
    });
    expect(history[1]).toMatchObject({
      docType: 'order',
      customerId: c.id,
      source: 'api',
      door: 'api',
      actorName: 'API:erp',
    });
  });
});

eachDialect('ledger push: the audit trail', (h) => {
  setupErp(h);
  const { push } = erpFeed(h);

  it('writes one audit event per call that changed something, none for a re-send', async () => {
    const c = await newCustomer(h, erp);
    const docs: LedgerDoc[] = [1, 2, 3].map((i) => ({
      type: 'order',
      number: `AUD-${i}`,
      customerCode: c.code,
      date: '2026-03-02',
      total: i * 10,
      status: 'open',
    }));
    const before = await h.core.models.AuditEvent.count({ where: { action: 'ledger.push' } });
    await push(docs);
    await push(docs);
    const pushes = await h.core.models.AuditEvent.findAll({ where: { action: 'ledger.push' }, order: [['id', 'ASC']] });
    expect(pushes).toHaveLength(before + 1);
    expect(JSON.parse(pushes.at(-1)!.diff).info).toMatchObject({
      source: 'api',
      created: 3,
      updated: 0,
      unchanged: 0,
      error: 0,
    });
  });
});

eachDialect('ledger push: 最近下单 follows the orders', (h) => {
  setupErp(h);
  const { push } = erpFeed(h);

  it('shows 最近下单 as the newest order, in the API and in chat, without writing the customer', async () => {
    const c = await newCustomer(h, erp);
    const api = async () => (await getCustomerForApi(h.core, erp, c.code)).lastOrderDate;
    const chat = async () => (await lookupByCode(h.core, erp, c.code))!.view!.lastOrderAt?.toISOString().slice(0, 10);
    expect([await api(), await chat()]).toEqual([null, undefined]);
    await push([
      { type: 'order', number: 'LOA-1', customerCode: c.code, date: '2026-02-01', total: 1, status: 'closed' },
      { type: 'order', number: 'LOA-2', customerCode: c.code, date: '2026-02-10', total: 1, status: 'open' },
    ]);
    expect([await api(), await chat()]).toEqual(['2026-02-10', '2026-02-10']);
    await push([
      { type: 'order', number: 'LOA-0', customerCode: c.code, date: '2026-01-01', total: 1, status: 'open' },
    ]);
    expect(await api()).toBe('2026-02-10');
    // A cancelled order was still placed (the inactive review counts it as contact too).
    await push([
      { type: 'order', number: 'LOA-3', customerCode: c.code, date: '2026-03-01', total: 1, status: 'cancelled' },
    ]);
    expect([await api(), await chat()]).toEqual(['2026-03-01', '2026-03-01']);
    // The push writes no customer row: 1,000 orders would otherwise rewrite 1,000 customers.
    expect(await h.core.models.Customer.findByPk(c.id)).toMatchObject({ lastOrderAt: null, version: c.version });
  });

  it('keeps a later date known from outside the orders (a jshERP sync of closed sales)', async () => {
    const c = await newCustomer(h, erp);
    await h.core.models.Customer.update({ lastOrderAt: new Date('2026-05-05T00:00:00Z') }, { where: { id: c.id } });
    await push([
      { type: 'order', number: 'LOX-1', customerCode: c.code, date: '2026-04-01', total: 1, status: 'open' },
    ]);
    expect((await getCustomerForApi(h.core, erp, c.code)).lastOrderDate).toBe('2026-05-05');
    await push([
      { type: 'order', number: 'LOX-2', customerCode: c.code, date: '2026-06-01', total: 1, status: 'open' },
    ]);
    expect((await getCustomerForApi(h.core, erp, c.code)).lastOrderDate).toBe('2026-06-01');
  });
});

eachDialect('ledger push: local orders, moves between customers, permissions', (h) => {
  setupErp(h);
  const { push } = erpFeed(h);

  it('keeps a local draft or shipped order as it is when the ERP says open', async () => {
    const c = await newCustomer(h, erp);
    const local = await createOrder(h.core, erp, {
      customerCode: c.code,
      total: '88.00',
      orderDate: '2026-03-03',
      number: 'LOCAL-1',
    });
    const r = await push([
      { type: 'order', number: 'local-1', customerCode: c.code, date: '2026-03-03', total: '88', status: 'open' },
    ]);
    expect(r.outcomes[0]).toMatchObject({ result: 'unchanged' });
    expect((await h.core.models.SalesOrder.findByPk(local.id))!.status).toBe('draft');
  });

  it('refuses to move a document to another customer', async () => {
    const a = await newCustomer(h, erp);
    const b = await newCustomer(h, erp);
    await push([
      { type: 'order', number: 'MOVE-1', customerCode: a.code, date: '2026-03-01', total: 5, status: 'open' },
    ]);
    const r = await push([
      { type: 'order', number: 'MOVE-1', customerCode: b.code, date: '2026-03-01', total: 5, status: 'open' },
    ]);
    expect(r.outcomes[0]!.error).toMatchObject({
      code: 'CONFLICT',
      message: `订单 MOVE-1 属于客户 ${a.code}, 不能改到客户 ${b.code}。如确需换客户, 请在进销存中作废此单并用新单号重新录入。`,
    });
  });

  it('refuses to push with no right to orders or payments', async () => {
    const viewer = await h.actor('只读员', ['viewer']);
    await expectRefused(
      applyLedger(
        h.core,
        viewer,
        [{ type: 'order', number: 'V-1', customerCode: 'X', date: '2026-03-01', total: 1, status: 'open' }],
        { source: 'api' },
      ),
      'NOT_PERMITTED',
      '办理订单和预留',
    );
    const c = await newCustomer(h, erp);
    await deactivate(h.core, erp, c.code, { reason: '客户要求' });
  });
});
