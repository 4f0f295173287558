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

/** The ids every message event must carry, and its JSON content; or why the event is dropped. */
type Envelope =
  | { ok: true; message: Obj; messageId: string; openId: string; chatId: string; chatType: string; type: string }
  | { ok: false; reason: string };

/** The value at `keys` under `v`, stepping through objects only; undefined when a step is not one. */
function at(v: unknown, ...keys: string[]): unknown {
  let cur = v;
  for (const k of keys) {
    const o = obj(cur);
    if (!o) return undefined;
    cur = o[k];
  }
  return cur;
}

/** Reads the sender and message ids out of an event; only a user's message is answered. */
function messageEnvelope(data: unknown): Envelope {
  const message = obj(at(data, 'message'));
  const messageId = str(message?.message_id);
  const openId = str(at(data, 'sender', 'sender_id', 'open_id'));
  const chatId = str(message?.chat_id);
  const chatType = str(message?.chat_type);
  const type = str(message?.message_type);
  if (!message || !messageId || !openId || !chatId || !chatType || !type)
    return { ok: false, reason: 'message event without message_id/sender open_id/chat_id/chat_type/message_type' };
  const senderType = at(data, 'sender', 'sender_type');
  if (senderType !== undefined && senderType !== 'user')
    return { ok: false, reason: `sender_type ${String(senderType).slice(0, 20)}` };
  return { ok: true, message, messageId, openId, chatId, chatType, type };
}

/** The message's `content`, a JSON object in a string; null when it is not one. */
function jsonContent(message: Obj): Obj | null {
  try {
    return typeof message.content === 'string' ? obj(JSON.parse(message.content)) : null;
  } catch {
    return null;
  }
}

/** The `@_user_N` keys of the message's mentions. */
function mentionKeysOf(message: Obj): string[] {
  return Array.isArray(message.mentions)
    ? message.mentions.map((m) => str(obj(m)?.key)).filter((k): k is string => k !== null)
    : [];
}

/** im.message.receive_v1 → IncomingMessage (1:1, group @-mention, or a file). */
export function parseMessage(data: unknown, s: FeishuSettings, log: Logger): Parsed {
  const e = messageEnvelope(data);
  if (!e.ok) return e;
  const { messageId, type } = e;
  const content = jsonContent(e.message);
  if (!content) return { ok: false, reason: 'message content is not a JSON object' };
  const mentions = mentionKeysOf(e.message);
  const group = e.chatType !== 'p2p';
  // Feishu hands a bot group messages that @ it (unless the app holds the read-all permission); a
  // group message that mentions nobody was not addressed to the bot.
  if (group && mentions.length === 0) return { ok: false, reason: 'group message without an @-mention' };
  const msg: IncomingMessage = {
    channel: 'feishu',
    via: 'feishu',
    messageKey: messageId,
    userId: e.openId,
    chatType: group ? 'group' : 'direct',
    conversationId: e.chatId,
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
  const openId = str(at(data, 'operator', 'open_id'));
  const buttonId = str(at(data, 'action', 'value', 'id'));
  const cardMessageId = str(at(data, 'context', 'open_message_id'));
  // event_id is stable across redeliveries; the callback token (c-…) is the fallback for old payloads.
  const key = str(at(data, 'event_id')) ?? str(at(data, 'token'));
  if (!openId || !buttonId || !cardMessageId || !key)
    return { ok: false, reason: 'card action without operator open_id/action.value.id/open_message_id/event_id' };
  const chatId = str(at(data, 'context', 'open_chat_id'));
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
