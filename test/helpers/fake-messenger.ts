import http from 'node:http';

export interface RecordedCall {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown>;
}

type Send = (status: number, json: unknown) => void;

const OK = { errcode: 0, errmsg: 'ok' };

/** Canned answers (status 200) by path, as the real servers give them; `n` numbers tokens and message ids. */
const CANNED = new Map<string, (n: number, body: Record<string, unknown>) => unknown>([
  ['/cgi-bin/gettoken', (n) => ({ errcode: 0, access_token: `wecom-token-${n}`, expires_in: 7200 })],
  [
    '/cgi-bin/message/send',
    (n, body) => ({
      errcode: 0,
      errmsg: 'ok',
      msgid: `m${n}`,
      ...(body.msgtype === 'template_card' ? { response_code: `rc-${n}` } : {}),
    }),
  ],
  ['/cgi-bin/aibot/response', () => OK],
  ['/cgi-bin/message/update_template_card', () => OK],
  ['/cgi-bin/webhook/send', () => OK],
  ['/robot/send', () => OK],
  ['/v1.0/oauth2/accessToken', (n) => ({ accessToken: `ding-token-${n}`, expireIn: 7200 })],
  ['/v1.0/robot/groupMessages/send', (n) => ({ processQueryKey: `q${n}` })],
  ['/v1.0/robot/oToMessages/batchSend', (n) => ({ processQueryKey: `q${n}` })],
]);

/**
 * Plays the WeCom and DingTalk servers on loopback and records every call it was sent.
 * `failures` lets a test make the next calls to a path fail (an HTTP status or a WeCom errcode).
 */
export class FakeMessenger {
  readonly calls: RecordedCall[] = [];
  private server = http.createServer((req, res) => void this.handle(req, res));
  private readonly failures = new Map<string, (number | { errcode: number })[]>();
  /** Files it hands out, by download path (`/files/<n>`); see serveFile and the media/code maps. */
  private readonly files = new Map<string, { body: Buffer; name?: string }>();
  /** WeCom media_id → the download path of its file (GET /cgi-bin/media/get). */
  private readonly media = new Map<string, string>();
  /** DingTalk downloadCode → the download path (POST /v1.0/robot/messageFiles/download). */
  private readonly codes = new Map<string, string>();
  private seq = 0;
  private fileSeq = 0;
  private readonly losing = new Map<string, number>();
  /** Card task_ids already sent through message/send. */
  private readonly tasks = new Set<string>();
  private readonly hanging = new Map<string, number>();
  private readonly held: http.ServerResponse[] = [];
  url = '';

  async start(): Promise<this> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.release();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  /** The next `n` calls to `path` are accepted and never answered (until release() or stop()). */
  hang(path: string, n = 1): void {
    this.hanging.set(path, (this.hanging.get(path) ?? 0) + n);
  }

  /** The next `n` calls to `path` are carried out, but their answer is lost (a 502 instead). */
  loseAnswer(path: string, n = 1): void {
    this.losing.set(path, (this.losing.get(path) ?? 0) + n);
  }

  /** Stops hanging: answers every hung call with an error, so the caller's retry logic takes over. */
  release(): void {
    this.hanging.clear();
    for (const res of this.held.splice(0)) {
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end('{"error":"released"}');
    }
  }

  /** The next `n` calls to `path` fail this way. */
  fail(path: string, how: number | { errcode: number }, n = 1): void {
    this.failures.set(path, [...(this.failures.get(path) ?? []), ...Array(n).fill(how)]);
  }

  /** Serves `body` (as is: encrypt it first for the AI bot) at a new URL, with the name in Content-Disposition. */
  serveFile(body: Buffer, name?: string): string {
    const path = `/files/${++this.fileSeq}`;
    this.files.set(path, { body, name });
    return `${this.url}${path}`;
  }

  /** A WeCom 临时素材: `media/get?media_id=<mediaId>` returns the file. */
  addMedia(mediaId: string, body: Buffer, name?: string): void {
    this.media.set(mediaId, new URL(this.serveFile(body, name)).pathname);
  }

  /** A DingTalk robot file: `messageFiles/download` with this code returns a downloadUrl to it. */
  addDownloadCode(code: string, body: Buffer, name?: string): void {
    this.codes.set(code, new URL(this.serveFile(body, name)).pathname);
  }

  /** Calls to a path, in order. */
  to(path: string): RecordedCall[] {
    return this.calls.filter((c) => c.path === path);
  }

  /** Waits until `pred` holds over the calls (polling), or fails after `ms`. */
  async waitFor(pred: (calls: RecordedCall[]) => boolean, ms = 8000): Promise<void> {
    const end = Date.now() + ms;
    while (!pred(this.calls)) {
      if (Date.now() > end)
        throw new Error(
          `fake messenger: condition not met; calls were ${JSON.stringify(this.calls.map((c) => c.path))}`,
        );
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const { url, body } = await this.record(req);
    const send: Send = (status, json) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(json));
    };
    if (this.holdOrFail(url.pathname, res, send)) return;
    if (this.files.has(url.pathname)) return this.sendFile(res, url.pathname);
    const losing = this.losing.get(url.pathname) ?? 0;
    if (losing > 0) {
      // Done, but the caller hears a gateway error instead of the answer.
      this.losing.set(url.pathname, losing - 1);
      return this.answer(url, body, res, () => send(502, { error: 'injected: answer lost' }));
    }
    this.answer(url, body, res, send);
  }

  /** Reads the request and records it as a call (a body that is not JSON is kept as `{ raw }`). */
  private async record(req: http.IncomingMessage): Promise<{ url: URL; body: Record<string, unknown> }> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? '/', 'http://x');
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: Record<string, unknown> = {};
    try {
      body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    } catch {
      body = { raw };
    }
    this.calls.push({
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      body,
    });
    return { url, body };
  }

  /** Applies hang() and fail(): true when the call was held or answered with an injected failure. */
  private holdOrFail(pathname: string, res: http.ServerResponse, send: Send): boolean {
    const hangs = this.hanging.get(pathname) ?? 0;
    if (hangs > 0) {
      this.hanging.set(pathname, hangs - 1);
      this.held.push(res);
      return true;
    }
    const failure = this.failures.get(pathname)?.shift();
    if (failure === undefined) return false;
    if (typeof failure === 'number') send(failure, { error: 'injected' });
    else send(200, { errcode: failure.errcode, errmsg: 'injected' });
    return true;
  }

  private sendFile(res: http.ServerResponse, path: string): void {
    const f = this.files.get(path)!;
    const disposition = f.name
      ? `attachment; filename="${encodeURIComponent(f.name)}"; filename*=UTF-8''${encodeURIComponent(f.name)}`
      : 'attachment';
    res.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': f.body.length,
      'content-disposition': disposition,
    });
    res.end(f.body);
  }

  /** What the real server answers: a file through its media id or download code, else a canned reply. */
  private answer(url: URL, body: Record<string, unknown>, res: http.ServerResponse, send: Send): void {
    const n = ++this.seq;
    if (url.pathname === '/cgi-bin/media/get') {
      const path = this.media.get(url.searchParams.get('media_id') ?? '');
      return path ? this.sendFile(res, path) : send(200, { errcode: 40007, errmsg: 'invalid media_id' });
    }
    if (url.pathname === '/v1.0/robot/messageFiles/download') {
      const path = this.codes.get(String(body.downloadCode ?? ''));
      return path
        ? send(200, { downloadUrl: `${this.url}${path}` })
        : send(400, { code: 'InvalidParameter.downloadCode', message: 'downloadCode 无效' });
    }
    // As WeCom: a card's task_id is unique per app (a second send of one gets 42014).
    const task = (body.template_card as { task_id?: string } | undefined)?.task_id;
    if (url.pathname === '/cgi-bin/message/send' && task) {
      if (this.tasks.has(task)) return send(200, { errcode: 42014, errmsg: 'taskid exists' });
      this.tasks.add(task);
    }
    const canned = url.pathname.startsWith('/robot/sendBySession') ? () => OK : CANNED.get(url.pathname);
    if (canned) return send(200, canned(n, body));
    return send(404, { errcode: 404, errmsg: 'not found' });
  }
}
