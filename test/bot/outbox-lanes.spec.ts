import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { eachDialect, type Harness } from '../helpers/db.js';
import { startBotApp, type BotApp } from '../helpers/bot-app.js';

/** A chat message waiting in the outbox for `door`, due at `notBefore`. */
function queueMessage(
  h: Harness,
  door: string,
  targetKind: 'user' | 'group',
  targetId: string,
  text: string,
  notBefore = new Date(),
) {
  return h.core.models.BotOutbox.create({
    door,
    targetKind,
    targetId,
    payload: JSON.stringify({ kind: 'message', reply: { text } }),
    ref: null,
    notBefore,
    createdAt: new Date(),
    sentAt: null,
    responseCode: null,
    error: null,
  });
}

eachDialect('outbox lanes: a messenger that never answers holds only its own lanes', (h) => {
  let app: BotApp;
  beforeAll(async () => {
    app = await startBotApp(h);
  });
  afterAll(async () => app?.close());

  const queue = (door: string, targetKind: 'user' | 'group', targetId: string, text: string) =>
    queueMessage(h, door, targetKind, targetId, text);

  it('DingTalk answers go out while every WeCom send hangs; each lane keeps its order', async () => {
    app.fake.hang('/cgi-bin/message/send', 50);
    const started = Date.now();
    await queue('wecom', 'user', 'demo-admin', '企业微信 1');
    await queue('wecom', 'user', 'demo-approver', '企业微信 2');
    await queue('dingtalk', 'user', 'demo-sales', '钉钉 第一条');
    await queue('dingtalk', 'user', 'demo-sales', '钉钉 第二条');
    await queue('dingtalk', 'user', 'demo-finance', '钉钉 另一个人');
    app.bot.dispatcher.kick();
    const ding = () =>
      app.fake
        .to('/v1.0/robot/oToMessages/batchSend')
        .map((c) => JSON.parse(String(c.body.msgParam)) as { content: string })
        .map((p) => p.content);
    await app.fake.waitFor(() => ding().filter((t) => t.startsWith('钉钉')).length === 3, 10_000);
    // Well inside one WeCom request timeout: nothing waited for the hung sends.
    expect(Date.now() - started).toBeLessThan(3_000);
    const sales = ding().filter((t) => t.startsWith('钉钉 第'));
    expect(sales).toEqual(['钉钉 第一条', '钉钉 第二条']);
    const wecom = await h.core.models.BotOutbox.findAll({
      where: { door: 'wecom', targetId: ['demo-admin', 'demo-approver'] },
    });
    expect(wecom.map((r) => r.status)).toEqual(['sending', 'sending']);
    app.fake.release();
  }, 30_000);

  it('the stale-sending reset leaves rows of other dispatchers (door webhook) alone', async () => {
    const theirs = await h.core.models.BotOutbox.create({
      door: 'webhook',
      targetKind: 'webhook',
      targetId: '1',
      payload: '{}',
      status: 'sending',
      ref: null,
      notBefore: new Date(Date.now() - 60_000),
      createdAt: new Date(),
      sentAt: null,
      responseCode: null,
      error: null,
    });
    const ours = await queue('dingtalk', 'user', 'demo-sales', '遗留发送');
    await ours.update({ status: 'sending', notBefore: new Date(Date.now() - 60_000) });
    app.bot.dispatcher.kick();
    await app.fake.waitFor(
      () => app.fake.to('/v1.0/robot/oToMessages/batchSend').some((c) => String(c.body.msgParam).includes('遗留发送')),
      10_000,
    );
    expect((await theirs.reload()).status).toBe('sending');
  });
});
