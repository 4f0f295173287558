import type { Core } from '../../../core/context.js';

/** What a page answered: status and HTML. */
export interface PageResponse {
  status: number;
  text: string;
}

/**
 * A minimal browser for the signed pages: keeps cookies per name, sends Origin on POST as
 * browsers do, and reads the hidden form fields back out of the HTML.
 */
export class PageBrowser {
  readonly cookies = new Map<string, string>();
  last = '';

  constructor(
    private readonly base: string,
    private readonly origin = base,
  ) {}

  private async go(path: string, init: RequestInit): Promise<PageResponse> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await fetch(`${this.base}${path}`, { ...init, headers, redirect: 'manual' });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = pair!.indexOf('=');
      this.cookies.set(pair!.slice(0, eq), pair!.slice(eq + 1));
    }
    this.last = await res.text();
    return { status: res.status, text: this.last };
  }

  /** Opens a page (a link path with its ?t=). */
  get(path: string): Promise<PageResponse> {
    return this.go(path, { method: 'GET' });
  }

  /** Submits a form; `origin: null` leaves the Origin header out. */
  post(path: string, fields: Record<string, string>, opts: { origin?: string | null } = {}): Promise<PageResponse> {
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    const origin = opts.origin === undefined ? this.origin : opts.origin;
    if (origin) headers.origin = origin;
    return this.go(path, { method: 'POST', headers, body: new URLSearchParams(fields).toString() });
  }

  /** The CSRF token of the last page shown. */
  csrf(): string {
    const m = /name="csrf" value="([^"]+)"/.exec(this.last);
    if (!m) throw new Error(`no csrf field on the page: ${this.last.slice(0, 300)}`);
    return m[1]!;
  }
}

/** The newest one-time code sent to an operator, read from their console chat outbox. */
export async function codeSentTo(core: Core, operatorId: number): Promise<string> {
  const rows = await core.models.BotOutbox.findAll({
    where: { door: 'console', targetId: `op:${operatorId}` },
    order: [['id', 'DESC']],
    limit: 5,
  });
  for (const r of rows) {
    const m = /验证码: (\d{6})/.exec(r.payload);
    if (m) return m[1]!;
  }
  throw new Error(`no code was sent to operator ${operatorId}`);
}

/** How many messages with a code went to an operator. */
export async function codesSentTo(core: Core, operatorId: number): Promise<number> {
  const rows = await core.models.BotOutbox.findAll({ where: { door: 'console', targetId: `op:${operatorId}` } });
  return rows.filter((r) => r.payload.includes('验证码: ')).length;
}
