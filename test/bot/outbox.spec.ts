import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { Op } from 'sequelize';
import { eachDialect, type Harness } from '../helpers/db.js';
import { startBotApp, type BotApp } from '../helpers/bot-app.js';
import { aiBotCrypto } from '../helpers/wecom.js';
import { operatorByIdentity } from '../../core/operators.js';

/** The bot app with its background dispatcher stopped: the tests run the outbox by hand. */
async function startQuietBot(h: Harness): Promise<BotApp> {
  const app = await startBotApp(h);
  await app.bot.stop();
  return app;
}

/** For the calling describe: a quiet bot app, started before its tests and closed after them. */
function useQuietBot(h: Harness): { app: BotApp } {
  const q = {} as { app: BotApp };
  beforeAll(async () => {
    q.app = await startQuietBot(h);
  });
  afterAll(async () => q.app?.close());
  return q;
}

/** One dispatcher pass, to the end. */
async function flushOutbox(app: BotApp): Promise<void> {
  app.bot.dispatcher.kick();
  await app.bot.dispatcher.idle();
}

/** The demo admin, by their WeCom account. */
const demoAdmin = (h: Harness) => operatorByIdentity(h.core, 'wecom', 'demo-admin').then((o) => o!);

// Its own block (its own app): the token assertions count fetches from a cold token cache.
eachDialect('outbound clients and the outbox: the WeCom token', (h) => {
  const bot = useQuietBot(h);
  const flush = () => flushOutbox(bot.app);
  const admin = () => demoAdmin(h);

  it('caches the WeCom token and refreshes it once on a token error', async () => {
    await bot.app.bot.deps.notifier.toOperator(await admin(), { text: '第一条' });
    await flush();
    // Armed before queuing: queuing kicks the dispatcher, which may send before toOperator returns.
    bot.app.fake.fail('/cgi-bin/message/send', { errcode: 42001 });
    await bot.app.bot.deps.notifier.toOperator(await admin(), { text: '第二条' });
    await flush();
    const tokens = bot.app.fake.to('/cgi-bin/gettoken');
    expect(tokens).toHaveLength(2);
    const sends = bot.app.fake.to('/cgi-bin/message/send');
    expect(sends.map((s) => (s.body.text as { content: string }).content)).toEqual(['第一条', '第二条', '第二条']);
    // Fetched once and reused; the token error fetches a new one for the retry. (The fake numbers its
    // tokens by every request it got, so the first is not always wecom-token-1 on a loaded machine.)
    const used = sends.map((s) => s.query.access_token);
    expect(used[0]).toMatch(/^wecom-token-\d+$/);
    expect([used[1], used[2] === used[0]]).toEqual([used[0], false]);
  });
});

eachDialect('outbound clients and the outbox: retries', (h) => {
  const bot = useQuietBot(h);
  const flush = () => flushOutbox(bot.app);
  const admin = () => demoAdmin(h);

  it('retries network errors and 5xx with backoff, and keeps the message until it is sent', async () => {
    bot.app.fake.fail('/cgi-bin/message/send', 502, 3);
    await bot.app.bot.deps.notifier.toOperator(await admin(), { text: '5xx 之后仍要送达' });
    await flush();
    const row = await h.core.models.BotOutbox.findOne({ where: { door: 'wecom' }, order: [['id', 'DESC']] });
    expect([row!.status, row!.attempts]).toEqual(['pending', 1]);
    expect(row!.error).toContain('HTTP 502');
    h.setNow(new Date(Date.now() + 60_000));
    try {
      await flush();
    } finally {
      h.setNow(null);
    }
    await row!.reload();
    expect(row!.status).toBe('sent');
    // Three 502s inside the first pass (with backoff), then one successful send in the next.
    expect(
      bot.app.fake
        .to('/cgi-bin/message/send')
        .filter((c) => (c.body.text as { content?: string })?.content === '5xx 之后仍要送达'),
    ).toHaveLength(4);
  });
});

eachDialect('outbound clients and the outbox: WeCom card task_ids', (h) => {
  const bot = useQuietBot(h);

  it('a card whose answer was lost is not sent twice: the retry hears 42014 (task_id exists), and the row counts as sent', async () => {
    bot.app.fake.loseAnswer('/cgi-bin/message/send');
    const card = { text: '请审批删除客户 C20260001', buttons: [{ id: 'approve:1', text: '同意' }] };
    await bot.app.bot.deps.notifier.toOperator(await demoAdmin(h), card);
    await flushOutbox(bot.app);
    const row = await h.core.models.BotOutbox.findOne({ where: { door: 'wecom' }, order: [['id', 'DESC']] });
    expect([row!.status, row!.attempts, row!.error]).toEqual(['sent', 1, null]);
    // Carried out once (the answer lost), then refused as a duplicate: the approver has one card.
    const sends = bot.app.fake
      .to('/cgi-bin/message/send')
      .filter((c) =>
        (c.body.template_card as { task_id?: string } | undefined)?.task_id?.startsWith(`steward-${row!.id}-`),
      );
    expect(sends).toHaveLength(2);
  });

  it('a row that reuses an old id (a restored backup) goes out under its own key, not as a duplicate', async () => {
    const card = { text: '请审批删除客户 C20260002', buttons: [{ id: 'approve:2', text: '同意' }] };
    await bot.app.bot.deps.notifier.toOperator(await demoAdmin(h), card);
    await flushOutbox(bot.app);
    const { BotOutbox } = h.core.models;
    const first = (await BotOutbox.findOne({ where: { door: 'wecom' }, order: [['id', 'DESC']] }))!;
    // The restore: the row is gone and its id is used again, a little later.
    const again = { ...first.get({ plain: true }), status: 'pending' as const, attempts: 0, responseCode: null };
    await first.destroy();
    await BotOutbox.create({
      ...again,
      notBefore: h.core.now(),
      createdAt: new Date(first.createdAt.getTime() + 5_000),
    });
    await flushOutbox(bot.app);
    const row = (await BotOutbox.findByPk(first.id))!;
    expect([row.status, row.error]).toEqual(['sent', null]);
    const tasks = bot.app.fake
      .to('/cgi-bin/message/send')
      .map((c) => (c.body.template_card as { task_id?: string } | undefined)?.task_id)
      .filter((t) => t?.startsWith(`steward-${first.id}-`));
    expect(tasks).toHaveLength(2);
    expect(new Set(tasks).size).toBe(2);
  });
});

eachDialect('outbound clients and the outbox: group messages over the limit', (h) => {
  const bot = useQuietBot(h);
  const flush = () => flushOutbox(bot.app);

  it('sends 20 group messages a minute and merges the excess into a digest instead of dropping it', async () => {
    const before = bot.app.fake.to('/cgi-bin/webhook/send').length;
    // Queued at once (one commit), so the dispatcher sees the whole burst, whatever the timing.
    await h.core.models.sequelize.transaction(async (t) => {
      for (let i = 1; i <= 26; i++)
        await bot.app.bot.deps.notifier.toGroup({ text: `通知 ${i}` }, [], undefined, null, t);
    });
    await flush();
    const sent = bot.app.fake.to('/cgi-bin/webhook/send').slice(before);
    expect(sent).toHaveLength(20 - before > 0 ? 20 - before : 0);
    const merged = await h.core.models.BotOutbox.count({
      where: { door: 'wecom', targetKind: 'group', status: 'merged' },
    });
    expect(merged).toBe(26 - (20 - before));
    h.setNow(new Date(Date.now() + 125_000));
    try {
      await flush();
    } finally {
      h.setNow(null);
    }
    const digest = bot.app.fake.to('/cgi-bin/webhook/send').at(-1)!.body as { markdown: { content: string } };
    expect(digest.markdown.content).toContain(`**汇总 ${merged} 条通知**`);
    expect(digest.markdown.content).toContain('通知 26');
    expect(
      await h.core.models.BotOutbox.count({ where: { door: 'wecom', status: { [Op.in]: ['pending', 'failed'] } } }),
    ).toBe(0);
  });
});

eachDialect('outbound clients and the outbox: the WeCom AI bot answers in its reply', (h) => {
  const bot = useQuietBot(h);

  it('WeCom AI bot: a group @-mention gets an encrypted JSON stream reply with the phone masked', async () => {
    const c = await h.core.models.Customer.findOne({ where: { status: 'active' }, order: [['id', 'ASC']] });
    const ts = String(Math.floor(Date.now() / 1000));
    const plain = JSON.stringify({
      msgid: 'CAIQ16HMjQYY/NGagIOAgAMgq4KM0AI=',
      aibotid: 'AIBOT',
      chatid: 'CHAT1',
      chattype: 'group',
      from: { userid: 'demo-finance' },
      msgtype: 'text',
      text: { content: `@客户管家 客户 ${c!.code}` },
    });
    const encrypt = aiBotCrypto.encrypt(plain);
    const q = `msg_signature=${aiBotCrypto.signature(ts, 'n9', encrypt)}&timestamp=${ts}&nonce=n9`;
    const res = await bot.app.request(`/webhooks/wecom-bot?${q}`, {
      method: 'POST',
      body: JSON.stringify({ encrypt }),
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(200);
    const body = JSON.parse(res.text) as { encrypt: string; msgsignature: string; timestamp: number; nonce: string };
    expect(aiBotCrypto.signature(String(body.timestamp), body.nonce, body.encrypt)).toBe(body.msgsignature);
    const reply = JSON.parse(aiBotCrypto.decrypt(body.encrypt)) as {
      msgtype: string;
      stream: { finish: boolean; content: string };
    };
    expect(reply.msgtype).toBe('stream');
    expect(reply.stream.finish).toBe(true);
    expect(reply.stream.content).toContain(`${c!.code} ${c!.name}`);
    expect(reply.stream.content).toMatch(/手机: 1\d\d\*\*\*\*\d{4}/);
    const bad = await bot.app.request(`/webhooks/wecom-bot?${q}`, {
      method: 'POST',
      body: '{"encrypt": 12',
      headers: { 'content-type': 'application/json' },
    });
    expect(bad.status).toBe(400);
  });
});
