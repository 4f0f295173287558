import crypto from 'node:crypto';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { approvalLink } from '../../bot/approval-token.js';
import type { Actor } from '../../core/context.js';
import { requestDeletion } from '../../core/deletion/request.js';
import { createOrder, moveOrder } from '../../core/orders.js';
import { cancelOrderByNumber } from '../../core/orders/clear.js';
import type { ApprovalRequest, Operator } from '../../models/index.js';
import { startBotApp, type BotApp } from '../helpers/bot-app.js';
import { eachDialect } from '../helpers/db.js';
import { newCustomer } from '../core/fixtures.js';
import { codeSentTo, codesSentTo, PageBrowser } from './approval-page-browser.js';

eachDialect('the approval page establishes who clicks (one-time code in chat)', (h) => {
  let app: BotApp;
  let sales: Actor;
  let zhou: Operator;
  let wu: Operator;
  let clock = Date.parse('2026-12-02T06:00:00Z');
  const tick = (ms = 60_000) => h.setNow(new Date((clock += ms)));
  afterAll(async () => app?.close());
  beforeAll(async () => {
    tick();
    app = await startBotApp(h.core, { seed: false });
    sales = { operator: await h.operator('张三', ['sales'], { dingtalk: 'zs-ding' }), door: 'dingtalk' };
    zhou = await h.operator('周审批', ['approver'], { dingtalk: 'zhou-ding' });
    wu = await h.operator('吴审批', ['approver'], { dingtalk: 'wu-ding' });
  });

  /** A pending deletion request for a fresh customer, and the page path of `approver`'s link. */
  async function pending(approver: Operator = zhou): Promise<{ request: ApprovalRequest; path: string; name: string }> {
    const c = await newCustomer(h, sales, { ownerId: sales.operator.id });
    tick();
    const request = await requestDeletion(h.core, sales, c.code, '重复录入', { note: '已与客户确认' });
    const link = new URL(approvalLink(h.core, request, approver));
    return { request, path: link.pathname + link.search, name: c.name };
  }

  const tokenOf = (path: string) => new URL(path, 'http://x').searchParams.get('t')!;
  const statusOf = async (r: ApprovalRequest) => (await h.core.models.Customer.findByPk(r.customerId))!.status;

  /** Opens the page and presses 发送验证码; returns the code the approver got in chat. */
  async function sendCode(
    b: PageBrowser,
    r: ApprovalRequest,
    path: string,
    approver: Operator = zhou,
  ): Promise<string> {
    await b.get(path);
    const sent = await b.post(`/approvals/${r.id}/code`, { t: tokenOf(path), csrf: b.csrf() });
    expect(sent.status).toBe(200);
    expect(sent.text).toContain(`验证码已发到 ${approver.displayName} 的聊天消息`);
    const code = await codeSentTo(h.core, approver.id);
    expect(sent.text).not.toContain(code);
    return code;
  }

  const decide = (b: PageBrowser, r: ApprovalRequest, path: string, fields: Record<string, string>) =>
    b.post(`/approvals/${r.id}`, { t: tokenOf(path), csrf: b.csrf(), ...fields });

  it('shows the customer, reason, requester, times and handling record, and refuses a decision without a code', async () => {
    const { request, path, name } = await pending();
    const b = new PageBrowser(app.url);
    const page = await b.get(path);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`<dt>客户</dt><dd>${request.customerCode} ${name}</dd>`);
    expect(page.text).toContain('<dt>原因</dt><dd>重复录入</dd>');
    expect(page.text).toContain('<dt>申请人</dt><dd>张三</dd>');
    expect(page.text).toMatch(/<dt>申请时间<\/dt><dd>\d{4}-\d\d-\d\d \d\d:\d\d<\/dd>/);
    expect(page.text).toContain('<dt>有效期至</dt>');
    expect(page.text).toContain('提交申请时检查 (张三 · 钉钉): 无未了结业务');
    expect(page.text).toContain('申请人备注: 已与客户确认');
    expect(page.text).toContain('>发送验证码</button>');
    expect(page.text).not.toContain('value="approve"');

    const bare = await decide(b, request, path, { decision: 'approve' });
    expect(bare.status).toBe(401);
    expect(bare.text).toContain('请先验证身份: 点「发送验证码」');
    const guessed = await decide(b, request, path, { decision: 'approve', code: '123456' });
    expect(guessed.status).toBe(401);
    expect(guessed.text).toContain('验证码无效或已用过');
    expect(await statusOf(request)).toBe('active');
  });

  it('sends the code to the approver in chat, at most once a minute; wrong codes count down and the fifth voids it', async () => {
    const { request, path } = await pending();
    const b = new PageBrowser(app.url);
    const code = await sendCode(b, request, path);
    expect(b.last).toContain('还可以输错 5 次');
    const again = await b.post(`/approvals/${request.id}/code`, { t: tokenOf(path), csrf: b.csrf() });
    expect(again.status).toBe(429);
    expect(again.text).toContain('秒后可以重新发送');
    const wrong = code === '000000' ? '111111' : '000000';
    for (let left = 4; left >= 1; left--) {
      const r = await decide(b, request, path, { decision: 'approve', code: wrong });
      expect(r.status).toBe(401);
      expect(r.text).toContain(`验证码不正确, 还可以再试 ${left} 次`);
    }
    const fifth = await decide(b, request, path, { decision: 'approve', code: wrong });
    expect(fifth.text).toContain('验证码错误次数过多, 已作废, 请点「发送验证码」重新获取');
    const late = await decide(b, request, path, { decision: 'approve', code });
    expect(late.status).toBe(401);
    expect(late.text).toContain('已作废');
    expect(await statusOf(request)).toBe('active');

    tick(61_000);
    const fresh = await sendCode(b, request, path);
    tick(5 * 60_000);
    const expired = await decide(b, request, path, { decision: 'approve', code: fresh });
    expect(expired.text).toContain('验证码已过期');
    expect(await codesSentTo(h.core, zhou.id)).toBeGreaterThanOrEqual(2);
  });

  it("a different approver's link cannot use this code, nor this browser's proven session", async () => {
    const { request, path } = await pending(zhou);
    const wuPath = (() => {
      const l = new URL(approvalLink(h.core, request, wu));
      return l.pathname + l.search;
    })();
    const b = new PageBrowser(app.url);
    const code = await sendCode(b, request, path);
    await b.get(wuPath);
    const asWu = await decide(b, request, wuPath, { decision: 'reject', code });
    expect(asWu.status).toBe(401);
    expect((await request.reload()).status).toBe('pending');
    // Zhou proves himself (the reject goes through as Zhou), and his session does not act for Wu.
    await b.get(path);
    const ok = await decide(b, request, path, { decision: 'reject', code, note: '客户仍有售后' });
    expect(ok.status).toBe(200);
    expect(ok.text).toContain(`已拒绝删除客户 ${request.customerCode}`);
    expect((await request.reload()).decidedBy).toBe(zhou.id);
    const other = await pending(zhou);
    const otherWu = new URL(approvalLink(h.core, other.request, wu));
    const page = await b.get(otherWu.pathname + otherWu.search);
    expect(page.text).toContain('>发送验证码</button>');
    const refused = await decide(b, other.request, otherWu.pathname + otherWu.search, { decision: 'approve' });
    expect(refused.status).toBe(401);
    expect(await statusOf(other.request)).toBe('active');
  });

  it('a blocked decision leaves the link usable; once the blocker is cleared the same link and session approve', async () => {
    const { request, path } = await pending();
    tick();
    const order = await createOrder(h.core, sales, { customerCode: request.customerCode, total: '880.00' });
    await moveOrder(h.core, sales, order.number, 'confirm');
    tick();
    const b = new PageBrowser(app.url);
    const code = await sendCode(b, request, path);
    const blocked = await decide(b, request, path, { decision: 'approve', code });
    expect(blocked.status).toBe(409);
    expect(blocked.text).toContain(`客户 ${request.customerCode} 还有业务未了结, 不能删除`);
    expect(blocked.text).toContain(order.number);
    // The blockers at the last check (this approval attempt) are on the page, with the decision form.
    expect(blocked.text).toMatch(
      new RegExp(`审批时复查 \\(周审批 · 审批页面\\):<ul data-testid="blockers"><li>[^<]*${order.number}`),
    );
    expect(blocked.text).toContain('value="approve">同意</button>');
    expect(await statusOf(request)).toBe('active');

    // The code worked once: another browser cannot reuse it.
    const thief = new PageBrowser(app.url);
    await thief.get(path);
    const reused = await decide(thief, request, path, { decision: 'approve', code });
    expect(reused.status).toBe(401);

    const reopened = await b.get(path);
    expect(reopened.status).toBe(200);
    expect(reopened.text).toContain('已验证: 周审批');
    tick();
    await cancelOrderByNumber(h.core, sales, order.number);
    tick();
    const csrf = b.csrf();
    const ok = await decide(b, request, path, { decision: 'approve' });
    expect(ok.status).toBe(200);
    expect(ok.text).toContain(`客户 ${request.customerCode} 已删除, 进入回收站`);
    expect(await statusOf(request)).toBe('deleted');
    const audit = await h.core.models.AuditEvent.findOne({
      where: { action: 'customer.delete', customerId: request.customerId },
    });
    expect({ operatorId: audit!.operatorId, door: audit!.door }).toEqual({ operatorId: zhou.id, door: 'page' });
    expect((await b.get(path)).text).toContain('该申请已处理 (已同意)');
    const twice = await b.post(`/approvals/${request.id}`, { t: tokenOf(path), csrf: csrf, decision: 'reject' });
    expect(twice.status).toBe(409);
    expect(twice.text).toContain('该申请已处理');

    tick(31 * 60_000);
    const other = await pending();
    await b.get(other.path);
    expect(b.last).toContain('>发送验证码</button>');
  });

  it('refuses a POST without the CSRF token, with a foreign one, or from another Origin (403), and sends nothing', async () => {
    const { request, path } = await pending();
    const b = new PageBrowser(app.url);
    await b.get(path);
    const csrf = b.csrf();
    const before = await codesSentTo(h.core, zhou.id);
    const none = await b.post(`/approvals/${request.id}/code`, { t: tokenOf(path) });
    expect(none.status).toBe(403);
    expect(none.text).toContain('页面已失效或请求不完整');
    const evil = await b.post(
      `/approvals/${request.id}/code`,
      { t: tokenOf(path), csrf },
      { origin: 'https://evil.example' },
    );
    expect(evil.status).toBe(403);
    expect(evil.text).toContain('请求来自其他网站, 已拒绝');
    const other = new PageBrowser(app.url);
    await other.get(path);
    const foreign = await other.post(`/approvals/${request.id}`, { t: tokenOf(path), csrf, decision: 'approve' });
    expect(foreign.status).toBe(403);
    const noCookie = await fetch(`${app.url}/approvals/${request.id}/code`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `t=${tokenOf(path)}&csrf=${csrf}`,
    });
    expect(noCookie.status).toBe(403);
    expect(await codesSentTo(h.core, zhou.id)).toBe(before);
    expect(await statusOf(request)).toBe('active');
  });

  it('answers garbage ids, tokens and bodies with 400/403/404, never 500', async () => {
    const { request, path } = await pending();
    const t = tokenOf(path);
    const sign = (body: string) =>
      `${body}.${crypto.createHmac('sha256', `approval-link:${h.core.keys.sessionSecret}`).update(body).digest('base64url')}`;
    const b64 = (s: string) => Buffer.from(s).toString('base64url');
    const cases: [string, number][] = [
      ['/approvals/abc?t=x', 404],
      ['/approvals/-1', 404],
      [`/approvals/99999999999?t=${t}`, 404],
      [`/approvals/${request.id}`, 400],
      [`/approvals/${request.id}?t=`, 400],
      [`/approvals/${request.id}?t=%E0%A4%A`, 400],
      [`/approvals/${request.id}?t=${t}&t=${t}`, 400],
      [`/approvals/${request.id}?t=${t.slice(0, -2)}xx`, 403],
      [`/approvals/${request.id}?t=${sign(b64('null'))}`, 400],
      [`/approvals/${request.id}?t=${sign(b64('[1,2]'))}`, 400],
      [`/approvals/${request.id}?t=${sign('!!!')}`, 400],
      [
        `/approvals/${request.id}?t=${sign(b64(JSON.stringify({ r: String(request.id), a: zhou.id, e: 9e15, n: 'x' })))}`,
        400,
      ],
      [`/approvals/${request.id + 1000}?t=${t}`, 403],
      [
        new URL(approvalLink(h.core, { id: 987654, expiresAt: new Date(clock + 3600_000) }, zhou)).pathname +
          new URL(approvalLink(h.core, { id: 987654, expiresAt: new Date(clock + 3600_000) }, zhou)).search,
        404,
      ],
    ];
    for (const [p, status] of cases) {
      const res = await app.request(p);
      expect({ p, status: res.status }).toEqual({ p, status });
      expect(res.text).toContain('<html lang="zh-CN">');
    }
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    expect((await app.request('/approvals/abc', { method: 'POST', headers: form, body: 't=x' })).status).toBe(404);
    expect(
      (await app.request(`/approvals/${request.id}`, { method: 'POST', headers: form, body: '%%%&&&=' })).status,
    ).toBe(400);
    expect(
      (await app.request(`/approvals/${request.id}/code`, { method: 'POST', headers: form, body: 'x'.repeat(20_000) }))
        .status,
    ).toBe(413);
    const b = new PageBrowser(app.url);
    await b.get(path);
    const odd = await decide(b, request, path, { decision: 'delete-everything' });
    expect(odd.status).toBe(400);
    expect(odd.text).toContain('请选择同意或拒绝');
    expect(await statusOf(request)).toBe('active');
  });
});
