import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { eachDialect, type Harness } from '../helpers/db.js';
import { createCustomer } from '../../core/customers/create.js';
import { createOrder } from '../../core/orders.js';
import { jobActor } from '../../core/context.js';
import type { CustomerView } from '../../core/customers/view.js';
import { clientAs, startAdmin, type AdminClient } from './helpers.js';

type Rec = {
  id: number;
  params: Record<string, unknown>;
  errors: Record<string, { message: string }>;
  recordActions: { name: string }[];
};
type ListAnswer = { meta: { total: number }; records: (Rec & { populated: Record<string, { title: string }> })[] };
type ActionAnswer = {
  notice?: { message: string; type: string };
  record: Rec;
  error?: { code: string; details: Record<string, unknown> };
  redirectUrl?: string;
};

interface CustomersDesk {
  /** A logged-in client per operator: boss (admin), wang and zhao (sales), qian, li, kan. */
  as: Record<string, AdminClient>;
  /** mine and busy (owned by wang, busy with an order), other (code OTHER-1), clean. */
  c: Record<string, CustomerView>;
  salesId: number;
}

/** The back office with one operator per role and four customers, set up for the calling describe. */
function customersDesk(h: Harness): CustomersDesk {
  let server: Awaited<ReturnType<typeof startAdmin>>;
  const desk: CustomersDesk = { as: {}, c: {}, salesId: 0 };
  const { as, c } = desk;
  beforeAll(async () => {
    server = await startAdmin(h.core);
    for (const [login, roles] of [
      ['boss', ['admin']],
      ['wang', ['sales']],
      ['zhao', ['sales']],
      ['qian', ['finance']],
      ['li', ['approver']],
      ['kan', ['viewer']],
    ] as const) {
      const { client, operator } = await clientAs(h.core, server.url, login, [...roles]);
      as[login] = client;
      if (login === 'wang') desk.salesId = operator.id;
    }
    const job = jobActor('test');
    c.mine = (
      await createCustomer(h.core, job, {
        name: '杭州甲方贸易有限公司',
        contact: '陈一',
        phone: '13800000001',
        address: '杭州市西湖区文三路 100 号',
        ownerId: desk.salesId,
        category: '经销商',
      })
    ).customer;
    c.busy = (
      await createCustomer(h.core, job, { name: '宁波忙碌五金商行', phone: '13800000002', ownerId: desk.salesId })
    ).customer;
    c.other = (
      await createCustomer(h.core, job, { code: 'OTHER-1', name: '温州他人电器有限公司', phone: '13800000003' })
    ).customer;
    c.clean = (await createCustomer(h.core, job, { name: '绍兴空闲纺织厂', phone: '13800000004' })).customer;
    await createOrder(h.core, job, { customerCode: c.busy.code, total: '1234.50' });
  });
  afterAll(async () => server?.close());
  return desk;
}

eachDialect('back office: customers through core: list', (h) => {
  const { as, c } = customersDesk(h);

  it('shows masked phones and owner names, never ciphertext, blind indexes or password hashes', async () => {
    const res = await as.kan!.list('customers');
    expect(res.status).toBe(200);
    const body = res.json<ListAnswer>();
    const mine = body.records.find((r) => r.params.code === c.mine!.code)!;
    expect(mine.params.phoneMasked).toBe('138****0001');
    expect(mine.populated.ownerId!.title).toBe('wang');
    expect(res.text).not.toMatch(/13800000001|phoneEnc|phoneHash|addressEnc|passwordHash|scrypt\$|v1:/);
  });

  it('filters by status exactly (停用 is not matched by 启用) and hides deleted customers by default', async () => {
    await h.core.models.Customer.update({ status: 'inactive' }, { where: { id: c.clean!.id } });
    try {
      const active = (await as.kan!.list('customers', 'filters.status=active')).json<ListAnswer>();
      expect(active.records.map((r) => r.params.status)).not.toContain('inactive');
      const inactive = (await as.kan!.list('customers', 'filters.status=inactive')).json<ListAnswer>();
      expect(inactive.records.map((r) => r.params.code)).toEqual([c.clean!.code]);
    } finally {
      await h.core.models.Customer.update({ status: 'active' }, { where: { id: c.clean!.id } });
    }
  });

  it('finds a customer by full phone through the blind index, and by name fragment', async () => {
    const byPhone = (await as.kan!.list('customers', 'filters.phone=138-0000-0003')).json<ListAnswer>();
    expect(byPhone.records.map((r) => r.params.code)).toEqual(['OTHER-1']);
    const byName = (await as.kan!.list('customers', `filters.name=${encodeURIComponent('忙碌')}`)).json<ListAnswer>();
    expect(byName.records.map((r) => r.params.code)).toEqual([c.busy!.code]);
  });

  it('ignores a sort on an unindexed or unknown column instead of failing', async () => {
    const res = await as.kan!.list('customers', 'sortBy=phoneEnc&direction=desc');
    expect(res.status).toBe(200);
  });

  it('shows, sorts and filters 最近下单 by the orders, with a date known from outside them', async () => {
    const order = (await h.core.models.SalesOrder.findOne({ where: { customerId: c.busy!.id } }))!;
    await h.core.models.Customer.update(
      { lastOrderAt: new Date('2025-06-01T00:00:00Z') },
      { where: { id: c.mine!.id } },
    );
    try {
      const sorted = (await as.kan!.list('customers', 'sortBy=lastOrderAt&direction=desc')).json<ListAnswer>();
      const rows = sorted.records.map((r) => [r.params.code, String(r.params.lastOrderAt ?? '').slice(0, 10)]);
      expect(rows.slice(0, 2)).toEqual([
        [c.busy!.code, String(order.orderDate)],
        [c.mine!.code, '2025-06-01'],
      ]);
      const range = 'filters.lastOrderAt~~from=2025-01-01&filters.lastOrderAt~~to=2025-12-31';
      const inRange = (await as.kan!.list('customers', range)).json<ListAnswer>();
      expect(inRange.records.map((r) => r.params.code)).toEqual([c.mine!.code]);
    } finally {
      await h.core.models.Customer.update({ lastOrderAt: null }, { where: { id: c.mine!.id } });
    }
  });
});

eachDialect('back office: customers through core: new', (h) => {
  const desk = customersDesk(h);
  const { as } = desk;

  it('creates through core: automatic code, normalised phone, audit by door admin', async () => {
    const res = await as.wang!.post('/admin/api/resources/customers/actions/new', {
      code: '',
      name: '嘉兴新建包装有限公司',
      phone: '139 0000 0009',
      ownerId: String(desk.salesId),
    });
    const body = res.json<ActionAnswer>();
    expect(body.notice).toMatchObject({ type: 'success' });
    expect(body.redirectUrl).toMatch(/\/admin\/resources\/customers\/records\/\d+\/show/);
    const row = await h.core.models.Customer.findOne({ where: { name: '嘉兴新建包装有限公司' } });
    expect(row!.code).toMatch(/^C\d{8}$/);
    const audit = await h.core.models.AuditEvent.findOne({
      where: { customerId: row!.id, action: 'customer.create' },
    });
    expect(audit).toMatchObject({ door: 'admin', operatorName: 'wang' });
  });

  it('shows a duplicate code as a field error on the form', async () => {
    const res = await as.boss!.post('/admin/api/resources/customers/actions/new', {
      code: 'other-1',
      name: '另一家公司',
    });
    const body = res.json<ActionAnswer>();
    expect(body.notice!.type).toBe('error');
    expect(body.error!.code).toBe('CODE_TAKEN');
    expect(body.record.errors.code!.message).toContain('OTHER-1」已被占用');
    expect(body.record.params.name).toBe('另一家公司');
  });

  it('reports every invalid field, and asks to confirm a likely duplicate', async () => {
    const bad = (
      await as.boss!.post('/admin/api/resources/customers/actions/new', { name: '', phone: '12ab' })
    ).json<ActionAnswer>();
    expect(Object.keys(bad.record.errors).sort()).toEqual(['name', 'phone']);
    const dup = (
      await as.boss!.post('/admin/api/resources/customers/actions/new', { name: '杭州甲方贸易有限公司' })
    ).json<ActionAnswer>();
    expect(dup.error!.code).toBe('CONFLICT');
    expect(dup.record.errors.allowDuplicates).toBeDefined();
    const ok = (
      await as.boss!.post('/admin/api/resources/customers/actions/new', {
        name: '杭州甲方贸易有限公司',
        allowDuplicates: 'true',
      })
    ).json<ActionAnswer>();
    expect(ok.notice!.type).toBe('success');
  });
});

eachDialect('back office: customers through core: edit', (h) => {
  const { as, c } = customersDesk(h);

  it('edits through core with optimistic locking: a stale form gets STALE_VERSION', async () => {
    const id = c.other!.id;
    const form = (await as.boss!.action('customers', id, 'edit')).json<ActionAnswer>().record.params;
    const first = (
      await as.boss!.action('customers', id, 'edit', { ...stringify(form), contact: '新联系人' })
    ).json<ActionAnswer>();
    expect(first.notice!.type).toBe('success');
    const second = (
      await as.boss!.action('customers', id, 'edit', { ...stringify(form), contact: '另一个人' })
    ).json<ActionAnswer>();
    expect(second.error!.code).toBe('STALE_VERSION');
    expect(second.notice!.message).toBe('已被他人修改, 请刷新后再改。');
    expect((await h.core.models.Customer.findByPk(id))!.contact).toBe('新联系人');
  });

  it('keeps the phone when the edit form leaves it empty, and refuses a code change once orders exist', async () => {
    const form = (await as.boss!.action('customers', c.busy!.id, 'edit')).json<ActionAnswer>().record.params;
    const res = (
      await as.boss!.action('customers', c.busy!.id, 'edit', { ...stringify(form), phone: '', code: 'NEW-CODE' })
    ).json<ActionAnswer>();
    expect(res.error!.code).toBe('CODE_LOCKED');
    const row = await h.core.models.Customer.findByPk(c.busy!.id);
    expect(row!.code).toBe(c.busy!.code);
    expect(row!.phoneEnc).not.toBeNull();
  });

  it('refuses new and edit to roles without them with 403', async () => {
    expect((await as.kan!.post('/admin/api/resources/customers/actions/new', { name: 'x' })).status).toBe(403);
    expect((await as.qian!.action('customers', c.mine!.id, 'edit', { name: 'x' })).status).toBe(403);
  });

  it('has no plain delete or bulk delete, even for an admin', async () => {
    expect((await as.boss!.action('customers', c.clean!.id, 'delete', {})).status).toBe(403);
    expect(
      (await as.boss!.post(`/admin/api/resources/customers/bulk/bulkDelete?recordIds=${c.clean!.id}`, {})).status,
    ).toBe(403);
    expect(await h.core.models.Customer.count({ where: { id: c.clean!.id } })).toBe(1);
  });
});

function stringify(params: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(params).map(([k, v]) => [k, v === null || v === undefined ? '__FORM_VALUE_NULL__' : String(v)]),
  );
}
