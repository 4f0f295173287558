import { randomUUID } from 'node:crypto';
import type { FileAttachment, IncomingMessage, ReplyHandle } from '../contract.js';
import type { BotCallback as AibotBody } from './bot-callback.js';

/** How to answer a socket message later: a proactive push (aibot_send_msg) to the chat it came from. */
export interface AibotSocketHandle extends ReplyHandle {
  channel: 'wecom';
  kind: 'aibot-socket';
  botId: string;
  /** The callback's req_id: only good for the passive answer, within seconds. */
  reqId: string;
  /** Where aibot_send_msg goes: the group's chatid, or the user's userid in a 1:1 chat (SDK sendMessage). */
  chatId: string;
  msgId: string;
}

/** What a callback frame asks of the bot. */
export type Decoded =
  | { kind: 'message'; msg: IncomingMessage }
  | { kind: 'click'; msg: IncomingMessage; taskId: string | undefined }
  | { kind: 'welcome' }
  | { kind: 'superseded' }
  | { kind: 'ignored'; reason: string };

/** Drops the bot's leading @name (and any other leading mentions) from a group message. */
export function stripMentions(text: string): string {
  let s = text.replace(/[\u200b-\u200d\ufeff]/g, '').trim();
  while (/^@\S+\s/.test(s)) s = s.replace(/^@\S+\s+/, '');
  return /^@\S+$/.test(s) ? '' : s;
}

function textOf(body: AibotBody): string {
  if (body.msgtype === 'text') return body.text?.content ?? '';
  if (body.msgtype === 'voice') return body.voice?.content ?? '';
  // A mixed message (text + images, H2) carries its words in the text items.
  if (body.msgtype === 'mixed')
    return (body.mixed?.msg_item ?? [])
      .filter((i) => i.msgtype === 'text')
      .map((i) => i.text?.content ?? '')
      .join('\n');
  return '';
}

/** An event frame: the socket taken over, a chat entered, or a card click (with its task id). */
function decodeEvent(ev: NonNullable<AibotBody['event']>, base: Omit<IncomingMessage, 'text'>): Decoded {
  if (ev.eventtype === 'disconnected_event') return { kind: 'superseded' };
  if (ev.eventtype === 'enter_chat') return { kind: 'welcome' };
  if (ev.eventtype !== 'template_card_event') return { kind: 'ignored', reason: `event ${ev.eventtype}` };
  const key = ev.template_card_event?.event_key ?? ev.event_key;
  if (!key) return { kind: 'ignored', reason: 'card event without event_key' };
  return {
    kind: 'click',
    msg: { ...base, text: '', buttonId: key },
    taskId: ev.template_card_event?.task_id ?? ev.task_id,
  };
}

/**
 * Turns a checked callback body into what the bot must do. `file` builds the attachment for a file
 * message (the caller knows which hosts are allowed).
 */
export function decodeCallback(
  botId: string,
  reqId: string,
  body: AibotBody,
  file: (url: string, aeskey: string | undefined) => FileAttachment,
): Decoded {
  const chatType = body.chattype === 'group' ? 'group' : 'direct';
  const handle: AibotSocketHandle = {
    channel: 'wecom',
    kind: 'aibot-socket',
    botId,
    reqId,
    chatId: chatType === 'group' && body.chatid ? body.chatid : body.from.userid,
    msgId: body.msgid,
  };
  const base = {
    channel: 'wecom',
    via: 'wecom-socket',
    messageKey: body.msgid,
    userId: body.from.userid,
    chatType,
    ...(body.chatid ? { conversationId: body.chatid } : {}),
    reply: handle,
    correlationId: randomUUID(),
  } as const;
  if (body.msgtype === 'event') return decodeEvent(body.event!, base);
  if (body.msgtype === 'file') {
    if (!body.file) return { kind: 'ignored', reason: 'file message without file' };
    return { kind: 'message', msg: { ...base, text: '', file: file(body.file.url, body.file.aeskey) } };
  }
  if (!['text', 'mixed', 'voice'].includes(body.msgtype)) return { kind: 'ignored', reason: `msgtype ${body.msgtype}` };
  return { kind: 'message', msg: { ...base, text: stripMentions(textOf(body)) } };
}
