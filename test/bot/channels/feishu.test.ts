import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { feishu } from '../../../bot/channels/feishu/index.js';
import type { IncomingMessage, SocketReceiver } from '../../../bot/channels/contract.js';
import { FileFetchError } from '../../../bot/files/fetch.js';
import { cardActionEvent, encodeFrame, FakeFeishu, messageEvent } from '../../helpers/fakes/feishu-server.js';
import { channelCore, testRuntime, type Scripted, type TestRuntime } from '../../helpers/fakes/feishu-runtime.js';

/** The pipeline, scripted: what each text or button press is answered with. */
function script(msg: IncomingMessage): Scripted {
  if (msg.buttonId === 'confirm:k1') return { replies: [{ text: '已停用客户 C0001\n操作人: 你' }] };
  if (msg.buttonId === 'approve:7') return { replies: [{ text: '已同意删除申请 #7' }], delayMs: 3300 };
  if (msg.buttonId === 'reject:8') return { replies: [], fail: true };
  if (msg.text === '停用 C0001') {
    return {
      replies: [
        {
          text: '确认停用客户 C0001?',
          title: '请确认',
          buttons: [
            { id: 'confirm:k1', text: '确认' },
            { id: 'cancel', text: '取消' },
          ],
        },
      ],
    };
  }
  if (msg.text === '坏了') return { replies: [], fail: true };
  return { replies: [{ text: `收到: ${msg.text}` }] };
}

describe('feishu long connection (WSClient against a fake Feishu)', () => {
  let fake: FakeFeishu;
  let rt: TestRuntime;
  let receiver: SocketReceiver;
  const lastSeen = () => rt.seen[rt.seen.length - 1]!;
  const textOf = (call: { body: Record<string, unknown> }) =>
    JSON.parse(String(call.body.content)) as Record<string, unknown>;

  beforeAll(async () => {
    fake = await new FakeFeishu().start();
    const core = channelCore(fake.env());
    rt = testRuntime(feishu, core, script);
    const receivers = feishu.sockets!(rt);
    expect(receivers).toHaveLength(1);
    receiver = receivers[0]!;
    await receiver.start();
  });

  afterAll(async () => {
    await receiver.stop();
    await fake.stop();
  });

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
    const ack = await fake.pushEvent(
      messageEvent({
        messageId: 'om_p2p1',
        openId: 'ou_alice',
        chatId: 'oc_p2p_alice',
        chatType: 'p2p',
        text: '查 C0001',
      }),
      { messageId: 'frame-1' },
    );
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

  it('confirmation: the card has 确认/取消 buttons with {id} values; a click is answered within 3 s with a toast and the card without buttons', async () => {
    await fake.pushEvent(
      messageEvent({
        messageId: 'om_del1',
        openId: 'ou_alice',
        chatId: 'oc_p2p_alice',
        chatType: 'p2p',
        text: '停用 C0001',
      }),
    );
    const sent = await fake.waitFor(() => fake.to('POST /open-apis/im/v1/messages/om_del1/reply')[0], 3000, 'card');
    expect(sent.body.msg_type).toBe('interactive');
    const card = textOf(sent) as {
      config: Record<string, unknown>;
      header: { title: { content: string } };
      elements: { tag: string; actions?: unknown[] }[];
    };
    expect(card.config.update_multi).toBe(true);
    expect(card.header.title.content).toBe('请确认');
    expect(card.elements.find((e) => e.tag === 'action')!.actions).toEqual([
      { tag: 'button', text: { tag: 'plain_text', content: '确认' }, type: 'primary', value: { id: 'confirm:k1' } },
      { tag: 'button', text: { tag: 'plain_text', content: '取消' }, type: 'default', value: { id: 'cancel' } },
    ]);
    const cardId = rt.sent[rt.sent.length - 1]!.result!.cardRef!;
    expect(cardId).toMatch(/^om_/);

    const pushed = Date.now();
    const ack = await fake.pushEvent(
      cardActionEvent({
        eventId: 'evt-click-1',
        openId: 'ou_alice',
        buttonId: 'confirm:k1',
        messageId: cardId,
        chatId: 'oc_p2p_alice',
      }),
    );
    expect(ack.at - pushed).toBeLessThan(3000);
    expect(ack.code).toBe(200);
    expect(ack.data).toEqual({
      toast: { type: 'success', content: '已停用客户 C0001' },
      card: {
        type: 'raw',
        data: {
          config: { wide_screen_mode: true, update_multi: true },
          elements: [{ tag: 'markdown', content: '已停用客户 C0001\n操作人: 你' }],
        },
      },
    });
    expect(lastSeen()).toMatchObject({
      messageKey: 'evt-click-1',
      userId: 'ou_alice',
      buttonId: 'confirm:k1',
      text: '',
      reply: { kind: 'message', messageId: cardId },
    });
  });

  it('a slow pipeline: the click gets 「处理中…」 at once, and the card is PATCHed to the outcome later', async () => {
    const { cardRef } = await feishu.send(
      rt.core,
      { kind: 'user', id: 'ou_boss' },
      {
        text: '申请删除客户 C0009',
        buttons: [
          { id: 'approve:7', text: '同意' },
          { id: 'reject:7', text: '拒绝' },
        ],
      },
      'approval-7',
    );
    const pushed = Date.now();
    const ack = await fake.pushEvent(
      cardActionEvent({ eventId: 'evt-click-2', openId: 'ou_boss', buttonId: 'approve:7', messageId: cardRef! }),
    );
    expect(ack.at - pushed).toBeLessThan(3000);
    expect(ack.data).toEqual({ toast: { type: 'info', content: '处理中…' } });
    const patch = await fake.waitFor(() => fake.to(`PATCH /open-apis/im/v1/messages/${cardRef}`)[0], 6000, 'patch');
    const card = textOf(patch) as { elements: { tag: string; content?: string }[] };
    expect(card.elements).toEqual([{ tag: 'markdown', content: '已同意删除申请 #7' }]);
    expect(JSON.parse(fake.messages.get(cardRef!)!.content)).toEqual(card);
  });

  it('a click whose pipeline fails gets an error toast, and the card stays', async () => {
    const ack = await fake.pushEvent(
      cardActionEvent({ eventId: 'evt-click-3', openId: 'ou_boss', buttonId: 'reject:8', messageId: 'om_whatever' }),
    );
    expect(ack.data).toEqual({ toast: { type: 'error', content: '处理失败, 请稍后再点一次' } });
  });

  it('a message whose handling fails (database) is acked with code 500, so Feishu redelivers it', async () => {
    const ack = await fake.pushEvent(
      messageEvent({
        messageId: 'om_fail1',
        openId: 'ou_alice',
        chatId: 'oc_p2p_alice',
        chatType: 'p2p',
        text: '坏了',
      }),
    );
    expect(ack.code).toBe(500);
  });

  it('a redelivered frame (same message id) is handed to the pipeline again with the same messageKey', async () => {
    const event = messageEvent({
      messageId: 'om_dup1',
      openId: 'ou_alice',
      chatId: 'oc_p2p_alice',
      chatType: 'p2p',
      text: '查 C0004',
    });
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

  it('malformed frames and events are ignored with a log line (acked where the SDK acks), and the connection keeps working', async () => {
    const before = rt.seen.length;
    fake.pushFrame(Buffer.from('not protobuf at all'));
    fake.pushFrame(
      encodeFrame({
        SeqID: 1,
        LogID: 1,
        service: 7,
        method: 1,
        headers: [
          { key: 'type', value: 'event' },
          { key: 'message_id', value: 'bad-json' },
          { key: 'sum', value: '1' },
          { key: 'seq', value: '0' },
        ],
        payload: Buffer.from('{not json'),
      }),
    );
    const wrongTypes = messageEvent({ messageId: 'om_x', openId: 'ou_x', chatId: 'oc_x', chatType: 'p2p', text: 'x' });
    const ev = wrongTypes.event as { sender: { sender_id: Record<string, unknown> }; message: Record<string, unknown> };
    ev.sender.sender_id.open_id = { evil: true };
    const acks = await Promise.all([
      fake.pushEvent(wrongTypes),
      fake.pushEvent({ schema: '2.0', header: { event_type: 'im.message.receive_v1' }, event: null }),
      fake.pushEvent({
        ...messageEvent({ messageId: 'om_y', openId: 'ou_y', chatId: 'oc_y', chatType: 'p2p' }),
        event: {
          sender: { sender_id: { open_id: 'ou_y' } },
          message: { message_id: 'om_y', chat_id: 'oc_y', chat_type: 'p2p', message_type: 'text', content: '{oops' },
        },
      }),
      fake.pushEvent({ schema: '2.0', header: { event_type: 'im.chat.member.bot.added_v1' }, event: {} }),
      fake.pushEvent({
        schema: '2.0',
        header: { event_id: 'e9', event_type: 'card.action.trigger' },
        event: { operator: { open_id: 'ou_x' }, action: { value: 'approve:1' } },
      }),
    ]);
    expect(acks.map((a) => a.code)).toEqual([200, 200, 200, 200, 200]);
    expect(acks[4]!.data).toEqual({ toast: { type: 'error', content: '无法识别这个按钮, 请重新发送命令' } });
    expect(rt.seen.length).toBe(before);
    expect(fake.acks.some((a) => a.messageId === 'bad-json')).toBe(false);
    expect(rt.logs.filter((l) => l.msg === 'feishu message ignored').length).toBeGreaterThanOrEqual(3);
    expect(rt.logs.some((l) => l.msg === 'feishu card action ignored')).toBe(true);
    await fake.pushEvent(
      messageEvent({
        messageId: 'om_after_bad',
        openId: 'ou_alice',
        chatId: 'oc_p2p_alice',
        chatType: 'p2p',
        text: '还在吗',
      }),
    );
    expect(lastSeen().messageKey).toBe('om_after_bad');
  });

  it('when the server drops the connection, the SDK fetches a new endpoint, reconnects, and messages flow again', async () => {
    const endpoints = fake.to('POST /callback/ws/endpoint').length;
    fake.disconnectAll();
    await fake.waitFor(() => fake.connects.length >= 2 && fake.connected === 1, 8000, 'reconnect');
    expect(fake.to('POST /callback/ws/endpoint').length).toBe(endpoints + 1);
    await fake.pushEvent(
      messageEvent({
        messageId: 'om_after_reconnect',
        openId: 'ou_alice',
        chatId: 'oc_p2p_alice',
        chatType: 'p2p',
        text: '重连后',
      }),
    );
    expect(lastSeen()).toMatchObject({ messageKey: 'om_after_reconnect', text: '重连后' });
  });

  it('after stop() the connection is closed, not re-opened, and nothing more is handled', async () => {
    await receiver.stop();
    await fake.waitFor(() => fake.connected === 0, 3000, 'close');
    const connects = fake.connects.length;
    const before = rt.seen.length;
    await new Promise((r) => setTimeout(r, 700));
    expect(fake.connects.length).toBe(connects);
    fake.pushFrame(Buffer.from('x'));
    expect(rt.seen.length).toBe(before);
  });

  it('logs carry neither the secret, the connect ticket, nor what users wrote', () => {
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
