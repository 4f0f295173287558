// The back office in a real browser (chromium): its forms, and forms posted from another site.
import path from 'node:path';
import { expect, it } from '@jest/globals';
import ExcelJS from 'exceljs';
import { requestDeletion } from '../../core/deletion/request.js';
import type { Operator } from '../../models/index.js';
import { ARTIFACTS, PASSWORD, SLOW, attackerSite, login, openCustomer, signIn, visit, useBrowserDemo } from './demo.js';

// Its own demo database, server and Chromium (the browser specs change data of their own).
const demo = useBrowserDemo();

it('filters 客户 by status, deactivates one with a reason and shows the new audit row', async () => {
  const page = await demo.browser.fresh({ viewport: { width: 1400, height: 1000 } });
  await signIn(page.context(), demo.base, 'demo-admin@demo.local');
  await page.goto(`${demo.base}/admin/resources/customers`, SLOW);
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

  await openCustomer(page, demo.base, demo.customers.calm!.id);
  await page.getByTestId('action-deactivate').first().click();
  await page.getByTestId('deactivate-form').waitFor(SLOW);
  await page.selectOption('select#reason', '信用风险');
  await page.fill('textarea#memo', '浏览器测试: 逾期未付');
  await page.getByTestId('deactivate-submit').click();
  await page.waitForURL(/\/show/, SLOW);
  await page.getByText('信用风险').first().waitFor(SLOW);
  expect((await demo.core.models.Customer.findByPk(demo.customers.calm!.id))!.status).toBe('inactive');
  await visit(page, demo.base, '/admin/resources/audit_events');
  const first = page.locator('table tbody tr:has(td[data-property-name="action"])').first();
  await first.waitFor(SLOW);
  const row = await first.textContent();
  expect(row).toContain('停用客户');
  expect(row).toContain(demo.customers.calm!.code);
  expect(row).toContain('张管理');
  expect(row).toContain('后台');
  await page.close();
}, 240_000);

it('uploads a small xlsx as sales and shows the dry-run report without writing', async () => {
  const wb = new ExcelJS.Workbook();
  wb.addWorksheet('客户').addRows([
    ['客户编码', '客户名称', '联系人', '手机', '客户分类'],
    ['', '浏览器导入测试有限公司', '钱七', '13911112222', '经销商'],
    ['', demo.customers.calm!.name, '孙八', '13911113333', '零售商'],
    ['', '', '李九', '1391111', '不存在的分类'],
  ]);
  const before = await demo.core.models.Customer.count();
  const page = await demo.browser.fresh({ viewport: { width: 1400, height: 1000 } });
  await signIn(page.context(), demo.base, 'demo-sales@demo.local');
  await page.goto(`${demo.base}/admin/resources/import_batches/actions/importFile`, SLOW);
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
  await expect(page.getByTestId('import-duplicates').textContent()).resolves.toContain(demo.customers.calm!.code);
  expect(await page.getByTestId('error-report-link').count()).toBe(1);
  expect(await demo.core.models.Customer.count()).toBe(before);
  await page.screenshot({ path: path.join(ARTIFACTS, 'admin-import-report.png'), fullPage: true });
  await page.close();
}, 180_000);

it('refuses an auto-submitting form on another port of this host, and a cross-site login cannot replace the session', async () => {
  const page = await demo.browser.fresh();
  const context = page.context();
  await login(page, demo.base, 'demo-admin@demo.local');
  await page.getByTestId('dashboard').waitFor(SLOW);
  const cookieBefore = (await context.cookies()).find((c) => c.name === 'steward.admin')!.value;
  const id = demo.customers.busy!.id;
  const deactivate = await attackerSite(`${demo.base}/admin/api/resources/customers/records/${id}/deactivate`, {
    reason: '客户要求',
  });
  // localhost and 127.0.0.1 are different sites: a login posted from there is cross-site.
  const loginCsrf = await attackerSite(`${demo.base}/admin/login`, {
    email: 'demo-sales@demo.local',
    password: PASSWORD,
  });
  try {
    await page.goto(deactivate.url, SLOW);
    await page.getByText('请求来自其他网站, 已拒绝').waitFor(SLOW);
    expect((await demo.core.models.Customer.findByPk(id))!.status).toBe('active');
    await page.goto(loginCsrf.url.replace('127.0.0.1', 'localhost'), SLOW);
    await page.getByText('请求来自其他网站, 已拒绝').waitFor(SLOW);
    expect((await context.cookies()).find((c) => c.name === 'steward.admin')!.value).toBe(cookieBefore);
    await page.goto(`${demo.base}/admin`, SLOW);
    await page.getByTestId('dashboard').waitFor(SLOW);
    expect(await page.locator('body').textContent()).toContain('张管理');
  } finally {
    await deactivate.close();
    await loginCsrf.close();
    await page.close();
  }
}, 180_000);

it('the 同意 and 恢复 confirmations say what is decided: customer, reason, requester, handling record, history', async () => {
  const sales = (await demo.core.models.Operator.findOne({ where: { email: 'demo-sales@demo.local' } }))!;
  const request = await fileDeletionAs(sales);
  const page = await demo.browser.fresh({ viewport: { width: 1400, height: 1000 } });
  await signIn(page.context(), demo.base, 'demo-admin@demo.local');
  await page.goto(`${demo.base}/admin/resources/approval_requests/records/${request.id}/approve`, SLOW);
  const approve = page.getByTestId('confirm-summary');
  await approve.waitFor(SLOW);
  const shown = await approve.innerText();
  for (const part of [
    request.customerCode,
    '浏览器测试: 重复档案',
    '申请人',
    sales.displayName,
    '关联数据处理记录',
    '合作历史',
  ])
    expect([part, shown.includes(part)]).toEqual([part, true]);
  const entry = (await demo.core.models.RecycleEntry.findOne({ where: { restoredAt: null }, order: [['id', 'ASC']] }))!;
  const deletion = (await demo.core.models.ApprovalRequest.findByPk(entry.approvalId!))!;
  await visit(page, demo.base, `/admin/resources/recycle_entries/records/${entry.id}/restore`);
  const restore = page.getByTestId('confirm-summary').filter({ hasText: entry.customerCode });
  await restore.waitFor(SLOW);
  const restoring = await restore.innerText();
  for (const part of [entry.customerCode, entry.customerName, deletion.reason, '申请人'])
    expect([part, restoring.includes(part)]).toEqual([part, true]);
  await page.close();
}, 180_000);

/** A pending deletion request by `sales` for one of their customers with nothing open. */
async function fileDeletionAs(sales: Operator) {
  const own = await demo.core.models.Customer.findAll({ where: { ownerId: sales.id }, order: [['code', 'DESC']] });
  for (const c of own) {
    try {
      return await requestDeletion(demo.core, { operator: sales, door: 'admin' }, c.code, '浏览器测试: 重复档案');
    } catch {
      // open business or a pending request: the next one
    }
  }
  throw new Error('no customer of demo-sales can be deleted');
}
