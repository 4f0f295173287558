import { beforeAll, expect, it } from '@jest/globals';
import { eachDialect, type Harness } from '../helpers/db.js';
import { createCustomer } from '../../core/customers/create.js';
import { deactivate, reactivate } from '../../core/customers/status.js';
import { jobActor, type Actor } from '../../core/context.js';
import { customerAnalysis, inactiveOverTime, receivablesAging, salesByMonth } from '../../core/reports/index.js';
import { monthStart } from '../../core/reports/periods.js';

// 2026-06-15 12:00 in Shanghai.
const NOW = new Date('2026-06-15T04:00:00Z');

type Keys = Record<string, number>;

/**
 * At NOW: customers a (经销商, created in June by Shanghai time), b (31 May), gone (deleted, early 2025),
 * x and y; orders, drafts and cancellations around them; a's receivables at each aging boundary.
 */
async function seedReports(h: Harness): Promise<{ viewer: Actor; code: Record<string, string> }> {
  h.setNow(NOW);
  const viewer = await h.actor('看板', ['viewer']);
  const ids: Keys = {};
  const code: Record<string, string> = {};
  const job = jobActor('t');
  for (const key of ['a', 'b', 'gone', 'x', 'y']) {
    const { customer } = await createCustomer(h.core, job, {
      name: `报表客户${key}`,
      category: key === 'a' ? '经销商' : null,
    });
    ids[key] = customer.id;
    code[key] = customer.code;
  }
  const setCreated = (key: string, at: string) =>
    h.core.models.sequelize.query('UPDATE customers SET created_at = ? WHERE id = ?', {
      replacements: [new Date(at), ids[key]],
    });
  await setCreated('a', '2026-05-31T16:30:00Z'); // 2026-06-01 00:30 in Shanghai: June, not May
  await setCreated('b', '2026-05-31T15:30:00Z'); // 23:30 on 31 May in Shanghai
  await setCreated('gone', '2025-01-10T00:00:00Z'); // outside the window
  await seedOrders(h, ids);
  await h.core.models.Customer.update({ status: 'deleted' }, { where: { id: ids.gone } });
  await seedReceivables(h, ids);
  return { viewer, code };
}

async function seedOrders(h: Harness, ids: Keys): Promise<void> {
  const { SalesOrder } = h.core.models;
  const order = (n: string, key: string, date: string, total: string, status = 'completed') =>
    SalesOrder.create({ number: n, customerId: ids[key]!, orderDate: date, total, status: status as 'completed' });
  await order('SO1', 'a', '2026-06-02', '0.10');
  await order('SO2', 'a', '2026-06-03', '0.20');
  await order('SO3', 'b', '2026-05-20', '1000.05');
  await order('SO4', 'gone', '2026-04-01', '500.00');
  await order('SO5', 'b', '2026-06-05', '99999.99', 'cancelled');
  await order('SO6', 'b', '2026-06-05', '88888.88', 'draft');
  await order('SO7', 'a', '2025-06-15', '7.00'); // more than 12 months ago for top 10
}

/** a's receivables: one not yet due, then one on each side of every bucket boundary, and one paid. */
async function seedReceivables(h: Harness, ids: Keys): Promise<void> {
  const { Receivable } = h.core.models;
  const due = (d: string, amount: string, paid = '0.00') =>
    Receivable.create({ customerId: ids.a!, orderId: null, amount, paid, dueDate: d, status: 'open' });
  await due('2026-06-20', '10.00'); // not yet due
  await due('2026-06-05', '20.00', '5.50'); // 10 days
  await due('2026-05-16', '30.00'); // 30 days
  await due('2026-05-15', '40.00'); // 31 days
  await due('2026-03-17', '50.00'); // 90 days
  await due('2026-03-16', '60.00'); // 91 days
  await due('2025-12-17', '70.00'); // 180 days
  await due('2025-12-16', '80.00'); // 181 days
  await Receivable.create({
    customerId: ids.a!,
    orderId: null,
    amount: '999.00',
    paid: '999.00',
    dueDate: '2020-01-01',
    status: 'paid',
  });
}

eachDialect('core reports: customers and sales', (h) => {
  let viewer: Actor, code: Record<string, string>;
  beforeAll(async () => {
    ({ viewer, code } = await seedReports(h));
  });

  it('counts new customers per month in the configured time zone', async () => {
    const r = await customerAnalysis(h.core, viewer, { months: 12 });
    const month = (m: string) => r.newPerMonth.find((p) => p.month === m)!.count;
    expect(r.newPerMonth).toHaveLength(12);
    expect(r.newPerMonth[11]!.month).toBe('2026-06');
    // x and y carry the machine clock as created_at (after NOW), so only a counts in June.
    expect(month('2026-06')).toBe(1);
    expect(month('2026-05')).toBe(1);
    expect(r.byStatus).toEqual({ active: 4, inactive: 0, deleted: 1 });
    expect(r.byCategory).toEqual(
      expect.arrayContaining([
        { category: '经销商', count: 1 },
        { category: '未分类', count: 3 },
      ]),
    );
  });

  it('sums sales in exact cents, without drafts or cancellations, and ranks the top customers', async () => {
    const r = await customerAnalysis(h.core, viewer);
    expect(r.sales12m).toMatchObject({ orders: 4, totalCents: 10 + 20 + 100005 + 50000, customersWithOrders: 3 });
    expect(r.sales12m.averageOrderCents).toBe(Math.round(150035 / 4));
    expect(r.top10.map((t) => [t.code, t.salesCents, t.statusLabel])).toEqual([
      [code.b, 100005, '启用'],
      [code.gone, 50000, '已删除'],
      [code.a, 30, '启用'],
    ]);
  });

  it("keeps deleted customers' sales in the monthly totals and says how much they are", async () => {
    const r = await salesByMonth(h.core, viewer, { months: 3 });
    expect(r.months.map((m) => [m.month, m.totalCents, m.deletedCents])).toEqual([
      ['2026-04', 50000, 50000],
      ['2026-05', 100005, 0],
      ['2026-06', 30, 0],
    ]);
    expect(r.deletedCents).toBe(50000);
    expect(r.deletedNote).toBe('合计 ¥1,500.35, 其中 ¥500.00 (33.3%) 属于已删除客户; 删除客户不会改变历史销售额。');
  });
});

eachDialect('core reports: aging and 停用 over time', (h) => {
  let viewer: Actor, code: Record<string, string>;
  beforeAll(async () => {
    ({ viewer, code } = await seedReports(h));
  });

  it('ages open receivables by days past due: 0–30 / 31–90 / 91–180 / >180', async () => {
    const r = await receivablesAging(h.core, viewer);
    expect(r.asOf).toBe('2026-06-15');
    expect(r.buckets.map((b) => [b.key, b.count, b.outstandingCents])).toEqual([
      ['0-30', 3, 1000 + 1450 + 3000],
      ['31-90', 2, 4000 + 5000],
      ['91-180', 2, 6000 + 7000],
      ['180+', 1, 8000],
    ]);
    expect(r.notDueCents).toBe(1000);
    expect(r.totalCents).toBe(35450);
  });

  it('counts 停用 customers at each month end from the audit trail', async () => {
    const job = jobActor('t');
    try {
      h.setNow(new Date('2026-03-10T04:00:00Z'));
      await deactivate(h.core, job, code.x!, { reason: '客户要求' });
      h.setNow(new Date('2026-04-10T04:00:00Z'));
      await deactivate(h.core, job, code.y!, { reason: '信用风险' });
      h.setNow(new Date('2026-05-10T04:00:00Z'));
      await reactivate(h.core, job, code.x!);
    } finally {
      h.setNow(NOW);
    }
    const points = await inactiveOverTime(h.core, viewer, { months: 5 });
    expect(points.map((p) => [p.month, p.inactive])).toEqual([
      ['2026-02', 0],
      ['2026-03', 1],
      ['2026-04', 2],
      ['2026-05', 1],
      ['2026-06', 1],
    ]);
  });
});

it('puts month starts at local midnight', () => {
  expect(monthStart('2026-06', 'Asia/Shanghai').toISOString()).toBe('2026-05-31T16:00:00.000Z');
  expect(monthStart('2026-04', 'Europe/Berlin').toISOString()).toBe('2026-03-31T22:00:00.000Z');
});

eachDialect('core reports: for one owner', (h) => {
  let viewer: Actor;
  beforeAll(async () => {
    ({ viewer } = await seedReports(h));
  });

  it('narrows sales, aging and analysis to one owner, for a chosen month range and as-of day', async () => {
    const owner = await h.operator('报表负责人', ['sales']);
    const { customer } = await createCustomer(h.core, jobActor('t'), { name: '报表负责人的客户', ownerId: owner.id });
    await h.core.models.SalesOrder.create({
      number: 'SO-OWN-1',
      customerId: customer.id,
      orderDate: '2026-02-10',
      total: '12.34',
      status: 'completed',
    });
    await h.core.models.Receivable.create({
      customerId: customer.id,
      orderId: null,
      amount: '9.00',
      paid: '1.00',
      dueDate: '2026-06-01',
      status: 'open',
    });
    const sales = await salesByMonth(h.core, viewer, { ownerId: owner.id, from: '2026-01', to: '2026-03' });
    expect(sales.months.map((m) => [m.month, m.totalCents])).toEqual([
      ['2026-01', 0],
      ['2026-02', 1234],
      ['2026-03', 0],
    ]);
    // `to` alone covers the 12 months up to it.
    expect(
      (await salesByMonth(h.core, viewer, { ownerId: owner.id, to: '2026-02' })).months.map((m) => m.month),
    ).toEqual(
      Array.from({ length: 12 }, (_, i) => `${i < 10 ? 2025 : 2026}-${String(((i + 2) % 12) + 1).padStart(2, '0')}`),
    );
    // Due 1 June: 61 days past due on 1 August.
    const aging = await receivablesAging(h.core, viewer, { ownerId: owner.id, asOf: '2026-08-01' });
    expect(aging.buckets.map((b) => b.outstandingCents)).toEqual([0, 800, 0, 0]);
    expect(aging.debtors).toEqual([
      expect.objectContaining({ code: customer.code, statusLabel: '启用', ownerName: '报表负责人', totalCents: 800 }),
    ]);
    const analysis = await customerAnalysis(h.core, viewer, { ownerId: owner.id });
    expect([analysis.byStatus.active, analysis.sales12m.totalCents, analysis.top10.map((t) => t.code)]).toEqual([
      1,
      1234,
      [customer.code],
    ]);
  });
});

eachDialect('core reports: what they refuse', (h) => {
  let viewer: Actor;
  beforeAll(async () => {
    h.setNow(NOW);
    viewer = await h.actor('看板', ['viewer']);
  });

  it('refuses a reversed, malformed or too long month range and an impossible day', async () => {
    await expect(salesByMonth(h.core, viewer, { from: '2026-05', to: '2026-04' })).rejects.toMatchObject({
      code: 'VALIDATION',
      message: '输入有误 — 起始月份 2026-05 晚于结束月份 2026-04',
    });
    await expect(salesByMonth(h.core, viewer, { from: '2026-5' })).rejects.toMatchObject({
      code: 'VALIDATION',
      details: { errors: [{ field: 'from' }] },
    });
    await expect(salesByMonth(h.core, viewer, { from: '2010-01', to: '2026-01' })).rejects.toMatchObject({
      message: '输入有误 — 月份范围最多 120 个月',
    });
    await expect(receivablesAging(h.core, viewer, { asOf: '2026-02-29' })).rejects.toMatchObject({
      code: 'VALIDATION',
      details: { errors: [{ field: 'asOf' }] },
    });
  });

  it('refuses an operator without the view permission', async () => {
    const nobody = {
      door: 'admin' as const,
      operator: { id: 999, displayName: '无角色', active: true, roleList: () => [] },
    };
    await expect(customerAnalysis(h.core, nobody)).rejects.toMatchObject({ code: 'NOT_PERMITTED' });
  });
});
