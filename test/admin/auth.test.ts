import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { eachDialect } from '../helpers/db.js';
import { LOGIN_LIMITS } from '../../admin/auth/throttle.js';
import { AdminClient, PASSWORD, loginOperator, startAdmin } from './helpers.js';

const limits = { account: { max: 3, windowMs: 60_000 }, ip: { max: 6, windowMs: 60_000 } };

eachDialect('back office login', (h) => {
  let server: Awaited<ReturnType<typeof startAdmin>>;
  let other: Awaited<ReturnType<typeof startAdmin>>;
  beforeAll(async () => {
    server = await startAdmin(h.core, { limits });
    other = await startAdmin(h.core, { limits });
    await loginOperator(h.core, 'boss', ['admin'], '周经理');
  });
  afterAll(async () => {
    await server?.close();
    await other?.close();
  });

  it('sends a visitor without a session to the Chinese login page', async () => {
    const c = new AdminClient(server.url);
    const res = await c.get('/admin/resources/customers');
    expect(res.status).toBe(302);
    expect(res.location).toBe('/admin/login');
    const page = await c.get('/admin/login');
    expect(page.text).toContain('客户主数据管家');
    expect(page.text).toContain('"language":"zh-CN"');
    expect(page.text).not.toContain('fonts.googleapis.com');
  });

  it('answers a wrong password and an unknown email with the same plain message', async () => {
    const wrong = await new AdminClient(server.url, '10.9.0.1').login('boss@test.local', 'not-the-password');
    const unknown = await new AdminClient(server.url, '10.9.0.2').login('nobody@test.local', 'not-the-password');
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    for (const r of [wrong, unknown]) expect(r.text).toContain('"errorMessage":"invalidCredentials"');
    expect(wrong.text.replace(/10\.9\.0\.\d/g, '')).toBe(unknown.text.replace(/10\.9\.0\.\d/g, ''));
    expect(wrong.setCookies.join()).not.toContain('steward.admin=ey');
  });

  it('logs in with a signed, httpOnly, SameSite=Lax cookie and logs out', async () => {
    const c = new AdminClient(server.url, '10.9.1.1');
    const res = await c.login('BOSS@test.local ');
    expect(res.status).toBe(302);
    expect(res.location).toBe('/admin');
    const session = res.setCookies.find((s) => s.startsWith('steward.admin='))!;
    expect(session).toMatch(/httponly/i);
    expect(session).toMatch(/samesite=lax/i);
    expect(res.setCookies.some((s) => s.startsWith('steward.admin.sig='))).toBe(true);
    expect(Buffer.from(session.split(';')[0]!.split('=')[1]!, 'base64').toString()).not.toMatch(/scrypt|passwordHash/);
    const state = await c.pageState();
    expect(state.session).toMatchObject({ email: 'boss@test.local', displayName: '周经理', roles: ['admin'] });
    expect((await c.list('customers')).status).toBe(200);
    const out = await c.get('/admin/logout');
    expect(out.location).toBe('/admin/login');
    expect((await c.list('customers')).status).toBe(302);
  });

  it('refuses a session cookie that was tampered with', async () => {
    const c = new AdminClient(server.url, '10.9.2.1');
    await c.login('boss@test.local');
    const forged = Buffer.from(JSON.stringify({ adminUser: { operatorId: 1, email: 'x', roles: ['admin'] }, _expire: Date.now() + 1e7, _maxAge: 1e7 })).toString('base64');
    c.cookies.set('steward.admin', forged);
    expect((await c.list('customers')).status).toBe(302);
  });

  it('drops the session of an operator deactivated meanwhile, on the next request', async () => {
    const op = await loginOperator(h.core, 'temp', ['sales']);
    const c = new AdminClient(server.url, '10.9.3.1');
    expect((await c.login('temp@test.local')).status).toBe(302);
    expect((await c.list('customers')).status).toBe(200);
    await op.update({ active: false });
    const res = await c.list('customers');
    expect(res.status).toBe(302);
    expect(res.location).toBe('/admin/login');
    expect((await new AdminClient(server.url, '10.9.3.2').login('temp@test.local')).status).toBe(401);
  });

  it('applies a role change on the next request without logging in again', async () => {
    const op = await loginOperator(h.core, 'mover', ['viewer']);
    const c = new AdminClient(server.url, '10.9.4.1');
    await c.login('mover@test.local');
    expect((await c.list('operators')).status).toBe(403);
    await op.update({ roles: 'admin' });
    expect((await c.list('operators')).status).toBe(200);
  });

  it('throttles an account after repeated failures, on every instance, even with the right password', async () => {
    await loginOperator(h.core, 'target', ['sales']);
    for (let i = 0; i < limits.account.max; i++) {
      const c = new AdminClient(i % 2 ? other.url : server.url, `10.9.5.${i}`);
      expect((await c.login('target@test.local', `guess-${i}`)).status).toBe(401);
    }
    const blocked = await new AdminClient(other.url, '10.9.5.99').login('target@test.local', PASSWORD);
    expect(blocked.status).toBe(429);
    expect(blocked.text).toContain('tooManyLoginAttempts');
    expect(Number(blocked.setCookies.length >= 0 && blocked.status)).toBe(429);
    h.setNow(new Date(Date.now() + limits.account.windowMs + 1000));
    try {
      expect((await new AdminClient(server.url, '10.9.5.98').login('target@test.local')).status).toBe(302);
    } finally {
      h.setNow(null);
    }
  });

  it('throttles an IP that tries many accounts', async () => {
    const ip = '10.9.6.6';
    for (let i = 0; i < limits.ip.max; i++) expect((await new AdminClient(server.url, ip).login(`user${i}@test.local`, 'x')).status).toBe(401);
    expect((await new AdminClient(server.url, ip).login('boss@test.local')).status).toBe(429);
    expect((await new AdminClient(server.url, '10.9.6.7').login('boss@test.local')).status).toBe(302);
  });

  it('keeps the production limits at 5 per account and 20 per IP in 15 minutes', () => {
    expect(LOGIN_LIMITS).toEqual({ account: { max: 5, windowMs: 900_000 }, ip: { max: 20, windowMs: 900_000 } });
  });
});

eachDialect('back office session expiry', (h) => {
  let server: Awaited<ReturnType<typeof startAdmin>>;
  beforeAll(async () => {
    server = await startAdmin(h.core, { sessionMaxAgeMs: 1500 });
    await loginOperator(h.core, 'short', ['admin']);
  });
  afterAll(async () => server?.close());

  it('sends an expired session back to the login page', async () => {
    const c = new AdminClient(server.url, '10.8.0.1');
    await c.login('short@test.local');
    expect((await c.list('customers')).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1700));
    const res = await c.get('/admin/resources/customers');
    expect(res.status).toBe(302);
    expect(res.location).toBe('/admin/login');
  });
});
