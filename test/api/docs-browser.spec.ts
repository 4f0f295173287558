import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chromium, type Browser } from 'playwright-core';
import { openCore, prepareDatabase } from '../../core/boot.js';
import type { Core } from '../../core/context.js';
import { createLogger } from '../../core/logger.js';
import type { Harness } from '../helpers/db.js';
import { testConfig, testDialects } from '../helpers/db.js';
import { startApi, type ApiHarness } from '../helpers/api-app.js';
import { CHROMIUM, FLAGS, requireChromium } from '../browser/demo.js';

describe('API reference page /api/docs in a real browser (chromium)', () => {
  let core: Core;
  let api: ApiHarness;
  let browser: Browser;
  beforeAll(async () => {
    requireChromium();
    const config = testConfig(await testDialects()[0]!.url());
    core = openCore(config, createLogger('silent'));
    await prepareDatabase(core);
    const h = {
      dialect: 'sqlite',
      core,
      actor: async () => ({
        door: 'cli',
        operator: { id: null, displayName: 'docs', active: true, roleList: () => ['admin'] },
      }),
    } as unknown as Harness;
    api = await startApi(h);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await api?.close();
    await core?.models.sequelize.close();
  });

  it("renders every operation from the package's files, with no request to another origin and no CSP violation", async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    const foreign: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('request', (r) => {
      if (!r.url().startsWith(api.url) && !r.url().startsWith('data:')) foreign.push(r.url());
    });
    await page.goto(`${api.url}/api/docs`, { timeout: 60_000 });
    await page.getByText('开单前检查: 这个客户现在能不能下新订单').waitFor({ timeout: 60_000 });
    await page
      .getByText('GET /api/v1/customers/{code}/transactable')
      .or(page.locator('[data-path="/customers/{code}/transactable"]'))
      .first()
      .waitFor({ timeout: 10_000 });
    expect(await page.title()).toBe('客户主数据管家 API 参考');
    expect(foreign).toEqual([]);
    expect(problems).toEqual([]);
  }, 120_000);
});
