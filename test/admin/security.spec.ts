import crypto from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it, jest } from '@jest/globals';
import { eachDialect, type Harness } from '../helpers/db.js';
import { SCRYPT_PARAMS, hashPassword } from '../../core/credentials/passwords.js';
import { AdminClient, PASSWORD, clientAs, loginOperator, startAdmin } from './helpers.js';

/** A hash as the previous version made them (scrypt N=2^14). */
async function oldHash(password: string): Promise<string> {
  const salt = crypto.randomBytes(16);
  const hash = (await promisify(crypto.scrypt)(password, salt, 32)) as Buffer;
  return `scrypt$16384$8$1$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/** An operator whose hash has the old cost logs in, and leaves with a hash at today's cost. */
async function rehashCase(h: Harness, url: string): Promise<void> {
  const op = await loginOperator(h.core, 'old-hash', ['sales']);
  await op.update({ passwordHash: await oldHash(PASSWORD) });
  expect((await new AdminClient(url, '10.7.1.1').login('old-hash@test.local')).status).toBe(302);
  await op.reload();
  expect(op.passwordHash).toMatch(/^scrypt\$131072\$8\$1\$/);
  expect((await new AdminClient(url, '10.7.1.2').login('old-hash@test.local')).status).toBe(302);
}

jest.setTimeout(180_000);

type AdminServer = Awaited<ReturnType<typeof startAdmin>>;

/** The back office and a logged-in admin, sec-boss. */
async function startWithBoss(h: Harness): Promise<{ server: AdminServer; boss: AdminClient }> {
  const server = await startAdmin(h.core);
  return { server, boss: (await clientAs(h.core, server.url, 'sec-boss', ['admin'])).client };
}

eachDialect('back office: headers, and CSRF without Origin', (h) => {
  let server: AdminServer, boss: AdminClient;
  beforeAll(async () => {
    ({ server, boss } = await startWithBoss(h));
  });
  afterAll(async () => server?.close());

  it("sends CSP (with a nonce on the page's inline scripts), nosniff, Referrer-Policy and no framing on /admin", async () => {
    for (const path of ['/admin/login', '/admin']) {
      const res = await fetch(server.url + path, {
        headers: { cookie: boss.cookieHeader(), 'x-forwarded-for': boss.ip },
      });
      const csp = res.headers.get('content-security-policy')!;
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("object-src 'none'");
      const nonce = /'nonce-([^']+)'/.exec(csp)![1];
      const html = await res.text();
      const inline = html.match(/<script(?![^>]*src=)[^>]*>/g)!;
      expect(inline.length).toBeGreaterThan(0);
      for (const tag of inline) expect(tag).toContain(`nonce="${nonce}"`);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('same-origin');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
    }
  });

  it('refuses a cookie-carrying POST that names no origin at all, and changes nothing', async () => {
    const before = await h.core.models.Operator.count();
    const form = new FormData();
    form.set('displayName', '无来源');
    form.set('roles', 'sales');
    form.set('password', 'password-123');
    const res = await fetch(`${server.url}/admin/api/resources/operators/actions/new`, {
      method: 'POST',
      body: form,
      redirect: 'manual',
      headers: { cookie: boss.cookieHeader(), 'x-forwarded-for': boss.ip },
    });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('请求没有标明来源 (Origin/Referer), 已拒绝');
    expect(res.headers.getSetCookie()).toEqual([]);
    expect(await h.core.models.Operator.count()).toBe(before);
  });

  it('a cross-site login POST neither logs in nor replaces the session cookie', async () => {
    const res = await fetch(`${server.url}/admin/login`, {
      method: 'POST',
      body: new URLSearchParams({ email: 'sec-boss@test.local', password: PASSWORD }),
      redirect: 'manual',
      headers: { origin: 'http://evil.example', 'x-forwarded-for': '10.7.0.9' },
    });
    expect(res.status).toBe(403);
    expect(res.headers.getSetCookie()).toEqual([]);
    expect((await boss.list('customers')).status).toBe(200);
  });

  it('a logout link followed from another site does not log out', async () => {
    const res = await boss.request('GET', '/admin/logout', undefined, { 'sec-fetch-site': 'cross-site' });
    expect(res.status).toBe(302);
    expect(res.location).toBe('/admin');
    expect((await boss.list('customers')).status).toBe(200);
  });
});

eachDialect('back office: bad requests answered, not 500; password hashing', (h) => {
  let server: AdminServer, boss: AdminClient;
  beforeAll(async () => {
    ({ server, boss } = await startWithBoss(h));
  });
  afterAll(async () => server?.close());

  it('POST /admin/refresh-token answers 401 with a Chinese reason, with or without a session', async () => {
    for (const c of [new AdminClient(server.url, '10.7.0.1'), boss]) {
      const res = await c.post('/admin/refresh-token');
      expect(res.status).toBe(401);
      expect(res.json<{ error: { message: string } }>().error.message).toContain('请重新登录');
    }
  });

  it('an unknown action or resource name is a Chinese 404, not a 500', async () => {
    const action = await boss.get('/admin/api/resources/customers/actions/noSuchAction');
    expect(action.status).toBe(404);
    expect(action.json<{ error: { message: string } }>().error.message).toBe(
      '没有名为「noSuchAction」的操作。请从页面上的按钮进入。',
    );
    expect((await boss.post('/admin/api/resources/customers/records/1/noSuchAction')).status).toBe(404);
    const page = await boss.get('/admin/resources/customers/actions/noSuchAction');
    expect([page.status, page.text]).toEqual([404, '没有名为「noSuchAction」的操作。请从页面上的按钮进入。']);
    const resource = await boss.get('/admin/api/resources/no_such_table/actions/list');
    expect(resource.status).toBe(404);
    expect(resource.text).toContain('没有名为「no_such_table」的数据表');
  });

  it("hashes at OWASP's scrypt minimum, and rehashes a password made with the old cost at the next login", async () => {
    const lowered = process.env.STEWARD_TEST_SCRYPT_N;
    delete process.env.STEWARD_TEST_SCRYPT_N;
    try {
      expect(SCRYPT_PARAMS).toEqual({ N: 131072, r: 8, p: 1 });
      expect(await hashPassword('x-password-1')).toMatch(/^scrypt\$131072\$8\$1\$/);
      await rehashCase(h, server.url);
    } finally {
      process.env.STEWARD_TEST_SCRYPT_N = lowered;
    }
  });
});

eachDialect('back office: the password asked again', (h) => {
  let server: AdminServer;
  beforeAll(async () => {
    ({ server } = await startWithBoss(h));
  });
  afterAll(async () => server?.close());

  it('asks for the password again before managing operators when it was typed more than 10 minutes ago', async () => {
    const { client: c } = await clientAs(h.core, server.url, 'recheck-boss', ['admin']);
    const fields = { displayName: '复核新人', roles: 'sales', password: 'password-123' };
    const created = () => h.core.models.Operator.count({ where: { displayName: '复核新人' } });
    h.setNow(new Date(Date.now() + 11 * 60_000));
    try {
      const refused = await c.post('/admin/api/resources/operators/actions/new', fields);
      expect(refused.status).toBe(401);
      expect(refused.json()).toEqual({
        error: {
          code: 'REAUTH_REQUIRED',
          message: '此操作需要再次输入密码 (上次输入已超过 10 分钟)。验证后请重新操作。',
          reauthUrl: '/admin/steward/reauth',
        },
      });
      expect(await created()).toBe(0);
      expect((await c.list('customers')).status).toBe(200);
      expect((await c.get('/admin/steward/reauth.js')).text).toContain('REAUTH_REQUIRED');
      const form = await c.get('/admin/steward/reauth?back=%2Fadmin%2Fresources%2Foperators');
      expect(form.text).toContain('请再次输入密码');
      expect(form.text).toContain('value="/admin/resources/operators"');
      const wrong = await c.request(
        'POST',
        '/admin/steward/reauth',
        new URLSearchParams({ password: 'nope', back: '/admin/resources/operators' }),
      );
      expect([wrong.status, wrong.text.includes('密码不正确, 请重新输入。')]).toEqual([401, true]);
      const ok = await c.request(
        'POST',
        '/admin/steward/reauth',
        new URLSearchParams({ password: PASSWORD, back: '/admin/resources/operators' }),
      );
      expect([ok.status, ok.location]).toEqual([302, '/admin/resources/operators']);
      expect((await c.post('/admin/api/resources/operators/actions/new', fields)).status).toBe(200);
      expect(await created()).toBe(1);
      const offsite = await c.request(
        'POST',
        '/admin/steward/reauth',
        new URLSearchParams({ password: PASSWORD, back: '//evil.example/x' }),
      );
      expect(offsite.location).toBe('/admin');
    } finally {
      h.setNow(null);
    }
  });
});

eachDialect(
  'back office behind https (PUBLIC_URL https)',
  (h) => {
    let server: Awaited<ReturnType<typeof startAdmin>>;
    beforeAll(async () => {
      server = await startAdmin(h.core);
      await loginOperator(h.core, 'tls', ['admin']);
    });
    afterAll(async () => server?.close());

    it('sends a plain-http page request to the https address and refuses a plain-http POST with a reason, never a 500', async () => {
      const c = new AdminClient(server.url, '10.6.0.1');
      const page = await c.get('/admin/login');
      expect(page.status).toBe(308);
      expect(page.location).toBe('https://steward.example.com/admin/login');
      const post = await c.login('tls@test.local');
      expect(post.status).toBe(400);
      expect(post.text).toContain('后台只能通过 HTTPS 访问: 请打开 https://steward.example.com/admin');
      const proxied = await c.request('GET', '/admin/login', undefined, { 'x-forwarded-proto': 'https' });
      expect(proxied.status).toBe(200);
    });
  },
  { PUBLIC_URL: 'https://steward.example.com', TRUST_PROXY: 'true' },
);
