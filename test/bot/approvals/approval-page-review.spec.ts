import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { reviewLink } from '../../../bot/review-page.js';
import type { Actor } from '../../../core/context.js';
import { deactivate, reactivate } from '../../../core/customers/status.js';
import type { Operator } from '../../../models/index.js';
import { startBotApp, type BotApp } from '../../helpers/bot-app.js';
import { eachDialect, type Harness } from '../../helpers/db.js';
import { newCustomer } from '../../core/fixtures.js';
import { codeSentTo, PageBrowser } from './approval-page-browser.js';

/** 王销售 with a DingTalk account, and the bot app that serves the review page; `tick` starts the clock. */
async function startReviewPage(h: Harness, tick: () => void): Promise<{ app: BotApp; owner: Operator; sales: Actor }> {
  tick();
  const app = await startBotApp(h, { seed: false });
  const owner = await h.operator('王销售', ['sales'], { dingtalk: 'wang-ding' });
  return { app, owner, sales: { operator: owner, door: 'cli' } };
}

/** A fresh customer of the `sales` operator, and the review link `op` got for it. */
async function reviewLinkFor(h: Harness, sales: Actor, op: Operator) {
  const c = await newCustomer(h, sales, { ownerId: sales.operator.id });
  const link = new URL(reviewLink(h.core, c.code, op));
  return { code: c.code, name: c.name, path: link.pathname + link.search, t: link.searchParams.get('t')! };
}

eachDialect('the review page (停用/保留 links) establishes who clicks', (h) => {
  let app: BotApp, owner: Operator, sales: Actor;
  let clock = Date.parse('2026-12-02T06:00:00Z');
  const tick = (ms = 60_000) => h.setNow(new Date((clock += ms)));
  afterAll(async () => app?.close());
  beforeAll(async () => {
    ({ app, owner, sales } = await startReviewPage(h, tick));
  });
  const linkFor = (op: Operator = owner) => reviewLinkFor(h, sales, op);
  const statusOf = async (code: string) => (await h.core.models.Customer.findOne({ where: { code } }))!.status;

  it('shows the customer, refuses without a code, counts wrong codes down, and acts once with the right one', async () => {
    const { code, name, path, t } = await linkFor();
    const b = new PageBrowser(app.url);
    const page = await b.get(path);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`<dt>客户</dt><dd>${code} ${name}</dd>`);
    expect(page.text).toContain('>发送验证码</button>');
    expect(page.text).not.toContain('value="keep"');
    const bare = await b.post(`/review/${code}`, { t, csrf: b.csrf(), decision: 'keep' });
    expect(bare.status).toBe(401);
    expect(bare.text).toContain('请先验证身份');

    const sent = await b.post(`/review/${code}/code`, { t, csrf: b.csrf() });
    expect(sent.status).toBe(200);
    expect(sent.text).toContain('验证码已发到 王销售 的聊天消息');
    const otp = await codeSentTo(h.core, owner.id);
    expect(sent.text).not.toContain(otp);
    const wrong = await b.post(`/review/${code}`, {
      t,
      csrf: b.csrf(),
      decision: 'keep',
      code: otp === '999999' ? '888888' : '999999',
    });
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain('验证码不正确, 还可以再试 4 次');
    const csrf = b.csrf();
    const ok = await b.post(`/review/${code}`, { t, csrf, decision: 'keep', code: otp });
    expect(ok.status).toBe(200);
    expect(ok.text).toContain(`已保留客户 ${code}`);
    await b.get(path);
    expect(b.last).toContain('这个链接已经用过了');
    const again = await b.post(`/review/${code}`, { t, csrf, decision: 'deactivate' });
    expect(again.status).toBe(409);
    expect(await statusOf(code)).toBe('active');
  });
});

eachDialect('the review page (停用/保留 links) keeps a refused decision retryable', (h) => {
  let app: BotApp, owner: Operator, sales: Actor;
  let clock = Date.parse('2026-12-02T06:00:00Z');
  const tick = (ms = 60_000) => h.setNow(new Date((clock += ms)));
  afterAll(async () => app?.close());
  beforeAll(async () => {
    ({ app, owner, sales } = await startReviewPage(h, tick));
  });
  const linkFor = (op: Operator = owner) => reviewLinkFor(h, sales, op);
  const statusOf = async (code: string) => (await h.core.models.Customer.findOne({ where: { code } }))!.status;

  it('a refused decision leaves the link usable, and the session carries the retry', async () => {
    const { code, path, t } = await linkFor();
    await deactivate(h.core, sales, code, { reason: '长期无交易' });
    const b = new PageBrowser(app.url);
    await b.get(path);
    expect(b.last).toContain('客户当前不是启用状态');
    await reactivate(h.core, sales, code);
    await b.get(path);
    tick(61_000);
    await b.post(`/review/${code}/code`, { t, csrf: b.csrf() });
    const otp = await codeSentTo(h.core, owner.id);
    // Someone else stops the customer between page and click: refused, nothing used up.
    await deactivate(h.core, sales, code, { reason: '长期无交易' });
    const refused = await b.post(`/review/${code}`, { t, csrf: b.csrf(), decision: 'deactivate', code: otp });
    expect(refused.status).toBe(409);
    expect(refused.text).toContain('已经是停用状态');
    await reactivate(h.core, sales, code);
    await b.get(path);
    expect(b.last).toContain('已验证: 王销售');
    const ok = await b.post(`/review/${code}`, { t, csrf: b.csrf(), decision: 'deactivate' });
    expect(ok.status).toBe(200);
    expect(ok.text).toContain(`已停用客户 ${code}`);
    expect(await statusOf(code)).toBe('inactive');
  });
});

eachDialect('the review page (停用/保留 links) refuses what is not its own, never with a 500', (h) => {
  let app: BotApp, owner: Operator, sales: Actor;
  let clock = Date.parse('2026-12-02T06:00:00Z');
  const tick = (ms = 60_000) => h.setNow(new Date((clock += ms)));
  afterAll(async () => app?.close());
  beforeAll(async () => {
    ({ app, owner, sales } = await startReviewPage(h, tick));
  });
  const linkFor = (op: Operator = owner) => reviewLinkFor(h, sales, op);
  const statusOf = async (code: string) => (await h.core.models.Customer.findOne({ where: { code } }))!.status;

  it("another operator's link, a foreign Origin, a missing CSRF token and garbage get 4xx, never 500", async () => {
    const other = await h.operator('赵销售', ['sales'], { dingtalk: 'zhao-ding' });
    const mine = await linkFor();
    const theirs = await linkFor(other);
    const b = new PageBrowser(app.url);
    await b.get(mine.path);
    await b.post(`/review/${mine.code}/code`, { t: mine.t, csrf: b.csrf() });
    const otp = await codeSentTo(h.core, owner.id);
    await b.get(theirs.path);
    const asOther = await b.post(`/review/${theirs.code}`, {
      t: theirs.t,
      csrf: b.csrf(),
      decision: 'keep',
      code: otp,
    });
    expect(asOther.status).toBe(401);
    await b.get(mine.path);
    const csrf = b.csrf();
    expect((await b.post(`/review/${mine.code}`, { t: mine.t, decision: 'keep', code: otp })).status).toBe(403);
    expect(
      (
        await b.post(
          `/review/${mine.code}`,
          { t: mine.t, csrf, decision: 'keep', code: otp },
          { origin: 'http://evil.example' },
        )
      ).status,
    ).toBe(403);
    expect((await b.post(`/review/${theirs.code}`, { t: mine.t, csrf, decision: 'keep', code: otp })).status).toBe(403);
    for (const [p, status] of [
      [`/review/${mine.code}`, 400],
      [`/review/${mine.code}?t=abc.def`, 400],
      [`/review/%E0%A4%A?t=${mine.t}`, 403],
      [`/review/C00000000?t=${mine.t}`, 403],
      [`/review/${mine.code}?t=${mine.t.slice(0, -2)}xx`, 403],
    ] as const) {
      const res = await app.request(p);
      expect({ p, status: res.status }).toEqual({ p, status });
    }
    expect(await statusOf(mine.code)).toBe('active');
    expect(await statusOf(theirs.code)).toBe('active');
  });
});
