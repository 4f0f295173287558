// The back office in a real browser (chromium): what each role sees. forms.spec.ts fills in its forms.
import path from 'node:path';
import { expect, it } from '@jest/globals';
import ExcelJS from 'exceljs';
import { ARTIFACTS, SLOW, cspViolations, login, openCustomer, signIn, visit, useBrowserDemo } from './demo.js';

// Its own demo database, server and Chromium (the browser specs change data of their own).
const demo = useBrowserDemo();

it('logs in as admin and shows the dashboard with its charts', async () => {
  const page = await demo.browser.fresh({ viewport: { width: 1400, height: 1000 } });
  const violations = cspViolations(page);
  await login(page, demo.base, 'demo-admin@demo.local');
  await page.getByTestId('dashboard').waitFor(SLOW);
  await expect(page.getByTestId('count-active').textContent()).resolves.toMatch(/启用\s*\d+/);
  expect(await page.locator('[data-testid=chart-new] rect').count()).toBe(24);
  expect(await page.locator('[data-testid=chart-inactive] circle').count()).toBe(12);
  expect(await page.locator('[data-testid=top10] tbody tr').count()).toBe(10);
  await expect(page.getByTestId('backup-none').textContent()).resolves.toBe('尚无备份记录');
  await page.screenshot({ path: path.join(ARTIFACTS, 'admin-dashboard.png'), fullPage: true });
  // The CSP holds AdminJS to its own scripts; the dashboard and a list must render without a violation.
  await visit(page, demo.base, '/admin/resources/customers');
  await page.locator('table tbody tr td[data-property-name="code"]').first().waitFor(SLOW);
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
  // The same for the ledger lists: an order number (shown through its reference) and an amount.
  await visit(page, demo.base, '/admin/resources/receivables');
  // Attached, not visible: at this narrow width the order column is one AdminJS hides.
  await page
    .locator('table tbody tr td[data-property-name="orderId"]')
    .first()
    .waitFor({ ...SLOW, state: 'attached' });
  for (const p of ['orderId', 'amount', 'paid']) {
    const box = await cell(p).evaluate((td) => ({
      wrap: getComputedStyle(td).whiteSpace,
      height: td.getBoundingClientRect().height,
      line: parseFloat(getComputedStyle(td).lineHeight) || 20,
    }));
    expect([p, box.wrap]).toEqual([p, 'nowrap']);
    expect(box.height).toBeLessThan(box.line * 2 + 24);
  }
  await page.close();
}, 180_000);

it('shows 月度销售, 应收账龄 and 客户分析 with charts, filters by owner, exports the same figures, and titles the tab', async () => {
  const page = await demo.browser.fresh({ viewport: { width: 1400, height: 1000 } });
  await signIn(page.context(), demo.base, 'demo-sales@demo.local');
  await page.goto(`${demo.base}/admin`, SLOW);
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

  await visit(page, demo.base, '/admin/resources/customers');
  await page.locator('table tbody tr td[data-property-name="code"]').first().waitFor(SLOW);
  // The heading names the list (with AdminJS's count badge after it).
  await expect(page.locator('.adminjs_ActionHeader h2').first().textContent()).resolves.toMatch(/^客户列表\d+$/);
  expect(await page.title()).toBe('客户列表 - 客户主数据管家');
  await page.close();
}, 240_000);

it('shows the full blocker list when asked to delete a customer with open orders', async () => {
  const page = await demo.browser.fresh({ viewport: { width: 1400, height: 1000 } });
  await signIn(page.context(), demo.base, 'demo-admin@demo.local');
  await openCustomer(page, demo.base, demo.customers.busy!.id);
  await page.getByTestId('action-requestDeletion').first().click();
  await page.getByTestId('blocker-list').waitFor(SLOW);
  await expect(page.getByTestId('blocker-openOrders').textContent()).resolves.toMatch(/未完成订单 \d+ 张/);
  expect(await page.getByTestId('deletion-submit').count()).toBe(0);
  await expect(page.getByTestId('blocker-list').textContent()).resolves.toContain(
    `停用客户 ${demo.customers.busy!.code}`,
  );
  await page.screenshot({ path: path.join(ARTIFACTS, 'admin-blockers.png') });
  await page.close();
}, 180_000);

it('hides restricted actions from a sales operator', async () => {
  const page = await demo.browser.fresh({ viewport: { width: 1400, height: 1000 } });
  await signIn(page.context(), demo.base, 'demo-sales@demo.local');
  await page.goto(`${demo.base}/admin`, SLOW);
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
  await openCustomer(page, demo.base, demo.customers.busy!.id);
  expect(await page.getByTestId('action-deactivate').count()).toBeGreaterThan(0);
  expect(await page.getByTestId('action-reveal').count()).toBe(0);
  const entry = (await demo.core.models.RecycleEntry.findOne())!;
  await visit(page, demo.base, `/admin/resources/recycle_entries/records/${entry.id}/show`);
  await page.getByText(entry.customerCode).first().waitFor(SLOW);
  expect(await page.getByTestId('action-restore').count()).toBe(0);
  expect(await page.getByTestId('action-purge').count()).toBe(0);
  await page.screenshot({ path: path.join(ARTIFACTS, 'admin-sales-recycle.png') });
  await page.close();
}, 180_000);

it('answers a wrong password with a plain message and stays on the login page', async () => {
  const page = await demo.browser.fresh();
  await login(page, demo.base, 'demo-admin@demo.local', 'wrong-password');
  await page.getByText('邮箱或密码错误。').waitFor(SLOW);
  expect(page.url()).toContain('/admin/login');
  await page.screenshot({ path: path.join(ARTIFACTS, 'admin-login-failed.png') });
  await page.close();
}, 120_000);
