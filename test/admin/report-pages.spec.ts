import { expect, it } from '@jest/globals';
import { eachDialect } from '../helpers/db.js';
import { jobActor } from '../../core/context.js';
import { monthlyReport } from '../../jobs/monthly-report.js';
import { page, reportDesk, type Page } from './report-desk.js';

eachDialect('back office: report pages: 月度销售', (h) => {
  const { as, owner } = reportDesk(h);

  it("shows each month in 元 with the deleted customers' share, for a chosen month range", async () => {
    const p = await page(as.wang!, 'salesReport', 'from=2026-04&to=2026-06');
    expect(p.title).toBe('月度销售');
    expect(p.filterText).toBe('2026-04 至 2026-06 · 负责人: 全部');
    const f = p.figures as {
      months: { month: string; orders: number; total: string; deleted: string | null }[];
      total: string;
      deletedNote: string;
    };
    expect(f.months.map((m) => [m.month, m.orders, m.total, m.deleted])).toEqual([
      ['2026-04', 1, '¥500.00', '¥500.00'],
      ['2026-05', 1, '¥1,000.05', null],
      ['2026-06', 1, '¥200.00', null],
    ]);
    expect(f.total).toBe('¥1,700.05');
    expect(f.deletedNote).toBe('合计 ¥1,700.05, 其中 ¥500.00 (29.4%) 属于已删除客户; 删除客户不会改变历史销售额。');
  });

  it('agrees with the monthly chat push, and narrows to one owner', async () => {
    const p = await page(as.boss!, 'salesReport');
    const push = (await monthlyReport(h.core, jobActor('t'))).map((m) => m.text).join('\n');
    expect(push).toContain((p.figures as { deletedNote: string }).deletedNote);
    expect((p.figures as { months: unknown[] }).months).toHaveLength(12);
    expect(p.owners.map((o) => o.name)).toEqual(expect.arrayContaining(['王销售', '李销售']));
    const mine = await page(as.boss!, 'salesReport', `from=2026-04&to=2026-06&ownerId=${owner.li}`);
    expect(mine.filterText).toBe('2026-04 至 2026-06 · 负责人: 李销售');
    expect((mine.figures as { total: string }).total).toBe('¥200.00');
  });

  it('says in Chinese what is wrong with a bad month range', async () => {
    expect((await page(as.wang!, 'salesReport', 'from=2026-13')).error).toContain('起始月份应为「年-月」');
    expect((await page(as.wang!, 'salesReport', 'from=2026-06&to=2026-01')).error).toBe(
      '输入有误 — 起始月份 2026-06 晚于结束月份 2026-01',
    );
    expect((await page(as.wang!, 'salesReport', 'ownerId=999999')).error).toBe(
      '输入有误 — 所选负责人不存在, 请重新选择',
    );
  });
});

eachDialect('back office: report pages: 应收账龄', (h) => {
  const { as, owner, code } = reportDesk(h);

  it('ages open balances to today, lists who owes most with 已删除 marked, and shows no phone numbers', async () => {
    const res = await as.li!.get('/admin/api/pages/agingReport');
    const p = res.json<Page>();
    expect(p.filterText).toBe('账龄计算到 2026-06-15 (未收金额为当前余额) · 负责人: 全部');
    const f = p.figures as {
      buckets: { label: string; count: number; amount: string }[];
      total: string;
      notDue: string;
      debtors: { code: string; statusLabel: string; ownerName: string; total: string }[];
    };
    expect(f.buckets.map((b) => [b.label, b.count, b.amount])).toEqual([
      ['0–30 天', 1, '¥10.00'],
      ['31–90 天', 0, '¥0.00'],
      ['91–180 天', 1, '¥200.00'],
      ['180 天以上', 1, '¥50.00'],
    ]);
    expect([f.total, f.notDue]).toEqual(['¥260.00', '¥10.00']);
    expect(f.debtors.map((d) => [d.code, d.statusLabel, d.ownerName, d.total])).toEqual([
      [code.b, '启用', '李销售', '¥200.00'],
      [code.g, '已删除', '王销售', '¥50.00'],
      [code.a, '启用', '王销售', '¥10.00'],
    ]);
    expect(res.text).not.toMatch(/1391111000\d|139\*{4}000\d/);
  });

  it('ages to a chosen day and for one owner', async () => {
    const p = await page(as.boss!, 'agingReport', `asOf=2026-09-30&ownerId=${owner.wang}`);
    const f = p.figures as { buckets: { amount: string }[]; notDue: string };
    // On 30 Sep the 20 Jun receivable is 102 days old and the deleted customer's 303 days.
    expect(f.buckets.map((b) => b.amount)).toEqual(['¥0.00', '¥0.00', '¥10.00', '¥50.00']);
    expect(f.notDue).toBe('¥0.00');
    expect(p.filterText).toBe('账龄计算到 2026-09-30 (未收金额为当前余额) · 负责人: 王销售');
    expect((await page(as.boss!, 'agingReport', 'asOf=2026-02-30')).error).toContain('账龄计算日应为「年-月-日」');
  });
});

eachDialect('back office: report pages: 客户分析 and the sidebar', (h) => {
  const { as, owner, code } = reportDesk(h);

  it('counts customers by status and ranks the top customers, deleted ones marked 已删除', async () => {
    const p = await page(as.wang!, 'customerReport');
    const f = p.figures as {
      statusCounts: { label: string; count: number }[];
      sales12m: { orders: number; total: string };
      top10: { code: string; statusLabel: string; sales: string }[];
    };
    expect(f.statusCounts.map((s) => [s.label, s.count])).toEqual([
      ['启用', 2],
      ['停用', 0],
      ['已删除', 1],
    ]);
    expect(f.sales12m).toMatchObject({ orders: 3, total: '¥1,700.05' });
    expect(f.top10.map((t) => [t.code, t.statusLabel, t.sales])).toEqual([
      [code.a, '启用', '¥1,000.05'],
      [code.g, '已删除', '¥500.00'],
      [code.b, '启用', '¥200.00'],
    ]);
    const li = await page(as.wang!, 'customerReport', `ownerId=${owner.li}`);
    expect((li.figures as { top10: { code: string }[] }).top10.map((t) => t.code)).toEqual([code.b]);
  });

  it('lists the three reports in the sidebar with Chinese names', async () => {
    const html = (await as.wang!.get('/admin')).text;
    const state = JSON.parse(/window\.REDUX_STATE = (.*);\n/.exec(html)![1]!) as {
      pages: { name: string }[];
      locale: { translations: Record<string, { pages: Record<string, string>; labels: Record<string, string> }> };
    };
    expect(state.pages.map((p) => p.name)).toEqual(['salesReport', 'agingReport', 'customerReport']);
    const zh = Object.values(state.locale.translations)[0]!;
    expect(state.pages.map((p) => zh.pages[p.name])).toEqual(['月度销售', '应收账龄', '客户分析']);
    expect(zh.labels.pages).toBe('报表');
  });
});
