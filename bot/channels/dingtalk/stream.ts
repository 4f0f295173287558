import { randomUUID } from 'node:crypto';
import type { DWClientDownStream, EventAck } from 'dingtalk-stream';
import type { Logger } from '../../../core/logger.js';
import type { ChannelRuntime, IncomingMessage, Reply, SocketReceiver } from '../contract.js';
import { cardUpdateResponse, updateInteractiveCard } from './interactive-card.js';
import { parseRobotCallback, robotMessage } from './callback.js';
import { cardMessage, parseCardCallback } from './card-callback.js';
import { settingsOf } from './config.js';
import type { StreamClient } from './stream-client.js';

/** How long a card press may wait for the pipeline so the ack itself updates the card. */
const CLICK_WINDOW_MS = 2000;
/** A pipeline that failed on the database is tried once more after this (the frame is acked already). */
const RETRY_MS = 1000;

export interface StreamReceiverOptions {
  /** Overrides CLICK_WINDOW_MS (tests). */
  clickWindowMs?: number;
}

/** The DingTalk Stream mode long connection, when the app robot's credentials are configured. */
export function dingtalkStreamReceivers(rt: ChannelRuntime): SocketReceiver[] {
  const s = settingsOf(rt.core);
  return s.appKey && s.appSecret ? [createStreamReceiver(rt)] : [];
}

/** The first reply's title or first line, short: what a pressed card shows in place of its buttons. */
function outcomeOf(replies: Reply[]): string | null {
  const first = replies[0];
  if (!first) return null;
  const line = first.title ?? first.text.split('\n').find((l) => l.trim()) ?? '已处理';
  return line.trim().slice(0, 60);
}

/** Waits for a card press's pipeline at most `ms`: its outcome, or null when the window closed first. */
async function withinWindow<T>(work: Promise<T>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<null>((r) => (timer = setTimeout(() => r(null), ms)));
  const first = await Promise.race([work, late]);
  clearTimeout(timer);
  return first;
}

/**
 * One receiver, `dingtalk-stream:<AppKey>`, on the official SDK's DWClient. Robot messages are
 * acked at once and answered later through the outbox (the sessionWebhook, by the channel's send).
 * A card press waits up to 2 s for the pipeline so its ack updates the card; later answers update
 * it through the OpenAPI.
 */
export function createStreamReceiver(rt: ChannelRuntime, opts: StreamReceiverOptions = {}): SocketReceiver {
  return new StreamReceiver(rt, opts.clickWindowMs ?? CLICK_WINDOW_MS);
}

class StreamReceiver implements SocketReceiver {
  readonly name: string;
  private readonly s: ReturnType<typeof settingsOf>;
  private readonly log: Logger;
  private client: StreamClient | null = null;
  // The SDK (and our client on it) load with the first start(): a start without DingTalk never needs them.
  private success: EventAck | undefined;

  constructor(
    private readonly rt: ChannelRuntime,
    private readonly clickWindow: number,
  ) {
    this.s = settingsOf(rt.core);
    this.name = `dingtalk-stream:${this.s.appKey ?? ''}`;
    this.log = rt.log.child({ receiver: this.name });
  }

  private async deliver(msg: IncomingMessage, replies: Reply[], mlog: Logger): Promise<void> {
    if (!replies.length) return;
    try {
      await this.rt.replyLater(msg, replies);
      this.rt.kick();
    } catch (err) {
      mlog.error({ err, messageKey: msg.messageKey }, 'dingtalk stream: queueing the reply failed');
    }
  }

  private async onRobot(c: StreamClient, frame: DWClientDownStream): Promise<void> {
    const messageId = frame.headers.messageId;
    // Robot messages are fire-and-forget on DingTalk's side; the ack only stops redelivery.
    c.ack(messageId, this.success);
    const parsed = parseRobotCallback(frame.data);
    if (!parsed.ok) {
      this.log.warn({ messageId, reason: parsed.reason }, 'dingtalk stream robot frame ignored');
      return;
    }
    // The frame came over our own authenticated socket: a replay is not the concern it is over HTTP.
    const { msg, sessionIgnored } = robotMessage(this.rt.core, parsed.body, {
      via: 'dingtalk-stream',
      correlationId: randomUUID(),
      replayable: false,
    });
    const mlog = this.log.child({ correlationId: msg.correlationId });
    if (sessionIgnored)
      mlog.warn(
        { msgId: msg.messageKey },
        'sessionWebhook outside DingTalk ignored; the answer goes through the OpenAPI',
      );
    mlog.info(
      { msgId: msg.messageKey, chatType: msg.chatType, msgtype: parsed.body.msgtype },
      'dingtalk stream message',
    );
    await this.handleRobot(c, msg, mlog);
  }

  /** Runs a robot message, once more after RETRY_MS when the pipeline failed (the frame is acked already). */
  private async handleRobot(c: StreamClient, msg: IncomingMessage, mlog: Logger): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await this.rt.handle(msg);
        if (!result.duplicate) await this.deliver(msg, result.replies, mlog);
        return;
      } catch (err) {
        if (attempt >= 2 || this.client !== c) {
          mlog.error({ err, msgId: msg.messageKey }, 'dingtalk stream message failed');
          return;
        }
        await new Promise((r) => setTimeout(r, RETRY_MS));
      }
    }
  }

  private async onCard(c: StreamClient, frame: DWClientDownStream): Promise<void> {
    const messageId = frame.headers.messageId;
    const parsed = parseCardCallback(frame.data);
    if (!parsed.ok) {
      c.ack(messageId, {});
      this.log.warn({ messageId, reason: parsed.reason }, 'dingtalk stream card callback ignored');
      return;
    }
    const msg = cardMessage(parsed.body, randomUUID());
    const mlog = this.log.child({ correlationId: msg.correlationId });
    mlog.info({ messageKey: msg.messageKey }, 'dingtalk stream card press');
    const work = this.rt.handle(msg).then(
      (r) => ({ r }),
      (err: unknown) => ({ err }),
    );
    const first = await withinWindow(work, this.clickWindow);
    // Too slow for the ack to carry the update: ack now (DingTalk redelivers un-acked callbacks).
    if (!first) c.ack(messageId, {});
    const done = first ?? (await work);
    if ('err' in done) {
      // Within the window the frame is still un-acked: DingTalk redelivers it, and the released claim lets it through.
      mlog.error(
        { err: done.err, messageKey: msg.messageKey, redelivered: Boolean(first) },
        'dingtalk stream card press failed',
      );
      return;
    }
    const outcome = done.r.duplicate ? null : outcomeOf(done.r.replies);
    if (first) c.ack(messageId, outcome ? cardUpdateResponse(outcome) : {});
    else if (outcome) {
      await updateInteractiveCard(this.rt.core, parsed.body.outTrackId, outcome).catch((err: unknown) =>
        mlog.warn({ err: (err as Error).message }, 'dingtalk card update failed'),
      );
    }
    // The card shows a short outcome to everyone in the chat; the full answer goes to the presser.
    if (!done.r.duplicate) await this.deliver(msg, done.r.replies, mlog);
  }

  async start(): Promise<void> {
    if (this.client) return;
    const { log, s } = this;
    const [{ StreamClient }, { EventAck, TOPIC_CARD, TOPIC_ROBOT }] = await Promise.all([
      import('./stream-client.js'),
      import('dingtalk-stream'),
    ]);
    this.success = EventAck.SUCCESS;
    const c = new StreamClient({
      clientId: s.appKey ?? '',
      clientSecret: s.appSecret ?? '',
      gatewayUrl: `${s.apiBase}/v1.0/gateway/connections/open`,
      log,
      reconnectMs: this.rt.reconnectMs,
    });
    const guard = (what: string) => (err: unknown) => log.error({ err }, `dingtalk stream ${what} handler failed`);
    c.registerCallbackListener(TOPIC_ROBOT, (f) => void this.onRobot(c, f).catch(guard('robot')));
    c.registerCallbackListener(TOPIC_CARD, (f) => void this.onCard(c, f).catch(guard('card')));
    this.client = c;
    try {
      await c.open();
    } catch (err) {
      this.client = null;
      await c.stop();
      throw err;
    }
    log.info('dingtalk stream connected');
  }

  async stop(): Promise<void> {
    const c = this.client;
    this.client = null;
    await c?.stop();
  }
}
