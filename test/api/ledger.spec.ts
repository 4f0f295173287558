import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { Actor } from '../../core/context.js';
import { deactivate } from '../../core/customers/status.js';
import { precheck } from '../../core/deletion/precheck.js';
import { eachDialect, type Harness } from '../helpers/db.js';
import { startApi, type ApiHarness } from '../helpers/api-app.js';
import { newCustomer } from '../core/fixtures.js';

interface LedgerApi {
  api: ApiHarness;
  admin: Actor;
  /** ledger:write, ledger:read and customers:read. */
  writer: string;
}

/** The API, an admin for the customers, and a token that pushes ledger documents. */
async function startLedgerApi(h: Harness): Promise<LedgerApi> {
  const api = await startApi(h);
  const admin = await h.actor('ledger-api-admin', ['admin']);
  return { api, admin, writer: await api.token(['ledger:write', 'ledger:read', 'customers:read']) };
}

/** Closes the API, once every answer it gave is known to match the OpenAPI document. */
async function stopLedgerApi(api: ApiHarness | undefined): Promise<void> {
  if (!api) return;
  expect(api.registry.violations).toEqual([]);
  await api.close();
}

eachDialect('API: ledger push over HTTP: orders', (h) => {
  let api: ApiHarness, admin: Actor, writer: string;
  beforeAll(async () => {
    ({ api, admin, writer } = await startLedgerApi(h));
  });
  afterAll(async () => stopLedgerApi(api));
  const put = (path: string, body: unknown, token = writer) => api.call('PUT', `/api/v1${path}`, { token, body });

  it('creates an order (201), answers unchanged on a re-send (200), and reads it back', async () => {
    const c = await newCustomer(h, admin);
    const body = { customerCode: c.code, date: '2026-03-01', total: '1200.50', status: 'open' };
    const first = await put('/orders/XSD-0001', body);
    expect(first.status).toBe(201);
    expect(first.body).toEqual({
      outcome: 'created',
      document: {
        type: 'order',
        number: 'XSD-0001',
        customerCode: c.code,
        date: '2026-03-01',
        total: '1200.50',
        status: 'open',
        source: 'api',
      },
    });
    const again = await put('/orders/XSD-0001', body);
    expect([again.status, again.body.outcome]).toEqual([200, 'unchanged']);
    const closed = await put('/orders/XSD-0001', { ...body, status: 'closed' });
    expect([closed.status, closed.body.outcome, closed.body.document.status]).toEqual([200, 'updated', 'closed']);
    const got = await api.call('GET', '/api/v1/orders/xsd-0001', { token: writer });
    expect(got.body.document).toMatchObject({ number: 'XSD-0001', status: 'closed' });
    const missing = await api.call('GET', '/api/v1/orders/NOPE', { token: writer });
    expect([missing.status, missing.body.error.code]).toEqual([404, 'NOT_FOUND']);
    const events = await h.core.models.LedgerEvent.findAll({ where: { docNumber: 'XSD-0001' } });
    expect(events.map((e) => [e.change, e.door, e.actorName.startsWith('API:')])).toEqual([
      ['created', 'api', true],
      ['closed', 'api', true],
    ]);
  });

  it('refuses a new open order for a 停用 customer with 409 and the transactable message; closing stays possible', async () => {
    const c = await newCustomer(h, admin);
    const old = { customerCode: c.code, date: '2026-03-01', total: 5, status: 'open' };
    await put('/orders/STOP-OLD', old);
    await deactivate(h.core, admin, c.code, { reason: '信用风险' });
    const check = await api.call('GET', `/api/v1/customers/${c.code}/transactable`, { token: writer });
    expect(check.status).toBe(409);
    const refused = await put('/orders/STOP-NEW', { ...old, date: '2026-03-02' });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'CUSTOMER_INACTIVE', message: check.body.message });
    const closing = await put('/orders/STOP-OLD', { ...old, status: 'closed' });
    expect([closing.status, closing.body.outcome]).toEqual([200, 'updated']);
  });
});

eachDialect('API: ledger push over HTTP: receivables and reservations', (h) => {
  let api: ApiHarness, admin: Actor, writer: string;
  beforeAll(async () => {
    ({ api, admin, writer } = await startLedgerApi(h));
  });
  afterAll(async () => stopLedgerApi(api));
  const put = (path: string, body: unknown, token = writer) => api.call('PUT', `/api/v1${path}`, { token, body });

  it('pushes receivables and reservations; the delete pre-check lists them until paid and released', async () => {
    const c = await newCustomer(h, admin);
    const rec = await put('/receivables/YS-1', {
      customerCode: c.code,
      amount: '500.00',
      paid: 100,
      dueDate: '2026-04-01',
    });
    expect(rec.status).toBe(201);
    expect(rec.body.document).toEqual({
      type: 'receivable',
      number: 'YS-1',
      customerCode: c.code,
      amount: '500.00',
      paid: '100.00',
      outstanding: '400.00',
      dueDate: '2026-04-01',
      status: 'open',
      orderNumber: null,
      source: 'api',
    });
    const res = await put('/reservations/YL-1', {
      customerCode: c.code,
      product: 'P-API-1',
      quantity: 3,
      released: false,
    });
    expect([res.status, res.body.document.released]).toEqual([201, false]);
    expect((await precheck(h.core, admin, c.code)).blockers.map((b) => b.text)).toEqual([
      '未收款 1 笔, 未收金额 ¥400.00',
      '库存预留 1 条, 共 3 件',
    ]);
    await put('/receivables/YS-1', { customerCode: c.code, amount: '500.00', paid: '500.00', dueDate: '2026-04-01' });
    await put('/reservations/YL-1', { customerCode: c.code, product: 'P-API-1', quantity: 3, released: true });
    expect((await precheck(h.core, admin, c.code)).blockers).toEqual([]);
    const gotRec = await api.call('GET', '/api/v1/receivables/YS-1', { token: writer });
    expect(gotRec.body.document).toMatchObject({ paid: '500.00', outstanding: '0.00', status: 'paid' });
    const gotRes = await api.call('GET', '/api/v1/reservations/YL-1', { token: writer });
    expect(gotRes.body.document).toMatchObject({ product: 'P-API-1', quantity: 3, released: true });
    expect((await api.call('GET', '/api/v1/receivables/NONE', { token: writer })).status).toBe(404);
    expect((await api.call('GET', '/api/v1/reservations/NONE', { token: writer })).status).toBe(404);
  });
});

eachDialect('API: ledger push over HTTP: bad input', (h) => {
  let api: ApiHarness, admin: Actor, writer: string;
  beforeAll(async () => {
    ({ api, admin, writer } = await startLedgerApi(h));
  });
  afterAll(async () => stopLedgerApi(api));
  const put = (path: string, body: unknown, token = writer) => api.call('PUT', `/api/v1${path}`, { token, body });

  it('answers bad input with 422 or 404 naming the field, and a missing scope with 403', async () => {
    const c = await newCustomer(h, admin);
    const three = await put('/orders/BAD-1', {
      customerCode: c.code,
      date: '2026-03-01',
      total: '1.234',
      status: 'open',
    });
    expect([three.status, three.body.error.code, three.body.error.details.errors]).toEqual([
      422,
      'VALIDATION',
      [{ field: 'total', message: '订单金额 (total) 最多两位小数 (收到 1.234)' }],
    ]);
    const word = await put('/orders/BAD-2', { customerCode: c.code, date: '2026-03-01', total: 'abc', status: 'open' });
    expect(word.body.error.details.errors[0].field).toBe('total');
    const date = await put('/orders/BAD-3', { customerCode: c.code, date: '01/03/2026', total: 1, status: 'open' });
    expect([date.status, date.body.error.details.errors[0].field]).toEqual([422, 'date']);
    const negative = await put('/receivables/BAD-4', {
      customerCode: c.code,
      amount: 10,
      paid: '-1',
      dueDate: '2026-04-01',
    });
    expect([negative.status, negative.body.error.details.errors]).toEqual([
      422,
      [{ field: 'paid', message: '已收金额 (paid) 不能为负数' }],
    ]);
    const unknown = await put('/orders/BAD-5', {
      customerCode: 'NOPE-1',
      date: '2026-03-01',
      total: 1,
      status: 'open',
    });
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'CUSTOMER_NOT_FOUND']);
    const extra = await put('/orders/BAD-6', {
      customerCode: c.code,
      date: '2026-03-01',
      total: 1,
      status: 'open',
      colour: 'red',
    });
    expect([extra.status, extra.body.error.details.errors[0].field]).toEqual([422, 'colour']);
    const reader = await api.token(['ledger:read']);
    const forbidden = await put(
      '/orders/BAD-7',
      { customerCode: c.code, date: '2026-03-01', total: 1, status: 'open' },
      reader,
    );
    expect([forbidden.status, forbidden.body.error.message]).toEqual([403, expect.stringContaining('ledger:write')]);
    expect(await h.core.models.SalesOrder.count({ where: { customerId: c.id } })).toBe(0);
  });
});

eachDialect('API: ledger push over HTTP: batches', (h) => {
  let api: ApiHarness, admin: Actor, writer: string;
  beforeAll(async () => {
    ({ api, admin, writer } = await startLedgerApi(h));
  });
  afterAll(async () => stopLedgerApi(api));

  it('pushes a batch with an outcome per document; atomic refuses all with 422; 5,001 documents are refused', async () => {
    const c = await newCustomer(h, admin);
    const docs = [
      { type: 'order', number: 'BT-1', customerCode: c.code, date: '2026-03-01', total: 1, status: 'open' },
      { type: 'order', number: 'BT-2', customerCode: c.code, date: '2026-03-01', total: '1.001', status: 'open' },
      {
        type: 'receivable',
        number: 'BT-R',
        customerCode: c.code,
        amount: 10,
        paid: 0,
        dueDate: '2026-04-01',
        orderNumber: 'BT-1',
      },
    ];
    const mixed = await api.call('POST', '/api/v1/ledger/batch', { token: writer, body: { documents: docs } });
    expect(mixed.status).toBe(200);
    expect(mixed.body).toMatchObject({ applied: true, counts: { created: 2, updated: 0, unchanged: 0, error: 1 } });
    expect(mixed.body.outcomes[1]).toMatchObject({
      index: 1,
      number: 'BT-2',
      result: 'error',
      error: { code: 'VALIDATION' },
    });

    const atomic = await api.call('POST', '/api/v1/ledger/batch', {
      token: writer,
      body: { atomic: true, documents: [{ ...docs[0], number: 'BT-3' }, docs[1]] },
    });
    expect(atomic.status).toBe(422);
    expect(atomic.body.error.message).toContain('本批有 1 条单据不能写入, 按 atomic 要求整批未写入。第 2 条 BT-2');
    expect(atomic.body.error.details.outcomes.map((o: { result: string }) => o.result)).toEqual(['created', 'error']);
    expect(await h.core.models.SalesOrder.count({ where: { number: 'BT-3' } })).toBe(0);

    const many = Array.from({ length: 5001 }, (_v, i) => ({
      type: 'order',
      number: `N${i}`,
      customerCode: c.code,
      date: '2026-03-01',
      total: 1,
      status: 'closed',
    }));
    const tooMany = await api.call('POST', '/api/v1/ledger/batch', { token: writer, body: { documents: many } });
    expect([tooMany.status, tooMany.body.error.code]).toEqual([422, 'VALIDATION']);
    expect(tooMany.body.error.message).toContain('5000');
    expect(await h.core.models.SalesOrder.count({ where: { number: 'N0' } })).toBe(0);
  });
});
