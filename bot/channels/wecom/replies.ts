import type { Reply } from '../contract.js';
import { joinReplies } from '../../http-door.js';

/*
 * Every WeCom message body the bot renders, in one place: the app's card, the AI bot's passive
 * answers (HTTP callback and long connection alike), its card updates, response_url and push
 * messages, and the group webhook's markdown.
 */

/** What a user sees on the bot's first 1:1 visit of the day (enter_chat). */
export const WELCOME_TEXT = '您好，我是客户管家。发送「帮助」查看全部命令';
/** The answer when the pipeline is slower than the passive-reply window; the result follows by push. */
export const PENDING_TEXT = '处理中，结果稍后发送…';
/** The answer when the pipeline failed (the database, not the input). */
export const FAILED_TEXT = '系统繁忙，请稍后重试';

type Json = Record<string, unknown>;

/** Cuts `s` to at most `max` UTF-8 bytes without splitting a character, marking the cut. */
export function truncateBytes(s: string, max: number): string {
  if (Buffer.byteLength(s) <= max) return s;
  let out = '';
  for (const ch of s) {
    if (Buffer.byteLength(out + ch) > max - 3) break;
    out += ch;
  }
  return `${out}…`;
}

/** A template card's task_id: [0-9a-zA-Z_@-], at most 128 bytes. */
const cleanTaskId = (task: string) => task.replace(/[^0-9a-zA-Z_@-]/g, '_').slice(0, 128);

/** The task_id of a card derived from `seed` (a message id): a redelivery reuses it. */
export function taskId(seed: string): string {
  return cleanTaskId(`steward-${seed}`);
}

/** A button_interaction card (at most 6 buttons, the first highlighted). */
export function buttonCard(task: string, reply: Reply, text: string): Json {
  return {
    card_type: 'button_interaction',
    task_id: cleanTaskId(task),
    main_title: { title: (reply.title ?? '客户管家').slice(0, 26) },
    sub_title_text: truncateBytes(text, 1000),
    button_list: reply
      .buttons!.slice(0, 6)
      .map((b, i) => ({ text: b.text.slice(0, 10), style: i === 0 ? 1 : 2, key: b.id })),
  };
}

/** Markdown with link buttons as links and `<@userid>` mentions, cut to `maxBytes`. */
export function markdownBody(reply: Reply, maxBytes: number): Json {
  const mentions = (reply.mentions ?? []).map((u) => `<@${u}>`).join(' ');
  const links = (reply.links ?? []).map((l) => `[${l.text}](${l.url})`).join('  ');
  const content = [reply.title ? `**${reply.title}**` : '', reply.text, links, mentions].filter(Boolean).join('\n');
  return { msgtype: 'markdown', markdown: { content: truncateBytes(content, maxBytes) } };
}

/** The AI bot's passive answer to a message: a finished stream, or a button card. */
export function respondBody(msgid: string, replies: Reply[]): Json {
  const withButtons = replies.find((r) => r.buttons?.length);
  const text = truncateBytes(joinReplies(replies), 20_000);
  if (withButtons) return { msgtype: 'template_card', template_card: buttonCard(taskId(msgid), withButtons, text) };
  return streamBody(msgid, text);
}

/** A finished stream message; the stream id is derived from the message, so a redelivery reuses it. */
export function streamBody(msgid: string, content: string): Json {
  return { msgtype: 'stream', stream: { id: taskId(msgid), finish: true, content } };
}

/**
 * The answer to a card click (path/101031 回复消息更新模板卡片): the clicker's card shows the
 * outcome and its only button is greyed out with `replace_text`, so it cannot be pressed again.
 */
export function cardUpdateBody(userid: string, msgid: string, task: string | undefined, replies: Reply[]): Json {
  const first = replies[0]!;
  const outcome = (first.title ?? first.text.split('\n')[0] ?? '已处理').slice(0, 10) || '已处理';
  return doneCard(
    userid,
    task || taskId(msgid),
    first.title ?? '客户管家',
    truncateBytes(joinReplies(replies), 1000),
    outcome,
  );
}

/** A neutral card update sent while the pipeline is still working (the 5 s window must not pass unanswered). */
export function pendingCardBody(userid: string, msgid: string, task: string | undefined): Json {
  return doneCard(userid, task || taskId(msgid), '客户管家', PENDING_TEXT, '处理中');
}

function doneCard(userid: string, task: string, title: string, text: string, outcome: string): Json {
  return {
    response_type: 'update_template_card',
    userids: [userid],
    template_card: {
      card_type: 'button_interaction',
      task_id: cleanTaskId(task),
      main_title: { title: title.slice(0, 26) },
      sub_title_text: text,
      button_list: [{ text: outcome, style: 2, key: 'steward-done' }],
      replace_text: outcome,
    },
  };
}

/** The welcome answer to enter_chat (aibot_respond_welcome_msg, within 5 s). */
export function welcomeBody(): Json {
  return { msgtype: 'text', text: { content: WELCOME_TEXT } };
}

/**
 * A message that is not a passive answer (a response_url, or aibot_send_msg without the chatid the
 * SDK adds): a button card, or markdown. `task` is the card's task_id (stable per outbox row).
 */
export function pushBody(reply: Reply, task: string, maxBytes: number): Json {
  if (reply.buttons?.length) return { msgtype: 'template_card', template_card: buttonCard(task, reply, reply.text) };
  return markdownBody(reply, maxBytes);
}
