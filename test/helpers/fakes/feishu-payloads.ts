import crypto from 'node:crypto';

/** A schema 2.0 im.message.receive_v1 payload as Feishu pushes it. */
export function messageEvent(o: {
  messageId: string;
  openId: string;
  chatId: string;
  chatType: 'p2p' | 'group';
  text?: string;
  messageType?: string;
  content?: Record<string, unknown>;
  mentions?: { key: string; openId: string; name: string }[];
  eventId?: string;
}): Record<string, unknown> {
  return {
    schema: '2.0',
    header: {
      event_id: o.eventId ?? crypto.randomUUID(),
      token: 'v-token',
      create_time: String(Date.now()),
      event_type: 'im.message.receive_v1',
      tenant_key: 'tk',
      app_id: 'cli_a1b2c3d4e5f60718',
    },
    event: {
      sender: {
        sender_id: { union_id: 'on_u1', user_id: 'u1', open_id: o.openId },
        sender_type: 'user',
        tenant_key: 'tk',
      },
      message: {
        message_id: o.messageId,
        create_time: String(Date.now()),
        chat_id: o.chatId,
        chat_type: o.chatType,
        message_type: o.messageType ?? 'text',
        content: JSON.stringify(o.content ?? { text: o.text ?? '' }),
        mentions: (o.mentions ?? []).map((m) => ({
          key: m.key,
          id: { open_id: m.openId, union_id: 'on_x', user_id: 'ux' },
          name: m.name,
          tenant_key: 'tk',
        })),
      },
    },
  };
}

/** A schema 2.0 card.action.trigger payload for a button whose value is {id}. */
export function cardActionEvent(o: {
  eventId: string;
  openId: string;
  buttonId: string;
  messageId: string;
  chatId?: string;
}): Record<string, unknown> {
  return {
    schema: '2.0',
    header: {
      event_id: o.eventId,
      token: 'v-token',
      create_time: String(Date.now()),
      event_type: 'card.action.trigger',
      tenant_key: 'tk',
      app_id: 'cli_a1b2c3d4e5f60718',
    },
    event: {
      operator: { tenant_key: 'tk', open_id: o.openId, union_id: 'on_x' },
      token: `c-${o.eventId}`,
      action: { value: { id: o.buttonId }, tag: 'button' },
      host: 'im_message',
      context: { open_message_id: o.messageId, open_chat_id: o.chatId ?? 'oc_chat1' },
    },
  };
}
