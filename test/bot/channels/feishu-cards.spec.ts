// The Feishu long connection: card clicks, and malformed frames and events.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { feishu } from '../../../bot/channels/feishu/index.js';
import type { SocketReceiver } from '../../../bot/channels/contract.js';
import { cardActionEvent, encodeFrame, FakeFeishu, messageEvent } from '../../helpers/fakes/feishu-server.js';
import type { TestRuntime } from '../../helpers/fakes/feishu-runtime.js';
import { p2p, startWsChannel, stopWsChannel, textOf } from './feishu-ws.js';

/** An event frame whose payload is not JSON. */
function badJsonFrame(): Buffer {
  return encodeFrame({
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
  });
}

describe('feishu long connection (WSClient against a fake Feishu): a confirmation card clicked', () => {
  let fake: FakeFeishu, rt: TestRuntime, receiver: SocketReceiver;
  beforeAll(async () => {
    ({ fake, rt, receiver } = await startWsChannel());
  });
  afterAll(async () => stopWsChannel(fake, receiver));
  const lastSeen = () => rt.seen[rt.seen.length - 1]!;

  it('confirmation: the card has 确认/取消 buttons with {id} values; a click is answered within 3 s with a toast and the card without buttons', async () => {
    await fake.pushEvent(p2p('om_del1', '停用 C0001'));
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
});

describe('feishu long connection (WSClient against a fake Feishu): slow and failing clicks', () => {
  let fake: FakeFeishu, rt: TestRuntime, receiver: SocketReceiver;
  beforeAll(async () => {
    // A click deadline of 0.3 s instead of CARD_DEADLINE_MS's 2.5 s: approve:7's 0.8 s of work is slow.
    ({ fake, rt, receiver } = await startWsChannel({ fastReplyMs: 300 }));
  });
  afterAll(async () => stopWsChannel(fake, receiver));

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
});

describe('feishu long connection (WSClient against a fake Feishu): malformed frames and events', () => {
  let fake: FakeFeishu, rt: TestRuntime, receiver: SocketReceiver;
  beforeAll(async () => {
    ({ fake, rt, receiver } = await startWsChannel());
  });
  afterAll(async () => stopWsChannel(fake, receiver));
  const lastSeen = () => rt.seen[rt.seen.length - 1]!;

  it('malformed frames and events are ignored with a log line (acked where the SDK acks), and the connection keeps working', async () => {
    const before = rt.seen.length;
    fake.pushFrame(Buffer.from('not protobuf at all'));
    fake.pushFrame(badJsonFrame());
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
    await fake.pushEvent(p2p('om_after_bad', '还在吗'));
    expect(lastSeen().messageKey).toBe('om_after_bad');
  });
});
