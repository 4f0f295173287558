import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';

export interface HttpCall {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown>;
}

/** What the client sent back on the socket for one frame (an ack, or a ping's echo). */
export interface StreamReply {
  code: number;
  message: string;
  headers: Record<string, string>;
  /** `data`, parsed when it is JSON. */
  data: unknown;
  /** Which connection it came on (index into `connections`). */
  connection: number;
}

type Json = (status: number, value: unknown) => void;

interface Connection {
  ticket: string;
  socket: WebSocket;
  closed: boolean;
}

/**
 * Plays DingTalk's side of Stream mode on loopback, as the official SDK expects it
 * (developerpedia docs/learn/stream/protocol.md): `POST /v1.0/gateway/connections/open` hands out
 * an endpoint and a one-time ticket, the WebSocket accepts only that ticket once, frames go down
 * as {specVersion, type, headers:{topic, messageId, contentType, time, appId, connectionId}, data:"<json>"},
 * and everything the client sends back is recorded. It also plays the OpenAPI the bot calls
 * (oauth2 token, card createAndDeliver/PUT, robot file download) and a sessionWebhook.
 */
export class FakeDingtalkStream {
  url = '';
  readonly calls: HttpCall[] = [];
  readonly gatewayRequests: Record<string, unknown>[] = [];
  readonly connections: Connection[] = [];
  readonly replies: StreamReply[] = [];
  private readonly issued = new Map<string, boolean>();
  private readonly server = http.createServer((req, res) => void this.handle(req, res));
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly failures = new Map<string, number[]>();
  private readonly files = new Map<string, { body: Buffer; name: string }>();
  private readonly codes = new Map<string, string>();
  private readonly sessionErrors: number[] = [];
  private token = '';
  private tokenSeq = 0;
  private frameSeq = 0;

  constructor(
    readonly appKey: string,
    readonly appSecret: string,
  ) {
    this.server.on('upgrade', (req, socket, head) => this.upgrade(req, socket, head));
  }

  async start(): Promise<this> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const c of this.connections) c.socket.terminate();
    this.wss.close();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  /** The connection frames go down on (the newest one still open). */
  get live(): WebSocket | undefined {
    return [...this.connections].reverse().find((c) => !c.closed)?.socket;
  }

  /** Pushes one frame as DingTalk does; `data` is sent as given when it is a string, else as JSON. */
  push(topic: string, data: unknown, opts: { type?: string; messageId?: string } = {}): string {
    const messageId = opts.messageId ?? `msg-${++this.frameSeq}-${randomUUID().slice(0, 8)}`;
    this.sendRaw(
      JSON.stringify({
        specVersion: '1.0',
        type: opts.type ?? 'CALLBACK',
        headers: {
          appId: this.appKey,
          connectionId: `conn-${this.connections.length}`,
          contentType: 'application/json',
          messageId,
          time: String(Date.now()),
          topic,
        },
        data: typeof data === 'string' ? data : JSON.stringify(data),
      }),
    );
    return messageId;
  }

  /** Sends text as is on the live connection (malformed frames). */
  sendRaw(text: string): void {
    const ws = this.live;
    if (!ws) throw new Error('no live connection');
    ws.send(text);
  }

  /** A SYSTEM ping; the client must echo it (same headers, same data). Returns the frame's messageId. */
  ping(opaque: string = randomUUID()): string {
    return this.push('ping', { opaque }, { type: 'SYSTEM' });
  }

  /** A SYSTEM disconnect, then the socket is closed `closeAfterMs` later (DingTalk: about 10 s). */
  announceDisconnect(closeAfterMs = 100): void {
    const ws = this.live;
    this.push('disconnect', { reason: 'server maintenance' }, { type: 'SYSTEM' });
    setTimeout(() => ws?.close(1000, 'disconnect'), closeAfterMs);
  }

  /** Drops the live connection without a closing handshake. */
  drop(): void {
    this.live?.terminate();
  }

  /** What came back for a frame. */
  repliesTo(messageId: string): StreamReply[] {
    return this.replies.filter((r) => r.headers.messageId === messageId);
  }

  to(path: string): HttpCall[] {
    return this.calls.filter((c) => c.path === path);
  }

  /** The next `n` calls to `path` get this HTTP status. */
  fail(path: string, status: number, n = 1): void {
    this.failures.set(path, [...(this.failures.get(path) ?? []), ...Array<number>(n).fill(status)]);
  }

  /** The next sessionWebhook posts answer HTTP 200 with these errcodes (e.g. 130101, sent too fast). */
  failSession(...errcodes: number[]): void {
    this.sessionErrors.push(...errcodes);
  }

  /** Invalidates the issued access token, as its expiry would. */
  expireToken(): void {
    this.token = `revoked-${this.token}`;
  }

  /** A robot file: messageFiles/download with this code returns a downloadUrl to these bytes. */
  addDownloadCode(code: string, body: Buffer, name: string): void {
    const path = `/files/${this.files.size + 1}`;
    this.files.set(path, { body, name });
    this.codes.set(code, path);
  }

  async waitFor(check: () => boolean, timeoutMs = 5000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > until) throw new Error('FakeDingtalkStream.waitFor timed out');
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  private upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    const u = new URL(req.url ?? '/', this.url);
    const ticket = u.searchParams.get('ticket') ?? '';
    if (u.pathname !== '/connect' || this.issued.get(ticket) !== false) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.issued.set(ticket, true);
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const conn: Connection = { ticket, socket: ws, closed: false };
      const index = this.connections.push(conn) - 1;
      ws.on('message', (raw) => {
        try {
          const m = JSON.parse(String(raw)) as {
            code: number;
            message: string;
            headers: Record<string, string>;
            data: string;
          };
          let data: unknown = m.data;
          try {
            data = JSON.parse(m.data);
          } catch {
            // not JSON: kept as sent
          }
          this.replies.push({ code: m.code, message: m.message, headers: m.headers ?? {}, data, connection: index });
        } catch {
          this.replies.push({ code: -1, message: 'unparseable', headers: {}, data: String(raw), connection: index });
        }
      });
      ws.on('close', () => (conn.closed = true));
    });
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const u = new URL(req.url ?? '/', this.url);
    const body = await this.record(req, u);
    const json: Json = (status, value) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    const failure = this.failures.get(u.pathname)?.shift();
    if (failure) return json(failure, { code: 'Injected', message: 'injected failure' });

    const route = `${req.method} ${u.pathname}`;
    if (route === 'POST /v1.0/gateway/connections/open') return this.openConnection(body, json);
    if (route === 'POST /v1.0/oauth2/accessToken') return this.issueToken(body, json);
    if (u.pathname.startsWith('/v1.0/card/') || u.pathname.startsWith('/v1.0/robot/')) {
      if (this.openApi(route, req, body, json)) return;
    }
    const file = this.files.get(u.pathname);
    if (file && req.method === 'GET') return sendFile(res, file);
    if (route === 'POST /robot/sendBySession') {
      const errcode = this.sessionErrors.shift();
      return json(200, errcode ? { errcode, errmsg: 'send too fast' } : { errcode: 0, errmsg: 'ok' });
    }
    json(404, { code: 'NotFound', message: u.pathname });
  }

  /** Reads the request's JSON body and records the call. */
  private async record(req: http.IncomingMessage, u: URL): Promise<Record<string, unknown>> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    let body: Record<string, unknown> = {};
    try {
      body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
    } catch {
      body = { unparseable: true };
    }
    this.calls.push({
      method: req.method ?? 'GET',
      path: u.pathname,
      query: Object.fromEntries(u.searchParams),
      headers: req.headers,
      body,
    });
    return body;
  }

  /** The gateway: the app's credentials buy an endpoint and a one-time ticket. */
  private openConnection(body: Record<string, unknown>, json: Json): void {
    this.gatewayRequests.push(body);
    if (body.clientId !== this.appKey || body.clientSecret !== this.appSecret)
      return json(401, { code: 'InvalidAuthentication', message: 'clientId or clientSecret wrong' });
    const ticket = randomUUID();
    this.issued.set(ticket, false);
    json(200, { endpoint: `${this.url.replace(/^http/, 'ws')}/connect`, ticket });
  }

  private issueToken(body: Record<string, unknown>, json: Json): void {
    if (body.appKey !== this.appKey || body.appSecret !== this.appSecret)
      return json(400, { code: 'invalidClientIdOrSecret', message: 'wrong' });
    this.token = `token-${++this.tokenSeq}`;
    json(200, { accessToken: this.token, expireIn: 7200 });
  }

  /** The card and robot OpenAPI, behind the access token; false when the route is not one of them. */
  private openApi(route: string, req: http.IncomingMessage, body: Record<string, unknown>, json: Json): boolean {
    if (!this.token || req.headers['x-acs-dingtalk-access-token'] !== this.token) {
      json(401, { code: 'InvalidAuthentication', message: '不合法的access_token' });
      return true;
    }
    switch (route) {
      case 'POST /v1.0/card/instances/createAndDeliver':
        json(200, cardDelivered(body));
        return true;
      case 'PUT /v1.0/card/instances':
        json(200, { success: true, result: true });
        return true;
      // Robot messages by OpenAPI (groupMessages/send, oToMessages/batchSend): DingTalk answers with a query key.
      case 'POST /v1.0/robot/groupMessages/send':
      case 'POST /v1.0/robot/oToMessages/batchSend':
        json(200, { processQueryKey: `pqk-${randomUUID()}` });
        return true;
      case 'POST /v1.0/robot/messageFiles/download': {
        const path = this.codes.get(String(body.downloadCode));
        if (path) json(200, { downloadUrl: `${this.url}${path}` });
        else json(400, { code: 'invalidParameter', message: 'downloadCode' });
        return true;
      }
      default:
        return false;
    }
  }
}

/** createAndDeliver's answer: delivered to the group or the 1:1 space named in openSpaceId. */
function cardDelivered(body: Record<string, unknown>): unknown {
  const space = String(body.openSpaceId ?? '');
  return {
    success: true,
    result: {
      outTrackId: body.outTrackId,
      deliverResults: [
        {
          spaceType: space.includes('IM_GROUP') ? 'IM_GROUP' : 'IM_ROBOT',
          spaceId: space.split('.').pop(),
          success: true,
          carrierId: 'carrier-1',
        },
      ],
    },
  };
}

function sendFile(res: http.ServerResponse, file: { body: Buffer; name: string }): void {
  res.writeHead(200, {
    'content-type': 'application/octet-stream',
    'content-length': file.body.length,
    'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(file.name)}`,
  });
  res.end(file.body);
}
