import crypto from 'node:crypto';
import type { Logger } from '../../../core/logger.js';
import type { IncomingMessage } from '../contract.js';
import type { FeishuSettings } from './config.js';
import { feishuFile } from './files.js';

/**
 * Turns the SDK's parsed events (header and event fields merged into one object, schema 2.0) into
 * IncomingMessage. Users are identified by `open_id`: it comes with every event without the extra
 * "获取用户 user ID" permission, and it is what receive_id_type=open_id and `<at user_id>` take, so
 * operator_identities rows for channel 'feishu' hold open_ids (ou_…, one per app).
 */

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | null => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : null);
const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 && v.length <= 256 ? v : null);

/** Why an event was dropped, for one log line. */
export type Parsed = { ok: true; msg: IncomingMessage } | { ok: false; reason: string };

const correlation = () => `fs-${crypto.randomUUID().slice(0, 13)}`;

/** The text of a `text` or `post` message, with the `@_user_N` mention keys taken out. */
export function messageText(type: string, content: Obj, mentionKeys: string[]): string {
  let text = '';
  if (type === 'text') text = typeof content.text === 'string' ? content.text : '';
  if (type === 'post') {
    // A received post is {title, content: [[{tag:'text', text}, {tag:'at', user_id:'@_user_1'}…]…]}.
    const rows = Array.isArray(content.content) ? content.content : [];
    text = rows
      .map((row) =>
        Array.isArray(row)
          ? row
              .map((el) => {
                const e = obj(el);
                return e && (e.tag === 'text' || e.tag === 'a') && typeof e.text === 'string' ? e.text : '';
              })
              .join('')
          : '',
      )
      .join('\n');
  }
  // Longest first: '@_user_1' is a prefix of '@_user_10'.
  for (const key of [...mentionKeys].sort((a, b) => b.length - a.length)) text = text.split(key).join(' ');
  return text
    .replace(/@_user_\d+/g, ' ')
    .replace(/[ \t\u00a0]+/g, ' ')
    .replace(/ *\n */g, '\n')
    .trim();
}

/** im.message.receive_v1 → IncomingMessage (1:1, group @-mention, or a file). */
export function parseMessage(data: unknown, s: FeishuSettings, log: Logger): Parsed {
  const d = obj(data);
  const sender = obj(d?.sender);
  const senderId = obj(sender?.sender_id);
  const message = obj(d?.message);
  const messageId = str(message?.message_id);
  const openId = str(senderId?.open_id);
  const chatId = str(message?.chat_id);
  const chatType = str(message?.chat_type);
  const type = str(message?.message_type);
  if (!message || !messageId || !openId || !chatId || !chatType || !type)
    return { ok: false, reason: 'message event without message_id/sender open_id/chat_id/chat_type/message_type' };
  if (sender?.sender_type !== undefined && sender.sender_type !== 'user')
    return { ok: false, reason: `sender_type ${String(sender.sender_type).slice(0, 20)}` };
  let content: Obj | null = null;
  try {
    content = typeof message.content === 'string' ? obj(JSON.parse(message.content)) : null;
  } catch {
    content = null;
  }
  if (!content) return { ok: false, reason: 'message content is not a JSON object' };
  const mentions = Array.isArray(message.mentions)
    ? message.mentions.map((m) => str(obj(m)?.key)).filter((k): k is string => k !== null)
    : [];
  const group = chatType !== 'p2p';
  // Feishu hands a bot group messages that @ it (unless the app holds the read-all permission); a
  // group message that mentions nobody was not addressed to the bot.
  if (group && mentions.length === 0) return { ok: false, reason: 'group message without an @-mention' };
  const msg: IncomingMessage = {
    channel: 'feishu',
    via: 'feishu',
    messageKey: messageId,
    userId: openId,
    chatType: group ? 'group' : 'direct',
    conversationId: chatId,
    text: messageText(type, content, mentions),
    reply: { channel: 'feishu', kind: 'message', messageId },
    correlationId: correlation(),
  };
  if (type === 'file') {
    const fileKey = str(content.file_key);
    if (!fileKey) return { ok: false, reason: 'file message without file_key' };
    msg.text = '';
    msg.file = feishuFile(s, log, messageId, fileKey, str(content.file_name));
  }
  return { ok: true, msg };
}

/** What a click carries besides the message: the card to update. */
export interface Click {
  msg: IncomingMessage;
  /** The card's message id (context.open_message_id). */
  cardMessageId: string;
}

/** card.action.trigger → IncomingMessage with buttonId from `action.value.id` (set by render.ts). */
export function parseCardAction(data: unknown): { ok: true; click: Click } | { ok: false; reason: string } {
  const d = obj(data);
  const operator = obj(d?.operator);
  const action = obj(d?.action);
  const value = obj(action?.value);
  const context = obj(d?.context);
  const openId = str(operator?.open_id);
  const buttonId = str(value?.id);
  const cardMessageId = str(context?.open_message_id);
  // event_id is stable across redeliveries; the callback token (c-…) is the fallback for old payloads.
  const key = str(d?.event_id) ?? str(d?.token);
  if (!openId || !buttonId || !cardMessageId || !key)
    return { ok: false, reason: 'card action without operator open_id/action.value.id/open_message_id/event_id' };
  const chatId = str(context?.open_chat_id);
  const msg: IncomingMessage = {
    channel: 'feishu',
    via: 'feishu',
    messageKey: key,
    userId: openId,
    // The click does not say whether the card sits in a group or a 1:1 chat. 'direct' keeps the
    // runtime from remembering a 1:1 chat as the team group; the answer goes to the card's chat anyway.
    chatType: 'direct',
    ...(chatId ? { conversationId: chatId } : {}),
    text: '',
    buttonId,
    reply: { channel: 'feishu', kind: 'message', messageId: cardMessageId },
    correlationId: correlation(),
  };
  return { ok: true, click: { msg, cardMessageId } };
}
