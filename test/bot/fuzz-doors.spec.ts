import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { dingtalkRobotSign } from '../../bot/crypto/dingtalk-sign.js';
import { eachDialect } from '../helpers/db.js';
import { DINGTALK, startBotApp, type BotApp } from '../helpers/bot-app.js';
import { aiBotCrypto, sealed, WECOM } from '../helpers/wecom.js';

/** A small seeded PRNG (mulberry32), so a failing case can be replayed. */
function prng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Attempt {
  label: string;
  path: string;
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
}

const rand = prng(20261204);
const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]!;
const junk = (n: number) => Array.from({ length: n }, () => String.fromCharCode(Math.floor(rand() * 0xffff))).join('');
const b64junk = (n: number) =>
  Buffer.from(Array.from({ length: n }, () => Math.floor(rand() * 256))).toString('base64');
const now = () => String(Math.floor(Date.now() / 1000));

const XML_BODIES = () => [
  junk(50),
  '',
  '<xml>',
  '<xml><Encrypt></Encrypt></xml>',
  `<xml><Encrypt><![CDATA[${b64junk(48)}]]></Encrypt></xml>`,
  `<xml><Encrypt><![CDATA[${junk(40)}]]></Encrypt></xml>`,
  '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml><Encrypt>&e;</Encrypt></xml>',
  `<xml><Encrypt>${'A'.repeat(70_000)}</Encrypt></xml>`,
  '<xml><Encrypt><a>1</a></Encrypt></xml>',
  '<xml><Encrypt>x</Encrypt><Encrypt>y</Encrypt></xml>',
  '{"encrypt":"x"}',
];
const JSON_BODIES = () => [
  junk(30),
  '',
  'null',
  '[]',
  '"x"',
  '42',
  '{}',
  '{"encrypt":null}',
  '{"encrypt":42}',
  '{"encrypt":["a"]}',
  `{"encrypt":"${b64junk(64)}"}`,
  `{"encrypt":"${junk(20).replace(/["\\]/g, '')}"}`,
  `{"encrypt":"${'A'.repeat(70_000)}"}`,
  '{"encrypt":{"$ne":1}}',
];
const QUERIES = () => [
  '',
  `timestamp=${now()}&nonce=1`,
  `msg_signature=${'0'.repeat(40)}&timestamp=${now()}&nonce=1`,
  `msg_signature=${'0'.repeat(40)}&timestamp=abc&nonce=1`,
  `msg_signature=x&timestamp=${now()}&nonce=1&msg_signature=y`,
  `msg_signature=${'f'.repeat(40)}&timestamp=-1&nonce=1`,
  `msg_signature=${'a'.repeat(40)}&timestamp=99999999999999999999&nonce=`,
  `msg_signature[]=1&timestamp[]=2&nonce=3`,
  `echostr=${encodeURIComponent(b64junk(32))}&msg_signature=${'0'.repeat(40)}&timestamp=${now()}&nonce=1`,
];

/** Unsigned or wrongly signed requests to the two WeCom doors, with junk bodies and queries. */
function wecomAttempts(out: Attempt[]): void {
  for (let i = 0; i < 90; i++)
    out.push({
      label: `wecom-app #${i}`,
      path: `/webhooks/wecom?${pick(QUERIES())}`,
      method: pick(['POST', 'POST', 'GET']),
      body: pick(XML_BODIES()),
      headers: { 'content-type': pick(['text/xml', 'application/json', 'application/x-www-form-urlencoded']) },
    });
  for (let i = 0; i < 90; i++)
    out.push({
      label: `wecom-bot #${i}`,
      path: `/webhooks/wecom-bot?${pick(QUERIES())}`,
      method: pick(['POST', 'POST', 'GET']),
      body: pick(JSON_BODIES()),
      headers: { 'content-type': 'application/json' },
    });
}

/** Signed with the right token but carrying a decrypted body that is not a message (a leaked key's worth of damage). */
function signedJunkAttempts(out: Attempt[]): void {
  for (let i = 0; i < 30; i++) {
    const plain = pick([
      '',
      'null',
      '<xml>',
      junk(40),
      '{"msgid":{},"from":{"userid":[]}}',
      '<xml><MsgType>text</MsgType><Content>帮助</Content></xml>',
      '<xml><FromUserName><a>1</a></FromUserName></xml>',
    ]);
    const s = sealed(plain);
    out.push({
      label: `wecom-app signed junk #${i}`,
      path: `/webhooks/wecom?${s.query}`,
      method: 'POST',
      body: s.body,
    });
    const ts = now();
    const encrypt = aiBotCrypto.encrypt(plain);
    out.push({
      label: `wecom-bot signed junk #${i}`,
      path: `/webhooks/wecom-bot?msg_signature=${aiBotCrypto.signature(ts, 'n', encrypt)}&timestamp=${ts}&nonce=n`,
      method: 'POST',
      body: JSON.stringify({ encrypt }),
    });
  }
}

/** DingTalk robot callbacks with every mix of missing, stale, forged and good 加签 headers. */
function dingtalkAttempts(out: Attempt[]): void {
  const goodTs = String(Date.now());
  const goodSign = dingtalkRobotSign(goodTs, DINGTALK.DINGTALK_APP_SECRET);
  const dingHeaders = () =>
    pick([
      {},
      { timestamp: goodTs },
      { sign: goodSign },
      { timestamp: 'abc', sign: goodSign },
      { timestamp: goodTs, sign: 'x' },
      { timestamp: '1', sign: dingtalkRobotSign('1', DINGTALK.DINGTALK_APP_SECRET) },
      { timestamp: `${goodTs}0`, sign: goodSign },
      { timestamp: goodTs, sign: goodSign },
      { timestamp: goodTs, sign: goodSign },
    ] as Record<string, string>[]);
  const dingBodies = () => [
    junk(30),
    '',
    'null',
    '[]',
    '{}',
    '{"msgId":1,"senderStaffId":"demo-admin"}',
    '{"msgId":"m","senderStaffId":{"a":1}}',
    '{"msgId":"m","senderStaffId":"demo-admin","text":{"content":5}}',
    '{"msgId":"m","senderStaffId":"demo-admin","text":null,"msgtype":"text"}',
    '{"msgId":"m","senderStaffId":"demo-admin","sessionWebhookExpiredTime":"soon"}',
    `{"msgId":"${'x'.repeat(300)}","senderStaffId":"a"}`,
    `{"msgId":"m","senderStaffId":"demo-admin","text":{"content":"${'客'.repeat(30_000)}"}}`,
  ];
  for (let i = 0; i < 110; i++)
    out.push({
      label: `dingtalk #${i}`,
      path: '/webhooks/dingtalk',
      method: 'POST',
      headers: { 'content-type': 'application/json', ...dingHeaders() },
      body: pick(dingBodies()),
    });
}

/** A few hundred forged or malformed requests across the doors (in this order, so a seed replays). */
function attempts(): Attempt[] {
  const out: Attempt[] = [];
  wecomAttempts(out);
  signedJunkAttempts(out);
  dingtalkAttempts(out);
  return out;
}

eachDialect('every forged or malformed webhook gets a 4xx and changes nothing', (h) => {
  let app: BotApp;
  beforeAll(async () => {
    app = await startBotApp(h);
  });
  afterAll(async () => app?.close());

  const counts = async () => {
    const m = h.core.models;
    return {
      inbound: await m.BotInbound.count(),
      outbox: await m.BotOutbox.count(),
      conversations: await m.BotConversation.count(),
      audit: await m.AuditEvent.count(),
      approvals: await m.ApprovalRequest.count(),
    };
  };

  it(`${attempts().length} requests: status below 500, no rows written, the server still answers`, async () => {
    const before = await counts();
    const list = attempts();
    const bad: string[] = [];
    for (const a of list) {
      const res = await app.request(a.path, {
        method: a.method,
        headers: a.headers,
        ...(a.method === 'POST' ? { body: a.body } : {}),
      });
      if (
        res.status >= 500 ||
        (a.method === 'POST' && res.status === 200 && res.text !== '' && !a.path.startsWith('/webhooks/dingtalk'))
      )
        bad.push(`${a.label} → ${res.status}`);
    }
    expect(bad).toEqual([]);
    expect(await counts()).toEqual(before);
    expect(WECOM.WECOM_CORP_ID).toBeTruthy();
    expect((await app.request('/healthz')).status).toBe(200);
  }, 120_000);
});
