// DingTalk Stream mode: the connection and robot messages; dingtalk-stream-cards.spec.ts has card presses and untrusted frames.
import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { TOPIC_CARD, TOPIC_ROBOT } from 'dingtalk-stream';
import type { SocketReceiver } from '../../../bot/channels/contract.js';
import {
  createStreamReceiver,
  dingtalkStreamReceivers,
  type StreamReceiverOptions,
} from '../../../bot/channels/dingtalk/stream.js';
import { dingtalk } from '../../../bot/channels/dingtalk/index.js';
import { FakeDingtalkStream } from '../../helpers/fakes/dingtalk-stream-server.js';
import {
  APP_KEY,
  APP_SECRET,
  RECONNECT_MS,
  robotData,
  startReceiver,
  streamCore,
  testRuntime,
  until,
} from '../../helpers/dingtalk-stream.js';

let fake: FakeDingtalkStream;
let seq = 0;
const running: SocketReceiver[] = [];

beforeAll(async () => {
  // The SDK announces connects and disconnects on the console; the logs under test are pino's.
  jest.spyOn(console, 'info').mockImplementation(() => undefined);
  fake = await new FakeDingtalkStream(APP_KEY, APP_SECRET).start();
});
/** Around every test of this file: called in each describe, as a folder's specs share one registry (test/helpers/specs.ts). */
function aroundEachTest(): void {
  afterEach(async () => {
    await Promise.all(running.splice(0).map((r) => r.stop()));
  });
}
afterAll(async () => fake.stop());

const connected = (opts: StreamReceiverOptions = {}, core = streamCore(fake.url)) =>
  startReceiver(fake, running, opts, core);

describe('DingTalk Stream mode: connection', () => {
  aroundEachTest();
  it('opens the connection as the SDK does: gateway ticket with our subscriptions, then the WebSocket with that ticket', async () => {
    const gateways = fake.gatewayRequests.length;
    const t = await connected();
    expect(t.receiver.name).toBe(`dingtalk-stream:${APP_KEY}`);
    expect(fake.gatewayRequests[gateways]).toEqual({
      clientId: APP_KEY,
      clientSecret: APP_SECRET,
      ua: 'customer-steward',
      subscriptions: [
        { type: 'CALLBACK', topic: TOPIC_ROBOT },
        { type: 'CALLBACK', topic: TOPIC_CARD },
      ],
    });
    expect(fake.connections.at(-1)!.ticket).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('echoes a SYSTEM ping with its headers and opaque data', async () => {
    await connected();
    const id = fake.ping('opaque-42');
    await fake.waitFor(() => fake.repliesTo(id).length > 0);
    expect(fake.repliesTo(id)[0]).toMatchObject({
      code: 200,
      message: 'OK',
      headers: { messageId: id, topic: 'ping' },
      data: { opaque: 'opaque-42' },
    });
  });

  it('start() rejects on wrong credentials and does not keep knocking at the gateway', async () => {
    const t = testRuntime(streamCore(fake.url, { DINGTALK_APP_SECRET: 'wrong' }));
    const receiver = createStreamReceiver(t.rt);
    const before = fake.gatewayRequests.length;
    await expect(receiver.start()).rejects.toThrow(/401/);
    await new Promise((r) => setTimeout(r, 3 * RECONNECT_MS));
    expect(fake.gatewayRequests.length).toBe(before + 1);
  });

  it('offers no receiver without the app robot credentials', () => {
    expect(dingtalkStreamReceivers(testRuntime(streamCore(fake.url, { DINGTALK_APP_KEY: '' })).rt)).toEqual([]);
    expect(dingtalkStreamReceivers(testRuntime(streamCore(fake.url)).rt).map((r) => r.name)).toEqual([
      `dingtalk-stream:${APP_KEY}`,
    ]);
  });
});

describe('DingTalk Stream mode: robot messages, 1:1', () => {
  aroundEachTest();
  it('a 1:1 message: acked, handled as an IncomingMessage with a session reply handle, the reply queued', async () => {
    const t = await connected();
    const n = ++seq;
    const id = fake.push(TOPIC_ROBOT, robotData(n, {}, fake.url));
    await until(() => t.later.length === 1);
    // The ack leaves before the message is handled, but the fake may read it after the reply is queued.
    await fake.waitFor(() => fake.repliesTo(id).length > 0);
    expect(fake.repliesTo(id)).toEqual([
      expect.objectContaining({
        code: 200,
        message: 'OK',
        headers: { contentType: 'application/json', messageId: id },
        data: { response: 'SUCCESS' },
      }),
    ]);
    const msg = t.handled[0]!;
    expect(msg).toMatchObject({
      channel: 'dingtalk',
      via: 'dingtalk-stream',
      messageKey: `msgSTREAM${n}`,
      userId: 'staff01',
      userName: '张三',
      chatType: 'direct',
      conversationId: 'cidGroupSales01',
      text: '客户 C001',
      reply: {
        channel: 'dingtalk',
        kind: 'session',
        url: `${fake.url}/robot/sendBySession?session=sess${n}`,
        chat: { kind: 'user', id: 'staff01' },
      },
    });
    expect(msg.reply!.expiresAt as number).toBeGreaterThan(Date.now() + 5_000_000);
    expect(msg.correlationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(t.later[0]!.replies).toEqual([{ text: '收到: 客户 C001' }]);
    await until(() => t.counters.kicks === 1);
    expect(t.lines.some((l) => l.correlationId === msg.correlationId && l.msg === 'dingtalk stream message')).toBe(
      true,
    );

    // The outbox then sends it through the channel: the reply reaches the sessionWebhook.
    await dingtalk.send(t.core, { kind: 'reply', handle: msg.reply! }, t.later[0]!.replies[0]!, `k${n}`);
    const posted = fake.to('/robot/sendBySession').filter((c) => c.query.session === `sess${n}`);
    expect(posted.map((c) => c.body)).toEqual([
      { msgtype: 'text', text: { content: '收到: 客户 C001' }, at: { atUserIds: [], isAtAll: false } },
    ]);
  });
});

describe('DingTalk Stream mode: robot messages in a group, acked at once', () => {
  aroundEachTest();
  it('a group @-mention: the mention is stripped, the group is kept, the answer @-mentions the sender', async () => {
    const t = await connected();
    const n = ++seq;
    fake.push(
      TOPIC_ROBOT,
      robotData(
        n,
        {
          conversationType: '2',
          senderStaffId: 'staff02',
          text: { content: ' @客户管家  客户 C002 ' },
          isInAtList: true,
        },
        fake.url,
      ),
    );
    await until(() => t.later.length === 1);
    const msg = t.handled[0]!;
    expect(msg).toMatchObject({
      chatType: 'group',
      conversationId: 'cidGroupSales01',
      text: '客户 C002',
      userId: 'staff02',
      reply: { chat: { kind: 'group', id: 'cidGroupSales01' } },
    });
    await dingtalk.send(t.core, { kind: 'reply', handle: msg.reply! }, t.later[0]!.replies[0]!, `k${n}`);
    const [posted] = fake.to('/robot/sendBySession').filter((c) => c.query.session === `sess${n}`);
    expect(posted!.body).toEqual({
      msgtype: 'text',
      text: { content: '收到: 客户 C002\n@staff02' },
      at: { atUserIds: ['staff02'], isAtAll: false },
    });
  });

  it('acks at once, before the pipeline has answered', async () => {
    const t = await connected();
    const id = fake.push(TOPIC_ROBOT, robotData(++seq, { text: { content: '慢一点' } }, fake.url));
    await fake.waitFor(() => fake.repliesTo(id).length === 1);
    expect(t.handled).toHaveLength(1);
    expect(t.finished).toHaveLength(0);
    t.releaseSlow();
    await until(() => t.later.length === 1);
  });
});

describe('DingTalk Stream mode: robot messages with files, redelivered, retried', () => {
  aroundEachTest();
  it('a file message: the download code buys a URL through the OpenAPI, and the bytes come from there', async () => {
    const t = await connected();
    const bytes = Buffer.from('编码,名称\nC001,甲公司\n');
    fake.addDownloadCode('dlcode-1', bytes, '客户.csv');
    fake.push(
      TOPIC_ROBOT,
      robotData(
        ++seq,
        { msgtype: 'file', text: undefined, content: { downloadCode: 'dlcode-1', fileName: '客户.csv' } },
        fake.url,
      ),
    );
    await until(() => t.handled.length === 1);
    const msg = t.handled[0]!;
    expect(msg.text).toBe('');
    expect(msg.file?.name).toBe('客户.csv');
    const got = await msg.file!.download(1024);
    expect(got).toEqual({ data: bytes, name: '客户.csv' });
    const call = fake.to('/v1.0/robot/messageFiles/download').at(-1)!;
    expect(call.body).toEqual({ downloadCode: 'dlcode-1', robotCode: APP_KEY });
    expect(call.headers['x-acs-dingtalk-access-token']).toMatch(/^token-\d+$/);
    await expect(msg.file!.download(10)).rejects.toMatchObject({ kind: 'too-large' });
  });

  it("a redelivered frame (same message id) is handled again with the same key: dedupe is the pipeline's", async () => {
    const t = await connected();
    const data = robotData(++seq, {}, fake.url);
    fake.push(TOPIC_ROBOT, data, { messageId: 'redelivered-1' });
    fake.push(TOPIC_ROBOT, data, { messageId: 'redelivered-1' });
    await until(() => t.handled.length === 2);
    expect(t.handled[0]!.messageKey).toBe(t.handled[1]!.messageKey);
    await fake.waitFor(() => fake.repliesTo('redelivered-1').length === 2);
  });

  it('a pipeline that failed on the database is tried once more (the frame is acked already)', async () => {
    const t = await connected();
    t.failHandle(1);
    fake.push(TOPIC_ROBOT, robotData(++seq, {}, fake.url));
    await until(() => t.later.length === 1, 4000);
    expect(t.handled).toHaveLength(2);
  });
});
