import type { Button, Reply } from '../contract.js';

/**
 * Feishu rendering. Text replies go as `text` messages; anything with buttons, links or a title
 * goes as an interactive card in message-card JSON 1.0 (`config`/`header`/`elements`, the format of
 * the SDK's own `messageCard.defaultCard`), whose `action` buttons carry a callback `value` that
 * comes back in `card.action.trigger` as `action.value`. Cards are sent with `update_multi: true`
 * (shared), which PATCH /open-apis/im/v1/messages/:id requires.
 */

export type Card = Record<string, unknown>;

/** What a message create/reply/patch call takes. */
export interface Content {
  msgType: 'text' | 'interactive';
  content: string;
}

/**
 * Data shown in chat (customer names, reasons) must not smuggle in an @-mention of everyone: the
 * `<at` tag is broken with a zero-width space; mentions come only from Reply.mentions.
 */
export function defang(text: string): string {
  return text.replace(/<(\/?)at/gi, '<$1\u200bat');
}

const validId = (id: string) => /^[A-Za-z0-9_-]{1,80}$/.test(id);

/** Mentions in a text message: `<at user_id="ou_…"></at>` (Feishu fills in the name). */
export function textMentions(ids: string[] = []): string {
  return ids
    .filter(validId)
    .map((id) => `<at user_id="${id}"></at>`)
    .join(' ');
}

/** Mentions in card markdown: `<at id=ou_…></at>`, the card syntax. */
export function cardMentions(ids: string[] = []): string {
  return ids
    .filter(validId)
    .map((id) => `<at id=${id}></at>`)
    .join(' ');
}

/** True when the reply needs a card (buttons, links or a title). */
export function needsCard(reply: Reply): boolean {
  return Boolean(reply.buttons?.length || reply.links?.length || reply.title);
}

function buttonType(b: Button): 'primary' | 'danger' | 'default' {
  if (/^(approve|confirm)/.test(b.id)) return 'primary';
  if (/^(deactivate)/.test(b.id)) return 'danger';
  return 'default';
}

/** Only https links (signed approval pages) become URL buttons. */
function safeLink(url: string): boolean {
  try {
    return new URL(url).protocol === 'https:' || /^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?\//.test(url);
  } catch {
    return false;
  }
}

function header(title: string | undefined, template: string): Card | undefined {
  return title ? { template, title: { tag: 'plain_text', content: defang(title).slice(0, 100) } } : undefined;
}

/** The card for a reply: markdown body (mentions first), then callback buttons and URL buttons. */
export function replyCard(reply: Reply): Card {
  const mentions = cardMentions(reply.mentions);
  const body = defang(reply.text);
  const elements: Card[] = [{ tag: 'markdown', content: mentions ? `${mentions}\n${body}` : body }];
  const actions: Card[] = [
    ...(reply.buttons ?? []).map((b) => ({
      tag: 'button',
      text: { tag: 'plain_text', content: b.text },
      type: buttonType(b),
      value: { id: b.id },
    })),
    ...(reply.links ?? [])
      .filter((l) => safeLink(l.url))
      .map((l) => ({ tag: 'button', text: { tag: 'plain_text', content: l.text }, type: 'default', url: l.url })),
  ];
  if (actions.length > 0) elements.push({ tag: 'action', actions });
  const h = header(reply.title, 'blue');
  return { config: { wide_screen_mode: true, update_multi: true }, ...(h ? { header: h } : {}), elements };
}

/** The card after a decision: the outcome text, no buttons, so nobody can press them again. */
export function outcomeCard(text: string, title?: string): Card {
  const h = header(title, 'grey');
  return {
    config: { wide_screen_mode: true, update_multi: true },
    ...(h ? { header: h } : {}),
    elements: [{ tag: 'markdown', content: defang(text) }],
  };
}

/** What replaces a clicked card: the reply's own card when it asks again (buttons), else its outcome. */
export function cardAfterClick(reply: Reply): Card {
  return reply.buttons?.length ? replyCard(reply) : outcomeCard(reply.text, reply.title);
}

/** A reply as message content: `text`, or `interactive` when it needs a card. */
export function renderReply(reply: Reply): Content {
  if (needsCard(reply)) return { msgType: 'interactive', content: JSON.stringify(replyCard(reply)) };
  const mentions = textMentions(reply.mentions);
  const body = defang(reply.text);
  return { msgType: 'text', content: JSON.stringify({ text: mentions ? `${mentions} ${body}` : body }) };
}

/** A short toast from a reply: its first line, cut to fit the toast. */
export function toastText(reply: Reply | undefined): string {
  const line =
    (reply?.text ?? '')
      .split('\n')
      .find((l) => l.trim())
      ?.trim() ?? '已处理';
  return line.length > 40 ? `${line.slice(0, 39)}…` : line;
}
