import { DWClient, type DWClientDownStream } from 'dingtalk-stream';
import WebSocket from 'ws';
import type { Logger } from '../../../core/logger.js';
import { requestJson } from '../../http-client.js';
import { clearKeepAlive, currentSocket, reconnectDelay, setReconnectDelay, setSocketUrl } from './sdk-internals.js';

export interface StreamClientOptions {
  clientId: string;
  clientSecret: string;
  /** `<DINGTALK_API_BASE>/v1.0/gateway/connections/open`. */
  gatewayUrl: string;
  log: Logger;
  /** The first retry after a drop (the SDK's 1 s unless set); failed retries double it up to MAX_BACKOFF_MS. */
  reconnectMs?: number;
}

/** Longest wait between reconnect attempts after the first (the SDK's close handler retries after 1 s). */
const MAX_BACKOFF_MS = 30_000;
/** After a SYSTEM `disconnect` DingTalk closes the socket about 10 s later; past this we close it ourselves. */
const DISCONNECT_GRACE_MS = 15_000;

/**
 * The official DWClient with what a long-running door needs and the SDK (2.1.5) lacks:
 *   - the gateway URL is configurable (the SDK hard-codes api.dingtalk.com), for a proxy or a fake;
 *   - a frame that is not JSON or lacks its headers is logged and dropped (the SDK would throw
 *     inside the socket's message handler and take the process down);
 *   - stop() is final: the SDK's close handler and its retry timers would otherwise reconnect a
 *     client whose disconnect() raced with a reconnect;
 *   - failed reconnects back off up to 30 s instead of hitting the gateway every second;
 *   - the keep-alive timer of a dropped socket is cleared before the next one starts (the SDK
 *     leaks one per reconnect, and two timers can kill a healthy socket).
 * Everything else, the ticket handshake, ping echo, acks and autoReconnect, is the SDK's. The
 * SDK's private members it needs are reached through sdk-internals.ts.
 */
/** A frame with a type, a topic and a message id: enough to route and to ack. */
function isDownStream(frame: unknown): frame is DWClientDownStream {
  if (!frame || typeof frame !== 'object') return false;
  const f = frame as Partial<DWClientDownStream>;
  const headers = f.headers as Partial<DWClientDownStream['headers']> | undefined;
  return (
    typeof f.type === 'string' &&
    !!headers &&
    typeof headers === 'object' &&
    typeof headers.topic === 'string' &&
    typeof headers.messageId === 'string' &&
    !!headers.messageId
  );
}

export class StreamClient extends DWClient {
  private stopped = false;
  private failures = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private graceTimer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: StreamClientOptions) {
    super({ clientId: opts.clientId, clientSecret: opts.clientSecret, keepAlive: true, ua: 'customer-steward' });
    // Our own list: the SDK's default is an EVENT '*' subscription shared by every client instance.
    this.config.subscriptions = [];
    if (opts.reconnectMs) setReconnectDelay(this, opts.reconnectMs);
  }

  /** Asks the gateway for an endpoint and a one-time ticket (valid 90 s, one connection). */
  override async getEndpoint(): Promise<this> {
    const res = await requestJson<{ endpoint?: unknown; ticket?: unknown }>(this.opts.gatewayUrl, {
      body: {
        clientId: this.config.clientId,
        clientSecret: this.config.clientSecret,
        ua: this.config.ua,
        subscriptions: this.config.subscriptions,
      },
      headers: { accept: 'application/json' },
      attempts: 1,
      timeoutMs: 10_000,
    });
    const { endpoint, ticket } = res;
    if (typeof endpoint !== 'string' || typeof ticket !== 'string' || !ticket)
      throw new Error('gateway returned no endpoint or ticket');
    // A TLS gateway hands out TLS endpoints; plain ws only where the gateway itself is plain (a fake).
    const allowed = new URL(this.opts.gatewayUrl).protocol === 'https:' ? ['wss:'] : ['ws:', 'wss:'];
    const scheme = new URL(endpoint).protocol;
    if (!allowed.includes(scheme)) throw new Error(`gateway endpoint scheme ${scheme} refused`);
    setSocketUrl(this, `${endpoint}?ticket=${encodeURIComponent(ticket)}`);
    return this;
  }

  override _connect(): Promise<void> {
    clearKeepAlive(this);
    return super._connect();
  }

  /** The first connection: rejects when it fails, so the caller (the lease holder) decides what next. */
  async open(): Promise<void> {
    await this.getEndpoint();
    await this._connect();
  }

  /** Reconnects (called by the SDK's close handler and by our own retry timer); a no-op once stopped. */
  override async connect(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.getEndpoint();
      if (this.stopped) return;
      await this._connect();
      this.failures = 0;
      this.opts.log.info('dingtalk stream reconnected');
      if (this.stopped) this.disconnect();
    } catch (err) {
      if (this.stopped) return;
      const delay = Math.min(MAX_BACKOFF_MS, reconnectDelay(this) * 2 ** this.failures++);
      this.opts.log.warn({ err: (err as Error).message, retryInMs: delay }, 'dingtalk stream reconnect failed');
      clearTimeout(this.retryTimer);
      this.retryTimer = setTimeout(() => void this.connect(), delay);
    }
  }

  override onDownStream(data: string): void {
    if (this.stopped) return;
    let frame: unknown;
    try {
      frame = JSON.parse(String(data));
    } catch {
      this.opts.log.warn({ bytes: String(data).length }, 'dingtalk stream frame is not JSON; dropped');
      return;
    }
    if (!isDownStream(frame)) {
      this.opts.log.warn('dingtalk stream frame without type, topic or messageId; dropped');
      return;
    }
    const f = frame;
    try {
      if (f.type === 'SYSTEM') this.onSystem(f);
      else if (f.type === 'EVENT') this.onEvent(f);
      else if (f.type === 'CALLBACK') this.dispatchCallback(f);
      else this.opts.log.warn({ type: f.type.slice(0, 32) }, 'dingtalk stream frame of unknown type; dropped');
    } catch (err) {
      this.opts.log.error({ err, messageId: f.headers.messageId }, 'dingtalk stream frame failed');
    }
  }

  /**
   * The SDK emits a callback's topic as an event name: a topic we did not subscribe to (or one
   * named 'error', which an EventEmitter throws for) is acked and dropped instead.
   */
  private dispatchCallback(frame: DWClientDownStream): void {
    const topic = frame.headers.topic;
    if (topic === 'error' || !this.config.subscriptions.some((x) => x.type === 'CALLBACK' && x.topic === topic)) {
      this.opts.log.warn(
        { topic: topic.slice(0, 64), messageId: frame.headers.messageId },
        'dingtalk stream callback on an unknown topic; dropped',
      );
      this.ack(frame.headers.messageId, {});
      return;
    }
    this.onCallback(frame);
  }

  override onSystem(frame: DWClientDownStream): void {
    super.onSystem(frame);
    if (frame.headers.topic !== 'disconnect') return;
    this.opts.log.info('dingtalk stream: server announced a disconnect');
    const socket = currentSocket(this);
    clearTimeout(this.graceTimer);
    this.graceTimer = setTimeout(() => {
      if (socket?.readyState === WebSocket.OPEN) socket.terminate();
    }, DISCONNECT_GRACE_MS);
    this.graceTimer.unref();
  }

  /** Acks a callback frame; a socket that went away meanwhile is logged, never thrown at the caller. */
  ack(messageId: string, response: unknown): void {
    try {
      this.socketCallBackResponse(messageId, response);
    } catch (err) {
      this.opts.log.warn({ messageId, err: (err as Error).message }, 'dingtalk stream ack not sent');
    }
  }

  /** Disconnects for good: no reconnect, no frame handled after this resolves. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearTimeout(this.graceTimer);
    const socket = currentSocket(this);
    this.disconnect();
    if (!socket || socket.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        socket.terminate();
        resolve();
      }, 2000);
      socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
