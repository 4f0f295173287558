import { afterAll, beforeAll, expect, it, jest } from '@jest/globals';
import { authenticator } from 'otplib';
import { QueryTypes } from 'sequelize';
import { eachDialect } from '../helpers/db.js';
import { AdminClient, loginOperator, startAdmin } from './helpers.js';

jest.setTimeout(180_000);

/** The secret shown on the enrolment page (the text under the QR code). */
const shownSecret = (html: string) => /<code>([A-Z2-7]+)<\/code>/.exec(html)![1]!;

eachDialect(
  'two-step login (TOTP), required for admins and approvers with ADMIN_2FA=required',
  (h) => {
    let server: Awaited<ReturnType<typeof startAdmin>>;
    beforeAll(async () => {
      server = await startAdmin(h.core);
      await loginOperator(h.core, 'totp-boss', ['admin']);
      await loginOperator(h.core, 'totp-sales', ['sales']);
    });
    afterAll(async () => server?.close());

    it('an admin must enrol with a QR code before anything else; afterwards every login asks for the code', async () => {
      const c = new AdminClient(server.url, '10.4.0.1');
      expect((await c.login('totp-boss@test.local')).status).toBe(302);
      expect((await c.get('/admin')).location).toBe('/admin/steward/2fa-setup');
      const blocked = await c.list('customers');
      expect([blocked.status, blocked.json<{ error: { message: string } }>().error.message]).toEqual([
        403,
        '请先完成两步验证, 再继续操作。',
      ]);
      const setup = await c.get('/admin/steward/2fa-setup');
      expect(setup.text).toContain('本系统要求管理员和审批人开启两步验证。');
      expect(setup.text).toMatch(/<img alt="两步验证二维码"[^>]+src="data:image\/svg\+xml;base64,/);
      const secret = shownSecret(setup.text);
      const wrong = await c.request('POST', '/admin/steward/2fa-setup', new URLSearchParams({ code: '000000' }));
      expect([wrong.status, wrong.text.includes('验证码不对')]).toEqual([400, true]);
      const ok = await c.request(
        'POST',
        '/admin/steward/2fa-setup',
        new URLSearchParams({ code: authenticator.generate(secret) }),
      );
      expect([ok.status, ok.location]).toEqual([302, '/admin']);
      expect((await c.list('customers')).status).toBe(200);
      const [row] = await h.core.models.sequelize.query<{ s: string }>(
        "SELECT totp_secret AS s FROM admin_credentials ac JOIN operators o ON o.id = ac.operator_id WHERE o.email = 'totp-boss@test.local'",
        { type: QueryTypes.SELECT },
      );
      expect(row!.s).toMatch(/^v1:/);
      expect(row!.s).not.toContain(secret);

      const again = new AdminClient(server.url, '10.4.0.2');
      expect((await again.login('totp-boss@test.local')).status).toBe(302);
      expect((await again.get('/admin/resources/customers')).location).toBe('/admin/steward/2fa');
      expect((await again.list('customers')).status).toBe(403);
      const bad = await again.request('POST', '/admin/steward/2fa', new URLSearchParams({ code: '123456' }));
      expect([bad.status, bad.text.includes('验证码不对, 请输入验证器 App 里当前显示的 6 位数字。')]).toEqual([
        401,
        true,
      ]);
      const good = await again.request(
        'POST',
        '/admin/steward/2fa',
        new URLSearchParams({ code: authenticator.generate(secret) }),
      );
      expect(good.location).toBe('/admin');
      expect((await again.list('customers')).status).toBe(200);
    });

    it('a sales operator is not forced to enrol', async () => {
      const c = new AdminClient(server.url, '10.4.1.1');
      await c.login('totp-sales@test.local');
      expect((await c.list('customers')).status).toBe(200);
    });
  },
  { ADMIN_2FA: 'required' },
);
