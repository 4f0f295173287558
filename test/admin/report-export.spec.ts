import { expect, it } from '@jest/globals';
import ExcelJS from 'exceljs';
import { eachDialect } from '../helpers/db.js';
import type { AdminClient } from './helpers.js';
import { page, reportDesk } from './report-desk.js';

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

eachDialect('back office: report pages: 导出 Excel', (h) => {
  const { as, owner, code } = reportDesk(h);

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
});

eachDialect('back office: report pages: who may use 导出', (h) => {
  const desk = reportDesk(h);
  const { as } = desk;

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
    const anonymous = await fetch(`${desk.url}/admin/steward/report-export/sales`, {
      method: 'POST',
      redirect: 'manual',
      headers: { origin: desk.url },
    });
    expect(anonymous.status).not.toBe(200);
  });
});
