import type { WSClient, WsFrame } from '@wecom/aibot-node-sdk';
import type { Logger } from '../../../core/logger.js';
import type { ChannelRuntime, IncomingMessage, Reply, SocketReceiver } from '../contract.js';
import { aibotFile } from './aibot-file.js';
import { decodeCallback, type AibotSocketHandle } from './aibot-frames.js';
import { checkBotCallback } from './bot-callback.js';
import { errcodeOf, holdSocket, releaseSocket } from './aibot-push.js';
import { aibotSocketSettings, type AibotSocketSettings } from './config.js';
import { aibotSdk } from './sdk.js';
import {
  FAILED_TEXT,
  PENDING_TEXT,
  cardUpdateBody,
  pendingCardBody,
  respondBody,
  streamBody,
  welcomeBody,
} from './replies.js';

/**
 * The passive answer must reach WeCom within 5 s of the callback (welcome and card updates
 * strictly so, SDK README); past this the user gets 「处理中」 and the answer follows by push.
 */
export const AIBOT_FAST_REPLY_MS = 4_000;

/**
 * Knobs for tests; production uses the defaults. The reply window and the reconnect base delay
 * (doubling up to 30 s) are the runtime's (`rt.fastReplyMs`, `rt.reconnectMs`), as for every channel.
 */
export interface AibotSocketOptions {
  /** How long start() waits for the first authenticated connection. */
  connectTimeoutMs?: number;
  heartbeatIntervalMs?: number;
}

/** The WeCom AI bot long connection, one receiver per configured bot (none when WECOM_BOT_ID/SECRET are unset). */
export function wecomAibotReceivers(rt: ChannelRuntime, opts: AibotSocketOptions = {}): SocketReceiver[] {
  const settings = aibotSocketSettings(rt.core);
  return settings ? [new AibotSocketReceiver(rt, settings, opts)] : [];
}

function describe(err: unknown): string {
  const code = errcodeOf(err);
  return code !== null
    ? `errcode ${code} ${String((err as { errmsg?: unknown }).errmsg ?? '')}`
    : ((err as Error)?.message ?? String(err));
}

/** The SDK's log lines into pino: its debug lines carry whole message bodies (personal data), so they are dropped. */
function sdkLogger(log: Logger) {
  const detail = (args: unknown[]) => {
    const text = args
      .filter((a): a is string => typeof a === 'string' && !/^\s*[[{]/.test(a))
      .join(' ')
      .slice(0, 200);
    return text ? { sdk: text } : {};
  };
  return {
    debug: () => undefined,
    info: (m: string, ...a: unknown[]) => log.debug(detail(a), m),
    warn: (m: string, ...a: unknown[]) => log.warn(detail(a), m),
    error: (m: string, ...a: unknown[]) => log.error(detail(a), m),
  };
}

type Outcome<T> = { done: true; value: T } | { done: false };

/** Waits for `work` at most `ms`; a rejection within the window is thrown. */
async function within<T>(work: Promise<T>, ms: number): Promise<Outcome<T>> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<Outcome<T>>((resolve) => {
    timer = setTimeout(() => resolve({ done: false }), ms);
  });
  const settled = work.then((value): Outcome<T> => ({ done: true, value }));
  // A rejection after the window is the caller's (it awaits `work` itself), not an unhandled one here.
  settled.catch(() => undefined);
  try {
    return await Promise.race([settled, late]);
  } finally {
    clearTimeout(timer);
  }
}

class AibotSocketReceiver implements SocketReceiver {
  readonly name: string;
  private client: WSClient | null = null;
  private readonly log: Logger;
  private readonly fastReplyMs: number;

  constructor(
    private readonly rt: ChannelRuntime,
    private readonly settings: AibotSocketSettings,
    private readonly opts: AibotSocketOptions,
  ) {
    this.name = `wecom-aibot:${settings.botId}`;
    this.log = rt.log.child({ socket: this.name });
    this.fastReplyMs = rt.fastReplyMs ?? AIBOT_FAST_REPLY_MS;
  }

  /** Connects and authenticates (aibot_subscribe); rejects on refused credentials or after connectTimeoutMs. */
  async start(): Promise<void> {
    if (this.client) return;
    const { botId, secret, wsUrl } = this.settings;
    const client = new (aibotSdk().WSClient)({
      botId,
      secret,
      wsUrl,
      // Holding the lease means holding the socket: never give up reconnecting on our own.
      maxReconnectAttempts: -1,
      reconnectInterval: this.rt.reconnectMs ?? 1_000,
      heartbeatInterval: this.opts.heartbeatIntervalMs ?? 30_000,
      logger: sdkLogger(this.log),
    });
    this.client = client;
    client.on('message', (frame) => void this.dispatch(client, frame));
    client.on('event', (frame) => void this.dispatch(client, frame));
    client.on('event.disconnected_event', () => this.superseded(client));
    client.on('authenticated', () => {
      holdSocket(botId, client);
      this.log.info('WeCom AI bot long connection authenticated');
    });
    client.on('disconnected', (reason) => {
      releaseSocket(botId, client);
      this.log.warn({ reason }, 'WeCom AI bot long connection closed');
      // The SDK reports a supersession this way too, even when the event frame had no body it could dispatch.
      if (/new connection/i.test(reason)) this.superseded(client);
    });
    client.on('error', (err) => this.log.warn({ err: err.message }, 'WeCom AI bot long connection error'));
    try {
      await this.authenticated(client);
    } catch (err) {
      this.drop(client);
      throw err;
    }
  }

  /** Disconnects; frames still in flight are dropped, and nothing is handled after this resolves. */
  async stop(): Promise<void> {
    const client = this.client;
    if (client) this.drop(client);
  }

  private drop(client: WSClient): void {
    if (this.client === client) this.client = null;
    releaseSocket(this.settings.botId, client);
    client.disconnect();
    client.removeAllListeners();
  }

  private authenticated(client: WSClient): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          fail(
            new Error(`WeCom AI bot: no authenticated connection within ${this.opts.connectTimeoutMs ?? 20_000} ms`),
          ),
        this.opts.connectTimeoutMs ?? 20_000,
      );
      const ok = () => {
        cleanup();
        resolve();
      };
      const refused = (err: Error) => {
        // A refused aibot_subscribe means a wrong bot id or secret; retrying cannot fix it.
        if (/Authentication failed/.test(err.message))
          fail(new Error(`WeCom AI bot refused the credentials of WECOM_BOT_ID/WECOM_BOT_SECRET: ${err.message}`));
      };
      const fail = (err: Error) => {
        cleanup();
        reject(err);
      };
      const cleanup = () => {
        clearTimeout(timer);
        client.off('authenticated', ok);
        client.off('error', refused);
      };
      client.on('authenticated', ok);
      client.on('error', refused);
      client.connect();
    });
  }

  /** Another connection for the same bot took over (WeCom keeps only the newest): the lease decides, so we do not reconnect. */
  private superseded(client: WSClient): void {
    if (this.client !== client) return;
    this.log.warn('WeCom AI bot long connection superseded by a newer one; not reconnecting');
    // The SDK already stopped its reconnects; drop our hold so start() can connect afresh later.
    this.drop(client);
  }

  private async dispatch(client: WSClient, frame: WsFrame): Promise<void> {
    try {
      if (this.client !== client) return;
      const reqId = frame.headers?.req_id;
      const checked = checkBotCallback(frame.body);
      if (typeof reqId !== 'string' || !reqId || !checked.ok) {
        this.log.warn({ cmd: frame.cmd, reason: checked.ok ? 'no req_id' : checked.reason }, 'callback frame ignored');
        return;
      }
      const decoded = decodeCallback(this.settings.botId, reqId, checked.body, (url, aeskey) =>
        aibotFile(url, aeskey, this.settings.wsUrl),
      );
      const log = this.log.child({ msgId: checked.body.msgid, reqId });
      if (decoded.kind === 'ignored') return log.debug({ reason: decoded.reason }, 'callback not for the bot');
      if (decoded.kind === 'superseded') return;
      if (decoded.kind === 'welcome') {
        await this.respond(client, frame, welcomeBody(), aibotSdk().WsCmd.RESPONSE_WELCOME, log);
        return;
      }
      const mlog = log.child({ correlationId: decoded.msg.correlationId });
      mlog.info({ chatType: decoded.msg.chatType, click: decoded.kind === 'click' }, 'WeCom AI bot socket message');
      if (decoded.kind === 'click') {
        const { userid } = checked.body.from;
        await this.answer(client, frame, decoded.msg, mlog, {
          cmd: aibotSdk().WsCmd.RESPONSE_UPDATE,
          body: (replies) => cardUpdateBody(userid, decoded.msg.messageKey, decoded.taskId, replies),
          pending: () => pendingCardBody(userid, decoded.msg.messageKey, decoded.taskId),
        });
      } else {
        await this.answer(client, frame, decoded.msg, mlog, {
          cmd: aibotSdk().WsCmd.RESPONSE,
          body: (replies) => respondBody(decoded.msg.messageKey, replies),
          pending: () => streamBody(decoded.msg.messageKey, PENDING_TEXT),
          failed: () => streamBody(decoded.msg.messageKey, FAILED_TEXT),
        });
      }
    } catch (err) {
      this.log.error({ err: describe(err) }, 'callback frame failed');
    }
  }

  /**
   * Runs the pipeline; a fast answer goes back passively on the callback's req_id, a slow one gets
   * `pending` now and the replies through the outbox (aibot_send_msg to the chat) when ready.
   */
  private async answer(
    client: WSClient,
    frame: WsFrame,
    msg: IncomingMessage,
    log: Logger,
    how: {
      cmd: string;
      body: (replies: Reply[]) => Record<string, unknown>;
      pending: () => Record<string, unknown>;
      failed?: () => Record<string, unknown>;
    },
  ): Promise<void> {
    const work = this.rt.handle(msg);
    let first: Outcome<Awaited<typeof work>>;
    try {
      first = await within(work, this.fastReplyMs);
    } catch (err) {
      log.error({ err: describe(err) }, 'pipeline failed');
      if (how.failed) await this.respond(client, frame, how.failed(), how.cmd, log);
      return;
    }
    if (first.done) {
      const { replies } = first.value;
      if (!replies.length) return;
      // A refused or lost passive answer (req_id expired, socket dropped) still reaches the chat by push.
      if (!(await this.respond(client, frame, how.body(replies), how.cmd, log))) await this.later(msg, replies, log);
      return;
    }
    await this.respond(client, frame, how.pending(), how.cmd, log);
    try {
      const { replies } = await work;
      if (replies.length) await this.later(msg, replies, log);
    } catch (err) {
      log.error({ err: describe(err) }, 'pipeline failed after the passive-reply window');
    }
  }

  private async later(msg: IncomingMessage, replies: Reply[], log: Logger): Promise<void> {
    try {
      await this.rt.replyLater(msg, replies);
      this.rt.kick();
    } catch (err) {
      log.error({ err: describe(err) }, 'queueing the late answer failed');
    }
  }

  private async respond(
    client: WSClient,
    frame: WsFrame,
    body: Record<string, unknown>,
    cmd: string,
    log: Logger,
  ): Promise<boolean> {
    try {
      await client.reply(frame, body, cmd);
      return true;
    } catch (err) {
      log.warn({ cmd, err: describe(err) }, 'passive answer not delivered');
      return false;
    }
  }
}

export type { AibotSocketHandle };
export { holdsAibotSocket, sendViaSocket } from './aibot-push.js';
