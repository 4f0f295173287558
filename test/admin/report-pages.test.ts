import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import ExcelJS from 'exceljs';
import { eachDialect } from '../helpers/db.js';
import { createCustomer } from '../../core/customers/create.js';
import { jobActor } from '../../core/context.js';
import { monthlyReport } from '../../jobs/monthly-report.js';
import { clientAs, startAdmin, type AdminClient } from './helpers.js';

// 2026-06-15 12:00 in Shanghai.
const NOW = new Date('2026-06-15T04:00:00Z');

type Page = {
  title: string;
  error: string | null;
  canExport: boolean;
  filterText: string;
  owners: { id: number; name: string }[];
  figures: Record<string, unknown> | null;
};

/** Every sheet of a workbook as rows of text cells. */
async function readWorkbook(bytes: ArrayBuffer): Promise<Record<string, string[][]>> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(bytes);
  const out: Record<string, string[][]> = {};
  for (const ws of wb.worksheets) {
    const rows: string[][] = [];
    ws.eachRow((row) => rows.push((row.values as unknown[]).slice(1).map((v) => String(v ?? ''))));
    out[ws.name] = rows;
  }
  return out;
}

/** The export form's POST, as the browser sends it (our Origin, the session cookie); the bytes kept. */
function exportPost(
  client: AdminClient,
  kind: string,
  fields: Record<string, string> = {},
  origin: string | null = new URL(client.base).origin,
) {
  return fetch(`${client.base}/admin/steward/report-export/${kind}`, {
    method: 'POST',
    body: new URLSearchParams(fields),
    redirect: 'manual',
    headers: { cookie: client.cookieHeader(), 'x-forwarded-for': client.ip, ...(origin ? { origin } : {}) },
  });
}

eachDialect('back office: report pages (月度销售, 应收账龄, 客户分析)', (h) => {
  let server: Awaited<ReturnType<typeof startAdmin>>;
  const as: Record<string, AdminClient> = {};
  const owner: Record<string, number> = {};
  const code: Record<string, string> = {};
  const page = async (client: AdminClient, name: string, query = '') =>
    (await client.get(`/admin/api/pages/${name}${query ? `?${query}` : ''}`)).json<Page>();

  beforeAll(async () => {
    h.setNow(NOW);
    server = await startAdmin(h.core);
    for (const [key, roles] of [
      ['boss', ['admin']],
      ['wang', ['sales']],
      ['li', ['sales']],
      ['kan', ['viewer']],
    ] as const) {
      const { client, operator } = await clientAs(h.core, server.url, `rp-${key}`, [...roles]);
      as[key] = client;
      owner[key] = operator.id;
    }
    await h.core.models.Operator.update({ displayName: '王销售' }, { where: { id: owner.wang } });
    await h.core.models.Operator.update({ displayName: '李销售' }, { where: { id: owner.li } });
    const job = jobActor('t');
    const make = async (key: string, name: string, phone: string, ownerKey: string) => {
      const { customer } = await createCustomer(h.core, job, {
        name,
        phone,
        ownerId: owner[ownerKey]!,
        category: key === 'a' ? '经销商' : null,
      });
      code[key] = customer.code;
      return customer.id;
    };
    const a = await make('a', '报表甲贸易公司', '13911110001', 'wang');
    const b = await make('b', '报表乙商行', '13911110002', 'li');
    const g = await make('g', '报表已删客户', '13911110003', 'wang');
    const { SalesOrder, Receivable, Customer } = h.core.models;
    await SalesOrder.create({
      number: 'RP-1',
      customerId: a,
      orderDate: '2026-05-20',
      total: '1000.05',
      status: 'completed',
    });
    await SalesOrder.create({
      number: 'RP-2',
      customerId: b,
      orderDate: '2026-06-02',
      total: '200.00',
      status: 'shipped',
    });
    await SalesOrder.create({
      number: 'RP-3',
      customerId: g,
      orderDate: '2026-04-01',
      total: '500.00',
      status: 'completed',
    });
    await SalesOrder.create({
      number: 'RP-4',
      customerId: b,
      orderDate: '2026-06-03',
      total: '9999.00',
      status: 'cancelled',
    });
    await Receivable.create({
      customerId: a,
      orderId: null,
      amount: '10.00',
      paid: '0.00',
      dueDate: '2026-06-20',
      status: 'open',
    }); // not yet due
    await Receivable.create({
      customerId: b,
      orderId: null,
      amount: '300.00',
      paid: '100.00',
      dueDate: '2026-03-01',
      status: 'open',
    }); // 106 days
    await Receivable.create({
      customerId: g,
      orderId: null,
      amount: '50.00',
      paid: '0.00',
      dueDate: '2025-12-01',
      status: 'open',
    }); // 196 days
    await Customer.update({ status: 'deleted' }, { where: { id: g } });
  });

  afterAll(async () => {
    h.setNow(null);
    await server?.close();
  });

  describe('月度销售', () => {
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

  describe('应收账龄', () => {
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

  describe('客户分析', () => {
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
  });

  describe('导出 Excel and who may use it', () => {
    it("exports 月度销售 with the page's figures and filters", async () => {
      const res = await exportPost(as.wang!, 'sales', { from: '2026-04', to: '2026-06' });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-disposition')).toContain(encodeURIComponent('月度销售-2026-06-15.xlsx'));
      const book = await readWorkbook(await res.arrayBuffer());
      expect(book['月度销售']).toEqual([
        ['月份', '订单数', '销售额 (元)', '其中已删除客户 (元)', '已删除客户订单数'],
        ['2026-04', '1', '500', '500', '1'],
        ['2026-05', '1', '1000.05', '0', '0'],
        ['2026-06', '1', '200', '0', '0'],
        ['合计', '3', '1700.05', '500', '1'],
      ]);
      expect(book['说明']).toEqual(
        expect.arrayContaining([
          ['范围', '2026-04 至 2026-06 · 负责人: 全部'],
          ['生成人', '王销售'],
        ]),
      );
    });

    it('exports 应收账龄 with the debtors (已删除 marked) and 客户分析 for one owner, without phone numbers', async () => {
      const aging = await readWorkbook(await (await exportPost(as.boss!, 'aging', {})).arrayBuffer());
      expect(aging['账龄汇总']!.slice(-2)).toEqual([
        ['合计', '3', '260'],
        ['其中未到期', '', '10'],
      ]);
      expect(aging['欠款客户']![0]).toEqual([
        '客户编码',
        '客户名称',
        '状态',
        '负责人',
        '0–30 天',
        '31–90 天',
        '91–180 天',
        '180 天以上',
        '合计 (元)',
      ]);
      expect(aging['欠款客户']![2]).toEqual([code.g, '报表已删客户', '已删除', '王销售', '0', '0', '0', '50', '50']);
      const customers = await readWorkbook(
        await (await exportPost(as.boss!, 'customers', { ownerId: String(owner.wang) })).arrayBuffer(),
      );
      expect(customers['销售额前 10 名']).toEqual([
        ['排名', '客户编码', '客户名称', '状态', '销售额 (元)', '订单数'],
        ['1', code.a, '报表甲贸易公司', '启用', '1000.05', '1'],
        ['2', code.g, '报表已删客户', '已删除', '500', '1'],
      ]);
      expect(customers['概况']![0]).toEqual(['指标', '数值']);
      expect(customers['概况']).toEqual(
        expect.arrayContaining([
          ['启用客户', '1'],
          ['已删除客户', '1'],
        ]),
      );
      expect(JSON.stringify([aging, customers])).not.toMatch(/1391111000\d/);
    });

    it('offers 导出 to sales and admin, not to a viewer, who gets 403; refuses another origin and a bad filter', async () => {
      expect((await page(as.wang!, 'agingReport')).canExport).toBe(true);
      expect((await page(as.boss!, 'agingReport')).canExport).toBe(true);
      const viewer = await page(as.kan!, 'agingReport');
      // A viewer reads the figures (the 查看客户 permission), as in 统计 and the monthly push.
      expect([viewer.canExport, (viewer.figures as { total: string }).total]).toEqual([false, '¥260.00']);
      const refused = await exportPost(as.kan!, 'aging');
      expect([refused.status, await refused.text()]).toEqual([403, '你没有权限执行这个操作。如需开通, 请联系管理员。']);
      expect((await exportPost(as.boss!, 'aging', {}, 'http://evil.example')).status).toBe(403);
      const bad = await exportPost(as.boss!, 'sales', { from: 'last year' });
      expect([bad.status, await bad.text()]).toEqual([
        422,
        '输入有误 — 起始月份应为「年-月」, 例如 2026-06, 收到「last year」',
      ]);
      expect((await exportPost(as.boss!, 'profit')).status).toBe(404);
      const anonymous = await fetch(`${server.url}/admin/steward/report-export/sales`, {
        method: 'POST',
        redirect: 'manual',
        headers: { origin: server.url },
      });
      expect(anonymous.status).not.toBe(200);
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
});
