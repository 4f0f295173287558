import { afterAll, beforeAll, expect, it, jest } from '@jest/globals';
import { eachDialect, type Harness } from '../helpers/db.js';
import { LOGIN_LIMITS, delayAfter } from '../../core/credentials/throttle.js';
import { openSessions } from '../../core/credentials/sessions.js';
import { AdminClient, PASSWORD, clientAs, loginOperator, startAdmin } from './helpers.js';

const limits = {
  pair: { free: 3, baseMs: 1000, maxMs: 60_000, resetMs: 3600_000 },
  ip: { free: 8, baseMs: 1000, maxMs: 5000, resetMs: 3600_000 },
};

// Every login costs a full-strength scrypt; the shared CI machine is slow.
jest.setTimeout(180_000);

type AdminServer = Awaited<ReturnType<typeof startAdmin>>;

/** Two back-office instances over one database (as behind a load balancer), and the admin 'boss'. */
async function startTwoAdmins(h: Harness): Promise<[AdminServer, AdminServer]> {
  const pair: [AdminServer, AdminServer] = [await startAdmin(h.core, { limits }), await startAdmin(h.core, { limits })];
  await loginOperator(h.core, 'boss', ['admin'], '周经理');
  return pair;
}

eachDialect('back office login', (h) => {
  let server: AdminServer, other: AdminServer;
  beforeAll(async () => {
    [server, other] = await startTwoAdmins(h);
  });
  afterAll(() => Promise.all([server?.close(), other?.close()]));

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
    const plain = (t: string) => t.replace(/10\.9\.0\.\d/g, '').replace(/nonce="[^"]+"/g, '');
    expect(plain(wrong.text)).toBe(plain(unknown.text));
    expect(wrong.setCookies.filter((s) => s.startsWith('steward.admin='))).toEqual([]);
  });

  it('logs in with an opaque, signed, httpOnly, SameSite=Lax cookie for /admin; after logout the saved cookie is worthless', async () => {
    const c = new AdminClient(server.url, '10.9.1.1');
    const res = await c.login('BOSS@test.local ');
    expect(res.status).toBe(302);
    expect(res.location).toBe('/admin');
    const session = res.setCookies.find((s) => s.startsWith('steward.admin='))!;
    expect(session).toMatch(/httponly/i);
    expect(session).toMatch(/samesite=lax/i);
    expect(session).toMatch(/path=\/admin/i);
    expect(res.setCookies.some((s) => s.startsWith('steward.admin.sig='))).toBe(true);
    const value = session.split(';')[0]!.split('=')[1]!;
    expect(value).toMatch(/^[\w-]{43}$/);
    // Opaque: 32 random bytes, not readable JSON (a random byte may happen to be `{`, so parse it).
    const decoded = Buffer.from(value, 'base64').toString();
    expect(decoded).not.toMatch(/boss|admin|email|roles/);
    expect(() => JSON.parse(decoded)).toThrow();
    const state = await c.pageState();
    expect(state.session).toMatchObject({ email: 'boss@test.local', displayName: '周经理', roles: ['admin'] });
    expect((await c.list('customers')).status).toBe(200);
    const saved = new Map(c.cookies);
    const out = await c.get('/admin/logout');
    expect(out.location).toBe('/admin/login');
    expect((await c.list('customers')).status).toBe(302);
    const replay = new AdminClient(server.url, '10.9.1.1');
    for (const [k, v] of saved) replay.cookies.set(k, v);
    const again = await replay.get('/admin/resources/customers');
    expect([again.status, again.location]).toEqual([302, '/admin/login']);
  });
});

eachDialect('back office sessions ending', (h) => {
  let server: AdminServer, other: AdminServer;
  beforeAll(async () => {
    [server, other] = await startTwoAdmins(h);
  });
  afterAll(() => Promise.all([server?.close(), other?.close()]));

  it('refuses a session cookie that was made up or tampered with', async () => {
    const c = new AdminClient(server.url, '10.9.2.1');
    await c.login('boss@test.local');
    const forged = Buffer.from(JSON.stringify({ adminUser: { operatorId: 1, email: 'x', roles: ['admin'] } })).toString(
      'base64',
    );
    c.cookies.set('steward.admin', forged);
    expect((await c.list('customers')).status).toBe(302);
  });

  it("logging out on one device ends the operator's sessions on every device", async () => {
    const op = await loginOperator(h.core, 'twice', ['admin']);
    const laptop = new AdminClient(server.url, '10.9.7.1');
    const phone = new AdminClient(other.url, '10.9.7.2');
    expect((await laptop.login('twice@test.local')).status).toBe(302);
    expect((await phone.login('twice@test.local')).status).toBe(302);
    expect(await openSessions(h.core, op.id)).toBe(2);
    await laptop.get('/admin/logout');
    expect(await openSessions(h.core, op.id)).toBe(0);
    expect((await phone.list('customers')).status).toBe(302);
  });

  it("a password changed by an admin ends that operator's sessions at once", async () => {
    const { client: boss } = await clientAs(h.core, server.url, 'pw-boss', ['admin']);
    const { client: victim, operator } = await clientAs(h.core, server.url, 'pw-victim', ['sales']);
    expect((await victim.list('customers')).status).toBe(200);
    const res = await boss.action('operators', operator.id, 'edit', { password: 'a-new-password-9' });
    expect(res.status).toBe(200);
    const after = await victim.get('/admin/resources/customers');
    expect([after.status, after.location]).toEqual([302, '/admin/login']);
    expect(
      (await new AdminClient(server.url, '10.9.8.1').login('pw-victim@test.local', 'a-new-password-9')).status,
    ).toBe(302);
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

  it('a role change ends the session; the new roles apply after logging in again', async () => {
    const op = await loginOperator(h.core, 'mover', ['viewer']);
    const c = new AdminClient(server.url, '10.9.4.1');
    await c.login('mover@test.local');
    expect((await c.list('operators')).status).toBe(403);
    await op.update({ roles: 'admin' });
    expect((await c.list('operators')).status).toBe(302);
    await c.login('mover@test.local');
    expect((await c.list('operators')).status).toBe(200);
  });
});

eachDialect('back office login throttle', (h) => {
  let server: AdminServer, other: AdminServer;
  beforeAll(async () => {
    [server, other] = await startTwoAdmins(h);
  });
  afterAll(() => Promise.all([server?.close(), other?.close()]));

  it('delays an (account, IP) pair after repeated failures, growing; the same account from elsewhere is not locked out', async () => {
    await loginOperator(h.core, 'target', ['sales']);
    const ip = '10.9.5.1';
    const t0 = Date.now();
    h.setNow(new Date(t0));
    try {
      for (let i = 0; i < limits.pair.free; i++) {
        const c = new AdminClient(i % 2 ? other.url : server.url, ip);
        expect((await c.login('target@test.local', `guess-${i}`)).status).toBe(401);
      }
      // 3 failures: the next try from this IP waits 1 s, even with the right password, on every instance.
      for (const url of [server.url, other.url]) {
        const delayed = await new AdminClient(url, ip).login('target@test.local', PASSWORD);
        expect(delayed.status).toBe(429);
        expect(delayed.text).toContain('tooManyLoginAttempts');
        expect(delayed.setCookies.filter((s) => s.startsWith('steward.admin='))).toEqual([]);
      }
      // The real owner elsewhere logs in at once: a stranger's guesses do not lock the account.
      expect((await new AdminClient(server.url, '10.9.5.2').login('target@test.local')).status).toBe(302);
      // After the delay, one more wrong guess doubles it (2 s).
      const t1 = t0 + delayAfter(3, limits.pair) + 1;
      h.setNow(new Date(t1));
      expect((await new AdminClient(server.url, ip).login('target@test.local', 'guess-x')).status).toBe(401);
      h.setNow(new Date(t1 + delayAfter(4, limits.pair) - 300));
      expect((await new AdminClient(server.url, ip).login('target@test.local')).status).toBe(429);
      h.setNow(new Date(t1 + delayAfter(4, limits.pair) + 1));
      expect((await new AdminClient(server.url, ip).login('target@test.local')).status).toBe(302);
    } finally {
      h.setNow(null);
    }
  });

  it('many failures from one IP on many accounts do not lock every account behind it for long', async () => {
    const ip = '10.9.6.6';
    for (let i = 0; i < limits.ip.free; i++)
      expect((await new AdminClient(server.url, ip).login(`user${i}@test.local`, 'x')).status).toBe(401);
    const res = await new AdminClient(server.url, ip).login('boss@test.local');
    expect(res.status).toBe(429);
    expect(res.text).toContain('tooManyLoginAttempts');
    h.setNow(new Date(Date.now() + limits.ip.maxMs + 1000));
    try {
      expect((await new AdminClient(server.url, ip).login('boss@test.local')).status).toBe(302);
    } finally {
      h.setNow(null);
    }
  });
});

it('production limits: 3 free tries per account and IP, then 1 s doubling to 15 min; an IP is only slowed (≤ 1 min) after 50', () => {
  expect(LOGIN_LIMITS.pair).toEqual({ free: 3, baseMs: 1000, maxMs: 900_000, resetMs: 86_400_000 });
  expect([3, 4, 5, 12, 30].map((n) => delayAfter(n, LOGIN_LIMITS.pair))).toEqual([1000, 2000, 4000, 512_000, 900_000]);
  expect(delayAfter(20, LOGIN_LIMITS.ip)).toBe(0);
  expect(delayAfter(200, LOGIN_LIMITS.ip)).toBe(60_000);
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
    // The store judges expiry by core's clock, moved past the 1.5 s session and the 10 s koa-session
    // adds to a stored session's lifetime, instead of waiting for them.
    h.setNow(new Date(Date.now() + 12_000));
    try {
      const res = await c.get('/admin/resources/customers');
      expect(res.status).toBe(302);
      expect(res.location).toBe('/admin/login');
    } finally {
      h.setNow(null);
    }
  });

  it('a login clears rows of sessions that expired long ago, and no live one', async () => {
    const op = await loginOperator(h.core, 'tidy', ['admin']);
    const now = h.core.now().getTime();
    const insert = (sid: string, expires: number) =>
      h.core.models.sequelize.query(
        'INSERT INTO admin_sessions (sid_hash, operator_id, data, expires_at, created_at) VALUES (:sid, :op, :data, :expires, :now)',
        { replacements: { sid, op: op.id, data: '{}', expires, now } },
      );
    await insert('expired-a'.padEnd(64, '0'), now - 60_000);
    await insert('expired-b'.padEnd(64, '0'), now - 1);
    await insert('live'.padEnd(64, '0'), now + 3600_000);
    expect((await new AdminClient(server.url, '10.8.0.2').login('tidy@test.local')).status).toBe(302);
    const [rows] = await h.core.models.sequelize.query('SELECT sid_hash FROM admin_sessions WHERE operator_id = :op', {
      replacements: { op: op.id },
    });
    const left = (rows as { sid_hash: string }[]).map((r) => r.sid_hash.replace(/0+$/, ''));
    expect(left).not.toContain('expired-a');
    expect(left).not.toContain('expired-b');
    expect(left).toContain('live');
    expect(left).toHaveLength(2);
  });
});
