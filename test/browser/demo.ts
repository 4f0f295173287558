import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from '@jest/globals';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { Op } from 'sequelize';
import { openCore, prepareDatabase } from '../../core/boot.js';
import { createLogger } from '../../core/logger.js';
import { hashPassword } from '../../core/operators.js';
import type { Core } from '../../core/context.js';
import { serve, type Running } from '../../cli/server/serve.js';
import { buildMounts } from '../../cli/server/mounts.js';
import { testConfig, testDialects } from '../helpers/db.js';

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
export const ARTIFACTS = path.resolve('test-artifacts');
export const PASSWORD = 'browser-pass-123';
// Launch flags known to work on these machines (stack-notes.md).
export const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
export const SLOW = { timeout: 150_000 };

/** Fails plainly, before anything is started, on a machine without Chromium. */
export function requireChromium(): void {
  if (fs.existsSync(CHROMIUM)) return;
  throw new Error(
    `浏览器测试需要 Chromium, 但 ${CHROMIUM} 不存在: 请运行 \`apt-get update && apt-get install -y chromium\` (或设置 CHROMIUM=<路径>)。不要用 npx playwright install。`,
  );
}

/** Chromium for one test file; every test takes a signed-out page from it. */
export interface DemoChromium {
  /** A new page with no session: cookies and the back office's storage cleared, earlier pages closed. */
  fresh(options?: { viewport?: { width: number; height: number } }): Promise<Page>;
  close(): Promise<void>;
}

/**
 * Launches Chromium on a throwaway profile on disk. playwright's default contexts are incognito, and
 * incognito keeps no V8 code cache: every page load compiled AdminJS's 3.4 MB of scripts again
 * (measured: twice the browser CPU for eight loads of a list). `fresh()` gives each test a
 * signed-out page instead of a new context; the compiled scripts stay.
 */
export async function launchChromium(base: string, options: { timezoneId?: string } = {}): Promise<DemoChromium> {
  requireChromium();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-chromium-'));
  const context = await chromium.launchPersistentContext(dir, { executablePath: CHROMIUM, args: FLAGS, ...options });
  await context.addInitScript(trackRequests);
  const origins = [base, base.replace('127.0.0.1', 'localhost')];
  return {
    async fresh({ viewport } = {}) {
      for (const open of context.pages()) await open.close();
      await context.clearCookies();
      const page = await context.newPage();
      const cdp = await context.newCDPSession(page);
      for (const origin of origins)
        await cdp.send('Storage.clearDataForOrigin', {
          origin,
          storageTypes: 'local_storage,session_storage,indexeddb',
        });
      await cdp.detach();
      if (viewport) await page.setViewportSize(viewport);
      return page;
    },
    async close() {
      await context.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Logs in through the real form (slow machines get time for the loads). */
export async function login(page: Page, base: string, email: string, password = PASSWORD): Promise<void> {
  await page.goto(`${base}/admin/login`, SLOW);
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', password);
  await page.click('button[type=submit], form button');
}

/**
 * Signs a browser context in by posting the login form as the page does (its origin named), for
 * tests about what comes after the login. A page load costs Chromium ~1–1.5 s of CPU here
 * (AdminJS's 3.4 MB of scripts), and the form costs two: its own and /admin's.
 */
export async function signIn(context: BrowserContext, base: string, email: string): Promise<void> {
  const res = await context.request.post(`${base}/admin/login`, {
    form: { email, password: PASSWORD },
    headers: { origin: base },
    maxRedirects: 0,
  });
  if (res.status() !== 302 || res.headers().location !== '/admin')
    throw new Error(`登录 ${email} 失败: ${res.status()} ${(await res.text()).slice(0, 200)}`);
}

/** What the page's own scripts have asked of the network (`trackRequests`), read by `routeAndSettle`. */
interface PageNet {
  open: number;
  started: number;
}

/**
 * Counts, inside every page, the XHR and fetch requests its scripts start and those still open
 * (AdminJS asks through axios). Added to the context before any page loads.
 */
function trackRequests(): void {
  const net: PageNet = { open: 0, started: 0 };
  (window as unknown as { __stewardNet: PageNet }).__stewardNet = net;
  const begin = () => ((net.open += 1), (net.started += 1));
  const end = () => (net.open -= 1);
  const send = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.send = function (this: XMLHttpRequest, ...args: Parameters<XMLHttpRequest['send']>) {
    begin();
    this.addEventListener('loadend', end, { once: true });
    return send.apply(this, args);
  };
  const fetch = window.fetch;
  window.fetch = (...args: Parameters<typeof window.fetch>) => (begin(), fetch(...args).finally(end));
}

/**
 * In the page: tells the back office's router to show `path`, as a link does (no reload), and resolves
 * once the page has asked for something, nothing is open, and three frames have passed with no new
 * request (a list may fetch again after rendering its first answer). False if that takes `timeoutMs`.
 */
async function routeAndSettle({ path, timeoutMs }: { path: string; timeoutMs: number }): Promise<boolean> {
  const net = (window as unknown as { __stewardNet: PageNet }).__stewardNet;
  const asked = net.started;
  window.history.pushState({}, '', path);
  window.dispatchEvent(new PopStateEvent('popstate'));
  // A frame and the task after it: React has committed what the last answer rendered, and run its effects.
  const frame = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
  const deadline = Date.now() + timeoutMs;
  let seen = net.started;
  let quiet = 0;
  while (Date.now() < deadline) {
    await frame();
    const still = net.open === 0 && net.started === seen && net.started > asked;
    quiet = still ? quiet + 1 : 0;
    seen = net.started;
    if (quiet === 3) return true;
  }
  return false;
}

/**
 * Opens a back-office address as a click on one of its links does: inside the running app, without
 * reloading AdminJS (a page that is not in the back office yet is loaded). Returns once the page's
 * requests have been answered and it has rendered the answers, so what the caller reads next is the
 * new page, not rows about to be replaced. Settling is judged in the page, by frames, not by a pause.
 */
export async function visit(page: Page, base: string, to: string): Promise<void> {
  const current = new URL(page.url() === 'about:blank' ? base : page.url());
  if (!current.pathname.startsWith('/admin') || current.pathname.startsWith('/admin/login')) {
    await page.goto(`${base}${to}`, SLOW);
    return;
  }
  if (!(await page.evaluate(routeAndSettle, { path: to, timeoutMs: SLOW.timeout })))
    throw new Error(`${to}: ${SLOW.timeout / 1000} 秒内页面请求未完成`);
}

/** Collects what Chromium reports as a Content-Security-Policy violation on this page. */
export function cspViolations(page: Page): string[] {
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
export async function attackerSite(
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

/** Opens a customer's page and waits until its fields are there. */
export async function openCustomer(page: Page, base: string, id: number): Promise<void> {
  await visit(page, base, `/admin/resources/customers/records/${id}/show`);
  await page.getByText('客户编码').first().waitFor(SLOW);
}

/** A demo customer the browser tests act on. */
export interface DemoCustomer {
  id: number;
  code: string;
  name: string;
}

/** The demo data served on a free port, its password set, and a Chromium to look at it with. */
export interface BrowserDemo {
  core: Core;
  running: Running;
  browser: DemoChromium;
  base: string;
  /** `busy` has an open order; `calm` is another active customer. */
  customers: Record<string, DemoCustomer>;
}

/** Starts the demo back office on a fresh SQLite database and launches Chromium (fails plainly without it). */
export async function startBrowserDemo(): Promise<BrowserDemo> {
  requireChromium();
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const url = await testDialects()[0]!.url();
  const config = testConfig(url, { STEWARD_DEMO: 'true', PORT: '3000' });
  const core = openCore(config, createLogger('silent'));
  await prepareDatabase(core);
  const running = await serve(core, { mounts: await buildMounts(core), port: 0 });
  const base = running.url.replace('localhost', '127.0.0.1');
  await core.models.Operator.update(
    { passwordHash: await hashPassword(PASSWORD) },
    { where: { email: ['demo-admin@demo.local', 'demo-sales@demo.local'] } },
  );
  const customers = await demoCustomers(core);
  const browser = await launchChromium(base);
  return { core, running, browser, base, customers };
}

/**
 * The demo back office and a Chromium for one spec module: started before its first test, stopped
 * after its last. The returned object is filled in by then (read its fields inside tests).
 */
export function useBrowserDemo(): BrowserDemo {
  const demo = {} as BrowserDemo;
  beforeAll(async () => {
    Object.assign(demo, await startBrowserDemo());
  }, 180_000);
  afterAll(async () => {
    await demo.browser?.close();
    await demo.running?.stop();
  });
  return demo;
}

/** A customer with an open order, and another active one. */
async function demoCustomers(core: Core): Promise<BrowserDemo['customers']> {
  const { Customer, SalesOrder } = core.models;
  const open = await SalesOrder.findOne({ where: { status: 'confirmed' }, order: [['id', 'ASC']] });
  const busy = (await Customer.findByPk(open!.customerId))!;
  const calm = (await Customer.findOne({
    where: { status: 'active', id: { [Op.ne]: busy.id } },
    order: [['code', 'DESC']],
  }))!;
  return {
    busy: { id: busy.id, code: busy.code, name: busy.name },
    calm: { id: calm.id, code: calm.code, name: calm.name },
  };
}
