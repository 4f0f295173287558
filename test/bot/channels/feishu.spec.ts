// The Feishu long connection: connecting, messages in, and its lifecycle; feishu-cards.spec.ts has card clicks and bad input.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { SocketReceiver } from '../../../bot/channels/contract.js';
import { feishu } from '../../../bot/channels/feishu/index.js';
import { FileFetchError } from '../../../bot/files/fetch.js';
import { FakeFeishu, messageEvent } from '../../helpers/fakes/feishu-server.js';
import { channelCore, testRuntime, type TestRuntime } from '../../helpers/fakes/feishu-runtime.js';
import { p2p, script, startWsChannel, stopWsChannel, textOf } from './feishu-ws.js';

describe('feishu long connection (WSClient against a fake Feishu)', () => {
  let fake: FakeFeishu, rt: TestRuntime, receiver: SocketReceiver;
  beforeAll(async () => {
    ({ fake, rt, receiver } = await startWsChannel());
  });
  afterAll(async () => stopWsChannel(fake, receiver));
  const lastSeen = () => rt.seen[rt.seen.length - 1]!;

  it('connects as the SDK does: endpoint with AppID/AppSecret, the ws URL it returned, a first ping answered by pong', async () => {
    expect(receiver.name).toBe(`feishu-ws:${fake.appId}`);
    expect(fake.to('POST /callback/ws/endpoint')[0]!.body).toEqual({ AppID: fake.appId, AppSecret: fake.appSecret });
    expect(fake.connects[0]).toMatchObject({ device_id: 'dev-1', service_id: '7' });
    expect(fake.connected).toBe(1);
    const ping = await fake.waitFor(() => fake.pings[0], 3000, 'ping');
    expect(ping.service).toBe(7);
    expect(ping.headers).toEqual([{ key: 'type', value: 'ping' }]);
  });

  it('a 1:1 message becomes an IncomingMessage, is acked 200, and the answer is a reply to that message', async () => {
    const ack = await fake.pushEvent(p2p('om_p2p1', '查 C0001'), { messageId: 'frame-1' });
    expect(ack.code).toBe(200);
    expect(ack.headers.biz_rt).toBeDefined();
    const msg = lastSeen();
    expect(msg).toMatchObject({
      channel: 'feishu',
      via: 'feishu',
      messageKey: 'om_p2p1',
      userId: 'ou_alice',
      chatType: 'direct',
      conversationId: 'oc_p2p_alice',
      text: '查 C0001',
      reply: { channel: 'feishu', kind: 'message', messageId: 'om_p2p1' },
    });
    expect(msg.correlationId).toMatch(/^fs-/);
    const reply = await fake.waitFor(() => fake.to('POST /open-apis/im/v1/messages/om_p2p1/reply')[0], 3000, 'reply');
    expect(reply.auth).toMatch(/^Bearer t-/);
    expect(reply.body).toMatchObject({ msg_type: 'text', uuid: 'om_p2p1#0' });
    expect(textOf(reply)).toEqual({ text: '收到: 查 C0001' });
  });
});

describe('feishu long connection (WSClient against a fake Feishu): group and rich-text messages', () => {
  let fake: FakeFeishu, rt: TestRuntime, receiver: SocketReceiver;
  beforeAll(async () => {
    ({ fake, rt, receiver } = await startWsChannel());
  });
  afterAll(async () => stopWsChannel(fake, receiver));
  const lastSeen = () => rt.seen[rt.seen.length - 1]!;

  it('a group @-mention arrives with the mention stripped; a group message mentioning nobody is ignored with a log line', async () => {
    await fake.pushEvent(
      messageEvent({
        messageId: 'om_grp1',
        openId: 'ou_bob',
        chatId: 'oc_team',
        chatType: 'group',
        text: '@_user_1  查  C0002 ',
        mentions: [{ key: '@_user_1', openId: 'ou_bot', name: '客户管家' }],
      }),
    );
    expect(lastSeen()).toMatchObject({
      messageKey: 'om_grp1',
      userId: 'ou_bob',
      chatType: 'group',
      conversationId: 'oc_team',
      text: '查 C0002',
    });
    const before = rt.seen.length;
    const ack = await fake.pushEvent(
      messageEvent({ messageId: 'om_grp2', openId: 'ou_bob', chatId: 'oc_team', chatType: 'group', text: '大家好' }),
    );
    expect(ack.code).toBe(200);
    expect(rt.seen.length).toBe(before);
    expect(rt.logs.some((l) => l.msg === 'feishu message ignored' && String(l.reason).includes('@-mention'))).toBe(
      true,
    );
  });

  it('a rich-text (post) message gives its text; an event split over three frames is merged', async () => {
    await fake.pushEvent(
      messageEvent({
        messageId: 'om_post1',
        openId: 'ou_alice',
        chatId: 'oc_p2p_alice',
        chatType: 'p2p',
        messageType: 'post',
        content: {
          title: '',
          content: [
            [
              { tag: 'text', text: '查 ' },
              { tag: 'text', text: 'C0003' },
            ],
          ],
        },
      }),
      { parts: 3 },
    );
    expect(lastSeen()).toMatchObject({ messageKey: 'om_post1', text: '查 C0003' });
  });
});

describe('feishu long connection (WSClient against a fake Feishu): failures, redeliveries, files', () => {
  let fake: FakeFeishu, rt: TestRuntime, receiver: SocketReceiver;
  beforeAll(async () => {
    ({ fake, rt, receiver } = await startWsChannel());
  });
  afterAll(async () => stopWsChannel(fake, receiver));
  const lastSeen = () => rt.seen[rt.seen.length - 1]!;

  it('a message whose handling fails (database) is acked with code 500, so Feishu redelivers it', async () => {
    const ack = await fake.pushEvent(p2p('om_fail1', '坏了'));
    expect(ack.code).toBe(500);
  });

  it('a redelivered frame (same message id) is handed to the pipeline again with the same messageKey', async () => {
    const event = p2p('om_dup1', '查 C0004');
    await fake.pushEvent(event, { messageId: 'frame-dup' });
    await fake.pushEvent(event, { messageId: 'frame-dup' });
    expect(rt.seen.filter((m) => m.messageKey === 'om_dup1')).toHaveLength(2);
  });

  it('a file message becomes a FileAttachment fetched only on demand, within maxBytes', async () => {
    const bytes = Buffer.from('客户名称,电话\nA公司,010-1\n', 'utf8');
    fake.addFile('om_file1', 'file_v2_k1', bytes, '客户.csv');
    await fake.pushEvent(
      messageEvent({
        messageId: 'om_file1',
        openId: 'ou_alice',
        chatId: 'oc_p2p_alice',
        chatType: 'p2p',
        messageType: 'file',
        content: { file_key: 'file_v2_k1', file_name: '客户.csv' },
      }),
    );
    const msg = lastSeen();
    expect(msg).toMatchObject({ messageKey: 'om_file1', text: '' });
    expect(msg.file!.name).toBe('客户.csv');
    expect(fake.to('GET /open-apis/im/v1/messages/om_file1')).toHaveLength(0);
    const got = await msg.file!.download(1024);
    expect(got).toEqual({ data: bytes, name: '客户.csv' });
    expect(fake.to('GET /open-apis/im/v1/messages/om_file1/resources/file_v2_k1')[0]!.query).toEqual({ type: 'file' });
    await expect(msg.file!.download(10)).rejects.toMatchObject({ kind: 'too-large' });
    await expect(msg.file!.download(10)).rejects.toBeInstanceOf(FileFetchError);
  });
});

describe('feishu long connection (WSClient against a fake Feishu): reconnecting, stopping, and what it logs', () => {
  // Each test gets its own fake Feishu and connection: one drops it, one stops it, one reads every log line.
  let fake: FakeFeishu, rt: TestRuntime, receiver: SocketReceiver;
  beforeEach(async () => {
    ({ fake, rt, receiver } = await startWsChannel());
    // A conversation that writes each kind of log line: a user's text with a customer code, a group
    // message ignored, a handling that failed, a frame that is not protobuf.
    await fake.pushEvent(p2p('om_log1', '查 C0001'));
    await fake.pushEvent(
      messageEvent({
        messageId: 'om_log2',
        openId: 'ou_bob',
        chatId: 'oc_team',
        chatType: 'group',
        text: '客户 C0001',
      }),
    );
    await fake.pushEvent(p2p('om_log3', '坏了'));
    fake.pushFrame(Buffer.from('not protobuf at all'));
  });
  afterEach(async () => stopWsChannel(fake, receiver));
  const lastSeen = () => rt.seen[rt.seen.length - 1]!;

  /** The server drops the connection; resolves once the SDK has reconnected and a message flowed again. */
  async function dropAndReconnect(): Promise<void> {
    const endpoints = fake.to('POST /callback/ws/endpoint').length;
    const connects = fake.connects.length;
    const pings = fake.pings.length;
    fake.disconnectAll();
    // Ready = the SDK's opening ping on the new socket (a push before it can go unanswered).
    const ready = () => fake.connects.length > connects && fake.connected === 1 && fake.pings.length > pings;
    await fake.waitFor(ready, 8000, 'reconnect');
    expect(fake.to('POST /callback/ws/endpoint').length).toBe(endpoints + 1);
    await fake.pushEvent(p2p('om_after_reconnect', '重连后'));
    expect(lastSeen()).toMatchObject({ messageKey: 'om_after_reconnect', text: '重连后' });
  }

  /** stop(): the connection closes, is not re-opened, and nothing more is handled. */
  async function stopAndCheckQuiet(): Promise<void> {
    await receiver.stop();
    await fake.waitFor(() => fake.connected === 0, 3000, 'close');
    const connects = fake.connects.length;
    const before = rt.seen.length;
    await new Promise((r) => setTimeout(r, 700));
    expect(fake.connects.length).toBe(connects);
    fake.pushFrame(Buffer.from('x'));
    expect(rt.seen.length).toBe(before);
  }

  it('when the server drops the connection, the SDK fetches a new endpoint, reconnects, and messages flow again', async () => {
    expect(fake.connects).toHaveLength(1);
    await dropAndReconnect();
    expect(fake.connects.length).toBeGreaterThanOrEqual(2);
  });

  it('after stop() the connection is closed, not re-opened, and nothing more is handled', async () => {
    await stopAndCheckQuiet();
  });

  it('logs carry neither the secret, the connect ticket, nor what users wrote, through a reconnect and a stop', async () => {
    await dropAndReconnect();
    await stopAndCheckQuiet();
    const logs = JSON.stringify(rt.logs);
    expect(rt.logs.length).toBeGreaterThan(5);
    expect(logs).not.toContain(fake.appSecret);
    expect(logs).not.toContain('ticket=');
    expect(logs).not.toContain('C0001');
    expect(logs).not.toContain('重连后');
    expect(fake.garbage).toEqual([]);
  });
});

describe('feishu long connection with a wrong App Secret', () => {
  it('start() rejects (the endpoint refuses the credentials) instead of hanging, and leaves no connection', async () => {
    const fake = await new FakeFeishu().start();
    try {
      const rt = testRuntime(feishu, channelCore(fake.env({ FEISHU_APP_SECRET: 'wrong-secret-123' })), script);
      const receiver = feishu.sockets!(rt)[0]!;
      await expect(receiver.start()).rejects.toThrow(/feishu long connection failed/);
      expect(fake.connects).toHaveLength(0);
      expect(rt.logs.some((l) => l.msg === 'feishu long connection failed')).toBe(true);
      expect(JSON.stringify(rt.logs)).not.toContain('wrong-secret-123');
      await receiver.stop();
    } finally {
      await fake.stop();
    }
  });
});
