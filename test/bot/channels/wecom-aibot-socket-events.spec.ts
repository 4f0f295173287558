import crypto from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { FileFetchError } from '../../../bot/files/fetch.js';
import { ChannelSendError, type SocketReceiver } from '../../../bot/channels/contract.js';
import { holdsAibotSocket, sendViaSocket } from '../../../bot/channels/wecom/aibot-socket.js';
import { FakeAibotServer, aibotBodies as B } from '../../helpers/fakes/wecom-aibot-server.js';
import {
  BOT,
  SECRET,
  aibotEnv as env,
  answerTo,
  connectAibot,
  sleep,
  testRuntime,
  type TestRuntime,
} from '../../helpers/aibot-runtime.js';

let fake: FakeAibotServer;
let receivers: SocketReceiver[] = [];
const connect = (rt: TestRuntime) => connectAibot(rt, receivers);

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

describe('WeCom AI bot long connection: card clicks', () => {
  aroundEachTest();
  it('turns a click into buttonId and updates the card within 5 s, its button greyed out with the outcome', async () => {
    const rt = testRuntime(env(fake));
    await connect(rt);
    const reqId = fake.pushEvent(
      BOT,
      B.click({
        msgid: 'CLICK1',
        userid: 'wangwu',
        chatid: 'wrkGROUP1',
        eventKey: 'approve:7',
        taskId: 'steward-MSG4',
      }),
    );
    const update = await fake.waitFor(answerTo(reqId, 'aibot_respond_update_msg'));
    expect(rt.handled[0]).toMatchObject({
      channel: 'wecom',
      via: 'wecom-socket',
      messageKey: 'CLICK1',
      userId: 'wangwu',
      buttonId: 'approve:7',
      text: '',
      chatType: 'group',
    });
    expect(update.errcode).toBe(0);
    expect(update.afterMs).toBeLessThan(5_000);
    expect(update.frame.body).toEqual({
      response_type: 'update_template_card',
      userids: ['wangwu'],
      template_card: {
        card_type: 'button_interaction',
        task_id: 'steward-MSG4',
        main_title: { title: '已批准' },
        sub_title_text: '已批准\n删除申请 #7 已批准',
        button_list: [{ text: '已批准', style: 2, key: 'steward-done' }],
        replace_text: '已批准',
      },
    });
    expect(fake.sent('aibot_respond_msg')).toEqual([]);
  });
});

describe('WeCom AI bot long connection: card clicks, other shapes and slow answers', () => {
  aroundEachTest();
  it('reads the click key where the SDK types put it too (event.event_key)', async () => {
    const rt = testRuntime(env(fake));
    await connect(rt);
    const body = {
      ...B.click({ msgid: 'CLICK2', userid: 'wangwu', eventKey: 'x', taskId: 't' }),
      event: { eventtype: 'template_card_event', event_key: 'approve:7', task_id: 'steward-T2' },
    };
    const reqId = fake.pushEvent(BOT, body);
    const update = await fake.waitFor(answerTo(reqId, 'aibot_respond_update_msg'));
    expect(rt.handled[0]!.buttonId).toBe('approve:7');
    expect(update.frame.body).toMatchObject({ template_card: { task_id: 'steward-T2' } });
  });

  it('sends a neutral 「处理中」 card update in time when the pipeline is slow, then pushes the outcome', async () => {
    const rt = testRuntime(env(fake));
    await connect(rt);
    const reqId = fake.pushEvent(
      BOT,
      B.click({ msgid: 'CLICK3', userid: 'wangwu', eventKey: 'slow:7', taskId: 'steward-MSG9' }),
    );
    const pending = await fake.waitFor(answerTo(reqId, 'aibot_respond_update_msg'));
    expect(pending.errcode).toBe(0);
    // WeCom drops an answer after 5 s; the slow answer is still held at the gate, so this came first.
    expect(pending.afterMs).toBeLessThan(5_000);
    expect(rt.later).toHaveLength(0);
    rt.openGate();
    expect(pending.frame.body).toMatchObject({
      template_card: { task_id: 'steward-MSG9', replace_text: '处理中', button_list: [{ text: '处理中' }] },
    });
    const push = await fake.waitFor((f) => f.frame.cmd === 'aibot_send_msg');
    expect(push.frame.body).toEqual({
      chatid: 'wangwu',
      msgtype: 'markdown',
      markdown: { content: '**已驳回**\n删除申请 #7 已驳回' },
    });
  });
});

describe('WeCom AI bot long connection: files', () => {
  aroundEachTest();
  const aeskey = crypto.randomBytes(32).toString('base64');

  it('downloads a file from the WeCom host and decrypts it with the message aeskey', async () => {
    const rt = testRuntime(env(fake));
    await connect(rt);
    const url = fake.serveFile(Buffer.from('名称,电话\n华东贸易,021\n'), '客户.csv', aeskey);
    fake.pushMessage(BOT, B.file({ msgid: 'FILE1', userid: 'zhangsan', url, aeskey }));
    await fake.waitFor((f) => f.frame.cmd === 'aibot_respond_msg');
    const file = rt.handled[0]!.file!;
    expect(rt.handled[0]!.text).toBe('');
    expect(file.name).toBeNull();
    const got = await file.download(1024);
    expect(got).toEqual({ data: Buffer.from('名称,电话\n华东贸易,021\n'), name: '客户.csv' });
    await expect(file.download(5)).rejects.toMatchObject({ kind: 'too-large' });
  });

  it('never fetches a file URL outside WeCom, nor without a usable aeskey', async () => {
    const rt = testRuntime(env(fake));
    await connect(rt);
    const url = fake.serveFile(Buffer.from('x'), 'a.csv', aeskey);
    const foreign = [
      'https://evil.example/files/1',
      'https://someone-else.cos.ap-guangzhou.myqcloud.com/f',
      url.replace('http://', 'https://'),
    ];
    foreign.forEach((u, i) =>
      fake.pushMessage(BOT, B.file({ msgid: `FILE-F${i}`, userid: 'zhangsan', url: u, aeskey })),
    );
    fake.pushMessage(BOT, B.file({ msgid: 'FILE-NOKEY', userid: 'zhangsan', url }));
    await fake.waitFor(() => rt.handled.length === 4);
    for (const m of rt.handled.slice(0, 3)) await expect(m.file!.download(1024)).rejects.toThrow(FileFetchError);
    await expect(rt.handled[3]!.file!.download(1024)).rejects.toMatchObject({ kind: 'decrypt' });
    expect(fake.fileRequests).toEqual([]);
  });
});

describe('WeCom AI bot long connection: staying connected', () => {
  aroundEachTest();
  it('reconnects after the server drops the connection, and messages flow again', async () => {
    const rt = testRuntime(env(fake));
    await connect(rt);
    fake.dropAll();
    await fake.waitFor(() => fake.auths.length === 2 && fake.connections(BOT) === 1);
    const reqId = fake.pushMessage(BOT, B.text({ msgid: 'AFTER', userid: 'zhangsan', content: '帮助' }));
    expect((await fake.waitFor(answerTo(reqId, 'aibot_respond_msg'))).errcode).toBe(0);
    expect(holdsAibotSocket(BOT)).toBe(true);
  });

  it('handles nothing after stop()', async () => {
    const rt = testRuntime(env(fake));
    const r = await connect(rt);
    fake.pushMessage(BOT, B.text({ msgid: 'IN-FLIGHT', userid: 'u', content: 'x' }));
    await r.stop();
    await sleep(300);
    expect(fake.connections(BOT)).toBe(0);
    expect(fake.auths).toHaveLength(1);
    expect(() => fake.pushMessage(BOT, B.text({ msgid: 'LATE', userid: 'u', content: 'x' }))).toThrow(/not connected/);
    expect(rt.handled).toEqual([]);
  });

  it('gives way to a newer connection for the same bot without fighting back, and can take over again later', async () => {
    const first = testRuntime(env(fake));
    const second = testRuntime(env(fake));
    const a = await connect(first);
    await connect(second);
    await fake.waitFor(() => first.lines.some((l) => /superseded/.test(String(l.msg))));
    await sleep(600); // several reconnect intervals: the first must stay away
    expect(fake.auths.map((x) => x.ok)).toEqual([true, true]);
    expect(fake.connections(BOT)).toBe(1);
    const reqId = fake.pushMessage(BOT, B.text({ msgid: 'TO-SECOND', userid: 'zhangsan', content: '帮助' }));
    await fake.waitFor(answerTo(reqId, 'aibot_respond_msg'));
    expect(second.handled.map((m) => m.messageKey)).toEqual(['TO-SECOND']);
    expect(first.handled).toEqual([]);
    // The lease moves back: start() on the first connects afresh and supersedes the second.
    await a.start();
    await fake.waitFor(() => second.lines.some((l) => /superseded/.test(String(l.msg))));
    const back = fake.pushMessage(BOT, B.text({ msgid: 'TO-FIRST', userid: 'zhangsan', content: '帮助' }));
    await fake.waitFor(answerTo(back, 'aibot_respond_msg'));
    expect(first.handled.map((m) => m.messageKey)).toEqual(['TO-FIRST']);
  });
});

describe('WeCom AI bot long connection: malformed frames', () => {
  aroundEachTest();
  it('ignores malformed frames with a log line, and keeps serving', async () => {
    const rt = testRuntime(env(fake));
    await connect(rt);
    const good = B.text({ msgid: 'M', userid: 'zhangsan', content: 'hi' });
    fake.pushRaw(BOT, 'not json {');
    fake.pushRaw(BOT, JSON.stringify({ cmd: 'aibot_msg_callback', body: good })); // no req_id
    fake.pushMessage(BOT, null);
    fake.pushMessage(BOT, { ...good, from: { userid: { id: 1 } } });
    fake.pushMessage(BOT, { ...good, from: { userid: ['a'] } });
    fake.pushMessage(BOT, { ...good, text: { content: 42 } });
    fake.pushMessage(BOT, { ...good, text: { content: { a: 1 } } });
    fake.pushMessage(BOT, { ...good, text: { content: true } });
    fake.pushMessage(BOT, { ...good, msgtype: 'text', text: undefined });
    fake.pushEvent(BOT, {
      ...B.click({ msgid: 'C', userid: 'u', eventKey: 'k', taskId: 't' }),
      event: { eventtype: 'template_card_event', template_card_event: { event_key: 7 } },
    });
    fake.pushEvent(BOT, { ...good, msgtype: 'event' });
    const reqId = fake.pushMessage(BOT, B.text({ msgid: 'AFTER-BAD', userid: 'zhangsan', content: '帮助' }));
    await fake.waitFor(answerTo(reqId, 'aibot_respond_msg'));
    expect(rt.handled.map((m) => m.messageKey)).toEqual(['AFTER-BAD']);
    const ignored = rt.lines.filter((l) => l.msg === 'callback frame ignored');
    // Nine reach the channel and fail its shape check; the SDK itself logs and drops the non-JSON and the null body.
    expect(ignored.length).toBe(9);
    expect(ignored.map((l) => l.reason)).toContain('callback shape: /from/userid must be string');
    expect(rt.lines.map((l) => l.msg)).toEqual(
      expect.arrayContaining(['Failed to parse WebSocket message:', 'Received invalid message format:']),
    );
    expect(JSON.stringify(rt.lines)).not.toContain(SECRET);
  });
});

describe('WeCom AI bot long connection: sendViaSocket', () => {
  aroundEachTest();
  it('pushes to a user or a group by id, a card with buttons included', async () => {
    await connect(testRuntime(env(fake)));
    await sendViaSocket(
      { kind: 'user', id: 'zhangsan' },
      { text: '审批已通过', mentions: ['lisi'], links: [{ text: '查看', url: 'https://steward.example.com/a/1' }] },
      'row-1',
    );
    await sendViaSocket(
      { kind: 'group', id: 'wrkGROUP1' },
      { title: '删除申请', text: '请审批', buttons: [{ id: 'approve:9', text: '批准' }] },
      'row-2',
    );
    const [user, group] = fake.sent('aibot_send_msg');
    expect(user!.frame.body).toEqual({
      chatid: 'zhangsan',
      msgtype: 'markdown',
      markdown: { content: '审批已通过\n[查看](https://steward.example.com/a/1)\n<@lisi>' },
    });
    expect(group!.frame.body).toMatchObject({
      chatid: 'wrkGROUP1',
      msgtype: 'template_card',
      template_card: {
        card_type: 'button_interaction',
        task_id: 'steward-row-2',
        button_list: [{ key: 'approve:9', text: '批准' }],
      },
    });
  });

  it('says whether a retry can help: refused by WeCom → no, socket held elsewhere → yes, foreign handle → no', async () => {
    await connect(testRuntime(env(fake)));
    fake.fail('aibot_send_msg', 40058);
    await expect(sendViaSocket({ kind: 'user', id: 'zhangsan' }, { text: 'x' })).rejects.toEqual(
      new ChannelSendError('aibot_send_msg refused: errcode 40058', false),
    );
    fake.fail('aibot_send_msg', -1);
    await expect(sendViaSocket({ kind: 'user', id: 'zhangsan' }, { text: 'x' })).rejects.toMatchObject({
      retryable: true,
    });
    await expect(
      sendViaSocket(
        { kind: 'reply', handle: { channel: 'wecom', kind: 'response-url', url: 'https://qyapi.weixin.qq.com/x' } },
        { text: 'x' },
      ),
    ).rejects.toMatchObject({ retryable: false });
    const otherBot = {
      channel: 'wecom',
      kind: 'aibot-socket',
      botId: 'another-bot',
      reqId: 'r',
      chatId: 'zhangsan',
      msgId: 'm',
    };
    await expect(sendViaSocket(otherBot, { text: 'x' })).rejects.toMatchObject({ retryable: true });
    await expect(sendViaSocket({ kind: 'group', id: 'default' }, { text: 'x' })).rejects.toMatchObject({
      retryable: false,
    });
  });
});
