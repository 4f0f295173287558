import crypto from 'node:crypto';
import http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { decodeFrame, encodeFrame, type Frame } from './feishu-frames.js';
import { answerIm, type ImState, type Json, type StoredMessage } from './feishu-im.js';

export { encodeFrame } from './feishu-frames.js';
export { cardActionEvent, messageEvent } from './feishu-payloads.js';

/**
 * Plays Feishu's open platform on loopback, as @larksuiteoapi/node-sdk talks to it:
 * - POST /open-apis/auth/v3/tenant_access_token/internal and the im/v1 message APIs (create, reply,
 *   PATCH a shared card, GET a message's file resource), each checking the bearer token;
 * - POST /callback/ws/endpoint (AppID/AppSecret) → a ws:// URL with a one-time ticket and a ClientConfig;
 * - the long connection: pbbp2 protobuf frames (the SDK's schema, defined again here so the fake is
 *   an independent reading of it): data frames with type/message_id/sum/seq/trace_id headers, the
 *   client's acks (same frame, payload {code, data: base64(JSON)}), ping → pong with the config.
 */

const header = (f: Frame, key: string) => f.headers.find((h) => h.key === key)?.value;

export interface ApiCall {
  method: string;
  path: string;
  query: Record<string, string>;
  auth: string | undefined;
  body: Record<string, unknown>;
}

export interface Ack {
  messageId: string;
  headers: Record<string, string>;
  code: number;
  /** The handler's answer (base64 JSON in the ack), e.g. a card action's {toast, card}. */
  data: Record<string, unknown> | undefined;
  at: number;
}

type Failure = { status: number; code?: number; msg?: string } | 'drop';

export class FakeFeishu {
  readonly appId: string;
  readonly appSecret: string;
  readonly calls: ApiCall[] = [];
  readonly acks: Ack[] = [];
  readonly pings: Frame[] = [];
  /** Every ws upgrade that was accepted, with its query. */
  readonly connects: Record<string, string>[] = [];
  readonly messages = new Map<string, StoredMessage>();
  clientConfig = { PingInterval: 120, ReconnectCount: -1, ReconnectInterval: 0.2, ReconnectNonce: 0.1 };
  url = '';
  private readonly server = http.createServer((req, res) => void this.handle(req, res));
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly sockets = new Set<WebSocket>();
  private readonly tokens = new Set<string>();
  private readonly tickets = new Set<string>();
  private readonly failures = new Map<string, Failure[]>();
  private readonly files = new Map<string, { body: Buffer; name: string }>();
  private readonly uuids = new Map<string, string>();
  private readonly im: ImState = { messages: this.messages, uuids: this.uuids, files: this.files };
  private seq = 0;

  constructor(opts: { appId?: string; appSecret?: string } = {}) {
    this.appId = opts.appId ?? 'cli_a1b2c3d4e5f60718';
    this.appSecret = opts.appSecret ?? 'fake-secret-0123456789';
    this.server.on('upgrade', (req, socket, head) => this.upgrade(req, socket, head));
  }

  async start(): Promise<this> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const ws of this.sockets) ws.terminate();
    this.wss.close();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  /** The env block pointing the channel at this fake. */
  env(extra: Record<string, string> = {}): Record<string, string> {
    return { FEISHU_APP_ID: this.appId, FEISHU_APP_SECRET: this.appSecret, FEISHU_DOMAIN: this.url, ...extra };
  }

  /** Open long connections. */
  get connected(): number {
    return [...this.sockets].filter((s) => s.readyState === s.OPEN).length;
  }

  /** The next `n` calls to `METHOD /path` (a prefix, e.g. 'POST /open-apis/im/v1/messages') fail this way. */
  fail(route: string, how: Failure, n = 1): void {
    this.failures.set(route, [...(this.failures.get(route) ?? []), ...Array<Failure>(n).fill(how)]);
  }

  /** A file in message `messageId` under `fileKey` (GET …/resources/:file_key?type=file). */
  addFile(messageId: string, fileKey: string, body: Buffer, name: string): void {
    this.files.set(`${messageId}/${fileKey}`, { body, name });
  }

  /** Calls to one route, e.g. 'POST /open-apis/im/v1/messages'. */
  to(route: string): ApiCall[] {
    return this.calls.filter((c) => `${c.method} ${c.path}`.startsWith(route));
  }

  /** Drops every long connection from the server side (as a gateway restart does). */
  disconnectAll(): void {
    for (const ws of this.sockets) ws.terminate();
  }

  /** Pushes an event (a schema 2.0 payload) as data frames, split into `parts`; resolves with the client's ack. */
  pushEvent(payload: unknown, opts: { messageId?: string; parts?: number; timeoutMs?: number } = {}): Promise<Ack> {
    const messageId = opts.messageId ?? `msg-${crypto.randomUUID()}`;
    const bytes = Buffer.from(JSON.stringify(payload));
    const parts = opts.parts ?? 1;
    const earlier = this.acks.filter((a) => a.messageId === messageId).length;
    const size = Math.ceil(bytes.length / parts);
    for (let i = 0; i < parts; i++) {
      this.pushFrame({
        SeqID: ++this.seq,
        LogID: this.seq,
        service: 7,
        method: 1,
        headers: [
          { key: 'type', value: 'event' },
          { key: 'message_id', value: messageId },
          { key: 'sum', value: String(parts) },
          { key: 'seq', value: String(i) },
          { key: 'trace_id', value: `trace-${this.seq}` },
        ],
        payload: bytes.subarray(i * size, (i + 1) * size),
      });
    }
    return this.waitAck(messageId, opts.timeoutMs, earlier);
  }

  /** Sends one frame, or raw bytes, on every open connection. */
  pushFrame(frame: Frame | Buffer): void {
    const data = Buffer.isBuffer(frame) ? frame : encodeFrame(frame);
    for (const ws of this.sockets) if (ws.readyState === ws.OPEN) ws.send(data);
  }

  /** The ack for `messageId` after the first `skip` ones (a redelivered frame is acked again). */
  async waitAck(messageId: string, timeoutMs = 8000, skip = 0): Promise<Ack> {
    return this.waitFor(
      () => this.acks.filter((a) => a.messageId === messageId)[skip],
      timeoutMs,
      `ack for ${messageId}`,
    );
  }

  /** Polls until `get` returns something, or fails after `ms`. */
  async waitFor<T>(get: () => T | undefined | false, ms = 8000, what = 'condition'): Promise<T> {
    const end = Date.now() + ms;
    for (;;) {
      const got = get();
      if (got) return got;
      if (Date.now() > end)
        throw new Error(`fake feishu: no ${what}; calls: ${this.calls.map((c) => `${c.method} ${c.path}`).join(', ')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  private upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://x');
    const ticket = url.searchParams.get('ticket') ?? '';
    if (url.pathname !== '/ws/v2' || !this.tickets.delete(ticket)) {
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.connects.push(Object.fromEntries(url.searchParams));
      this.sockets.add(ws);
      ws.on('close', () => this.sockets.delete(ws));
      ws.on('message', (data: Buffer) => this.onFrame(ws, data));
    });
  }

  /** Frames the client sends that are not pbbp2 (or acks that are not JSON). */
  readonly garbage: Buffer[] = [];

  private onFrame(ws: WebSocket, data: Buffer): void {
    try {
      this.frameFromClient(ws, decodeFrame(data));
    } catch {
      this.garbage.push(data);
    }
  }

  private frameFromClient(ws: WebSocket, f: Frame): void {
    const type = header(f, 'type');
    if (f.method === 0 && type === 'ping') {
      this.pings.push(f);
      ws.send(
        encodeFrame({
          SeqID: 0,
          LogID: 0,
          service: f.service,
          method: 0,
          headers: [{ key: 'type', value: 'pong' }],
          payload: Buffer.from(JSON.stringify(this.clientConfig)),
        }),
      );
      return;
    }
    if (f.method === 1) {
      const body = JSON.parse(Buffer.from(f.payload ?? []).toString('utf8')) as { code: number; data?: string };
      this.acks.push({
        messageId: header(f, 'message_id') ?? '',
        headers: Object.fromEntries(f.headers.map((h) => [h.key, h.value])),
        code: body.code,
        data: body.data
          ? (JSON.parse(Buffer.from(body.data, 'base64').toString('utf8')) as Record<string, unknown>)
          : undefined,
        at: Date.now(),
      });
    }
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const { url, body } = await this.record(req, method);
    const json: Json = (status, value) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    const route = `${method} ${url.pathname}`;
    if (this.injectFailure(route, req, json)) return;
    if (route === 'POST /open-apis/auth/v3/tenant_access_token/internal') return this.issueToken(body, json);
    if (route === 'POST /callback/ws/endpoint') return this.openEndpoint(body, json);
    if (!url.pathname.startsWith('/open-apis/im/v1/')) return json(404, { code: 404, msg: 'not found' });
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!token || !this.tokens.has(token))
      return json(400, { code: 99991663, msg: 'Invalid access token for authorization' });
    return answerIm(this.im, method, url, body, json, res);
  }

  /** Reads the request's JSON body (`{}` when it is not JSON) and records the call. */
  private async record(
    req: http.IncomingMessage,
    method: string,
  ): Promise<{ url: URL; body: Record<string, unknown> }> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? '/', 'http://x');
    let body: Record<string, unknown> = {};
    try {
      body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>) : {};
    } catch {
      body = {};
    }
    this.calls.push({
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      auth: req.headers.authorization,
      body,
    });
    return { url, body };
  }

  /** Applies fail(): true when the call was dropped or answered with the injected failure. */
  private injectFailure(route: string, req: http.IncomingMessage, json: Json): boolean {
    for (const [prefix, queue] of this.failures) {
      if (!route.startsWith(prefix) || queue.length === 0) continue;
      const how = queue.shift()!;
      if (how === 'drop') req.socket.destroy();
      else json(how.status, { code: how.code ?? how.status, msg: how.msg ?? 'injected failure' });
      return true;
    }
    return false;
  }

  private issueToken(body: Record<string, unknown>, json: Json): void {
    if (body.app_id !== this.appId || body.app_secret !== this.appSecret)
      return json(200, { code: 10014, msg: 'app secret invalid' });
    const token = `t-${crypto.randomBytes(8).toString('hex')}`;
    this.tokens.add(token);
    json(200, { code: 0, msg: 'ok', tenant_access_token: token, expire: 7200 });
  }

  /** The long connection's endpoint: a ws:// URL with a one-time ticket, and the ClientConfig. */
  private openEndpoint(body: Record<string, unknown>, json: Json): void {
    if (body.AppID !== this.appId || body.AppSecret !== this.appSecret)
      return json(200, { code: 403, msg: 'forbidden', data: {} });
    const ticket = crypto.randomBytes(6).toString('hex');
    this.tickets.add(ticket);
    const wsUrl = `${this.url.replace('http:', 'ws:')}/ws/v2?fpid=493&aid=552564&device_id=dev-1&access_key=ak&service_id=7&ticket=${ticket}`;
    json(200, { code: 0, msg: 'ok', data: { URL: wsUrl, ClientConfig: this.clientConfig } });
  }
}
