import http from 'node:http';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { dingtalkRobotSign } from '../../bot/crypto/dingtalk-sign.js';
import { eachDialect, type Harness } from '../helpers/db.js';
import { DINGTALK, startBotApp, type BotApp, type BotAppOptions } from '../helpers/bot-app.js';
import { aiBotCrypto, sealed, textXml } from '../helpers/wecom.js';

/** A loopback server that records every request it gets: where a forged URL would lead. */
async function recorder(): Promise<{ url: string; hits: string[]; close(): Promise<void> }> {
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    req.resume();
    res.end('{"errcode":0}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return { url, hits, close: () => new Promise<void>((r) => server.close(() => r())) };
}

type Recorder = Awaited<ReturnType<typeof recorder>>;

/** The bot app, and a recorder standing where a forged URL would lead. */
async function startWithRecorder(h: Harness, opts: BotAppOptions = {}): Promise<{ app: BotApp; evil: Recorder }> {
  return { app: await startBotApp(h, opts), evil: await recorder() };
}

async function stopWithRecorder(app: BotApp | undefined, evil: Recorder | undefined): Promise<void> {
  await app?.close();
  await evil?.close();
}

/** Posts a decrypted AI bot callback (any JSON value), signed and encrypted as WeCom would. */
async function postToBot(app: BotApp, plain: string, timestamp = String(Math.floor(Date.now() / 1000))) {
  const encrypt = aiBotCrypto.encrypt(plain);
  const q = `msg_signature=${aiBotCrypto.signature(timestamp, 'n1', encrypt)}&timestamp=${timestamp}&nonce=n1`;
  return app.request(`/webhooks/wecom-bot?${q}`, {
    method: 'POST',
    body: JSON.stringify({ encrypt }),
    headers: { 'content-type': 'application/json' },
  });
}

/** The decrypted passive reply of the AI bot door. */
const open = (text: string) =>
  JSON.parse(aiBotCrypto.decrypt((JSON.parse(text) as { encrypt: string }).encrypt)) as Record<string, unknown>;

/** The 加签 headers of a DingTalk robot callback, at `ts`. */
function dingHeaders(ts = String(Date.now())) {
  return {
    timestamp: ts,
    sign: dingtalkRobotSign(ts, DINGTALK.DINGTALK_APP_SECRET),
    'content-type': 'application/json',
  };
}

let seq = 0;

eachDialect('hostile and malformed input at the chat doors: an AI bot card click', (h) => {
  let app: BotApp, evil: Recorder;
  beforeAll(async () => {
    ({ app, evil } = await startWithRecorder(h));
  });
  afterAll(async () => stopWithRecorder(app, evil));
  const botRaw = (plain: string, timestamp?: string) => postToBot(app, plain, timestamp);

  it('AI bot card click: answered with update_template_card for the clicker, its button greyed out', async () => {
    const res = await botRaw(
      JSON.stringify({
        msgid: `CLICK${++seq}`,
        aibotid: 'AIBOT',
        chatid: 'CHATG',
        chattype: 'group',
        from: { userid: 'demo-approver' },
        response_url: `${app.fake.url}/cgi-bin/aibot/response?code=1`,
        msgtype: 'event',
        event: {
          eventtype: 'template_card_event',
          template_card_event: {
            card_type: 'button_interaction',
            event_key: 'approve:987654',
            task_id: 'steward-task-9',
          },
        },
      }),
    );
    expect(res.status).toBe(200);
    const reply = open(res.text) as {
      response_type: string;
      userids: string[];
      template_card: { task_id: string; sub_title_text: string; replace_text: string; button_list: unknown[] };
    };
    expect(reply.response_type).toBe('update_template_card');
    expect(reply.userids).toEqual(['demo-approver']);
    expect(reply.template_card.task_id).toBe('steward-task-9');
    expect(reply.template_card.sub_title_text).toContain('#987654');
    expect(reply.template_card.replace_text).toBeTruthy();
    expect(reply).not.toHaveProperty('msgtype');
  });
});

eachDialect('hostile and malformed input at the chat doors: a late AI bot answer', (h) => {
  let app: BotApp, evil: Recorder;
  beforeAll(async () => {
    // A passive-reply window of 0.3 s instead of FAST_REPLY_MS's 2 s: the answer below is late after 0.8 s.
    ({ app, evil } = await startWithRecorder(h, { fastReplyMs: 300 }));
  });
  afterAll(async () => stopWithRecorder(app, evil));
  const botRaw = (plain: string, timestamp?: string) => postToBot(app, plain, timestamp);

  it('AI bot late answer goes to the response_url (group stays group), never to the app API; a foreign response_url gets nothing', async () => {
    const speaker = app.bot.deps.conversations.speaker.bind(app.bot.deps.conversations);
    // Slower than the passive-reply window, as a busy database would be.
    app.bot.deps.conversations.speaker = async (door, user) => {
      await new Promise((r) => setTimeout(r, 800));
      return speaker(door, user);
    };
    try {
      const before = app.fake.to('/cgi-bin/message/send').length;
      const base = {
        aibotid: 'AIBOT',
        chatid: 'CHATG',
        chattype: 'group',
        from: { userid: 'demo-sales' },
        msgtype: 'text',
        text: { content: '帮助' },
      };
      const [ok, foreign] = await Promise.all([
        botRaw(
          JSON.stringify({
            ...base,
            msgid: `LATE${++seq}`,
            response_url: `${app.fake.url}/cgi-bin/aibot/response?code=late`,
          }),
        ),
        botRaw(JSON.stringify({ ...base, msgid: `LATE${++seq}`, response_url: `${evil.url}/steal` })),
      ]);
      expect([ok.status, ok.text, foreign.status, foreign.text]).toEqual([200, '', 200, '']);
      await app.fake.waitFor(
        (calls) => calls.some((c) => c.path === '/cgi-bin/aibot/response' && c.query.code === 'late'),
        15_000,
      );
      await app.bot.dispatcher.idle();
      const late = app.fake.to('/cgi-bin/aibot/response').find((c) => c.query.code === 'late')!;
      expect((late.body.markdown as { content: string }).content).toContain('客户');
      expect(app.fake.to('/cgi-bin/message/send').length).toBe(before);
      expect(evil.hits).toEqual([]);
    } finally {
      app.bot.deps.conversations.speaker = speaker;
    }
  });
});

eachDialect('hostile and malformed input at the chat doors: AI bot bodies of the wrong shape', (h) => {
  let app: BotApp, evil: Recorder;
  beforeAll(async () => {
    ({ app, evil } = await startWithRecorder(h));
  });
  afterAll(async () => stopWithRecorder(app, evil));
  const botRaw = (plain: string, timestamp?: string) => postToBot(app, plain, timestamp);

  it('AI bot: fields of the wrong type or a null body get a 400 and leave no row behind', async () => {
    const inbound = await h.core.models.BotInbound.count();
    const good = {
      aibotid: 'AIBOT',
      chattype: 'single',
      from: { userid: 'demo-sales' },
      msgtype: 'text',
      text: { content: '帮助' },
    };
    const bodies: unknown[] = [
      null,
      'text',
      42,
      [],
      { ...good, msgid: `T${++seq}`, from: { userid: { a: 1 } } },
      { ...good, msgid: `T${++seq}`, from: { userid: ['x'] } },
      { ...good, msgid: `T${++seq}`, text: { content: 7 } },
      { ...good, msgid: `T${++seq}`, text: { content: { a: 1 } } },
      { ...good, msgid: `T${++seq}`, text: { content: ['帮助'] } },
      { ...good, msgid: `T${++seq}`, text: { content: true } },
      { ...good, msgid: `T${++seq}`, from: null },
      { ...good, msgid: 12345 },
      {
        ...good,
        msgid: `T${++seq}`,
        msgtype: 'event',
        event: { eventtype: 'template_card_event', template_card_event: { event_key: 5 } },
      },
      { ...good, msgid: `T${++seq}`, msgtype: 'event', event: null },
      { ...good, msgid: `T${++seq}`, text: null },
    ];
    for (const b of bodies) {
      const res = await botRaw(JSON.stringify(b));
      expect([JSON.stringify(b), res.status]).toEqual([JSON.stringify(b), 400]);
    }
    expect(await h.core.models.BotInbound.count()).toBe(inbound);
  });
});

eachDialect('hostile and malformed input at the chat doors: timestamps, and a DingTalk replay', (h) => {
  let app: BotApp, evil: Recorder;
  beforeAll(async () => {
    ({ app, evil } = await startWithRecorder(h));
  });
  afterAll(async () => stopWithRecorder(app, evil));
  const botRaw = (plain: string, timestamp?: string) => postToBot(app, plain, timestamp);

  it('a timestamp that is not all digits is refused on both WeCom doors and the DingTalk door', async () => {
    const app1 = sealed(textXml('demo-sales', '停用客户 C1 客户要求', `77${++seq}`), { timestamp: 'abc' });
    const r1 = await app.request(`/webhooks/wecom?${app1.query}`, { method: 'POST', body: app1.body });
    const r2 = await botRaw(
      JSON.stringify({
        msgid: `TS${++seq}`,
        from: { userid: 'demo-sales' },
        msgtype: 'text',
        text: { content: '帮助' },
      }),
      'abc',
    );
    const r3 = await botRaw(
      JSON.stringify({
        msgid: `TS${++seq}`,
        from: { userid: 'demo-sales' },
        msgtype: 'text',
        text: { content: '帮助' },
      }),
      '1e9',
    );
    const r4 = await app.request('/webhooks/dingtalk', {
      method: 'POST',
      headers: dingHeaders('abc'),
      body: JSON.stringify({ msgId: 'x', senderStaffId: 'demo-sales' }),
    });
    expect([r1.status, r2.status, r3.status, r4.status]).toEqual([401, 401, 401, 401]);
  });

  it('DingTalk: a byte-identical replay of a read-only command is answered once', async () => {
    const c = await h.core.models.Customer.findOne({ where: { status: 'active' }, order: [['id', 'ASC']] });
    const session = `replay${++seq}`;
    const body = JSON.stringify({
      msgtype: 'text',
      text: { content: `客户 ${c!.code}` },
      msgId: `REPLAY${seq}`,
      conversationType: '1',
      conversationId: 'cidONE',
      senderStaffId: 'demo-sales',
      sessionWebhook: `${app.fake.url}/robot/sendBySession?session=${session}`,
      sessionWebhookExpiredTime: Date.now() + 5_400_000,
    });
    const headers = dingHeaders();
    for (let i = 0; i < 8; i++)
      expect((await app.request('/webhooks/dingtalk', { method: 'POST', headers, body })).status).toBe(200);
    await app.fake.waitFor((calls) => calls.some((x) => x.query.session === session), 15_000);
    await new Promise((r) => setTimeout(r, 300));
    await app.bot.dispatcher.idle();
    expect(app.fake.calls.filter((x) => x.query.session === session)).toHaveLength(1);
  });
});

eachDialect('hostile and malformed input at the chat doors: DingTalk sessionWebhooks elsewhere', (h) => {
  let app: BotApp, evil: Recorder;
  beforeAll(async () => {
    ({ app, evil } = await startWithRecorder(h));
  });
  afterAll(async () => stopWithRecorder(app, evil));

  it('DingTalk: a sessionWebhook pointing anywhere but DingTalk receives nothing (no customer card, no phone)', async () => {
    const c = await h.core.models.Customer.findOne({ where: { status: 'active' }, order: [['id', 'ASC']] });
    const before = app.fake.to('/v1.0/robot/groupMessages/send').length;
    for (const hook of [
      `${evil.url}/robot/sendBySession?session=x`,
      `https://evil.example/robot/sendBySession`,
      `https://oapi.dingtalk.com.evil.example/x`,
      'javascript:alert(1)',
    ]) {
      const res = await app.request('/webhooks/dingtalk', {
        method: 'POST',
        headers: dingHeaders(),
        body: JSON.stringify({
          msgtype: 'text',
          text: { content: `客户 ${c!.code}` },
          msgId: `FORGED${++seq}`,
          conversationType: '2',
          conversationId: 'cidGROUP1',
          senderStaffId: 'demo-admin',
          sessionWebhook: hook,
          sessionWebhookExpiredTime: Date.now() + 5_400_000,
        }),
      });
      expect(res.status).toBe(200);
    }
    await app.fake.waitFor(
      (calls) => calls.filter((x) => x.path === '/v1.0/robot/groupMessages/send').length >= before + 4,
      15_000,
    );
    await app.bot.dispatcher.idle();
    expect(evil.hits).toEqual([]);
    const rows = await h.core.models.BotOutbox.findAll({ where: { door: 'dingtalk' } });
    expect(rows.filter((r) => r.payload.includes(evil.url) || r.payload.includes('evil.example'))).toEqual([]);
  });
});
