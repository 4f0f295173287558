// The channel-socket bench's vendors: each wraps one loopback fake of test/helpers/fakes (the real
// frame protocol, as the vendor's SDK expects it), pushes `客户 <编码>` messages from a demo
// operator and tells when the answer reached the fake.
import crypto from 'node:crypto';
import { TOPIC_ROBOT } from 'dingtalk-stream';
import { APP_KEY, APP_SECRET, robotData } from '../test/helpers/dingtalk-stream.js';
import { FakeDingtalkStream } from '../test/helpers/fakes/dingtalk-stream-server.js';
import { encodeFrame, FakeFeishu, messageEvent } from '../test/helpers/fakes/feishu-server.js';
import { aibotBodies, FakeAibotServer } from '../test/helpers/fakes/wecom-aibot-server.js';

/** The demo operator's id on every channel (core/demo/seed.ts). */
export const SPEAKER = 'demo-sales';
const BOT_ID = 'aibBENCH01';
const BOT_SECRET = 'bench-bot-secret';
const PENDING = '处理中';

export type Done = (late: boolean, answer: string) => void;

export interface Vendor {
  name: string;
  /** The env block pointing the channel at this fake. */
  env(): Record<string, string>;
  /** A client holds the long connection. */
  connected(): boolean;
  /**
   * Pushes message `i` with `text`; `done` runs once its answer reached the fake, with what it
   * said (`late`: a 处理中 came back passively and the answer followed as a push).
   */
  push(i: number, text: string, done: Done): void;
  stop(): Promise<void>;
}

/** Calls `fn` with every item later pushed onto `list` (the fakes record what clients send in arrays). */
function onPush<T>(list: T[], fn: (item: T) => void): void {
  const push = list.push.bind(list);
  list.push = (...items: T[]) => {
    for (const item of items) fn(item);
    return push(...items);
  };
}

/** DingTalk Stream: a robot message frame; the answer is the POST to its sessionWebhook (through the outbox). */
export async function dingtalkVendor(run: string): Promise<Vendor> {
  const fake = await new FakeDingtalkStream(APP_KEY, APP_SECRET).start();
  const waiting = new Map<string, Done>();
  onPush(fake.calls, (c) => {
    if (c.path !== '/robot/sendBySession') return;
    const done = waiting.get(c.query.session ?? '');
    waiting.delete(c.query.session ?? '');
    done?.(false, JSON.stringify(c.body));
  });
  return {
    name: 'DingTalk Stream',
    env: () => ({
      DINGTALK_MODE: 'stream',
      DINGTALK_APP_KEY: APP_KEY,
      DINGTALK_APP_SECRET: APP_SECRET,
      DINGTALK_API_BASE: fake.url,
      DINGTALK_OAPI_BASE: fake.url,
    }),
    connected: () => Boolean(fake.live),
    push(i, text, done) {
      const session = `${run}-${i}`;
      waiting.set(session, done);
      fake.push(
        TOPIC_ROBOT,
        robotData(
          i,
          {
            msgId: `msg-${run}-${i}`,
            senderStaffId: SPEAKER,
            senderNick: '王销售',
            text: { content: text },
            sessionWebhook: `${fake.url}/robot/sendBySession?session=${session}`,
          },
          fake.url,
        ),
      );
    },
    stop: () => fake.stop(),
  };
}

/** WeCom AI bot long connection: aibot_msg_callback; the answer is the aibot_respond_msg frame on its req_id. */
export async function wecomVendor(run: string): Promise<Vendor> {
  const fake = await new FakeAibotServer({ [BOT_ID]: BOT_SECRET }).start();
  const waiting = new Map<string, Done>();
  const late = new Map<string, Done>();
  onPush(fake.received, (f) => {
    if (f.frame.cmd === 'aibot_respond_msg') {
      const reqId = String(f.frame.headers.req_id);
      const done = waiting.get(reqId);
      waiting.delete(reqId);
      // A 处理中 placeholder: the answer follows as aibot_send_msg (counted when it comes).
      const body = JSON.stringify(f.frame.body ?? {});
      if (done && body.includes(PENDING)) late.set(reqId, done);
      else done?.(false, body);
    } else if (f.frame.cmd === 'aibot_send_msg') {
      const [first] = late.entries().next().value ?? [];
      if (first === undefined) return;
      const done = late.get(first)!;
      late.delete(first);
      done(true, JSON.stringify(f.frame.body ?? {}));
    }
  });
  return {
    name: 'WeCom AI bot',
    env: () => ({ WECOM_BOT_ID: BOT_ID, WECOM_BOT_SECRET: BOT_SECRET, WECOM_BOT_WS_URL: fake.url }),
    connected: () => fake.connections(BOT_ID) > 0,
    push(i, text, done) {
      const reqId = fake.pushMessage(
        BOT_ID,
        aibotBodies.text({ msgid: `${run}-${i}`, userid: SPEAKER, content: text }),
      );
      waiting.set(reqId, done);
    },
    stop: () => fake.stop(),
  };
}

/** Feishu long connection: an im.message.receive_v1 data frame; the answer is the im.message.reply call. */
export async function feishuVendor(run: string): Promise<Vendor> {
  const fake = await new FakeFeishu().start();
  const waiting = new Map<string, Done>();
  let seq = 0;
  onPush(fake.calls, (c) => {
    const m = /^\/open-apis\/im\/v1\/messages\/([^/]+)\/reply$/.exec(c.path);
    if (c.method !== 'POST' || !m) return;
    const done = waiting.get(m[1]!);
    waiting.delete(m[1]!);
    done?.(false, JSON.stringify(c.body));
  });
  return {
    name: 'Feishu',
    env: () => fake.env(),
    connected: () => fake.connected > 0,
    push(i, text, done) {
      const messageId = `om_${run}_${i}`;
      waiting.set(messageId, done);
      const payload = Buffer.from(
        JSON.stringify(messageEvent({ messageId, openId: SPEAKER, chatId: `oc_${run}`, chatType: 'p2p', text })),
      );
      // As FakeFeishu.pushEvent sends it, without polling for the ack.
      fake.pushFrame(
        encodeFrame({
          SeqID: ++seq,
          LogID: seq,
          service: 7,
          method: 1,
          payload,
          headers: [
            { key: 'type', value: 'event' },
            { key: 'message_id', value: `ev-${crypto.randomUUID()}` },
            { key: 'sum', value: '1' },
            { key: 'seq', value: '0' },
            { key: 'trace_id', value: `trace-${seq}` },
          ],
        }),
      );
    },
    stop: () => fake.stop(),
  };
}

export const VENDORS = [dingtalkVendor, wecomVendor, feishuVendor];
