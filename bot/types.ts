import type { Door } from '../models/index.js';

/** Whose user ids a message carries: WeCom's or DingTalk's. */
export type IdentityDoor = 'wecom' | 'dingtalk';
/** How the message arrived. */
export type Via = 'wecom-app' | 'wecom-bot' | 'dingtalk' | 'console';

/** One chat message or button press, after its door verified and decoded it. */
export interface IncomingMessage {
  door: IdentityDoor;
  via: Via;
  /** Dedupe key: WeCom MsgId (string), FromUserName+CreateTime for events, DingTalk msgId. */
  messageKey: string;
  userId: string;
  userName?: string;
  chatType: 'direct' | 'group';
  conversationId?: string;
  text: string;
  /** The id of a pressed button, when this is a click. */
  buttonId?: string;
  /** Door-specific reply context (e.g. DingTalk sessionWebhook). */
  replyVia?: { sessionWebhook?: string; sessionWebhookExpiresAt?: number; responseUrl?: string };
  /** A file the user sent (then `text` is empty); fetched only when the pipeline asks for it. */
  file?: FileAttachment;
}

/**
 * A file in a chat message. Messenger URLs and download codes are short-lived, so the door hands
 * over a way to fetch the bytes rather than the bytes; nothing past the door knows how.
 */
export interface FileAttachment {
  /** The name as sent, when the messenger tells it up front (DingTalk, WeCom app); else null. */
  name: string | null;
  /** True when the door can wait for slow work (the console); messengers get an answer at once. */
  patient?: boolean;
  /** The decrypted bytes, at most `maxBytes`; throws FileFetchError. May learn the name on the way. */
  download(maxBytes: number): Promise<{ data: Buffer; name: string | null }>;
}

export interface Button {
  id: string;
  text: string;
}

/** What the bot says; each door renders it in its own format. */
export interface Reply {
  text: string;
  title?: string;
  buttons?: Button[];
  /** Chat user ids (on the message's door) to @-mention. */
  mentions?: string[];
  /** For DingTalk group cards: buttons that open URLs (signed approval pages). */
  links?: { text: string; url: string }[];
}

/** The audit door for a message: the console counts as the CLI. */
export function auditDoor(via: Via, door: IdentityDoor): Door {
  return via === 'console' ? 'cli' : door;
}
