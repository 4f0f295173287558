// What the approval page refuses: forged forms, and garbage in ids, tokens and bodies.
import crypto from 'node:crypto';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { Actor } from '../../../core/context.js';
import type { ApprovalRequest, Operator } from '../../../models/index.js';
import type { BotApp } from '../../helpers/bot-app.js';
import { eachDialect } from '../../helpers/db.js';
import { approvalLink } from '../../../bot/approval-token.js';
import { codesSentTo, PageBrowser } from './approval-page-browser.js';
import { START, decide, pendingRequest, startApprovalPage, tokenOf } from './approval-page-setup.js';

eachDialect('the approval page: CSRF token and Origin', (h) => {
  let app: BotApp, sales: Actor, zhou: Operator;
  let clock = START;
  const tick = (ms = 60_000) => h.setNow(new Date((clock += ms)));
  afterAll(async () => app?.close());
  beforeAll(async () => {
    ({ app, sales, zhou } = await startApprovalPage(h, tick));
  });
  const pending = (approver: Operator = zhou) => pendingRequest(h, sales, approver, tick);
  const statusOf = async (r: ApprovalRequest) => (await h.core.models.Customer.findByPk(r.customerId))!.status;

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
});

eachDialect('the approval page: garbage answered, never 500', (h) => {
  let app: BotApp, sales: Actor, zhou: Operator;
  let clock = START;
  const tick = (ms = 60_000) => h.setNow(new Date((clock += ms)));
  afterAll(async () => app?.close());
  beforeAll(async () => {
    ({ app, sales, zhou } = await startApprovalPage(h, tick));
  });
  const pending = (approver: Operator = zhou) => pendingRequest(h, sales, approver, tick);
  const statusOf = async (r: ApprovalRequest) => (await h.core.models.Customer.findByPk(r.customerId))!.status;

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
    const post = (p: string, body: string) => app.request(p, { method: 'POST', headers: form, body });
    expect((await post('/approvals/abc', 't=x')).status).toBe(404);
    expect((await post(`/approvals/${request.id}`, '%%%&&&=')).status).toBe(400);
    expect((await post(`/approvals/${request.id}/code`, 'x'.repeat(20_000))).status).toBe(413);
    const b = new PageBrowser(app.url);
    await b.get(path);
    const odd = await decide(b, request, path, { decision: 'delete-everything' });
    expect(odd.status).toBe(400);
    expect(odd.text).toContain('请选择同意或拒绝');
    expect(await statusOf(request)).toBe('active');
  });
});
