import crypto from 'node:crypto';
import http from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';

/** A frame as the WeCom AI bot long connection carries it: `{cmd, headers:{req_id}, body}`, acks `{headers, errcode, errmsg}`. */
export interface AibotFrame {
  cmd?: string;
  headers: { req_id: string; [k: string]: unknown };
  body?: Record<string, unknown> | null;
  errcode?: number;
  errmsg?: string;
}

/** One frame a client sent, with the fake's verdict on it. */
export interface ClientFrame {
  conn: number;
  botId: string | null;
  frame: AibotFrame;
  /** The errcode the fake acked with (0 = accepted). */
  errcode: number;
  /** For answers to a callback: milliseconds since that callback was pushed. */
  afterMs?: number;
}

interface Conn {
  id: number;
  ws: WebSocket;
  botId: string | null;
  /** req_ids of the callbacks pushed to this connection: cmd and when. */
  callbacks: Map<string, { cmd: string; at: number }>;
}

/** Answers must come on the callback's req_id within this window (SDK README: welcome and card updates within 5 s). */
const ANSWER_WINDOW_MS = 5_000;
const ANSWERS: Record<string, string> = {
  aibot_respond_msg: 'aibot_msg_callback',
  aibot_respond_welcome_msg: 'aibot_event_callback',
  aibot_respond_update_msg: 'aibot_event_callback',
};

/** aibot_send_msg (a message the bot starts) needs a chat id, and markdown or a template card. */
function isValidSend(body: Record<string, unknown>): boolean {
  return (
    typeof body.chatid === 'string' &&
    body.chatid !== '' &&
    (body.msgtype === 'markdown' || body.msgtype === 'template_card')
  );
}

/**
 * Plays WeCom's AI bot long-connection server (wss://openws.work.weixin.qq.com) on loopback, as
 * @wecom/aibot-node-sdk 1.0.7 expects it: aibot_subscribe auth with bot_id + secret, ping acks,
 * callbacks pushed as aibot_msg_callback / aibot_event_callback, answers acked on their req_id,
 * and a newer connection for the same bot superseding the older one with `disconnected_event`.
 * The same port serves encrypted files over HTTP, as WeCom's media URLs do.
 */
export class FakeAibotServer {
  readonly received: ClientFrame[] = [];
  readonly auths: { botId: unknown; secret: unknown; ok: boolean }[] = [];
  readonly fileRequests: string[] = [];
  url = '';
  httpUrl = '';
  private readonly http = http.createServer((req, res) => this.serveHttp(req, res));
  private readonly wss = new WebSocketServer({ server: this.http });
  private readonly conns = new Set<Conn>();
  private readonly files = new Map<string, { data: Buffer; name: string }>();
  private readonly failures = new Map<string, number[]>();
  private seq = 0;

  constructor(private readonly bots: Record<string, string>) {
    this.wss.on('connection', (ws) => this.accept(ws));
  }

  async start(): Promise<this> {
    await new Promise<void>((r) => this.http.listen(0, '127.0.0.1', r));
    const { port } = this.http.address() as { port: number };
    this.url = `ws://127.0.0.1:${port}`;
    this.httpUrl = `http://127.0.0.1:${port}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const c of this.conns) c.ws.terminate();
    this.wss.close();
    this.http.closeAllConnections();
    await new Promise<void>((r) => this.http.close(() => r()));
  }

  /** Authenticated connections of `botId` still open. */
  connections(botId: string): number {
    return [...this.conns].filter((c) => c.botId === botId).length;
  }

  /** Pushes a message callback to the bot's newest connection; returns its req_id. */
  pushMessage(botId: string, body: unknown): string {
    return this.push(botId, 'aibot_msg_callback', body);
  }

  /** Pushes an event callback to the bot's newest connection; returns its req_id. */
  pushEvent(botId: string, body: unknown): string {
    return this.push(botId, 'aibot_event_callback', body);
  }

  /** Sends raw text (a malformed frame) to the bot's newest connection. */
  pushRaw(botId: string, data: string): void {
    this.newest(botId).ws.send(data);
  }

  /** The server drops every connection (a network cut, a server restart). */
  dropAll(): void {
    for (const c of this.conns) c.ws.terminate();
  }

  /** The next `n` frames with `cmd` are refused with `errcode`. */
  fail(cmd: string, errcode: number, n = 1): void {
    this.failures.set(cmd, [...(this.failures.get(cmd) ?? []), ...Array<number>(n).fill(errcode)]);
  }

  /** Serves `plain` encrypted as WeCom serves AI bot media (AES-256-CBC, IV = key[0..16], PKCS#7 to 32); returns its URL. */
  serveFile(plain: Buffer, name: string, aeskey: string): string {
    const key = Buffer.from(aeskey, 'base64');
    const pad = 32 - (plain.length % 32);
    const cipher = crypto.createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
    cipher.setAutoPadding(false);
    const data = Buffer.concat([cipher.update(Buffer.concat([plain, Buffer.alloc(pad, pad)])), cipher.final()]);
    const path = `/files/${++this.seq}`;
    this.files.set(path, { data, name });
    return `${this.httpUrl}${path}?sign=q-sign-time`;
  }

  /** Frames clients sent with `cmd` (in order). */
  sent(cmd: string): ClientFrame[] {
    return this.received.filter((f) => f.frame.cmd === cmd);
  }

  /** Resolves with the first client frame matching `pred` (already received or arriving within `ms`). */
  async waitFor(pred: (f: ClientFrame) => boolean, ms = 5_000): Promise<ClientFrame> {
    const deadline = Date.now() + ms;
    for (;;) {
      const hit = this.received.find(pred);
      if (hit) return hit;
      if (Date.now() > deadline)
        throw new Error(
          `fake WeCom: no matching frame within ${ms} ms; got ${JSON.stringify(this.received.map((f) => f.frame.cmd))}`,
        );
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  private newest(botId: string): Conn {
    const conn = [...this.conns].filter((c) => c.botId === botId).pop();
    if (!conn) throw new Error(`fake WeCom: bot ${botId} is not connected`);
    return conn;
  }

  private push(botId: string, cmd: string, body: unknown): string {
    const conn = this.newest(botId);
    const reqId = `${cmd}_${Date.now()}_${++this.seq}`;
    conn.callbacks.set(reqId, { cmd, at: Date.now() });
    conn.ws.send(JSON.stringify({ cmd, headers: { req_id: reqId }, body }));
    return reqId;
  }

  private accept(ws: WebSocket): void {
    const conn: Conn = { id: ++this.seq, ws, botId: null, callbacks: new Map() };
    this.conns.add(conn);
    ws.on('close', () => this.conns.delete(conn));
    ws.on('message', (data) => {
      let frame: AibotFrame;
      try {
        frame = JSON.parse(data.toString()) as AibotFrame;
      } catch {
        return ws.close(1003, 'not json');
      }
      this.onFrame(conn, frame);
    });
  }

  private ack(conn: Conn, frame: AibotFrame, errcode: number, errmsg: string, afterMs?: number): void {
    const reqId = String(frame.headers?.req_id ?? '');
    this.received.push({
      conn: conn.id,
      botId: conn.botId,
      frame,
      errcode,
      ...(afterMs !== undefined ? { afterMs } : {}),
    });
    conn.ws.send(JSON.stringify({ headers: { req_id: reqId }, errcode, errmsg }));
  }

  private onFrame(conn: Conn, frame: AibotFrame): void {
    const reqId = frame.headers?.req_id;
    if (typeof reqId !== 'string' || !reqId) return conn.ws.close(1008, 'no req_id');
    if (frame.cmd === 'aibot_subscribe') return this.subscribe(conn, frame);
    if (!conn.botId) return this.ack(conn, frame, 40001, 'not subscribed');
    const cmd = frame.cmd ?? '';
    const failure = this.failures.get(cmd)?.shift();
    if (failure !== undefined) return this.ack(conn, frame, failure, 'refused by test');
    if (frame.cmd === 'ping') return this.ack(conn, frame, 0, 'ok');
    if (frame.cmd === 'aibot_send_msg') return this.ackSend(conn, frame);
    const answers = ANSWERS[cmd];
    if (answers) return this.ackAnswer(conn, frame, reqId, answers);
    this.ack(conn, frame, 40008, 'unknown cmd');
  }

  private ackSend(conn: Conn, frame: AibotFrame): void {
    const ok = isValidSend(frame.body ?? {});
    this.ack(conn, frame, ok ? 0 : 40058, ok ? 'ok' : 'invalid chatid or msgtype');
  }

  /** An answer is accepted only on the req_id of a callback it answers, within the window. */
  private ackAnswer(conn: Conn, frame: AibotFrame, reqId: string, answers: string): void {
    const cb = conn.callbacks.get(reqId);
    if (!cb || cb.cmd !== answers) return this.ack(conn, frame, 846605, 'invalid req_id');
    const afterMs = Date.now() - cb.at;
    if (afterMs > ANSWER_WINDOW_MS) return this.ack(conn, frame, 846605, 'invalid req_id', afterMs);
    return this.ack(conn, frame, 0, 'ok', afterMs);
  }

  private subscribe(conn: Conn, frame: AibotFrame): void {
    const { bot_id: botId, secret } = frame.body ?? {};
    const ok = typeof botId === 'string' && this.bots[botId] !== undefined && this.bots[botId] === secret;
    this.auths.push({ botId, secret, ok });
    if (!ok) return this.ack(conn, frame, 40014, 'invalid bot_id or secret');
    // WeCom keeps only the newest connection per bot: the older one is told, then closed.
    for (const old of this.conns) {
      if (old === conn || old.botId !== botId) continue;
      old.ws.send(
        JSON.stringify({
          cmd: 'aibot_event_callback',
          headers: { req_id: `aibot_event_callback_${Date.now()}_${++this.seq}` },
          body: {
            msgid: `disc-${this.seq}`,
            create_time: Math.floor(Date.now() / 1000),
            aibotid: botId,
            msgtype: 'event',
            event: { eventtype: 'disconnected_event' },
          },
        }),
      );
      old.botId = null;
      setTimeout(() => old.ws.close(1000, 'superseded'), 50);
    }
    conn.botId = botId;
    this.ack(conn, frame, 0, 'ok');
  }

  private serveHttp(req: http.IncomingMessage, res: http.ServerResponse): void {
    const path = (req.url ?? '').split('?')[0]!;
    this.fileRequests.push(path);
    const file = this.files.get(path);
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(file.name)}`,
    });
    res.end(file.data);
  }
}

/** Callback bodies exactly as documented (path/100719 messages, path/101027 events). */
export const aibotBodies = {
  text(o: { msgid: string; userid: string; content: string; chatid?: string }): Record<string, unknown> {
    return { ...common(o), msgtype: 'text', text: { content: o.content } };
  },
  mixed(o: { msgid: string; userid: string; texts: string[]; chatid?: string }): Record<string, unknown> {
    const items = o.texts.flatMap((t) => [
      { msgtype: 'text', text: { content: t } },
      { msgtype: 'image', image: { url: 'https://ww-aibot-img-1258476243.cos.ap-guangzhou.myqcloud.com/x' } },
    ]);
    return { ...common(o), msgtype: 'mixed', mixed: { msg_item: items } };
  },
  file(o: { msgid: string; userid: string; url: string; aeskey?: string }): Record<string, unknown> {
    return { ...common(o), msgtype: 'file', file: { url: o.url, ...(o.aeskey ? { aeskey: o.aeskey } : {}) } };
  },
  click(o: {
    msgid: string;
    userid: string;
    eventKey: string;
    taskId: string;
    chatid?: string;
  }): Record<string, unknown> {
    return {
      ...common(o),
      create_time: Math.floor(Date.now() / 1000),
      msgtype: 'event',
      event: {
        eventtype: 'template_card_event',
        template_card_event: { card_type: 'button_interaction', event_key: o.eventKey, task_id: o.taskId },
      },
    };
  },
  enterChat(o: { msgid: string; userid: string }): Record<string, unknown> {
    return {
      ...common(o),
      create_time: Math.floor(Date.now() / 1000),
      msgtype: 'event',
      event: { eventtype: 'enter_chat', enter_chat: {} },
    };
  },
};

function common(o: { msgid: string; userid: string; chatid?: string }): Record<string, unknown> {
  return {
    msgid: o.msgid,
    aibotid: 'AIBOTID',
    chattype: o.chatid ? 'group' : 'single',
    ...(o.chatid ? { chatid: o.chatid } : {}),
    from: { userid: o.userid },
    response_url: 'https://qyapi.weixin.qq.com/cgi-bin/aibot/response?response_code=RC',
  };
}
