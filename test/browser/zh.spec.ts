import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Page } from 'playwright-core';
import { openCore, prepareDatabase } from '../../core/boot.js';
import { createLogger } from '../../core/logger.js';
import { hashPassword } from '../../core/operators.js';
import type { Core } from '../../core/context.js';
import { serve, type Running } from '../../cli/server/serve.js';
import { buildMounts } from '../../cli/server/mounts.js';
import { Notifier } from '../../bot/notify/notifier.js';
import { approvalExpiryJob } from '../../jobs/approval-expiry.js';
import { backupJob } from '../../jobs/backup.js';
import { runJob } from '../../jobs/runner.js';
import { localTime } from '../../core/deletion/approvals.js';
import { testConfig, testDialects } from '../helpers/db.js';
import { foreignText } from '../admin/foreign-text.js';
import {
  ARTIFACTS,
  PASSWORD,
  SLOW,
  launchChromium,
  requireChromium,
  signIn,
  visit,
  type DemoChromium,
} from './demo.js';

const ROLES = ['demo-admin', 'demo-approver', 'demo-sales', 'demo-finance'];

/** The back-office lists and pages this operator's sidebar offers (AdminJS's own state says which). */
async function pagesOf(page: Page, base: string): Promise<string[]> {
  await page.goto(`${base}/admin`, SLOW);
  await page.waitForFunction(() => 'REDUX_STATE' in window, undefined, SLOW);
  return page.evaluate(() => {
    const state = (
      window as unknown as {
        REDUX_STATE: {
          resources: { href: string | null; navigation: unknown }[];
          pages: { name: string }[];
          paths: { rootPath: string };
        };
      }
    ).REDUX_STATE;
    const lists = state.resources.filter((r) => r.href && r.navigation).map((r) => r.href!.split('?')[0]!);
    return [...lists, ...state.pages.map((p) => `${state.paths.rootPath}/pages/${p.name}`)];
  });
}

/** Opens a back-office address as a link does (`visit`), waits for its loader to go, and returns what a person reads. */
async function readPage(page: Page, base: string, url: string): Promise<string> {
  await visit(page, base, url);
  await page
    .locator('[data-css="loader"], .adminjs_Loader')
    .waitFor({ state: 'detached', timeout: 30_000 })
    .catch(() => undefined);
  return page.evaluate(() => document.body.innerText);
}

/** Every English interface word or raw JSON this role meets on its lists and each list's first record. */
async function foreignTextSeenBy(browser: DemoChromium, base: string, role: string): Promise<string[]> {
  const page = await browser.fresh({ viewport: { width: 1400, height: 1000 } });
  await signIn(page.context(), base, `${role}@demo.local`);
  const found: string[] = [];
  const lists = await pagesOf(page, base);
  expect(lists.length).toBeGreaterThan(2);
  await page.getByTestId('dashboard').waitFor(SLOW);
  found.push(...foreignText(await page.evaluate(() => document.body.innerText)).map((w) => `dashboard: ${w}`));
  for (const list of lists) {
    const text = await readPage(page, base, list);
    found.push(...foreignText(text).map((w) => `${list}: ${w}`));
    if (foreignText(text).length)
      fs.writeFileSync(path.join(ARTIFACTS, `admin-zh-${role}-${list.split('/').pop()}.txt`), text);
    const first = await page.$$eval(
      'a[href*="/records/"][href$="/show"]',
      (as) => (as[0] as HTMLAnchorElement | undefined)?.getAttribute('href') ?? null,
    );
    if (first) found.push(...foreignText(await readPage(page, base, first)).map((w) => `${first}: ${w}`));
  }
  await page.screenshot({ path: path.join(ARTIFACTS, `admin-zh-${role}.png`), fullPage: true });
  await page.close();
  return found;
}

describe('back office speaks Chinese to every role (chromium)', () => {
  let core: Core;
  let running: Running;
  let browser: DemoChromium;
  let base: string;

  beforeAll(async () => {
    requireChromium();
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    const config = testConfig(await testDialects()[0]!.url(), { STEWARD_DEMO: 'true', PORT: '3000' });
    core = openCore(config, createLogger('silent'));
    await prepareDatabase(core);
    // A job run and a backup, so those pages have rows to show.
    const notifier = new Notifier(core);
    for (const job of [approvalExpiryJob, backupJob]) await runJob(core, job, { notifier, trigger: 'manual' });
    running = await serve(core, { mounts: await buildMounts(core), port: 0 });
    base = running.url.replace('localhost', '127.0.0.1');
    const hash = await hashPassword(PASSWORD);
    await core.models.Operator.update(
      { passwordHash: hash },
      { where: { email: ROLES.map((r) => `${r}@demo.local`) } },
    );
    // The browser's own clock is elsewhere: every time shown must still be STEWARD_TIMEZONE's.
    browser = await launchChromium(base, { timezoneId: 'America/New_York' });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await running?.stop();
  });

  it('shows times in STEWARD_TIMEZONE on lists and record pages, even when the browser is set elsewhere', async () => {
    const event = (await core.models.AuditEvent.findOne({ order: [['id', 'DESC']] }))!;
    const expected = localTime(core, event.at);
    const page = await browser.fresh({ viewport: { width: 1400, height: 1000 } });
    expect(await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone)).toBe('America/New_York');
    await signIn(page.context(), base, 'demo-admin@demo.local');
    await page.goto(`${base}/admin`, SLOW);
    const shown = await readPage(page, base, `/admin/resources/audit_events/records/${event.id}/show`);
    expect([core.config.STEWARD_TIMEZONE, shown.includes(expected)]).toEqual(['Asia/Shanghai', true]);
    const list = await readPage(page, base, '/admin/resources/audit_events');
    expect(list).toContain(expected);
    await page.close();
  }, 180_000);

  it.each(ROLES)(
    '%s: every list and the first record of each has no English interface text and no raw JSON',
    async (role) => expect(await foreignTextSeenBy(browser, base, role)).toEqual([]),
    300_000,
  );
});
