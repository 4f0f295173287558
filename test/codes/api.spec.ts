import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { Actor } from '../../core/context.js';
import { approveRecode } from '../../core/customers/recode/act.js';
import { createOrder } from '../../core/orders.js';
import { eachDialect } from '../helpers/db.js';
import { RecordingNotifier, startApi, type ApiHarness } from '../helpers/api-app.js';
import { newCustomer } from '../core/fixtures.js';

eachDialect('POST /api/v1/customers/{code}/recode, and the old code through the API afterwards', (h) => {
  let api: ApiHarness;
  let token: string;
  let admin: Actor;
  const c: Record<string, string> = {};

  beforeAll(async () => {
    api = await startApi(h, { notifier: new RecordingNotifier() });
    token = await api.token(['customers:read', 'customers:write']);
    admin = await h.actor('API编码管理员', ['admin']);
    c.a = (await newCustomer(h, admin)).code;
    c.b = (await newCustomer(h, admin)).code;
    await createOrder(h.core, admin, { customerCode: c.a, total: '88.00' });
  });
  afterAll(async () => api?.close());

  const recode = (code: string, body: unknown) => api.call('POST', `/api/v1/customers/${code}/recode`, { token, body });

  it('dryRun checks and writes nothing; a clash is refused naming the other customer; the real call files a request', async () => {
    const dry = await recode(c.a!, { newCode: 'erp-001', reason: '对齐 ERP', dryRun: true });
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ rows: [{ from: c.a, to: 'ERP-001', orders: 1 }], problems: [] });
    const clash = await recode(c.a!, { newCode: c.b, reason: '对齐 ERP' });
    expect(clash.status).toBe(422);
    expect(JSON.stringify(clash.body)).toContain(`新编码 ${c.b} 已是客户 ${c.b}`);
    expect(await h.core.models.CustomerRecode.count()).toBe(0);
    const filed = await recode(c.a!, { newCode: 'erp-001', reason: '对齐 ERP' });
    expect(filed.status).toBe(202);
    expect(filed.body.recode).toMatchObject({ status: 'pending', from: c.a, to: 'ERP-001' });
    await approveRecode(h.core, admin, filed.body.recode.id);
    const old = await api.call('GET', `/api/v1/customers/${c.a}`, { token });
    expect(old.status).toBe(200);
    expect(old.body.code).toBe('ERP-001');
  });
});
