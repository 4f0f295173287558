import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import ExcelJS from 'exceljs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { openCore, prepareDatabase } from '../../core/boot.js';
import { createLogger } from '../../core/logger.js';
import { hashPassword } from '../../core/operators.js';
import type { Core } from '../../core/context.js';
import { serve, type Running } from '../../cli/server/serve.js';
import { buildMounts } from '../../cli/server/mounts.js';
import { testConfig, testDialects } from '../helpers/db.js';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const ARTIFACTS = path.resolve('test-artifacts');
const PASSWORD = 'browser-pass-123';
// Launch flags known to work on these machines (stack-notes.md); playwright gives each launch a fresh profile.
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const SLOW = { timeout: 90_000 };

/** Logs in through the real form; AdminJS's development bundles are large, so loads get time. */
async function login(page: Page, base: string, email: string, password = PASSWORD): Promise<void> {
  await page.goto(`${base}/admin/login`, SLOW);
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', password);
  await page.click('button[type=submit], form button');
}

/** Collects what Chromium reports as a Content-Security-Policy violation on this page. */
function cspViolations(page: Page): string[] {
  const seen: string[] = [];
  page.on('console', (msg) => {
    if (/Content Security Policy|Refused to (load|execute|apply|connect)/i.test(msg.text())) seen.push(msg.text());
  });
  page.on('pageerror', (err) => {
    if (/Content Security Policy|unsafe-eval/i.test(err.message)) seen.push(err.message);
  });
  return seen;
}

/** A page on another origin (another port of this host) that posts `fields` to `action` as soon as it loads. */
async function attackerSite(
  action: string,
  fields: Record<string, string>,
): Promise<{ url: string; close(): Promise<void> }> {
  const inputs = Object.entries(fields)
    .map(([k, v]) => `<input type="hidden" name="${k}" value="${v}">`)
    .join('');
  const html = `<!doctype html><html><body><form id="f" method="post" action="${action}" enctype="multipart/form-data">${inputs}</form><script>document.getElementById('f').submit()</script></body></html>`;
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function openCustomer(page: Page, base: string, id: number): Promise<void> {
  await page.goto(`${base}/admin/resources/customers/records/${id}/show`, SLOW);
  await page.getByText('客户编码').first().waitFor(SLOW);
}

describe('back office in a real browser (chromium)', () => {
  let core: Core;
  let running: Running;
  let browser: Browser;
  let base: string;
  const customers: Record<string, { id: number; code: string; name: string }> = {};

  beforeAll(async () => {
    if (!fs.existsSync(CHROMIUM)) {
      throw new Error(
        `浏览器测试需要 Chromium, 但 ${CHROMIUM} 不存在: 请运行 \`apt-get update && apt-get install -y chromium\` (或设置 CHROMIUM=<路径>)。不要用 npx playwright install。`,
      );
    }
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    const url = await testDialects()[0]!.url();
    const config = testConfig(url, { STEWARD_DEMO: 'true', PORT: '3000' });
    core = openCore(config, createLogger('silent'));
    await prepareDatabase(core);
    running = await serve(core, { mounts: await buildMounts(core), port: 0 });
    base = running.url.replace('localhost', '127.0.0.1');
    const hash = await hashPassword(PASSWORD);
    await core.models.Operator.update(
      { passwordHash: hash },
      { where: { email: ['demo-admin@demo.local', 'demo-sales@demo.local'] } },
    );
    const { Customer, SalesOrder } = core.models;
    const open = await SalesOrder.findOne({ where: { status: 'confirmed' }, order: [['id', 'ASC']] });
    const busy = (await Customer.findByPk(open!.customerId))!;
    const calm = (await Customer.findOne({
      where: { status: 'active', id: { [(await import('sequelize')).Op.ne]: busy.id } },
      order: [['code', 'DESC']],
    }))!;
    customers.busy = { id: busy.id, code: busy.code, name: busy.name };
    customers.calm = { id: calm.id, code: calm.code, name: calm.name };
    browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await running?.stop();
  });

  it('logs in as admin and shows the dashboard with its charts', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const violations = cspViolations(page);
    await login(page, base, 'demo-admin@demo.local');
    await page.getByTestId('dashboard').waitFor(SLOW);
    await expect(page.getByTestId('count-active').textContent()).resolves.toMatch(/启用\s*\d+/);
    expect(await page.locator('[data-testid=chart-new] rect').count()).toBe(24);
    expect(await page.locator('[data-testid=chart-inactive] circle').count()).toBe(12);
    expect(await page.locator('[data-testid=top10] tbody tr').count()).toBe(10);
    await expect(page.getByTestId('backup-none').textContent()).resolves.toBe('尚无备份记录');
    await page.screenshot({ path: path.join(ARTIFACTS, 'admin-dashboard.png'), fullPage: true });
    // The CSP holds AdminJS to its own scripts; the dashboard and a list must render without a violation.
    await page.goto(`${base}/admin/resources/customers`, SLOW);
    await page.locator('table tbody tr').first().waitFor(SLOW);
    expect(violations).toEqual([]);
    // Codes and phones keep to one line even in a narrow window; names get room.
    await page.setViewportSize({ width: 700, height: 900 });
    const cell = (name: string) => page.locator(`table tbody tr td[data-property-name="${name}"]`).first();
    expect(await cell('code').evaluate((td) => getComputedStyle(td).whiteSpace)).toBe('nowrap');
    expect(await cell('phoneMasked').evaluate((td) => getComputedStyle(td).whiteSpace)).toBe('nowrap');
    const code = await cell('code').evaluate((td) => ({
      height: td.getBoundingClientRect().height,
      line: parseFloat(getComputedStyle(td).lineHeight) || 20,
    }));
    expect(code.height).toBeLessThan(code.line * 2 + 24);
    const name = await cell('name').evaluate((td) => ({
      min: parseFloat(getComputedStyle(td).minWidth),
      em: parseFloat(getComputedStyle(td).fontSize),
    }));
    expect(name.min).toBe(name.em * 10);
    await page.close();
  }, 180_000);

  it('shows 月度销售, 应收账龄 and 客户分析 with charts, filters by owner, exports the same figures, and titles the tab', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await login(page, base, 'demo-sales@demo.local');
    await page.getByTestId('dashboard').waitFor(SLOW);
    await page.getByText('月度销售', { exact: true }).first().click();
    await page.getByTestId('chart-sales').waitFor(SLOW);
    expect(await page.locator('[data-testid=chart-sales] rect').count()).toBe(12);
    expect(await page.locator('[data-testid=sales-table] tbody tr').count()).toBe(13);
    expect(await page.title()).toBe('月度销售 - 客户主数据管家');
    // One owner's figures: pick the first 负责人 and 查询.
    const owner = (await page.locator('[data-testid=filter-owner] option').nth(1).textContent())!;
    await page.selectOption('[data-testid=filter-owner]', { label: owner });
    await page.getByTestId('filter-apply').click();
    await page.getByText(`负责人: ${owner}`).waitFor(SLOW);
    const total = (await page.locator('[data-testid=sales-table] tbody tr').last().locator('td').nth(2).textContent())!;
    const [download] = await Promise.all([
      page.waitForEvent('download', SLOW),
      page.getByRole('button', { name: '导出 Excel' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(new RegExp(`^月度销售-${owner}-\\d{4}-\\d{2}-\\d{2}\\.xlsx$`));
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(await download.path());
    const last = wb.getWorksheet('月度销售')!.lastRow!.values as unknown[];
    expect(last[1]).toBe('合计');
    expect(`¥${Number(last[3]).toLocaleString('en-US', { minimumFractionDigits: 2 })}`).toBe(total);
    await page.screenshot({ path: path.join(ARTIFACTS, 'admin-report-sales.png'), fullPage: true });

    await page.getByText('应收账龄', { exact: true }).first().click();
    await page.getByTestId('chart-aging').waitFor(SLOW);
    expect(await page.locator('[data-testid=chart-aging] rect').count()).toBe(4);
    await expect(page.getByTestId('aging-total').textContent()).resolves.toMatch(
      /^合计未收 ¥[\d,]+\.\d{2}, 其中未到期 ¥[\d,]+\.\d{2}$/,
    );
    await page.screenshot({ path: path.join(ARTIFACTS, 'admin-report-aging.png'), fullPage: true });

    await page.getByText('客户分析', { exact: true }).first().click();
    await page.getByTestId('chart-status').waitFor(SLOW);
    expect(await page.locator('[data-testid=chart-status] rect').count()).toBe(3);
    expect(await page.locator('[data-testid=chart-new] rect').count()).toBe(12);
    expect(await page.title()).toBe('客户分析 - 客户主数据管家');
    await page.screenshot({ path: path.join(ARTIFACTS, 'admin-report-customers.png'), fullPage: true });

    await page.goto(`${base}/admin/resources/customers`, SLOW);
    await page.locator('table tbody tr').first().waitFor(SLOW);
    // The heading names the list (with AdminJS's count badge after it).
    await expect(page.locator('.adminjs_ActionHeader h2').first().textContent()).resolves.toMatch(/^客户列表\d+$/);
    expect(await page.title()).toBe('客户列表 - 客户主数据管家');
    await page.close();
  }, 240_000);

  it('filters 客户 by status, deactivates one with a reason and shows the new audit row', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await login(page, base, 'demo-admin@demo.local');
    await page.getByTestId('dashboard').waitFor(SLOW);
    await page.goto(`${base}/admin/resources/customers`, SLOW);
    await page.locator('table tbody tr').first().waitFor(SLOW);
    await page.getByText('筛选', { exact: true }).click();
    const drawer = page.locator('section[data-css="customers-filter-drawer"], [data-css="customers-filter-drawer"]');
    // The placeholders are translated by the page's zh patch once it has run; wait for that on a slow machine.
    await drawer.getByText('请选择…').first().waitFor(SLOW);
    await expect(drawer.textContent()).resolves.not.toContain('Select...');
    await drawer.locator('label:has-text("状态") + div, label:has-text("状态") ~ div').first().click();
    await page.getByText('停用', { exact: true }).last().click();
    await page.getByRole('button', { name: '应用筛选' }).click();
    await page.waitForURL(/filters\.status=inactive/, SLOW);
    // While the filtered page loads, its rows show placeholders (or the unfiltered rows): wait until
    // badges are back and none of them still reads 启用; the assertions below then check every one.
    await page.waitForFunction(
      () => {
        const badges = [...document.querySelectorAll('table tbody tr [data-testid^="status-"]')];
        return badges.length > 0 && badges.every((b) => b.textContent?.trim() !== '启用');
      },
      undefined,
      SLOW,
    );
    // The 状态 column is a coloured badge (启用 green, 停用 orange, 已删除 grey).
    const statuses = await page.locator('table tbody tr [data-testid^="status-"]').allTextContents();
    expect(statuses.length).toBeGreaterThan(0);
    expect(new Set(statuses.map((s) => s.trim()))).toEqual(new Set(['停用']));
    await drawer.locator('h3 + button').first().click();
    await page.waitForTimeout(500);
    await page.screenshot({ path: path.join(ARTIFACTS, 'admin-customer-list.png') });

    await openCustomer(page, base, customers.calm!.id);
    await page.getByTestId('action-deactivate').first().click();
    await page.getByTestId('deactivate-form').waitFor(SLOW);
    await page.selectOption('select#reason', '信用风险');
    await page.fill('textarea#memo', '浏览器测试: 逾期未付');
    await page.getByTestId('deactivate-submit').click();
    await page.waitForURL(/\/show/, SLOW);
    await page.getByText('信用风险').first().waitFor(SLOW);
    expect((await core.models.Customer.findByPk(customers.calm!.id))!.status).toBe('inactive');
    await page.goto(`${base}/admin/resources/audit_events`, SLOW);
    const first = page.locator('table tbody tr').first();
    await first.waitFor(SLOW);
    const row = await first.textContent();
    expect(row).toContain('停用客户');
    expect(row).toContain(customers.calm!.code);
    expect(row).toContain('张管理');
    expect(row).toContain('后台');
    await page.close();
  }, 240_000);

  it('shows the full blocker list when asked to delete a customer with open orders', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await login(page, base, 'demo-admin@demo.local');
    await page.getByTestId('dashboard').waitFor(SLOW);
    await openCustomer(page, base, customers.busy!.id);
    await page.getByTestId('action-requestDeletion').first().click();
    await page.getByTestId('blocker-list').waitFor(SLOW);
    await expect(page.getByTestId('blocker-openOrders').textContent()).resolves.toMatch(/未完成订单 \d+ 张/);
    expect(await page.getByTestId('deletion-submit').count()).toBe(0);
    await expect(page.getByTestId('blocker-list').textContent()).resolves.toContain(`停用客户 ${customers.busy!.code}`);
    await page.screenshot({ path: path.join(ARTIFACTS, 'admin-blockers.png') });
    await page.close();
  }, 180_000);

  it('hides restricted actions from a sales operator', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await login(page, base, 'demo-sales@demo.local');
    await page.getByTestId('dashboard').waitFor(SLOW);
    const nav = await page.locator('nav, section').first().textContent();
    expect(nav).toContain('客户');
    await page
      .getByText('系统')
      .first()
      .click()
      .catch(() => undefined);
    expect(await page.getByRole('link', { name: '操作员' }).count()).toBe(0);
    expect(await page.getByRole('link', { name: '备份' }).count()).toBe(0);
    await openCustomer(page, base, customers.busy!.id);
    expect(await page.getByTestId('action-deactivate').count()).toBeGreaterThan(0);
    expect(await page.getByTestId('action-reveal').count()).toBe(0);
    const entry = (await core.models.RecycleEntry.findOne())!;
    await page.goto(`${base}/admin/resources/recycle_entries/records/${entry.id}/show`, SLOW);
    await page.getByText(entry.customerCode).first().waitFor(SLOW);
    expect(await page.getByTestId('action-restore').count()).toBe(0);
    expect(await page.getByTestId('action-purge').count()).toBe(0);
    await page.screenshot({ path: path.join(ARTIFACTS, 'admin-sales-recycle.png') });
    await page.close();
  }, 180_000);

  it('uploads a small xlsx as sales and shows the dry-run report without writing', async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('客户').addRows([
      ['客户编码', '客户名称', '联系人', '手机', '客户分类'],
      ['', '浏览器导入测试有限公司', '钱七', '13911112222', '经销商'],
      ['', customers.calm!.name, '孙八', '13911113333', '零售商'],
      ['', '', '李九', '1391111', '不存在的分类'],
    ]);
    const before = await core.models.Customer.count();
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await login(page, base, 'demo-sales@demo.local');
    await page.getByTestId('dashboard').waitFor(SLOW);
    await page.goto(`${base}/admin/resources/import_batches/actions/importFile`, SLOW);
    await page.getByTestId('import-form').waitFor(SLOW);
    await page.setInputFiles('input#file', {
      name: '新客户.xlsx',
      mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      buffer: Buffer.from(await wb.xlsx.writeBuffer()),
    });
    await page.getByTestId('import-check').click();
    await page.getByTestId('import-report').waitFor(SLOW);
    await expect(page.getByTestId('stat-created').textContent()).resolves.toContain('2');
    await expect(page.getByTestId('import-errors').textContent()).resolves.toContain('客户名称必填');
    await expect(page.getByTestId('import-duplicates').textContent()).resolves.toContain(customers.calm!.code);
    expect(await page.getByTestId('error-report-link').count()).toBe(1);
    expect(await core.models.Customer.count()).toBe(before);
    await page.screenshot({ path: path.join(ARTIFACTS, 'admin-import-report.png'), fullPage: true });
    await page.close();
  }, 180_000);

  it('refuses an auto-submitting form on another port of this host, and a cross-site login cannot replace the session', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await login(page, base, 'demo-admin@demo.local');
    await page.getByTestId('dashboard').waitFor(SLOW);
    const cookieBefore = (await context.cookies()).find((c) => c.name === 'steward.admin')!.value;
    const id = customers.busy!.id;
    const deactivate = await attackerSite(`${base}/admin/api/resources/customers/records/${id}/deactivate`, {
      reason: '客户要求',
    });
    // localhost and 127.0.0.1 are different sites: a login posted from there is cross-site.
    const loginCsrf = await attackerSite(`${base}/admin/login`, { email: 'demo-sales@demo.local', password: PASSWORD });
    try {
      await page.goto(deactivate.url, SLOW);
      await page.getByText('请求来自其他网站, 已拒绝').waitFor(SLOW);
      expect((await core.models.Customer.findByPk(id))!.status).toBe('active');
      await page.goto(loginCsrf.url.replace('127.0.0.1', 'localhost'), SLOW);
      await page.getByText('请求来自其他网站, 已拒绝').waitFor(SLOW);
      expect((await context.cookies()).find((c) => c.name === 'steward.admin')!.value).toBe(cookieBefore);
      await page.goto(`${base}/admin`, SLOW);
      await page.getByTestId('dashboard').waitFor(SLOW);
      expect(await page.locator('body').textContent()).toContain('张管理');
    } finally {
      await deactivate.close();
      await loginCsrf.close();
      await context.close();
    }
  }, 180_000);

  it('answers a wrong password with a plain message and stays on the login page', async () => {
    const page = await browser.newPage();
    await login(page, base, 'demo-admin@demo.local', 'wrong-password');
    await page.getByText('邮箱或密码错误。').waitFor(SLOW);
    expect(page.url()).toContain('/admin/login');
    await page.screenshot({ path: path.join(ARTIFACTS, 'admin-login-failed.png') });
    await page.close();
  }, 120_000);
});
