import type { EventDispatcher } from '@larksuiteoapi/node-sdk';
import type { ChannelRuntime, IncomingMessage, Reply } from '../contract.js';
import { sdkLogger } from './client.js';
import { lark } from './sdk.js';
import type { FeishuSettings } from './config.js';
import { parseCardAction, parseMessage } from './events.js';
import { cardAfterClick, toastText, type Card } from './render.js';
import { logSendFailure, patchCard } from './send.js';

/** Feishu waits 3 s for a click's answer; past this the clicker gets 「处理中…」 and the card is patched later. */
export const CARD_DEADLINE_MS = 2_500;
/** stop() waits this long at most for messages already being handled. */
const DRAIN_MS = 10_000;

/** The answer to card.action.trigger: a toast and/or the card that replaces the clicked one. */
export interface CardAnswer {
  toast?: { type: 'success' | 'info' | 'error'; content: string };
  card?: { type: 'raw'; data: Card };
}

/** The event handlers one receiver (long connection or HTTP callback) runs, and their lifecycle. */
export interface FeishuHandlers {
  dispatcher: EventDispatcher;
  /** No event is handed to the pipeline after this. */
  stop(): void;
  /** Waits (boundedly) for events already in the pipeline and their late card updates. */
  drain(): Promise<void>;
}

const LATE = Symbol('late');

/** `work`'s result, or LATE once `ms` pass first (the work goes on). */
async function withinDeadline<T>(work: Promise<T>, ms: number): Promise<T | typeof LATE> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<typeof LATE>((resolve) => {
    timer = setTimeout(() => resolve(LATE), ms);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** The two event handlers and the work they leave running. */
class FeishuEvents {
  stopped = false;
  private readonly inflight = new Set<Promise<unknown>>();

  constructor(
    private readonly rt: ChannelRuntime,
    private readonly s: FeishuSettings,
    private readonly cardDeadlineMs: number,
  ) {}

  /** Remembers `p` until it settles, so drain() can wait for it. */
  private track<T>(p: Promise<T>): Promise<T> {
    this.inflight.add(p);
    const done = () => this.inflight.delete(p);
    p.then(done, done);
    return p;
  }

  private async queue(msg: IncomingMessage, replies: Reply[]): Promise<void> {
    if (replies.length === 0) return;
    await this.rt.replyLater(msg, replies);
    this.rt.kick();
  }

  async onMessage(data: unknown): Promise<void> {
    if (this.stopped) return;
    const { rt } = this;
    const parsed = parseMessage(data, this.s, rt.log);
    if (!parsed.ok) {
      rt.log.warn({ reason: parsed.reason }, 'feishu message ignored');
      return;
    }
    const { msg } = parsed;
    rt.log.info(
      { correlationId: msg.correlationId, messageKey: msg.messageKey, chatType: msg.chatType, file: Boolean(msg.file) },
      'feishu message',
    );
    // Awaited inside the ack: if the database fails this throws, the SDK acks code 500, and Feishu
    // redelivers (the runtime released the claim, so the retry is answered).
    const r = await this.track(rt.handle(msg));
    if (!r.duplicate) await this.queue(msg, r.replies);
  }

  private async finishLate(msg: IncomingMessage, cardMessageId: string, replies: Reply[]): Promise<void> {
    const [head, ...rest] = replies;
    if (!head) return;
    try {
      await patchCard(this.rt.core, cardMessageId, cardAfterClick(head));
    } catch (err) {
      logSendFailure(this.rt.log.child({ correlationId: msg.correlationId }), err, 'late card update');
      rest.unshift(head);
    }
    await this.queue(msg, rest);
  }

  async onCardAction(data: unknown): Promise<CardAnswer> {
    if (this.stopped) return {};
    const parsed = parseCardAction(data);
    if (!parsed.ok) {
      this.rt.log.warn({ reason: parsed.reason }, 'feishu card action ignored');
      return { toast: { type: 'error', content: '无法识别这个按钮, 请重新发送命令' } };
    }
    const { msg, cardMessageId } = parsed.click;
    const log = this.rt.log.child({ correlationId: msg.correlationId });
    log.info({ messageKey: msg.messageKey, buttonId: msg.buttonId }, 'feishu card action');
    const work = this.track(this.rt.handle(msg));
    let first: Awaited<typeof work> | typeof LATE;
    try {
      first = await withinDeadline(work, this.cardDeadlineMs);
    } catch (err) {
      log.error({ err: (err as Error).message }, 'feishu card action failed');
      return { toast: { type: 'error', content: '处理失败, 请稍后再点一次' } };
    }
    if (first === LATE) {
      // Feishu gives up at 3 s: say so now, and replace the card when the pipeline is done.
      void this.track(
        work.then((r) => (r.duplicate ? undefined : this.finishLate(msg, cardMessageId, r.replies))),
      ).catch((err: unknown) => log.error({ err: (err as Error).message }, 'feishu late card action failed'));
      return { toast: { type: 'info', content: '处理中…' } };
    }
    const [head, ...rest] = first.duplicate ? [] : first.replies;
    if (!head) return { toast: { type: 'info', content: '已收到' } };
    void this.track(this.queue(msg, rest)).catch((err: unknown) =>
      log.error({ err: (err as Error).message }, 'feishu follow-up replies not queued'),
    );
    return { toast: { type: 'success', content: toastText(head) }, card: { type: 'raw', data: cardAfterClick(head) } };
  }

  /** Waits at most DRAIN_MS for the work still running. */
  async drain(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const cap = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, DRAIN_MS);
    });
    await Promise.race([Promise.allSettled([...this.inflight]), cap]);
    clearTimeout(timer);
  }
}

/** Builds the SDK dispatcher for im.message.receive_v1 and card.action.trigger over `rt`. */
export function feishuHandlers(
  rt: ChannelRuntime,
  s: FeishuSettings,
  cardDeadlineMs = rt.fastReplyMs ?? CARD_DEADLINE_MS,
): FeishuHandlers {
  const events = new FeishuEvents(rt, s, cardDeadlineMs);
  const { EventDispatcher, LoggerLevel } = lark();
  const dispatcher = new EventDispatcher({ logger: sdkLogger(rt.log), loggerLevel: LoggerLevel.warn }).register({
    'im.message.receive_v1': (data: unknown) => events.onMessage(data),
    'card.action.trigger': (data: unknown) => events.onCardAction(data),
  });
  return {
    dispatcher,
    stop: () => {
      events.stopped = true;
    },
    drain: () => events.drain(),
  };
}
