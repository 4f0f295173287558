import fs from 'node:fs';
import { expect } from '@jest/globals';
import { dingtalkRobotSign } from '../../bot/crypto/dingtalk-sign.js';
import { stagingDir } from '../../bot/import/staging.js';
import type { Core } from '../../core/context.js';
import { DINGTALK, type BotApp } from './bot-app.js';
import { aiBotCrypto, clickXml, openReply, sealed, WECOM } from './wecom.js';

/** What a chat user sees of one message: its text and its buttons (id → label). */
export interface Seen {
  text: string;
  buttons: { key: string; text: string }[];
}

let seq = 0;
const next = () => ++seq;

/** WeCom app (1:1, XML): a text, a file or a button click; each returns the passive reply's text ('' when empty). */
function wecomAppDoor(app: BotApp) {
  async function appPost(plainXml: string): Promise<string> {
    const s = sealed(plainXml);
    const res = await app.request(`/webhooks/wecom?${s.query}`, {
      method: 'POST',
      body: s.body,
      headers: { 'content-type': 'text/xml' },
    });
    expect(res.status).toBe(200);
    if (!res.text) return '';
    const reply = openReply(res.text);
    return reply.Content ?? reply.Button ?? '';
  }

  const head = (from: string, type: string) =>
    `<ToUserName><![CDATA[${WECOM.WECOM_CORP_ID}]]></ToUserName><FromUserName><![CDATA[${from}]]></FromUserName><CreateTime>${1_700_100_000 + next()}</CreateTime><MsgType><![CDATA[${type}]]></MsgType>`;

  return {
    appText: (from: string, content: string) =>
      appPost(
        `<xml>${head(from, 'text')}<Content><![CDATA[${content}]]></Content><MsgId>${9_100_000_000 + next()}</MsgId><AgentID>1000002</AgentID></xml>`,
      ),
    appFile: (from: string, mediaId: string, fileName?: string) =>
      appPost(
        `<xml>${head(from, 'file')}<MediaId><![CDATA[${mediaId}]]></MediaId>${fileName ? `<FileName><![CDATA[${fileName}]]></FileName>` : ''}<MsgId>${9_100_000_000 + next()}</MsgId><AgentID>1000002</AgentID></xml>`,
      ),
    appClick: (from: string, key: string) => appPost(clickXml(from, key, `steward-task-${next()}`)),
  };
}

/** WeCom AI bot (JSON): each returns the passive reply as a user sees it, or null for an empty answer. */
function wecomBotDoor(app: BotApp) {
  async function botPost(body: Record<string, unknown>): Promise<Seen | null> {
    const ts = String(Math.floor(Date.now() / 1000));
    // The late answer goes to this response_url (WeCom's host: the fake), tagged with the sender to read it back.
    const to = (body.from as { userid?: string } | undefined)?.userid ?? '';
    const encrypt = aiBotCrypto.encrypt(
      JSON.stringify({
        msgid: `AIBOT${next()}`,
        aibotid: 'AIBOT',
        response_url: `${app.fake.url}/cgi-bin/aibot/response?to=${encodeURIComponent(to)}&n=${next()}`,
        ...body,
      }),
    );
    const q = `msg_signature=${aiBotCrypto.signature(ts, 'n1', encrypt)}&timestamp=${ts}&nonce=n1`;
    const res = await app.request(`/webhooks/wecom-bot?${q}`, {
      method: 'POST',
      body: JSON.stringify({ encrypt }),
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(200);
    if (!res.text) return null;
    const sealedBody = JSON.parse(res.text) as { encrypt: string };
    const reply = JSON.parse(aiBotCrypto.decrypt(sealedBody.encrypt)) as {
      msgtype: string;
      stream?: { content: string };
      template_card?: { sub_title_text: string; button_list: { text: string; key: string }[] };
    };
    if (reply.msgtype === 'stream') return { text: reply.stream!.content, buttons: [] };
    return {
      text: reply.template_card!.sub_title_text,
      buttons: reply.template_card!.button_list.map((b) => ({ key: b.key, text: b.text })),
    };
  }

  return {
    botText: (from: string, content: string) =>
      botPost({ chattype: 'single', from: { userid: from }, msgtype: 'text', text: { content } }),
    botFile: (from: string, url: string, chattype: 'single' | 'group' = 'single') =>
      botPost({
        chattype,
        ...(chattype === 'group' ? { chatid: 'CHATG' } : {}),
        from: { userid: from },
        msgtype: 'file',
        file: { url },
      }),
  };
}

/** What WeCom's fake server received for members: app messages, and AI bot answers through a response_url. */
function wecomSent(app: BotApp) {
  /** Messages the dispatcher sent a member: app messages, and AI bot answers through a response_url (text, or a button card). */
  function sentTo(userId: string): Seen[] {
    return app.fake.calls
      .filter(
        (c) =>
          (c.path === '/cgi-bin/message/send' && c.body.touser === userId) ||
          (c.path === '/cgi-bin/aibot/response' && c.query.to === userId),
      )
      .map((c) => {
        const markdown = c.body.markdown as { content: string } | undefined;
        if (markdown) return { text: markdown.content, buttons: [] };
        const card = c.body.template_card as
          | { sub_title_text: string; button_list: { text: string; key: string }[] }
          | undefined;
        if (card)
          return { text: card.sub_title_text, buttons: card.button_list.map((b) => ({ key: b.key, text: b.text })) };
        return { text: (c.body.text as { content: string }).content, buttons: [] };
      });
  }

  /** Waits for app messages to `userId` after the first `from`, until one matches. */
  async function waitSent(userId: string, from: number, pattern: RegExp): Promise<Seen[]> {
    const found = () =>
      sentTo(userId)
        .slice(from)
        .some((m) => pattern.test(m.text));
    // On a timeout, say what was sent instead: a failure then shows the answer, not only the calls.
    await app.fake.waitFor(found, 15_000).catch((err: Error) => {
      const texts = sentTo(userId)
        .slice(from)
        .map((m) => m.text);
      throw new Error(`${err.message}; sent to ${userId} since #${from}: ${JSON.stringify(texts)}`);
    });
    return sentTo(userId).slice(from);
  }

  return { sentTo, waitSent };
}

/** DingTalk robot callback (signed); every answer goes out through its own sessionWebhook. */
function dingtalkDoor(app: BotApp) {
  async function dingPost(staffId: string, body: Record<string, unknown>, group = false): Promise<string> {
    const n = next();
    const session = `${app.fake.url}/robot/sendBySession?session=imp${n}`;
    const ts = String(Date.now());
    const res = await app.request('/webhooks/dingtalk', {
      method: 'POST',
      headers: {
        timestamp: ts,
        sign: dingtalkRobotSign(ts, DINGTALK.DINGTALK_APP_SECRET),
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        msgId: `msgIMP${n}`,
        createAt: Date.now(),
        conversationType: group ? '2' : '1',
        conversationId: group ? 'cidGROUP1' : `cidONE${staffId}`,
        senderStaffId: staffId,
        senderNick: staffId,
        robotCode: DINGTALK.DINGTALK_ROBOT_CODE,
        sessionWebhook: session,
        sessionWebhookExpiredTime: Date.now() + 5_400_000,
        ...body,
      }),
    });
    expect(res.status).toBe(200);
    return `imp${n}`;
  }

  /** Texts DingTalk delivered through one message's sessionWebhook. */
  function dingSeen(session: string): string[] {
    return app.fake.calls
      .filter((c) => c.path === '/robot/sendBySession' && c.query.session === session)
      .map((c) => (c.body.text as { content: string }).content);
  }

  async function dingWait(session: string, pattern: RegExp): Promise<string[]> {
    await app.fake.waitFor(() => dingSeen(session).some((t) => pattern.test(t)), 15_000);
    return dingSeen(session);
  }

  return {
    dingText: (staffId: string, content: string) => dingPost(staffId, { msgtype: 'text', text: { content } }),
    dingFile: (staffId: string, downloadCode: string, fileName: string, group = false) =>
      dingPost(staffId, { msgtype: 'file', content: { downloadCode, fileName, spaceId: '1', fileId: '2' } }, group),
    dingSeen,
    dingWait,
  };
}

/** Drives the three messenger doors over HTTP as their servers would, and reads what users get back. */
export function chatDriver(app: BotApp, core: Core) {
  return {
    ...wecomAppDoor(app),
    ...wecomBotDoor(app),
    ...wecomSent(app),
    ...dingtalkDoor(app),
    /** Files waiting for 确认导入 in the data directory. */
    staged: () => (fs.existsSync(stagingDir(core)) ? fs.readdirSync(stagingDir(core)) : []),
  };
}

/** The confirmation key in a report's instructions, e.g. 确认导入 7KQ3. */
export function keyIn(text: string): string {
  const m = /确认导入 ([A-Z0-9]{4})/.exec(text);
  if (!m) throw new Error(`no confirmation key in: ${text}`);
  return m[1]!;
}
