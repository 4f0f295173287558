// The approval page establishes who clicks (one-time code in chat); approval-page-refusals.spec.ts has what it refuses.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { approvalLink } from '../../../bot/approval-token.js';
import type { Actor } from '../../../core/context.js';
import { createOrder, moveOrder } from '../../../core/orders.js';
import { cancelOrderByNumber } from '../../../core/orders/clear.js';
import type { ApprovalRequest, Operator } from '../../../models/index.js';
import type { BotApp } from '../../helpers/bot-app.js';
import { eachDialect } from '../../helpers/db.js';
import { codesSentTo, PageBrowser } from './approval-page-browser.js';
import { START, decide, pendingRequest, sendCodeAs, startApprovalPage, tokenOf } from './approval-page-setup.js';

eachDialect('the approval page: the request, and no decision without a code', (h) => {
  let app: BotApp, sales: Actor, zhou: Operator;
  let clock = START;
  const tick = (ms = 60_000) => h.setNow(new Date((clock += ms)));
  afterAll(async () => app?.close());
  beforeAll(async () => {
    ({ app, sales, zhou } = await startApprovalPage(h, tick));
  });
  const pending = (approver: Operator = zhou) => pendingRequest(h, sales, approver, tick);
  const statusOf = async (r: ApprovalRequest) => (await h.core.models.Customer.findByPk(r.customerId))!.status;

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
});

eachDialect('the approval page: one-time codes in chat', (h) => {
  let app: BotApp, sales: Actor, zhou: Operator;
  let clock = START;
  const tick = (ms = 60_000) => h.setNow(new Date((clock += ms)));
  afterAll(async () => app?.close());
  beforeAll(async () => {
    ({ app, sales, zhou } = await startApprovalPage(h, tick));
  });
  const pending = (approver: Operator = zhou) => pendingRequest(h, sales, approver, tick);
  const sendCode = (b: PageBrowser, r: ApprovalRequest, path: string, approver: Operator = zhou) =>
    sendCodeAs(h, b, r, path, approver);
  const statusOf = async (r: ApprovalRequest) => (await h.core.models.Customer.findByPk(r.customerId))!.status;

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
});

eachDialect('the approval page: a link for another approver', (h) => {
  let app: BotApp, sales: Actor, zhou: Operator, wu: Operator;
  let clock = START;
  const tick = (ms = 60_000) => h.setNow(new Date((clock += ms)));
  afterAll(async () => app?.close());
  beforeAll(async () => {
    ({ app, sales, zhou, wu } = await startApprovalPage(h, tick));
  });
  const pending = (approver: Operator = zhou) => pendingRequest(h, sales, approver, tick);
  const sendCode = (b: PageBrowser, r: ApprovalRequest, path: string, approver: Operator = zhou) =>
    sendCodeAs(h, b, r, path, approver);
  const statusOf = async (r: ApprovalRequest) => (await h.core.models.Customer.findByPk(r.customerId))!.status;

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
});

eachDialect('the approval page: a blocked decision', (h) => {
  let app: BotApp, sales: Actor, zhou: Operator;
  let clock = START;
  const tick = (ms = 60_000) => h.setNow(new Date((clock += ms)));
  afterAll(async () => app?.close());
  beforeAll(async () => {
    ({ app, sales, zhou } = await startApprovalPage(h, tick));
  });
  const pending = (approver: Operator = zhou) => pendingRequest(h, sales, approver, tick);
  const sendCode = (b: PageBrowser, r: ApprovalRequest, path: string, approver: Operator = zhou) =>
    sendCodeAs(h, b, r, path, approver);
  const statusOf = async (r: ApprovalRequest) => (await h.core.models.Customer.findByPk(r.customerId))!.status;

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
});
