import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { SocketReceiver } from '../../../bot/channels/contract.js';
import { holdsAibotSocket, sendViaSocket, wecomAibotReceivers } from '../../../bot/channels/wecom/aibot-socket.js';
import { configureAibotSocket } from '../../../bot/channels/wecom/config.js';
import { until } from '../../helpers/until.js';
import { FakeAibotServer, aibotBodies as B } from '../../helpers/fakes/wecom-aibot-server.js';
import {
  BOT,
  FAST_MS,
  SECRET,
  aibotEnv as env,
  aibotOpts as opts,
  answerTo,
  connectAibot,
  sleep,
  testRuntime,
  type TestRuntime,
} from '../../helpers/aibot-runtime.js';

let fake: FakeAibotServer;
let receivers: SocketReceiver[] = [];
const connect = (rt: TestRuntime, extra = {}) => connectAibot(rt, receivers, extra);

/** Around every test of this file: called in each describe, as a folder's specs share one registry (test/helpers/specs.ts). */
function aroundEachTest(): void {
  beforeEach(async () => {
    fake = await new FakeAibotServer({ [BOT]: SECRET }).start();
    receivers = [];
  });
  afterEach(async () => {
    for (const r of receivers) await r.stop();
    await fake.stop();
  });
}

describe('WeCom AI bot long connection: config', () => {
  aroundEachTest();
  it('is off without credentials, on with both, and names each bad variable in Chinese', () => {
    expect(configureAibotSocket({})).toEqual({ enabled: false, problems: [] });
    expect(configureAibotSocket({ WECOM_BOT_ID: BOT, WECOM_BOT_SECRET: SECRET })).toEqual({
      enabled: true,
      problems: [],
    });
    const bad = configureAibotSocket({ WECOM_BOT_ID: BOT, WECOM_BOT_WS_URL: 'https://openws.work.weixin.qq.com' });
    expect(bad.enabled).toBe(false);
    expect(bad.problems).toEqual([
      expect.stringContaining('WECOM_BOT_SECRET 应为'),
      expect.stringContaining('WECOM_BOT_WS_URL 应为 ws:// 或 wss:// 开头'),
    ]);
  });

  it('gives no receiver when the block is not configured, one named after the bot when it is', () => {
    expect(wecomAibotReceivers(testRuntime({}))).toEqual([]);
    expect(wecomAibotReceivers(testRuntime(env(fake))).map((r) => r.name)).toEqual([`wecom-aibot:${BOT}`]);
  });
});

describe('WeCom AI bot long connection: connecting', () => {
  aroundEachTest();
  it('subscribes with bot_id and secret, answers heartbeats, and holds the socket until stop()', async () => {
    const rt = testRuntime(env(fake));
    await connect(rt, { heartbeatIntervalMs: 100 });
    expect(fake.auths).toEqual([{ botId: BOT, secret: SECRET, ok: true }]);
    expect(holdsAibotSocket(BOT)).toBe(true);
    await fake.waitFor((f) => f.frame.cmd === 'ping' && f.errcode === 0);
    await sleep(400); // several heartbeats: acked pings keep the connection up
    expect(fake.connections(BOT)).toBe(1);
    await receivers[0]!.stop();
    expect(holdsAibotSocket(BOT)).toBe(false);
    await expect(sendViaSocket({ kind: 'user', id: 'zhangsan' }, { text: 'hi' })).rejects.toMatchObject({
      retryable: true,
    });
  });

  it('refuses a wrong secret: the server says so, start() rejects naming the variable, and nothing retries', async () => {
    const rt = testRuntime(env(fake, { WECOM_BOT_SECRET: 'wrong' }));
    const [r] = wecomAibotReceivers(rt, opts);
    receivers.push(r!);
    await expect(r!.start()).rejects.toThrow(/WECOM_BOT_SECRET.*invalid bot_id or secret/);
    expect(fake.sent('aibot_subscribe')[0]).toMatchObject({ errcode: 40014 });
    await sleep(500);
    expect(fake.auths).toHaveLength(1);
    expect(holdsAibotSocket(BOT)).toBe(false);
  });
});

describe('WeCom AI bot long connection: messages', () => {
  aroundEachTest();
  it('turns a 1:1 text into an IncomingMessage and answers with a finished stream on its req_id', async () => {
    const rt = testRuntime(env(fake));
    await connect(rt);
    const reqId = fake.pushMessage(BOT, B.text({ msgid: 'MSG1', userid: 'zhangsan', content: '客户 C0001' }));
    const answer = await fake.waitFor(answerTo(reqId, 'aibot_respond_msg'));
    expect(answer.errcode).toBe(0);
    expect(answer.frame.body).toEqual({
      msgtype: 'stream',
      stream: { id: 'steward-MSG1', finish: true, content: '收到: 客户 C0001' },
    });
    expect(rt.handled[0]).toEqual({
      channel: 'wecom',
      via: 'wecom-socket',
      messageKey: 'MSG1',
      userId: 'zhangsan',
      chatType: 'direct',
      text: '客户 C0001',
      reply: { channel: 'wecom', kind: 'aibot-socket', botId: BOT, reqId, chatId: 'zhangsan', msgId: 'MSG1' },
      correlationId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(
      rt.lines.some((l) => l.correlationId === rt.handled[0]!.correlationId && l.msg === 'WeCom AI bot socket message'),
    ).toBe(true);
  });

  it('strips the @-mention of a group message and keeps the group chat id', async () => {
    const rt = testRuntime(env(fake));
    await connect(rt);
    const reqId = fake.pushMessage(
      BOT,
      B.text({ msgid: 'MSG2', userid: 'lisi', chatid: 'wrkGROUP1', content: '@客户管家 客户 C0002' }),
    );
    await fake.waitFor(answerTo(reqId, 'aibot_respond_msg'));
    expect(rt.handled[0]).toMatchObject({
      chatType: 'group',
      conversationId: 'wrkGROUP1',
      userId: 'lisi',
      text: '客户 C0002',
      reply: { chatId: 'wrkGROUP1' },
    });
  });

  it('joins the text items of a mixed message', async () => {
    const rt = testRuntime(env(fake));
    await connect(rt);
    const reqId = fake.pushMessage(
      BOT,
      B.mixed({ msgid: 'MSG3', userid: 'lisi', chatid: 'wrkGROUP1', texts: ['@客户管家 导入', '这是附件'] }),
    );
    await fake.waitFor(answerTo(reqId, 'aibot_respond_msg'));
    expect(rt.handled[0]!.text).toBe('导入\n这是附件');
  });
});

describe('WeCom AI bot long connection: cards and slow answers', () => {
  aroundEachTest();
  it('answers a reply with buttons as a button_interaction template card', async () => {
    const rt = testRuntime(env(fake));
    await connect(rt);
    const reqId = fake.pushMessage(BOT, B.text({ msgid: 'MSG4', userid: 'wangwu', content: '审批' }));
    const answer = await fake.waitFor(answerTo(reqId, 'aibot_respond_msg'));
    expect(answer.frame.body).toEqual({
      msgtype: 'template_card',
      template_card: {
        card_type: 'button_interaction',
        task_id: 'steward-MSG4',
        main_title: { title: '删除申请 #7' },
        sub_title_text: '删除申请 #7\n张三 申请删除客户 C0007',
        button_list: [
          { text: '批准', style: 1, key: 'approve:7' },
          { text: '驳回', style: 2, key: 'reject:7' },
        ],
      },
    });
  });

  it('answers a slow pipeline with 「处理中」 in time, then pushes the answer to the group with aibot_send_msg', async () => {
    const rt = testRuntime(env(fake));
    await connect(rt);
    const reqId = fake.pushMessage(
      BOT,
      B.text({ msgid: 'MSG5', userid: 'lisi', chatid: 'wrkGROUP1', content: '@客户管家 慢' }),
    );
    const pending = await fake.waitFor(answerTo(reqId, 'aibot_respond_msg'));
    expect(pending.frame.body).toMatchObject({
      msgtype: 'stream',
      stream: { finish: true, content: expect.stringContaining('处理中') },
    });
    // WeCom drops an answer after 5 s; the slow answer is still held at the gate, so this came first.
    expect(pending.afterMs).toBeLessThan(5_000);
    expect(rt.later).toHaveLength(0);
    rt.openGate();
    const push = await fake.waitFor((f) => f.frame.cmd === 'aibot_send_msg');
    expect(push.errcode).toBe(0);
    expect(push.frame.body).toEqual({
      chatid: 'wrkGROUP1',
      msgtype: 'markdown',
      markdown: { content: '慢查询: 共 3 个客户' },
    });
    expect(rt.later).toHaveLength(1);
    // The kick follows the push's ack, which the client reads after the fake recorded the frame.
    await until(() => rt.kicks === 1, 3_000, 'outbox kick');
    expect(rt.kicks).toBe(1);
  });
});

describe('WeCom AI bot long connection: failures, redeliveries, welcomes', () => {
  aroundEachTest();
  it('answers 「系统繁忙」 when the pipeline fails, and nothing for a duplicate delivery', async () => {
    const rt = testRuntime(env(fake));
    await connect(rt);
    const bad = fake.pushMessage(BOT, B.text({ msgid: 'MSG6', userid: 'zhangsan', content: '坏' }));
    expect((await fake.waitFor(answerTo(bad, 'aibot_respond_msg'))).frame.body).toMatchObject({
      stream: { content: '系统繁忙，请稍后重试' },
    });
    const dup = fake.pushMessage(BOT, B.text({ msgid: 'MSG7', userid: 'zhangsan', content: '重复' }));
    await sleep(FAST_MS);
    expect(rt.handled.map((m) => m.messageKey)).toEqual(['MSG6', 'MSG7']);
    expect(fake.received.filter((f) => f.frame.headers.req_id === dup)).toEqual([]);
  });

  it('hands a redelivered message (same msgid) to the pipeline again, under the same messageKey', async () => {
    const rt = testRuntime(env(fake));
    await connect(rt);
    const first = fake.pushMessage(BOT, B.text({ msgid: 'MSG8', userid: 'zhangsan', content: '帮助' }));
    const second = fake.pushMessage(BOT, B.text({ msgid: 'MSG8', userid: 'zhangsan', content: '帮助' }));
    await fake.waitFor(answerTo(first, 'aibot_respond_msg'));
    await fake.waitFor(answerTo(second, 'aibot_respond_msg'));
    expect(rt.handled.map((m) => m.messageKey)).toEqual(['MSG8', 'MSG8']);
  });

  it('welcomes a user entering the chat with the help hint', async () => {
    const rt = testRuntime(env(fake));
    await connect(rt);
    const reqId = fake.pushEvent(BOT, B.enterChat({ msgid: 'EV1', userid: 'zhangsan' }));
    const answer = await fake.waitFor(answerTo(reqId, 'aibot_respond_welcome_msg'));
    expect(answer.errcode).toBe(0);
    expect(answer.frame.body).toEqual({
      msgtype: 'text',
      text: { content: expect.stringContaining('发送「帮助」查看全部命令') },
    });
    expect(rt.handled).toEqual([]);
  });
});
