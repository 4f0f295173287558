import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildApp } from '../../cli/server/app.js';
import type { Core } from '../../core/context.js';
import { hashPassword } from '../../core/operators.js';
import type { Operator, Role } from '../../models/index.js';
import { adminMount, type AdminOptions } from '../../admin/index.js';
import { withEnv } from '../helpers/db.js';

// Logins at the production scrypt cost (2^17, ~0.5 s of CPU each) would make suites with dozens of
// logins time out on the shared machine, and even 2^14 (~55 ms) was ~10 s of the back-office tests'
// CPU; the lowest cost allowed is enough for a login to work. security.spec.ts and the browser tests
// check the real cost.
process.env.STEWARD_TEST_SCRYPT_N ??= '1024';

export const PASSWORD = 'correct-horse-42';

// One full-strength scrypt (~0.5 s) per test file instead of one per operator.
let passwordHash: Promise<string> | null = null;
/** The hash of PASSWORD, made once. */
export function passwordHashOnce(): Promise<string> {
  passwordHash ??= hashPassword(PASSWORD);
  return passwordHash;
}

/** The real Koa app with the back office mounted, listening on a free loopback port. */
export async function startAdmin(
  core: Core,
  opts: AdminOptions = {},
): Promise<{ url: string; close(): Promise<void> }> {
  // The clients below stand behind a reverse proxy: each sends its own X-Forwarded-For. TRUST_PROXY
  // is read only where the Koa app is built; the back office runs on the core as given.
  const app = await buildApp(withEnv(core, { TRUST_PROXY: 'true' }), [adminMount(core, opts)]);
  const server = http.createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** An operator who can log in to the back office (email `<login>@test.local`). */
export async function loginOperator(core: Core, login: string, roles: Role[], displayName = login): Promise<Operator> {
  const email = `${login}@test.local`;
  const existing = await core.models.Operator.findOne({ where: { email } });
  if (existing) return existing;
  return core.models.Operator.create({
    displayName,
    roles: roles.join(','),
    email,
    passwordHash: await passwordHashOnce(),
    active: true,
  });
}

export interface Answer {
  status: number;
  location: string | null;
  text: string;
  json: <T = Record<string, unknown>>() => T;
  setCookies: string[];
}

/** A cookie-keeping HTTP client that does not follow redirects, like a browser tab we can inspect. */
export class AdminClient {
  readonly cookies = new Map<string, string>();

  /** Sent with every state-changing request, as a browser on the back office's own page does. */
  origin: string | null;

  constructor(
    readonly base: string,
    readonly ip = '10.0.0.1',
  ) {
    this.origin = new URL(base).origin;
  }

  /** The Cookie header this client would send. */
  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async request(
    method: string,
    path: string,
    body?: FormData | URLSearchParams,
    extra: Record<string, string> = {},
  ): Promise<Answer> {
    const cookie = this.cookieHeader();
    const origin: Record<string, string> = method !== 'GET' && this.origin ? { origin: this.origin } : {};
    const res = await fetch(this.base + path, {
      method,
      body,
      redirect: 'manual',
      headers: { ...(cookie ? { cookie } : {}), 'x-forwarded-for': this.ip, ...origin, ...extra },
    });
    const setCookies = res.headers.getSetCookie();
    for (const c of setCookies) {
      const [pair] = c.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(c)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const text = await res.text();
    return {
      status: res.status,
      location: res.headers.get('location'),
      text,
      json: <T>() => JSON.parse(text) as T,
      setCookies,
    };
  }

  get(path: string): Promise<Answer> {
    return this.request('GET', path);
  }

  /** Posts fields as multipart form data, as AdminJS's own forms do. */
  post(path: string, fields: Record<string, string> = {}): Promise<Answer> {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.set(k, v);
    return this.request('POST', path, form);
  }

  login(email: string, password = PASSWORD): Promise<Answer> {
    return this.request('POST', '/admin/login', new URLSearchParams({ email, password }));
  }

  /** A record action's JSON answer. */
  async action(
    resource: string,
    id: number | string,
    action: string,
    fields?: Record<string, string>,
  ): Promise<Answer> {
    const path = `/admin/api/resources/${resource}/records/${id}/${action}`;
    return fields ? this.post(path, fields) : this.get(path);
  }

  async list(resource: string, query = ''): Promise<Answer> {
    return this.get(`/admin/api/resources/${resource}/actions/list${query ? `?${query}` : ''}`);
  }

  /** The state AdminJS embeds in its page (resources, their actions, the session). */
  async pageState(): Promise<{
    resources: { id: string; href: string | null; resourceActions: { name: string }[] }[];
    session: Record<string, unknown>;
  }> {
    const page = await this.get('/admin');
    const m = /window\.REDUX_STATE = (.*);\n/.exec(page.text);
    if (!m) throw new Error(`no REDUX_STATE in page (status ${page.status})`);
    return JSON.parse(m[1]!);
  }
}

/** A logged-in client for a new operator with the given roles. */
export async function clientAs(
  core: Core,
  url: string,
  login: string,
  roles: Role[],
): Promise<{ client: AdminClient; operator: Operator }> {
  const operator = await loginOperator(core, login, roles);
  const client = new AdminClient(url, `10.1.${operator.id % 250}.${Math.floor(Math.random() * 250)}`);
  const res = await client.login(operator.email!);
  if (res.status !== 302) throw new Error(`login as ${login} failed: ${res.status}`);
  return { client, operator };
}
