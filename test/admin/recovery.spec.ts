import { afterAll, beforeAll, expect, it, jest } from '@jest/globals';
import { registerAdmin } from '../../cli/commands/admin.js';
import { ensureAdmin } from '../../core/credentials/admin-account.js';
import { openSessions } from '../../core/credentials/sessions.js';
import { describeLogins } from '../../core/credentials/keep-on-restore.js';
import { takeBackup } from '../../core/data/backup/backup.js';
import { restoreBackup } from '../../core/data/backup/restore.js';
import { eachDialect, withEnv } from '../helpers/db.js';
import { AdminClient, PASSWORD, clientAs, loginOperator, startAdmin } from './helpers.js';
import { runSteward } from '../helpers/steward-cli.js';

const limits = {
  pair: { free: 2, baseMs: 60_000, maxMs: 600_000, resetMs: 3600_000 },
  ip: { free: 50, baseMs: 1000, maxMs: 5000, resetMs: 3600_000 },
};

// Every login costs a full-strength scrypt; the shared CI machine is slow.
jest.setTimeout(180_000);

eachDialect('a way back into the back office: the first admin and a reset password', (h) => {
  let server: Awaited<ReturnType<typeof startAdmin>>;
  beforeAll(async () => {
    server = await startAdmin(h.core, { limits });
  });
  afterAll(async () => server?.close());

  const steward = (...argv: string[]) => runSteward(registerAdmin, h.core, argv);

  it('creates the admin once when several instances start at the same time on an empty database', async () => {
    const core = withEnv(h.core, { ADMIN_EMAIL: 'race-admin@test.local' });
    const results = await Promise.all([1, 2, 3, 4].map(() => ensureAdmin(core)));
    expect(await h.core.models.Operator.count({ where: { email: 'race-admin@test.local' } })).toBe(1);
    expect(results.filter((r) => !r.existed).length).toBe(1);
    expect((await ensureAdmin(core)).existed).toBe(true);
  });

  it('steward admin reset-password prints a one-time password, ends the sessions, and the password must be changed first', async () => {
    const { client: before, operator } = await clientAs(h.core, server.url, 'lost', ['admin']);
    expect((await before.list('customers')).status).toBe(200);
    const r = await steward('admin', 'reset-password', 'LOST@test.local');
    expect(r.code).toBe(0);
    const otp = /一次性密码 \(只显示这一次\): (\w{12})\n/.exec(r.out)![1]!;
    expect(r.out).toContain('已重置操作员 lost (lost@test.local) 的后台密码。');
    expect(r.out).toContain('已退出其 1 个后台登录');
    expect(await openSessions(h.core, operator.id)).toBe(0);
    expect((await before.list('customers')).status).toBe(302);
    expect((await new AdminClient(server.url, '10.5.0.1').login('lost@test.local', PASSWORD)).status).toBe(401);

    const c = new AdminClient(server.url, '10.5.0.2');
    expect((await c.login('lost@test.local', otp)).status).toBe(302);
    const page = await c.get('/admin');
    expect([page.status, page.location]).toEqual([302, '/admin/steward/password']);
    const api = await c.list('customers');
    expect(api.status).toBe(403);
    expect(api.json<{ error: { message: string } }>().error.message).toBe('请先修改一次性密码, 再继续操作。');
    expect((await c.get('/admin/steward/password')).text).toContain('您使用的是一次性密码, 请先设置自己的新密码。');
    const mismatch = await c.request(
      'POST',
      '/admin/steward/password',
      new URLSearchParams({ password: 'my-own-pass-1', password2: 'my-own-pass-2' }),
    );
    expect([mismatch.status, mismatch.text.includes('两次输入的新密码不一致')]).toEqual([400, true]);
    const short = await c.request(
      'POST',
      '/admin/steward/password',
      new URLSearchParams({ password: 'short', password2: 'short' }),
    );
    expect([short.status, short.text.includes('新密码至少 8 位')]).toEqual([400, true]);
    const saved = await c.request(
      'POST',
      '/admin/steward/password',
      new URLSearchParams({ password: 'my-own-pass-1', password2: 'my-own-pass-1' }),
    );
    expect([saved.status, saved.location]).toEqual([302, '/admin/login']);
    expect((await c.list('customers')).status).toBe(302);
    expect((await c.login('lost@test.local', otp)).status).toBe(401);
    expect((await c.login('lost@test.local', 'my-own-pass-1')).status).toBe(302);
    expect((await c.list('customers')).status).toBe(200);
  });
});

eachDialect('a way back into the back office: unknown e-mails and login delays', (h) => {
  let server: Awaited<ReturnType<typeof startAdmin>>;
  beforeAll(async () => {
    server = await startAdmin(h.core, { limits });
  });
  afterAll(async () => server?.close());

  const steward = (...argv: string[]) => runSteward(registerAdmin, h.core, argv);

  it('steward admin reset-password names an unknown e-mail in Chinese and exits non-zero', async () => {
    const r = await steward('admin', 'reset-password', 'nobody@test.local');
    expect(r.code).toBe(1);
    expect(r.err).toContain('找不到操作员「nobody@test.local」');
  });

  it('an admin lifts login delays with steward admin unlock, or with 解除登录限制 in the back office', async () => {
    await loginOperator(h.core, 'clumsy', ['sales']);
    const ip = '10.5.1.1';
    const clumsy = () => new AdminClient(server.url, ip).login('clumsy@test.local');
    for (let i = 0; i < limits.pair.free; i++)
      await new AdminClient(server.url, ip).login('clumsy@test.local', 'wrong');
    expect((await clumsy()).status).toBe(429);
    const r = await steward('admin', 'unlock', 'clumsy@test.local');
    expect(r.out).toBe('已解除 clumsy (clumsy@test.local) 的登录限制 (1 条)。\n');
    expect((await clumsy()).status).toBe(302);

    for (let i = 0; i < limits.pair.free; i++)
      await new AdminClient(server.url, ip).login('clumsy@test.local', 'wrong');
    expect((await clumsy()).status).toBe(429);
    const { client: boss } = await clientAs(h.core, server.url, 'unlock-boss', ['admin']);
    const op = (await h.core.models.Operator.findOne({ where: { email: 'clumsy@test.local' } }))!;
    const res = await boss.action('operators', op.id, 'unlockLogin', {});
    expect(res.json<{ notice: { message: string } }>().notice.message).toBe('已解除 clumsy 的登录限制');
    expect((await clumsy()).status).toBe(302);
    const { client: sales } = await clientAs(h.core, server.url, 'unlock-sales', ['sales']);
    expect((await sales.action('operators', op.id, 'unlockLogin', {})).status).toBe(403);
  });
});

eachDialect('a way back into the back office: after a whole-database restore', (h) => {
  let server: Awaited<ReturnType<typeof startAdmin>>;
  beforeAll(async () => {
    server = await startAdmin(h.core, { limits });
  });
  afterAll(async () => server?.close());

  it("a whole-database restore keeps the live operators' passwords and says so; sessions end", async () => {
    const { client, operator } = await clientAs(h.core, server.url, 'restorer', ['admin']);
    const actor = { operator, door: 'cli' as const };
    const backup = await takeBackup(h.core, actor, {});
    const r = await restoreBackup(h.core, actor, backup.path, { replace: true });
    expect(r.logins.kept).toContain('restorer@test.local');
    expect(r.logins.recreatedAdmin).toBeNull();
    expect(describeLogins(r.logins)[0]).toMatch(
      new RegExp(`^后台登录: 保留了 ${r.logins.kept.length} 位现有操作员的密码 \\(.+\\); 所有人需重新登录。$`),
    );
    expect((await client.list('customers')).status).toBe(302);
    expect((await new AdminClient(server.url, '10.5.2.1').login('restorer@test.local')).status).toBe(302);
  });

  it("a restore that would leave no admin able to log in re-creates ADMIN_EMAIL's admin with a one-time password", async () => {
    const actor = { operator: await loginOperator(h.core, 'restorer2', ['admin']), door: 'cli' as const };
    const backup = await takeBackup(h.core, actor, {});
    // Every live login differs from the backup's (as after restoring onto another installation).
    await h.core.models.Operator.update({ email: null }, { where: {} });
    await loginOperator(h.core, 'stranger', ['admin']);
    const core = withEnv(h.core, { ADMIN_EMAIL: 'restorer2@test.local' });
    const r = await restoreBackup(core, actor, backup.path, { replace: true });
    expect(r.logins.kept).toEqual([]);
    expect(r.logins.recreatedAdmin).toMatchObject({ email: 'restorer2@test.local', created: false });
    expect(describeLogins(r.logins)[1]).toBe(
      `没有可登录的管理员, 已重置管理员 restorer2@test.local, 一次性密码 (只显示这一次): ${r.logins.recreatedAdmin!.password} — 登录后须立即修改。`,
    );
    const c = new AdminClient(server.url, '10.5.3.1');
    expect((await c.login('restorer2@test.local', r.logins.recreatedAdmin!.password)).status).toBe(302);
    expect((await c.get('/admin')).location).toBe('/admin/steward/password');
    expect((await new AdminClient(server.url, '10.5.3.2').login('stranger@test.local')).status).toBe(401);
  });
});
