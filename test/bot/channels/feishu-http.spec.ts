import crypto from 'node:crypto';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Router from '@koa/router';
import Koa from 'koa';
import { feishu } from '../../../bot/channels/feishu/index.js';
import type { IncomingMessage } from '../../../bot/channels/contract.js';
import { cardActionEvent, FakeFeishu, messageEvent } from '../../helpers/fakes/feishu-server.js';
import { channelCore, testRuntime, type Scripted, type TestRuntime } from '../../helpers/fakes/feishu-runtime.js';

const ENCRYPT_KEY = 'test-encrypt-key-1234';
const TOKEN = 'v-token';

/** Feishu's event encryption: AES-256-CBC, key sha256(Encrypt Key), a random IV prepended, base64. */
function encrypt(plain: unknown, key = ENCRYPT_KEY): string {
  const iv = crypto.randomBytes(16);
  const cipher = crypto.createCipheriv('aes-256-cbc', crypto.createHash('sha256').update(key).digest(), iv);
  return Buffer.concat([iv, cipher.update(JSON.stringify(plain), 'utf8'), cipher.final()]).toString('base64');
}

function script(msg: IncomingMessage): Scripted {
  if (msg.buttonId === 'approve:1') return { replies: [{ text: '已同意删除申请 #1' }] };
  if (msg.text === '坏了') return { replies: [], fail: true };
  return { replies: [{ text: `收到: ${msg.text}` }] };
}

async function serve(app: Koa): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer(app.callback());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

type Served = Awaited<ReturnType<typeof serve>>;
type PostOptions = { sign?: boolean; signature?: string; timestamp?: string };

/** Posts a body the way Feishu does: encrypted, and signed over the exact raw body. */
async function postTo(url: string, raw: string, opts: PostOptions = {}): Promise<{ status: number; body: unknown }> {
  const timestamp = opts.timestamp ?? String(Math.floor(Date.now() / 1000));
  const nonce = 'n0nce';
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (opts.sign !== false) {
    headers['x-lark-request-timestamp'] = timestamp;
    headers['x-lark-request-nonce'] = nonce;
    headers['x-lark-signature'] =
      opts.signature ??
      crypto
        .createHash('sha256')
        .update(timestamp + nonce + ENCRYPT_KEY + raw)
        .digest('hex');
  }
  const res = await fetch(`${url}/webhooks/feishu`, { method: 'POST', headers, body: raw });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, body: json };
}

/** The channel's routes for `rt` on a Koa app of their own. */
function mounted(rt: TestRuntime): Promise<Served> {
  const app = new Koa();
  const router = new Router();
  feishu.routes!(router, rt);
  app.use(router.routes());
  return serve(app);
}

/** The fake Feishu, and the channel in http mode (token and Encrypt Key set) answering through `script`. */
async function startHttpChannel(): Promise<{
  fake: FakeFeishu;
  rt: TestRuntime;
  bot: Served;
}> {
  const fake = await new FakeFeishu().start();
  const core = channelCore(
    fake.env({ FEISHU_MODE: 'http', FEISHU_VERIFICATION_TOKEN: TOKEN, FEISHU_ENCRYPT_KEY: ENCRYPT_KEY }),
  );
  const rt = testRuntime(feishu, core, script);
  return { fake, rt, bot: await mounted(rt) };
}

describe('feishu HTTP callback (FEISHU_MODE=http)', () => {
  let fake: FakeFeishu, rt: TestRuntime, bot: Served;
  beforeAll(async () => {
    ({ fake, rt, bot } = await startHttpChannel());
  });
  afterAll(async () => {
    await bot.close();
    await fake.stop();
  });
  const post = (raw: string, opts?: PostOptions) => postTo(bot.url, raw, opts);
  const event = (plain: unknown, opts?: PostOptions) => post(JSON.stringify({ encrypt: encrypt(plain) }), opts);

  it('answers the url_verification challenge (encrypted, unsigned) when the token matches, and 401 when it does not', async () => {
    expect(await event({ challenge: 'ch-123', token: TOKEN, type: 'url_verification' }, { sign: false })).toEqual({
      status: 200,
      body: { challenge: 'ch-123' },
    });
    expect(
      (await event({ challenge: 'ch-123', token: 'forged', type: 'url_verification' }, { sign: false })).status,
    ).toBe(401);
  });

  it('a signed, encrypted message event reaches the pipeline and its answer goes out as a reply', async () => {
    const res = await event(
      messageEvent({ messageId: 'om_h1', openId: 'ou_alice', chatId: 'oc_p2p', chatType: 'p2p', text: '查 C0001' }),
    );
    expect(res).toEqual({ status: 200, body: {} });
    expect(rt.seen.at(-1)).toMatchObject({
      channel: 'feishu',
      via: 'feishu',
      messageKey: 'om_h1',
      userId: 'ou_alice',
      text: '查 C0001',
    });
    const reply = await fake.waitFor(() => fake.to('POST /open-apis/im/v1/messages/om_h1/reply')[0], 3000, 'reply');
    expect(JSON.parse(String(reply.body.content))).toEqual({ text: '收到: 查 C0001' });
  });

  it('a card click over HTTP is answered in the response with a toast and the card without buttons', async () => {
    const res = await event(
      cardActionEvent({ eventId: 'evt-h1', openId: 'ou_boss', buttonId: 'approve:1', messageId: 'om_card1' }),
    );
    expect(res).toEqual({
      status: 200,
      body: {
        toast: { type: 'success', content: '已同意删除申请 #1' },
        card: {
          type: 'raw',
          data: {
            config: { wide_screen_mode: true, update_multi: true },
            elements: [{ tag: 'markdown', content: '已同意删除申请 #1' }],
          },
        },
      },
    });
  });
});

describe('feishu HTTP callback (FEISHU_MODE=http): what it refuses, and where it is not', () => {
  let fake: FakeFeishu, rt: TestRuntime, bot: Served;
  beforeAll(async () => {
    ({ fake, rt, bot } = await startHttpChannel());
  });
  afterAll(async () => {
    await bot.close();
    await fake.stop();
  });
  const post = (raw: string, opts?: PostOptions) => postTo(bot.url, raw, opts);
  const event = (plain: unknown, opts?: PostOptions) => post(JSON.stringify({ encrypt: encrypt(plain) }), opts);

  it('refuses forged and malformed requests with a 4xx, and none reaches the pipeline', async () => {
    const before = rt.seen.length;
    const good = messageEvent({
      messageId: 'om_forged',
      openId: 'ou_mallory',
      chatId: 'oc_p2p',
      chatType: 'p2p',
      text: '删除 C0001',
    });
    expect((await event(good, { signature: 'a'.repeat(64) })).status).toBe(401);
    expect((await event(good, { sign: false })).status).toBe(401);
    expect((await event({ ...good, header: { ...(good.header as object), token: 'forged-token' } })).status).toBe(401);
    expect((await event(good, { timestamp: 'abc' })).status).toBe(400);
    expect((await post('not json')).status).toBe(400);
    expect((await post('null')).status).toBe(400);
    expect((await post(JSON.stringify({ encrypt: 123 }))).status).toBe(400);
    expect((await post(JSON.stringify({ encrypt: 'bm90IGNpcGhlcnRleHQ=' }))).status).toBe(400);
    expect((await post(JSON.stringify({ encrypt: encrypt({ token: TOKEN }, 'another-key') }))).status).toBe(400);
    expect((await post(JSON.stringify({ encrypt: encrypt('"just a string"') }))).status).toBe(400);
    expect((await post(JSON.stringify({ encrypt: 'x'.repeat(70_000) }))).status).toBe(413);
    expect(rt.seen.length).toBe(before);
  });

  it('a well-formed event with wrong field types is answered 200 and ignored; a database failure is a 503, not a 500', async () => {
    const bad = messageEvent({ messageId: 'om_bad', openId: 'ou_alice', chatId: 'oc_p2p', chatType: 'p2p', text: 'x' });
    (bad.event as { message: Record<string, unknown> }).message.message_id = ['om_bad'];
    const before = rt.seen.length;
    expect(await event(bad)).toEqual({ status: 200, body: {} });
    expect(rt.seen.length).toBe(before);
    const res = await event(
      messageEvent({ messageId: 'om_db', openId: 'ou_alice', chatId: 'oc_p2p', chatType: 'p2p', text: '坏了' }),
    );
    expect(res.status).toBe(503);
  });

  it('is not mounted in ws mode', async () => {
    const wsRt = testRuntime(feishu, channelCore(fake.env()), script);
    const other = await mounted(wsRt);
    const res = await fetch(`${other.url}/webhooks/feishu`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(404);
    await other.close();
  });
});
