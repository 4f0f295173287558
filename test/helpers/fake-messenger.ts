import http from 'node:http';

export interface RecordedCall {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown>;
}

/**
 * Plays the WeCom and DingTalk servers on loopback and records every call it was sent.
 * `failures` lets a test make the next calls to a path fail (an HTTP status or a WeCom errcode).
 */
export class FakeMessenger {
  readonly calls: RecordedCall[] = [];
  private server = http.createServer((req, res) => void this.handle(req, res));
  private readonly failures = new Map<string, (number | { errcode: number })[]>();
  private seq = 0;
  url = '';

  async start(): Promise<this> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  /** The next `n` calls to `path` fail this way. */
  fail(path: string, how: number | { errcode: number }, n = 1): void {
    this.failures.set(path, [...(this.failures.get(path) ?? []), ...Array(n).fill(how)]);
  }

  /** Calls to a path, in order. */
  to(path: string): RecordedCall[] {
    return this.calls.filter((c) => c.path === path);
  }

  /** Waits until `pred` holds over the calls (polling), or fails after `ms`. */
  async waitFor(pred: (calls: RecordedCall[]) => boolean, ms = 8000): Promise<void> {
    const end = Date.now() + ms;
    while (!pred(this.calls)) {
      if (Date.now() > end) throw new Error(`fake messenger: condition not met; calls were ${JSON.stringify(this.calls.map((c) => c.path))}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
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
    this.calls.push({ method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), headers: req.headers, body });
    const send = (status: number, json: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(json));
    };
    const queue = this.failures.get(url.pathname);
    const failure = queue?.shift();
    if (failure !== undefined) {
      if (typeof failure === 'number') return send(failure, { error: 'injected' });
      return send(200, { errcode: failure.errcode, errmsg: 'injected' });
    }
    const n = ++this.seq;
    switch (url.pathname) {
      case '/cgi-bin/gettoken': return send(200, { errcode: 0, access_token: `wecom-token-${n}`, expires_in: 7200 });
      case '/cgi-bin/message/send': return send(200, { errcode: 0, errmsg: 'ok', msgid: `m${n}`, ...(body.msgtype === 'template_card' ? { response_code: `rc-${n}` } : {}) });
      case '/cgi-bin/message/update_template_card':
      case '/cgi-bin/webhook/send':
      case '/robot/send':
        return send(200, { errcode: 0, errmsg: 'ok' });
      case '/v1.0/oauth2/accessToken': return send(200, { accessToken: `ding-token-${n}`, expireIn: 7200 });
      case '/v1.0/robot/groupMessages/send':
      case '/v1.0/robot/oToMessages/batchSend':
        return send(200, { processQueryKey: `q${n}` });
      default:
        if (url.pathname.startsWith('/robot/sendBySession')) return send(200, { errcode: 0, errmsg: 'ok' });
        return send(404, { errcode: 404, errmsg: 'not found' });
    }
  }
}
