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

/** Builds the SDK dispatcher for im.message.receive_v1 and card.action.trigger over `rt`. */
export function feishuHandlers(
  rt: ChannelRuntime,
  s: FeishuSettings,
  cardDeadlineMs = CARD_DEADLINE_MS,
): FeishuHandlers {
  let stopped = false;
  const inflight = new Set<Promise<unknown>>();
  const track = <T>(p: Promise<T>): Promise<T> => {
    inflight.add(p);
    const done = () => inflight.delete(p);
    p.then(done, done);
    return p;
  };
  const queue = async (msg: IncomingMessage, replies: Reply[]) => {
    if (replies.length === 0) return;
    await rt.replyLater(msg, replies);
    rt.kick();
  };

  async function onMessage(data: unknown): Promise<void> {
    if (stopped) return;
    const parsed = parseMessage(data, s, rt.log);
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
    const r = await track(rt.handle(msg));
    if (!r.duplicate) await queue(msg, r.replies);
  }

  async function finishLate(msg: IncomingMessage, cardMessageId: string, replies: Reply[]): Promise<void> {
    const [head, ...rest] = replies;
    if (!head) return;
    try {
      await patchCard(rt.core, cardMessageId, cardAfterClick(head));
    } catch (err) {
      logSendFailure(rt.log.child({ correlationId: msg.correlationId }), err, 'late card update');
      rest.unshift(head);
    }
    await queue(msg, rest);
  }

  async function onCardAction(data: unknown): Promise<CardAnswer> {
    if (stopped) return {};
    const parsed = parseCardAction(data);
    if (!parsed.ok) {
      rt.log.warn({ reason: parsed.reason }, 'feishu card action ignored');
      return { toast: { type: 'error', content: '无法识别这个按钮, 请重新发送命令' } };
    }
    const { msg, cardMessageId } = parsed.click;
    const log = rt.log.child({ correlationId: msg.correlationId });
    log.info({ messageKey: msg.messageKey, buttonId: msg.buttonId }, 'feishu card action');
    const work = track(rt.handle(msg));
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<typeof LATE>((resolve) => {
      timer = setTimeout(() => resolve(LATE), cardDeadlineMs);
    });
    let first: Awaited<typeof work> | typeof LATE;
    try {
      first = await Promise.race([work, late]);
    } catch (err) {
      log.error({ err: (err as Error).message }, 'feishu card action failed');
      return { toast: { type: 'error', content: '处理失败, 请稍后再点一次' } };
    } finally {
      clearTimeout(timer);
    }
    if (first === LATE) {
      // Feishu gives up at 3 s: say so now, and replace the card when the pipeline is done.
      void track(work.then((r) => (r.duplicate ? undefined : finishLate(msg, cardMessageId, r.replies)))).catch(
        (err: unknown) => log.error({ err: (err as Error).message }, 'feishu late card action failed'),
      );
      return { toast: { type: 'info', content: '处理中…' } };
    }
    const [head, ...rest] = first.duplicate ? [] : first.replies;
    if (!head) return { toast: { type: 'info', content: '已收到' } };
    void track(queue(msg, rest)).catch((err: unknown) =>
      log.error({ err: (err as Error).message }, 'feishu follow-up replies not queued'),
    );
    return { toast: { type: 'success', content: toastText(head) }, card: { type: 'raw', data: cardAfterClick(head) } };
  }

  const { EventDispatcher, LoggerLevel } = lark();
  const dispatcher = new EventDispatcher({ logger: sdkLogger(rt.log), loggerLevel: LoggerLevel.warn }).register({
    'im.message.receive_v1': onMessage,
    'card.action.trigger': onCardAction,
  });
  return {
    dispatcher,
    stop: () => {
      stopped = true;
    },
    async drain() {
      let timer: NodeJS.Timeout | undefined;
      const cap = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, DRAIN_MS);
      });
      await Promise.race([Promise.allSettled([...inflight]), cap]);
      clearTimeout(timer);
    },
  };
}
