import { beforeAll, beforeEach, expect, it } from '@jest/globals';
import type { Actor } from '../../core/context.js';
import { deactivate } from '../../core/customers/status.js';
import { findInactive } from '../../core/review/inactive.js';
import { integrityReport } from '../../core/review/integrity.js';
import { keepCustomer } from '../../core/review/keep.js';
import { reviewSummary } from '../../core/review/summary.js';
import { eachDialect, type Harness } from '../helpers/db.js';
import { expectRefused } from '../core/fixtures.js';
import { customerWithStory } from './fixtures.js';

let admin: Actor;
let sales: Actor;
let other: Actor;
const c: Record<string, { id: number; code: string; name: string }> = {};
/** The codes the review finds (as the admin sees it). */
const inactiveCodes =
  (h: Harness) =>
  async (q: Parameters<typeof findInactive>[2] = {}) =>
    (await findInactive(h.core, admin, q)).customers.map((x) => x.code);

/** Customers with every kind of order story (recent, quiet, never, cancelled, stale columns…), on 2026-11-25. */
function setupStories(h: Harness): void {
  beforeAll(async () => {
    h.setNow(new Date('2026-11-25T04:00:00Z'));
    admin = await h.actor('复核管理员', ['admin']);
    sales = await h.actor('复核销售', ['sales']);
    other = await h.actor('另一销售', ['sales']);
    const owner = sales.operator.id!;
    c.recent = await customerWithStory(h, admin, {
      createdDaysAgo: 400,
      ownerId: owner,
      orders: [{ daysAgo: 400 }, { daysAgo: 20 }],
    });
    c.quiet = await customerWithStory(h, admin, {
      createdDaysAgo: 700,
      ownerId: owner,
      orders: [
        { daysAgo: 600, yuan: 5000 },
        { daysAgo: 300, yuan: 2500.5, unpaidYuan: 800 },
      ],
    });
    c.never = await customerWithStory(h, admin, { createdDaysAgo: 365, ownerId: owner });
    c.brandNew = await customerWithStory(h, admin, { createdDaysAgo: 30, ownerId: owner });
    // A recent order that was cancelled is still contact within the window.
    c.cancelled = await customerWithStory(h, admin, {
      createdDaysAgo: 500,
      ownerId: owner,
      orders: [{ daysAgo: 400 }, { daysAgo: 10, status: 'cancelled' }],
    });
    // Orders loaded by an import that never touched last_order_at: empty, or left at an old date.
    c.emptyColumn = await customerWithStory(h, admin, {
      createdDaysAgo: 500,
      ownerId: owner,
      orders: [{ daysAgo: 5 }],
      lastOrderAtDaysAgo: null,
    });
    c.oldColumn = await customerWithStory(h, admin, {
      createdDaysAgo: 500,
      ownerId: owner,
      orders: [{ daysAgo: 300 }, { daysAgo: 20 }],
      lastOrderAtDaysAgo: 300,
    });
    // A column ahead of the orders (an order row deleted behind core's back) is the one way to hide a customer.
    c.aheadColumn = await customerWithStory(h, admin, {
      createdDaysAgo: 500,
      ownerId: owner,
      orders: [{ daysAgo: 400 }],
      lastOrderAtDaysAgo: 10,
    });
    c.draftOnly = await customerWithStory(h, admin, {
      createdDaysAgo: 500,
      ownerId: owner,
      orders: [{ daysAgo: 15, status: 'draft' }],
    });
    c.edge = await customerWithStory(h, admin, { createdDaysAgo: 500, ownerId: owner, orders: [{ daysAgo: 180 }] });
    c.unowned = await customerWithStory(h, admin, { createdDaysAgo: 800 });
    c.stopped = await customerWithStory(h, admin, { createdDaysAgo: 800, ownerId: owner });
    await deactivate(h.core, admin, c.stopped.code, { reason: '客户要求' });
  });
  // Every test starts on 2026-11-25, whatever clock the test before it left behind.
  beforeEach(() => h.setNow(new Date('2026-11-25T04:00:00Z')));
}

eachDialect('inactive-customer review query', (h) => {
  setupStories(h);
  const codes = inactiveCodes(h);

  it('lists active customers with no order in N days, including never-ordered ones older than N days', async () => {
    const found = await codes();
    expect(found.sort()).toEqual([c.quiet!.code, c.never!.code, c.unowned!.code].sort());
    expect(found).not.toContain(c.brandNew!.code);
    expect(found).not.toContain(c.stopped!.code);
  });

  it('last_order_at only nominates candidates: the orders decide, and a date known from outside them counts', async () => {
    const found = await codes();
    expect(found).not.toContain(c.emptyColumn!.code); // the column is empty; there is an order 5 days ago
    expect(found).not.toContain(c.oldColumn!.code); // the column says 300 days; there is an order 20 days ago
    expect(found).not.toContain(c.cancelled!.code); // a cancelled order 10 days ago is contact
    expect(found).not.toContain(c.draftOnly!.code); // so is a draft
    expect(found).not.toContain(c.edge!.code); // an order exactly N days ago is within the window
    // The column holds dates from outside our orders (a jshERP sync's closed sales): one within the window is an order.
    expect(found).not.toContain(c.aheadColumn!.code);
    const report = await integrityReport(h.core);
    expect(report.findings.map((f) => f.key)).not.toContain('lastOrderAhead');
  });

  it('carries last order date, lifetime sales and open receivables for each customer', async () => {
    const r = await findInactive(h.core, admin);
    expect(r.days).toBe(180);
    const quiet = r.customers.find((x) => x.code === c.quiet!.code)!;
    expect(quiet).toMatchObject({
      name: c.quiet!.name,
      owner: '复核销售',
      lastOrderAt: '2026-01-29',
      lifetimeSalesCents: 750_050,
      openReceivablesCents: 80_000,
    });
    const never = r.customers.find((x) => x.code === c.never!.code)!;
    expect(never).toMatchObject({ lastOrderAt: null, lifetimeSalesCents: 0, openReceivablesCents: 0 });
    expect(r.customers.find((x) => x.code === c.unowned!.code)!.owner).toBeNull();
  });

  it('takes the window in days and filters by owner', async () => {
    expect(await codes({ days: 500 })).toEqual([c.unowned!.code]); // `never` is younger than 500 days
    expect(await codes({ ownerId: sales.operator.id! })).not.toContain(c.unowned!.code);
    await expectRefused(findInactive(h.core, admin, { days: 0 }), 'VALIDATION', '天数应为 1–3650 之间的整数');
  });
});

eachDialect('inactive-customer review: 保留 and the summary', (h) => {
  setupStories(h);
  const codes = inactiveCodes(h);

  it('保留 is audited, leaves the customer out for M days, and only the owner (or admin) may decide', async () => {
    await expectRefused(
      keepCustomer(h.core, other, c.quiet!.code),
      'NOT_PERMITTED',
      `客户 ${c.quiet!.code} 不归 另一销售 负责`,
    );
    await expectRefused(keepCustomer(h.core, sales, c.stopped!.code), 'CONFLICT', '已经停用, 无需保留');
    const kept = await keepCustomer(h.core, sales, c.quiet!.code, '年底有新项目');
    expect(kept.until.toISOString().slice(0, 10)).toBe('2027-02-23');
    expect(await codes()).not.toContain(c.quiet!.code);
    const event = await h.core.models.AuditEvent.findOne({
      where: { action: 'customer.keep', customerCode: c.quiet!.code },
      order: [['id', 'DESC']],
    });
    expect(event!.door).toBe('cli');
    expect(JSON.parse(event!.diff).info).toEqual({ keepDays: 90, until: '2027-02-23', note: '年底有新项目' });
    // 91 days later the decision has lapsed and the customer is reviewed again.
    h.setNow(new Date('2027-02-24T04:00:00Z'));
    expect(await codes()).toContain(c.quiet!.code);
    h.setNow(new Date('2026-11-25T04:00:00Z'));
  });

  it('the summary counts inactive per manager and the decisions since the previous review', async () => {
    const previous = new Date('2026-11-20T00:00:00Z');
    // This test's own decisions since the previous review: 保留 one quiet customer, 停用 another.
    // (保留 counts once per customer, so it does not matter whether the 保留 test kept it too.)
    await keepCustomer(h.core, sales, c.quiet!.code);
    await deactivate(h.core, sales, c.never!.code, { reason: '长期无交易' });
    const r = await findInactive(h.core, admin);
    expect(r.customers.map((x) => x.code)).toEqual([c.unowned!.code]);
    const s = await reviewSummary(h.core, r.customers, previous);
    expect(s.owners.find((o) => o.owner === '复核销售')).toMatchObject({ inactive: 0, kept: 1, deactivated: 1 });
    expect(s.owners.find((o) => o.owner === '未分配负责人')).toMatchObject({ inactive: 1, kept: 0, deactivated: 0 });
    expect([s.inactive, s.kept, s.deactivated]).toEqual([1, 1, 1]);
    // Decisions before the previous review are not counted again.
    const later = await reviewSummary(h.core, r.customers, new Date('2026-11-26T00:00:00Z'));
    expect([later.kept, later.deactivated]).toEqual([0, 0]);
  });
});
