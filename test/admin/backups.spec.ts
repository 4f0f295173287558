import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { newCustomer } from '../core/fixtures.js';
import { eachDialect } from '../helpers/db.js';
import { clientAs, startAdmin, type AdminClient } from './helpers.js';

type Notice = { notice?: { message: string; type: string } };

/** The download button: a POST from the logged-in browser (cookies, address, same origin). */
function postDownload(base: string, client: AdminClient, id: number): Promise<Response> {
  return fetch(`${base}/admin/steward/backup-download/${id}`, {
    method: 'POST',
    redirect: 'manual',
    headers: {
      cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
      'x-forwarded-for': client.ip,
      origin: base,
    },
  });
}

eachDialect('back office: a backups page a person can use', (h) => {
  let server: Awaited<ReturnType<typeof startAdmin>>;
  let admin: AdminClient;
  let sales: AdminClient;
  const NOW = '/admin/api/resources/backup_records/actions/backupNow';

  beforeAll(async () => {
    server = await startAdmin(h.core);
    admin = (await clientAs(h.core, server.url, 'backup-boss', ['admin'])).client;
    sales = (await clientAs(h.core, server.url, 'backup-sales', ['sales'])).client;
  });
  afterAll(() => server.close());

  describe('立即备份, 校验, 下载, 取回单个客户', () => {
    it('shows the schedule and last result, backs up and verifies on a POST (never on a GET), and refuses sales', async () => {
      const before = await h.core.models.BackupRecord.count();
      const panel = (await admin.get(NOW)).json<{ panel: { schedule: string; lastBackup: unknown } }>().panel;
      expect(panel.schedule).toBe('每天 03:00');
      expect(await h.core.models.BackupRecord.count()).toBe(before);
      const done = (await admin.post(NOW)).json<Notice & { panel: { lastBackup: { verify: string } } }>();
      expect(done.notice).toMatchObject({
        type: 'success',
        message: expect.stringMatching(/^备份完成并校验通过: steward-backup-\d{8}-\d{6}.*, 共 \d+ 行。$/),
      });
      expect(done.panel.lastBackup.verify).toBe('passed');
      expect(await h.core.models.BackupRecord.count()).toBe(before + 1);
      expect((await sales.post(NOW)).status).toBe(403);
    });

    it('downloads a backup as a zip by POST, writes an audit event, and verifies one again', async () => {
      await admin.post(NOW);
      const rec = (await h.core.models.BackupRecord.findOne({ order: [['id', 'DESC']] }))!;
      const res = await postDownload(server.url, admin, rec.id);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/zip');
      const bytes = Buffer.from(await res.arrayBuffer());
      expect(bytes.subarray(0, 2).toString()).toBe('PK');
      expect(bytes.includes(Buffer.from('manifest.json'))).toBe(true);
      expect(await h.core.models.AuditEvent.count({ where: { action: 'backup.download' } })).toBeGreaterThan(0);
      const verified = (await admin.action('backup_records', rec.id, 'verifyOne', {})).json<Notice>();
      expect(verified.notice).toEqual({ type: 'success', message: '校验通过: 每张表的行数和内容都与备份一致。' });
      const refused = await postDownload(server.url, sales, rec.id);
      expect(refused.status).toBe(403);
    });

    it('takes one customer out of a backup into the recycle bin, and says what to do next', async () => {
      const actor = await h.actor('备份页销售', ['admin']);
      const c = await newCustomer(h, actor, { name: '后台取回测试有限公司' });
      await admin.post(NOW);
      const rec = (await h.core.models.BackupRecord.findOne({ order: [['id', 'DESC']] }))!;
      const answer = (await admin.action('backup_records', rec.id, 'restoreOne', { code: c.code })).json<Notice>();
      expect(answer.notice?.message).toMatch(
        new RegExp(
          `^已从备份取出客户 ${c.code} 后台取回测试有限公司 \\(订单 0 张\\), 放入回收站 \\(条目 #\\d+\\)。请到 回收站 → 恢复 完成恢复。$`,
        ),
      );
      const wrong = (await admin.action('backup_records', rec.id, 'restoreOne', { code: 'C19990009' })).json<Notice>();
      expect(wrong.notice).toMatchObject({
        type: 'error',
        message: expect.stringContaining('里没有编码为「C19990009」的客户'),
      });
    });
  });
});
