import type Router from '@koa/router';
import type { Transaction } from 'sequelize';
import type { Core } from '../../core/context.js';
import type { Logger } from '../../core/logger.js';

/**
 * The one contract every messenger implements (as Slack's Bolt does with receivers and
 * `respond()`). Everything outside `bot/channels/<vendor>/` talks to a messenger only through
 * this file: the pipeline, commands, notifier, dispatcher and jobs never name a vendor.
 */

/** A channel's id: its folder name, its identity namespace (operator_identities.channel) and its outbox door. */
export type ChannelId = string;

/**
 * How to answer one message later: a passive reply, a `response_url`, a sessionWebhook, a Feishu
 * message id... Opaque to everyone but the channel that made it. It must survive JSON (it is
 * stored in outbox rows), and it holds only what the channel itself checked (e.g. a URL already
 * verified to be on the vendor's own host).
 */
export interface ReplyHandle {
  channel: ChannelId;
  kind: string;
  /** The handle answers once (a WeCom AI bot response_url): all late replies go as one message. */
  once?: boolean;
  [field: string]: unknown;
}

export interface Button {
  id: string;
  text: string;
}

/** What the bot says; each channel renders it in its own format. */
export interface Reply {
  text: string;
  title?: string;
  buttons?: Button[];
  /** External user ids on the target's channel to @-mention. */
  mentions?: string[];
  /** Buttons that open URLs (signed approval pages), for channels whose group cards cannot call back. */
  links?: { text: string; url: string }[];
}

/**
 * A file in a chat message. Messenger URLs and download codes are short-lived, so the channel hands
 * over a way to fetch the bytes rather than the bytes; nothing past the channel knows how.
 */
export interface FileAttachment {
  /** The name as sent, when the messenger tells it up front; else null. */
  name: string | null;
  /** True when the door can wait for slow work (the console); messengers get an answer at once. */
  patient?: boolean;
  /** The bytes, at most `maxBytes`; throws FileFetchError. May learn the name on the way. */
  download(maxBytes: number): Promise<{ data: Buffer; name: string | null }>;
}

/** One chat message or button press, after its channel verified and decoded it. */
export interface IncomingMessage {
  /** The channel whose user ids the message carries ('console' speaks as one of them). */
  channel: ChannelId;
  /** How it arrived, for logs and dedupe: e.g. 'wecom-app', 'wecom-bot', 'dingtalk-stream', 'feishu', 'console'. */
  via: string;
  /** Dedupe key, unique per `via` (the vendor's message id, or event id for clicks). */
  messageKey: string;
  /** The sender's external id on `channel`. */
  userId: string;
  userName?: string;
  chatType: 'direct' | 'group';
  /** The vendor's chat id, for group messages (and 1:1 where the vendor has one). */
  conversationId?: string;
  text: string;
  /** The id of a pressed button, when this is a click. */
  buttonId?: string;
  /** How to answer later; absent when only sendToUser/sendToGroup can reach the sender. */
  reply?: ReplyHandle;
  /** A file the user sent (then `text` is empty); fetched only when the pipeline asks for it. */
  file?: FileAttachment;
  /** The correlation id carried by every log line about this message, door to core and back. */
  correlationId: string;
  /**
   * The door cannot rule out a byte-identical replay (its signature does not cover the body, as
   * DingTalk's HTTP robot): the pipeline then never skips the dedupe record, read-only commands too.
   */
  replayable?: boolean;
}

/** Where an outbound message goes. */
export type Target =
  | { kind: 'user'; id: string }
  /** A group chat by the vendor's id; 'default' = the channel's configured/remembered team group. */
  | { kind: 'group'; id: string }
  | { kind: 'reply'; handle: ReplyHandle };

/** What a send returns: a handle for updating the card later, when the vendor gives one. */
export interface SendResult {
  cardRef?: string | null;
}

/** Thrown by send/updateCard: `retryable` false means retrying cannot help (bad target, 4xx). */
export class ChannelSendError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'ChannelSendError';
  }
}

/** What a channel can do, for the notifier's choices and the README doors table. */
export interface Capabilities {
  /** Receiving modes, e.g. ['http'] or ['stream', 'http']. */
  modes: string[];
  /** Cards with buttons that call back (approve/reject in chat). */
  buttons: boolean;
  /** Can update a sent card (grey out buttons after a decision). */
  updateCard: boolean;
  /** Can push to a group on its own (notices, digests). */
  groupPush: boolean;
  /** Receives files (import by file). */
  files: boolean;
}

/** A long connection. Exactly one instance holds it at a time (the runtime wraps it in a lease). */
export interface SocketReceiver {
  /** The lease name, unique across channels, e.g. 'dingtalk-stream:<clientId>'. */
  name: string;
  /** Connects and starts delivering messages to `rt.handle`; resolves once connected. */
  start(): Promise<void>;
  /** Disconnects; no message is handled after it resolves. */
  stop(): Promise<void>;
}

/** What the runtime gives a channel. */
export interface ChannelRuntime {
  core: Core;
  /** Child logger with `channel` bound. */
  log: Logger;
  /**
   * Runs the pipeline for one message (dedupe, operator, command, core). `replies` is empty for a
   * duplicate delivery. Never throws for bad input; throws only when the database failed (then the
   * claim was released, so the vendor's retry is answered).
   */
  handle(msg: IncomingMessage): Promise<{ replies: Reply[]; duplicate: boolean }>;
  /** Queues replies for later sending through the outbox (to msg.reply, else to the sender). */
  replyLater(msg: IncomingMessage, replies: Reply[]): Promise<void>;
  /** Wakes the outbox dispatcher. */
  kick(): void;
  /**
   * How long a messenger's request (a webhook, a card click) waits for the pipeline before it is
   * acknowledged and answered later: each door's own limit (FAST_REPLY_MS, Feishu's
   * CARD_DEADLINE_MS) unless this is set, as tests of late answers do.
   */
  fastReplyMs?: number;
  /** How soon a dropped long connection tries again: the SDK's own interval unless this is set, as tests of reconnects do. */
  reconnectMs?: number;
}

/** A channel's config: its own env block, validated at start-up. */
export interface ChannelConfig {
  /** True when enough is configured to run this channel at all. */
  enabled: boolean;
  /** Chinese messages naming each bad variable and what it should be; non-empty stops start-up. */
  problems: string[];
}

/** A messenger. One folder under bot/channels/, one line in bot/channels/registry.ts. */
export interface Channel {
  id: ChannelId;
  /** The Chinese name users see: 企业微信, 钉钉, 飞书. */
  label: string;
  capabilities: Capabilities;
  /**
   * Reads and validates its own env block (FEISHU_*, DINGTALK_*...). Pure; the runtime calls it at
   * start-up with `core.config.env`, and refuses to start on problems. Vendor keys live here, not in
   * core/config.ts; the channel's other methods read the same block from `core.config.env`.
   */
  configure(env: Record<string, string | undefined>): ChannelConfig;
  /** HTTP receivers (callbacks, URL checks), mounted under /webhooks/<id>... */
  routes?(router: Router, rt: ChannelRuntime): void;
  /** Long connections to hold (each under its own lease). */
  sockets?(rt: ChannelRuntime): SocketReceiver[];
  /** Sends one message. `key` is stable across retries of the same outbox row (for vendor dedupe). */
  send(core: Core, target: Target, reply: Reply, key: string): Promise<SendResult>;
  /** Replaces a card sent earlier (its SendResult.cardRef) with the outcome text, buttons gone. */
  updateCard?(core: Core, cardRef: string, userId: string, text: string): Promise<void>;
  /** Whether `target` can be sent to now (e.g. a sessionWebhook not yet expired). Default true. */
  reachable?(core: Core, target: Target): boolean;
}

/** Transaction-aware queueing, for callers outside bot/ that must not know the notifier. */
export type QueueOptions = { ref?: string | null; transaction?: Transaction };
