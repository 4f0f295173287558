import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { dingtalkRobotSign } from '../../bot/crypto/dingtalk-sign.js';
import { eachDialect } from '../helpers/db.js';
import { DINGTALK, deletableCustomers, startBotApp, type BotApp } from '../helpers/bot-app.js';

/** The 加签 headers of a DingTalk robot callback, at `ts`. */
function signed(ts = String(Date.now())) {
  return {
    timestamp: ts,
    sign: dingtalkRobotSign(ts, DINGTALK.DINGTALK_APP_SECRET),
    'content-type': 'application/json',
  };
}

/**
 * Posts a signed robot message from `staffId` (in the sales group unless `group` is false) as message
 * number `seq`, and returns what was posted to its sessionWebhook, the text answer first.
 */
async function sayAs(app: BotApp, seq: number, staffId: string, content: string, group = true) {
  const session = `${app.fake.url}/robot/sendBySession?session=s${seq}`;
  const body = {
    msgtype: 'text',
    text: { content: ` ${content}` },
    msgId: `msgXYZ${seq}`,
    createAt: Date.now(),
    conversationType: group ? '2' : '1',
    conversationId: 'cidGROUP1',
    conversationTitle: '销售群',
    senderStaffId: staffId,
    senderNick: staffId,
    sessionWebhook: session,
    sessionWebhookExpiredTime: Date.now() + 5_400_000,
  };
  const res = await app.request('/webhooks/dingtalk', {
    method: 'POST',
    headers: signed(),
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
  const path = '/robot/sendBySession';
  const mine = (calls: typeof app.fake.calls) => calls.filter((c) => c.path === path && c.query.session === `s${seq}`);
  // The answer is the text message; notices (e.g. an approval card) may share the session.
  await app.fake.waitFor((calls) => mine(calls).some((c) => c.body.msgtype === 'text'));
  return mine(app.fake.calls)
    .map((c) => c.body)
    .sort((a, b) => (a.msgtype === 'text' ? -1 : 0) - (b.msgtype === 'text' ? -1 : 0));
}

eachDialect('DingTalk robot door', (h) => {
  let app: BotApp;
  let seq = 0;
  beforeAll(async () => {
    app = await startBotApp(h);
  });
  afterAll(async () => app?.close());
  const say = (staffId: string, content: string, group?: boolean) => sayAs(app, ++seq, staffId, content, group);

  it('answers a signed group @-message through the sessionWebhook, mentioning the sender, phone masked', async () => {
    const c = await h.core.models.Customer.findOne({ where: { status: 'active' }, order: [['id', 'ASC']] });
    const [reply] = await say('demo-finance', `@客户管家 客户 ${c!.code}`);
    expect(reply!.msgtype).toBe('text');
    expect((reply!.text as { content: string }).content).toContain(`${c!.code} ${c!.name}`);
    expect((reply!.text as { content: string }).content).toMatch(/手机: 1\d\d\*\*\*\*\d{4}/);
    expect(reply!.at).toEqual({ atUserIds: ['demo-finance'], isAtAll: false });
  });

  it('refuses a bad sign with 401 and does nothing', async () => {
    const before = await h.core.models.BotInbound.count();
    const body = JSON.stringify({
      msgtype: 'text',
      text: { content: '统计' },
      msgId: 'forged1',
      senderStaffId: 'demo-admin',
      conversationType: '1',
    });
    const forged = await app.request('/webhooks/dingtalk', {
      method: 'POST',
      headers: { ...signed(), sign: 'AAAA' },
      body,
    });
    expect(forged.status).toBe(401);
    const old = String(Date.now() - 2 * 3600_000);
    expect((await app.request('/webhooks/dingtalk', { method: 'POST', headers: signed(old), body })).status).toBe(401);
    expect(
      (await app.request('/webhooks/dingtalk', { method: 'POST', headers: signed(), body: '{"msgtype":' })).status,
    ).toBe(400);
    expect(await h.core.models.BotInbound.count()).toBe(before);
  });
});

eachDialect('DingTalk robot door and the signed approval page', (h) => {
  let app: BotApp;
  let seq = 0;
  beforeAll(async () => {
    app = await startBotApp(h);
  });
  afterAll(async () => app?.close());
  const say = (staffId: string, content: string, group?: boolean) => sayAs(app, ++seq, staffId, content, group);

  it("delete from a DingTalk group: an actionCard @-mentions approvers with signed links that need the approver's one-time code", async () => {
    const [code] = await deletableCustomers(h.core, 'demo-sales');
    await say('demo-sales', `删除客户 ${code} 客户已注销`);
    const [done] = await say('demo-sales', `确认 ${code}`);
    const requestId = Number(/#(\d+)/.exec((done!.text as { content: string }).content)![1]);
    await app.fake.waitFor((calls) =>
      calls.some((c) => c.path === '/robot/sendBySession' && c.body.msgtype === 'actionCard'),
    );
    const card = app.fake.calls.find((c) => c.path === '/robot/sendBySession' && c.body.msgtype === 'actionCard')!
      .body as {
      actionCard: { text: string; btns: { title: string; actionURL: string }[] };
      at: { atUserIds: string[] };
    };
    expect(card.at.atUserIds.sort()).toEqual(['demo-admin', 'demo-approver']);
    expect(card.actionCard.text).toContain(`申请删除客户 ${code}`);
    const link = card.actionCard.btns.find((b) => b.title === '李审批 审批')!.actionURL;
    expect(link).toMatch(new RegExp(`/approvals/${requestId}\\?t=`));
    const path = link.slice(app.url.length);

    const form = await app.request(path);
    expect(form.status).toBe(200);
    expect(form.text).toContain(`删除客户审批 #${requestId}`);
    // The link only names the page: who clicks is proven by a one-time code in chat (test/bot/approvals/approval-page.spec.ts).
    expect(form.text).toContain('>发送验证码</button>');
    expect(form.text).not.toContain('value="approve"');
    const t = new URL(link).searchParams.get('t')!;
    const forged = await app.request(`/approvals/${requestId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `t=${encodeURIComponent(t.slice(0, -2) + 'xx')}&decision=approve`,
    });
    expect(forged.status).toBe(403);
    const bearer = await app.request(`/approvals/${requestId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `t=${encodeURIComponent(t)}&decision=approve`,
    });
    expect(bearer.status).toBe(403);
    expect((await h.core.models.Customer.findOne({ where: { code } }))!.status).toBe('active');
  });
});
