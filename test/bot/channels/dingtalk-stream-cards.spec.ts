// DingTalk Stream mode: card presses, and frames it does not take at their word.
import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import http from 'node:http';
import { TOPIC_CARD, TOPIC_ROBOT } from 'dingtalk-stream';
import type { SocketReceiver } from '../../../bot/channels/contract.js';
import type { StreamReceiverOptions } from '../../../bot/channels/dingtalk/stream.js';
import { dingtalk } from '../../../bot/channels/dingtalk/index.js';
import { FakeDingtalkStream } from '../../helpers/fakes/dingtalk-stream-server.js';
import { APP_KEY, APP_SECRET, robotData, startReceiver, streamCore, until } from '../../helpers/dingtalk-stream.js';

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

/** The card updates sent through the OpenAPI (PUT /v1.0/card/instances) so far, by any test. */
const cardPuts = () => fake.to('/v1.0/card/instances').filter((c) => c.method === 'PUT');

const cardPress = (buttonId: string, fields: Record<string, unknown> = {}) => ({
  type: 'actionCallback',
  outTrackId: 'steward-card-1',
  corpId: 'dingcorp',
  userId: 'approver1',
  userIdType: 1,
  spaceType: 'IM_GROUP',
  spaceId: 'cidGroupSales01',
  extension: '{}',
  content: JSON.stringify({ cardPrivateData: { actionIds: ['btn1'], params: { buttonId } } }),
  ...fields,
});

describe('DingTalk Stream mode: card presses', () => {
  aroundEachTest();
  it('a press answered within the window: the ack itself replaces the buttons with the outcome', async () => {
    const t = await connected();
    const putsBefore = cardPuts().length;
    const id = fake.push(TOPIC_CARD, cardPress('approve:12'));
    await fake.waitFor(() => fake.repliesTo(id).length === 1);
    expect(t.handled[0]).toMatchObject({
      channel: 'dingtalk',
      via: 'dingtalk-stream',
      buttonId: 'approve:12',
      userId: 'approver1',
      messageKey: 'card:steward-card-1:approver1:approve:12',
      chatType: 'group',
      conversationId: 'cidGroupSales01',
      text: '',
    });
    expect(t.handled[0]!.reply).toBeUndefined();
    const blank = Object.fromEntries([1, 2, 3, 4, 5, 6].map((n) => [`btn${n}Text`, '']));
    expect(fake.repliesTo(id)[0]!.data).toEqual({
      response: {
        cardUpdateOptions: { updateCardDataByKey: true, updatePrivateDataByKey: true },
        cardData: { cardParamMap: { outcome: '已同意删除申请 #12', ...blank } },
        userPrivateData: { cardParamMap: {} },
      },
    });
    // The full answer goes to the presser through the outbox.
    await until(() => t.later.length === 1);
    expect(t.later[0]!.replies[0]!.text).toContain('客户 C001 已停用');
    expect(cardPuts()).toHaveLength(putsBefore);
  });

  it('a press answered late: acked at once without an update, then the card is updated through the OpenAPI', async () => {
    const t = await connected({ clickWindowMs: 150 });
    const before = cardPuts().length;
    const id = fake.push(TOPIC_CARD, cardPress('reject:13', { outTrackId: 'steward-card-2' }));
    await fake.waitFor(() => fake.repliesTo(id).length === 1);
    expect(fake.repliesTo(id)[0]!.data).toEqual({ response: {} });
    expect(t.finished).toHaveLength(0);
    t.releaseSlow();
    await fake.waitFor(() => cardPuts().length === before + 1);
    const put = cardPuts().at(-1)!;
    expect(put.body).toMatchObject({
      outTrackId: 'steward-card-2',
      cardData: { cardParamMap: { outcome: '已拒绝删除申请 #13', btn1Text: '', btn2Text: '' } },
      cardUpdateOptions: { updateCardDataByKey: true },
    });
    expect(put.headers['x-acs-dingtalk-access-token']).toMatch(/^token-/);
    await until(() => t.later.length === 1);
  });
});

describe('DingTalk Stream mode: card presses failed or redelivered', () => {
  aroundEachTest();
  it("a press the pipeline failed on (database) is left un-acked, so DingTalk's redelivery is answered", async () => {
    const t = await connected();
    t.failHandle(1);
    fake.push(TOPIC_CARD, cardPress('approve:12'), { messageId: 'card-failed-once' });
    await until(() => t.handled.length === 1);
    await new Promise((r) => setTimeout(r, 200));
    expect(fake.repliesTo('card-failed-once')).toEqual([]);
    fake.push(TOPIC_CARD, cardPress('approve:12'), { messageId: 'card-failed-once' });
    await fake.waitFor(() => fake.repliesTo('card-failed-once').length === 1);
    expect(fake.repliesTo('card-failed-once')[0]!.data).toMatchObject({
      response: { cardData: { cardParamMap: { outcome: '已同意删除申请 #12' } } },
    });
  });

  it('a redelivered press has the same key; a press the pipeline does not answer leaves the card alone', async () => {
    const t = await connected();
    const a = fake.push(TOPIC_CARD, cardPress('pick:1'), { messageId: 'card-redelivered' });
    const b = fake.push(TOPIC_CARD, cardPress('pick:1'), { messageId: 'card-redelivered' });
    expect(a).toBe(b);
    await fake.waitFor(() => fake.repliesTo('card-redelivered').length === 2);
    expect(t.handled.map((m) => m.messageKey)).toEqual([
      'card:steward-card-1:approver1:pick:1',
      'card:steward-card-1:approver1:pick:1',
    ]);
    expect(fake.repliesTo('card-redelivered').map((r) => r.data)).toEqual([{ response: {} }, { response: {} }]);
  });
});

describe('DingTalk Stream mode: a sessionWebhook outside DingTalk', () => {
  aroundEachTest();
  it('a sessionWebhook on another host is dropped from the reply handle, and nothing is ever posted there', async () => {
    const elsewhere: string[] = [];
    const other = http.createServer((req, res) => {
      elsewhere.push(req.url ?? '');
      res.end('{}');
    });
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    const otherUrl = `http://127.0.0.1:${(other.address() as { port: number }).port}`;
    try {
      const t = await connected();
      fake.push(TOPIC_ROBOT, robotData(++seq, {}, otherUrl));
      fake.push(
        TOPIC_ROBOT,
        robotData(
          ++seq,
          { sessionWebhook: 'https://oapi.dingtalk.com.evil.example/robot/sendBySession?session=x' },
          fake.url,
        ),
      );
      fake.push(
        TOPIC_ROBOT,
        robotData(++seq, { sessionWebhook: 'http://oapi.dingtalk.com/robot/sendBySession?session=plain' }, fake.url),
      );
      await until(() => t.later.length === 3);
      // The handle keeps only the chat: the outbox sends the answer through the OpenAPI.
      expect(t.handled.map((m) => m.reply)).toEqual(
        [0, 1, 2].map(() => ({ channel: 'dingtalk', kind: 'session', chat: { kind: 'user', id: 'staff01' } })),
      );
      expect(t.later.map((l) => l.replies.length)).toEqual([1, 1, 1]);
      expect(t.lines.filter((l) => /sessionWebhook outside DingTalk/.test(l.msg))).toHaveLength(3);
      // A forged handle (e.g. an edited outbox row) is not followed by the send itself: the answer goes to the chat by OpenAPI.
      const forged = {
        channel: 'dingtalk',
        kind: 'session',
        url: `${otherUrl}/robot/sendBySession`,
        expiresAt: Date.now() + 60_000,
        chat: { kind: 'user', id: 'staff01' },
      };
      const oneToOne = fake.to('/v1.0/robot/oToMessages/batchSend').length;
      await dingtalk.send(t.core, { kind: 'reply', handle: forged }, { text: '手机 13800138000' }, 'forged');
      expect(fake.to('/v1.0/robot/oToMessages/batchSend')).toHaveLength(oneToOne + 1);
      expect(fake.to('/v1.0/robot/oToMessages/batchSend').at(-1)!.body).toMatchObject({ userIds: ['staff01'] });
      await expect(
        dingtalk.send(
          t.core,
          { kind: 'reply', handle: { channel: 'dingtalk', kind: 'session', url: `${otherUrl}/x` } },
          { text: 'x' },
          'no-chat',
        ),
      ).rejects.toMatchObject({ name: 'ChannelSendError', retryable: false });
      await new Promise((r) => setTimeout(r, 100));
      expect(elsewhere).toEqual([]);
    } finally {
      await new Promise<void>((r) => other.close(() => r()));
    }
  });
});

describe('DingTalk Stream mode: malformed frames', () => {
  aroundEachTest();
  it('malformed frames are logged and dropped (callbacks acked), the connection stays up and keeps working', async () => {
    const t = await connected();
    const connections = fake.connections.length;
    fake.sendRaw('not json{');
    fake.sendRaw('null');
    fake.sendRaw(JSON.stringify({ specVersion: '1.0', type: 'CALLBACK', data: '{}' }));
    fake.sendRaw(
      JSON.stringify({
        specVersion: '1.0',
        type: 'CALLBACK',
        headers: { topic: TOPIC_ROBOT, messageId: 42 },
        data: '{}',
      }),
    );
    fake.push('/v1.0/whatever', {}, { type: 'MYSTERY' });
    const acked = [
      fake.push(TOPIC_ROBOT, 'not json'),
      fake.push(TOPIC_ROBOT, 'null'),
      fake.push(TOPIC_ROBOT, robotData(++seq, { senderStaffId: { id: 'x' } }, fake.url)),
      fake.push(TOPIC_ROBOT, robotData(++seq, { text: { content: 12 } }, fake.url)),
      fake.push(TOPIC_ROBOT, robotData(++seq, { text: ['a'] }, fake.url)),
      fake.push(TOPIC_ROBOT, robotData(++seq, { msgId: '' }, fake.url)),
      fake.push(TOPIC_ROBOT, robotData(++seq, { conversationType: 3 }, fake.url)),
      fake.push(TOPIC_ROBOT, robotData(++seq, { text: undefined }, fake.url)),
      fake.push(TOPIC_CARD, 'not json'),
      fake.push(TOPIC_CARD, cardPress('x', { content: '{"cardPrivateData":' })),
      fake.push(
        TOPIC_CARD,
        cardPress('x', { content: JSON.stringify({ cardPrivateData: { params: { buttonId: { evil: 1 } } } }) }),
      ),
      fake.push(TOPIC_CARD, cardPress('approve:12', { userIdType: 2 })),
      fake.push(TOPIC_CARD, cardPress('approve:12', { userId: ['a'] })),
      // The SDK emits the topic as an event name: 'error' would throw out of the socket handler.
      fake.push('error', {}),
      fake.push('/v1.0/not/subscribed', {}),
    ];
    const good = fake.push(TOPIC_ROBOT, robotData(++seq, {}, fake.url));
    await fake.waitFor(() => fake.repliesTo(good).length === 1);
    await until(() => t.handled.length === 1);
    expect(t.handled[0]!.messageKey).toBe(`msgSTREAM${seq}`);
    for (const id of acked) expect(fake.repliesTo(id)).toHaveLength(1);
    expect(t.lines.filter((l) => l.level === 40).length).toBeGreaterThanOrEqual(acked.length + 5);
    expect(fake.connections.length).toBe(connections);
    expect(fake.connections.at(-1)!.closed).toBe(false);
  });
});
