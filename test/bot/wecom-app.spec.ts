import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { eachDialect } from '../helpers/db.js';
import { deletableCustomers, startBotApp, type BotApp } from '../helpers/bot-app.js';
import type { RecordedCall } from '../helpers/fake-messenger.js';
import { clickXml, openReply, sealed, textXml, WECOM } from '../helpers/wecom.js';
import { createCallbackCrypto } from '../../bot/crypto/wecom-crypto.js';

/** A WeCom app text from `from`, sealed as WeCom does; the decrypted passive reply, if any. */
async function sayAs(app: BotApp, from: string, content: string, id: string) {
  const s = sealed(textXml(from, content, id));
  const res = await app.request(`/webhooks/wecom?${s.query}`, {
    method: 'POST',
    body: s.body,
    headers: { 'content-type': 'text/xml' },
  });
  expect(res.status).toBe(200);
  return res.text ? openReply(res.text) : null;
}

/** `from` presses the button `key` on the card of task `taskId`. */
async function clickAs(app: BotApp, from: string, key: string, taskId: string) {
  const s = sealed(clickXml(from, key, taskId));
  return app.request(`/webhooks/wecom?${s.query}`, { method: 'POST', body: s.body });
}

/** A template card sent through the app API. */
const isCardSend = (c: RecordedCall) => c.path === '/cgi-bin/message/send' && Boolean(c.body.template_card);

/** The receipt demo-sales gets once their deletion was approved. */
const isReceipt = (c: RecordedCall) =>
  c.path === '/cgi-bin/message/send' &&
  c.body.touser === 'demo-sales' &&
  String((c.body.text as { content?: string } | undefined)?.content).includes('同意删除');

eachDialect('WeCom app door over HTTP with real crypto', (h) => {
  let app: BotApp;
  let seq = 0;
  const msgId = () => `45612553542513${String(++seq).padStart(5, '0')}`;
  beforeAll(async () => {
    app = await startBotApp(h);
  });
  afterAll(async () => app?.close());
  const say = (from: string, content: string, id = msgId()) => sayAs(app, from, content, id);
  /** A customer owned by demo-sales with no open business (the demo's quiet ones). */
  const quietCustomer = async (offset = 0) => (await deletableCustomers(h.core, 'demo-sales'))[offset]!;

  it('answers URL verification with the plain echostr', async () => {
    const c = createCallbackCrypto({
      token: WECOM.WECOM_TOKEN,
      encodingAESKey: WECOM.WECOM_AES_KEY,
      receiveId: WECOM.WECOM_CORP_ID,
    });
    const echostr = c.encrypt('8765432109876543210');
    const sig = c.signature('1700000000', 'n1', echostr);
    const ok = await app.request(
      `/webhooks/wecom?msg_signature=${sig}&timestamp=1700000000&nonce=n1&echostr=${encodeURIComponent(echostr)}`,
    );
    expect(ok).toEqual({ status: 200, text: '8765432109876543210' });
    const bad = await app.request(
      `/webhooks/wecom?msg_signature=${'0'.repeat(40)}&timestamp=1700000000&nonce=n1&echostr=${encodeURIComponent(echostr)}`,
    );
    expect(bad.status).toBe(401);
  });

  it('停用客户 then 确认: a passive encrypted reply in Chinese, then the customer is inactive', async () => {
    const code = await quietCustomer();
    const first = await say('demo-sales', `停用客户 ${code} 客户要求 暂停合作`);
    expect(first!.MsgType).toBe('text');
    expect(first!.ToUserName).toBe('demo-sales');
    expect(first!.Content).toContain(`将停用客户 ${code}`);
    expect(first!.Content).toContain(`请在 5 分钟内回复「确认 ${code}」继续`);
    expect((await h.core.models.Customer.findOne({ where: { code } }))!.status).toBe('active');
    const second = await say('demo-sales', `确认 ${code}`);
    expect(second!.Content).toContain(`已停用客户 ${code}`);
    const row = await h.core.models.Customer.findOne({ where: { code } });
    expect([row!.status, row!.deactivationReason, row!.deactivationMemo]).toEqual(['inactive', '客户要求', '暂停合作']);
  });

  it('a retried delivery of the same MsgId has one effect', async () => {
    const code = await quietCustomer();
    await say('demo-sales', `停用客户 ${code} 信用风险`);
    const id = msgId();
    const replies = [];
    for (let i = 0; i < 3; i++) replies.push(await say('demo-sales', `确认 ${code}`, id));
    expect(replies.map((r) => r!.Content!.startsWith(`已停用客户 ${code}`))).toEqual([true, true, true]);
    const events = await h.core.models.AuditEvent.count({
      where: { customerCode: code, action: 'customer.deactivate' },
    });
    expect(events).toBe(1);
  });
});

eachDialect('WeCom app door over HTTP with real crypto: deletion and its approval cards', (h) => {
  let app: BotApp;
  let seq = 0;
  const msgId = () => `45612553542513${String(++seq).padStart(5, '0')}`;
  beforeAll(async () => {
    app = await startBotApp(h);
  });
  afterAll(async () => app?.close());
  const say = (from: string, content: string, id = msgId()) => sayAs(app, from, content, id);
  /** A customer owned by demo-sales with no open business (the demo's quiet ones). */
  const quietCustomer = async (offset = 0) => (await deletableCustomers(h.core, 'demo-sales'))[offset]!;

  it('delete: precheck, confirm, cards to approvers, a click approves, cards update and the requester gets a receipt', async () => {
    const code = await quietCustomer(1);
    const proposal = await say('demo-sales', `删除客户 ${code} 重复录入`);
    expect(proposal!.Content).toContain('检查通过: 没有未完成订单、未收款或库存预留');
    const done = await say('demo-sales', `确认 ${code}`);
    expect(done!.Content).toMatch(/已提交删除申请 #(\d+)/);
    const requestId = /#(\d+)/.exec(done!.Content!)![1]!;
    await app.fake.waitFor(
      (calls) => calls.filter(isCardSend).length >= 2 && calls.some((c) => c.path === '/cgi-bin/webhook/send'),
    );
    const cards = app.fake.to('/cgi-bin/message/send').filter((c) => c.body.msgtype === 'template_card');
    expect(cards.map((c) => c.body.touser).sort()).toEqual(['demo-admin', 'demo-approver']);
    const card = cards[0]!.body.template_card as { card_type: string; button_list: { text: string; key: string }[] };
    expect(card.card_type).toBe('button_interaction');
    expect(card.button_list).toEqual([
      { text: '同意', style: 1, key: `approve:${requestId}` },
      { text: '拒绝', style: 2, key: `reject:${requestId}` },
    ]);
    const group = app.fake.to('/cgi-bin/webhook/send').at(-1)!.body as { markdown: { content: string } };
    expect(group.markdown.content).toContain('<@demo-approver>');
    expect(group.markdown.content).toContain(`申请删除客户 ${code}`);

    const approverCard = cards.find((c) => c.body.touser === 'demo-approver')!;
    const taskId = String((approverCard.body.template_card as { task_id: string }).task_id);
    const res = await clickAs(app, 'demo-approver', `approve:${requestId}`, taskId);
    const update = openReply(res.text);
    expect(update.MsgType).toBe('update_button');
    expect(res.text).toBeTruthy();
    expect(parseReplaceName(update)).toBe('已同意 · 李审批');
    expect((await h.core.models.Customer.findOne({ where: { code } }))!.status).toBe('deleted');
    await app.fake.waitFor(
      (calls) => calls.some((c) => c.path === '/cgi-bin/message/update_template_card') && calls.some(isReceipt),
    );
    const updates = app.fake.to('/cgi-bin/message/update_template_card');
    expect(updates.map((u) => (u.body.userids as string[])[0])).toEqual(['demo-admin']);
    expect((updates[0]!.body.button as { replace_name: string }).replace_name).toMatch(/^已同意 · 李审批 · \d\d:\d\d$/);
    const receipt = app.fake.to('/cgi-bin/message/send').find(isReceipt)!;
    expect((receipt.body.text as { content: string }).content).toContain(`可用「恢复客户 ${code}」恢复`);
  });
});

eachDialect('WeCom app door over HTTP with real crypto: protocol garbage', (h) => {
  let app: BotApp;
  let seq = 0;
  const msgId = () => `45612553542513${String(++seq).padStart(5, '0')}`;
  beforeAll(async () => {
    app = await startBotApp(h);
  });
  afterAll(async () => app?.close());

  it('refuses protocol-level garbage with a 4xx and changes nothing', async () => {
    const before = await h.core.models.BotInbound.count();
    const good = sealed(textXml('demo-sales', '统计', msgId()));
    const forged = await app.request(
      `/webhooks/wecom?${good.query.replace(/msg_signature=[0-9a-f]+/, `msg_signature=${'a'.repeat(40)}`)}`,
      { method: 'POST', body: good.body },
    );
    expect(forged.status).toBe(401);
    const stale = sealed(textXml('demo-sales', '统计', msgId()), { timestamp: '1500000000' });
    expect((await app.request(`/webhooks/wecom?${stale.query}`, { method: 'POST', body: stale.body })).status).toBe(
      401,
    );
    const otherCorp = createCallbackCrypto({
      token: WECOM.WECOM_TOKEN,
      encodingAESKey: WECOM.WECOM_AES_KEY,
      receiveId: 'wwsomeoneelse',
    });
    const wrongId = sealed(textXml('demo-sales', '统计', msgId()), { crypto: otherCorp });
    expect((await app.request(`/webhooks/wecom?${wrongId.query}`, { method: 'POST', body: wrongId.body })).status).toBe(
      400,
    );
    const hostile =
      '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml><Encrypt>&e;</Encrypt></xml>';
    expect((await app.request(`/webhooks/wecom?${good.query}`, { method: 'POST', body: hostile })).status).toBe(400);
    expect(
      (await app.request(`/webhooks/wecom?${good.query}`, { method: 'POST', body: 'not xml at all' })).status,
    ).toBe(400);
    const badB64 = good.body.replace(good.encrypt, '%%%notbase64%%%');
    expect((await app.request(`/webhooks/wecom?${good.query}`, { method: 'POST', body: badB64 })).status).toBe(401);
    // Correctly signed, but the ciphertext is not base64 / not padded: a 400, not a 500.
    const c = createCallbackCrypto({
      token: WECOM.WECOM_TOKEN,
      encodingAESKey: WECOM.WECOM_AES_KEY,
      receiveId: WECOM.WECOM_CORP_ID,
    });
    for (const junk of ['!!!!', Buffer.alloc(40, 7).toString('base64')]) {
      const sig = c.signature(good.timestamp, good.nonce, junk);
      const body = `<xml><Encrypt><![CDATA[${junk}]]></Encrypt></xml>`;
      expect(
        (
          await app.request(`/webhooks/wecom?msg_signature=${sig}&timestamp=${good.timestamp}&nonce=${good.nonce}`, {
            method: 'POST',
            body,
          })
        ).status,
      ).toBe(400);
    }
    expect(await h.core.models.BotInbound.count()).toBe(before);
  });
});

function parseReplaceName(fields: Record<string, string>): string {
  return (JSON.parse(fields.Button ?? '{}') as { ReplaceName?: string }).ReplaceName ?? '';
}
