import { beforeAll, expect, it } from '@jest/globals';
import { eachDialect } from '../helpers/db.js';
import { createCustomer } from '../../core/customers/create.js';
import { jobActor } from '../../core/context.js';
import type { AdminClient } from './helpers.js';
import { TEMPLATE_HEADERS, dataDesk, DATA_DESK_ENV, download, readXlsx } from './data-desk.js';

eachDialect('back office: 导出', DATA_DESK_ENV, (h) => {
  const { as } = dataDesk(h);
  beforeAll(async () => {
    await createCustomer(h.core, jobActor('t'), { name: '蚌埠导出测试厂', phone: '13766660001' });
  });

  it('downloads a masked CSV for sales; a viewer gets 403', async () => {
    const res = await download(as.wang!, '/admin/steward/export', new URLSearchParams({ format: 'csv' }));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toContain('attachment');
    const bytes = Buffer.from(await res.arrayBuffer());
    // A BOM, so Excel for Windows reads the UTF-8 Chinese.
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const csv = bytes.subarray(3).toString('utf8');
    expect(csv.split('\r\n')[0]).toBe(TEMPLATE_HEADERS.join(','));
    expect(csv).toContain('蚌埠导出测试厂');
    expect(csv).toContain('137****0001');
    expect(csv).not.toContain('13766660001');
    expect((await download(as.kan!, '/admin/steward/export', new URLSearchParams({ format: 'csv' }))).status).toBe(403);
  });

  it('reveals full phones in xlsx only for revealPersonal, with an audit event', async () => {
    expect(
      (await download(as.wang!, '/admin/steward/export', new URLSearchParams({ format: 'xlsx', reveal: 'true' })))
        .status,
    ).toBe(403);
    expect(await h.core.models.AuditEvent.count({ where: { action: 'customer.export-reveal' } })).toBe(0);
    const res = await download(
      as.qian!,
      '/admin/steward/export',
      new URLSearchParams({ format: 'xlsx', reveal: 'true' }),
    );
    expect(res.status).toBe(200);
    const rows = await readXlsx(await res.arrayBuffer());
    expect(rows.find((r) => r[1] === '蚌埠导出测试厂')![3]).toBe('13766660001');
    const audit = await h.core.models.AuditEvent.findOne({ where: { action: 'customer.export-reveal' } });
    expect(audit).toMatchObject({ door: 'admin', operatorName: 'qian' });
  });

  it('offers 导出 to sales and finance but not to a viewer', async () => {
    const names = async (c: AdminClient) =>
      (await c.pageState()).resources.find((r) => r.id === 'customers')!.resourceActions.map((a) => a.name);
    expect(await names(as.wang!)).toContain('exportData');
    expect(await names(as.kan!)).not.toContain('exportData');
    expect(
      (await as.qian!.get('/admin/api/resources/customers/actions/exportData')).json<{ canReveal: boolean }>()
        .canReveal,
    ).toBe(true);
    expect(
      (await as.wang!.get('/admin/api/resources/customers/actions/exportData')).json<{ canReveal: boolean }>()
        .canReveal,
    ).toBe(false);
  });
});

eachDialect('back office: 备份 and 任务运行', DATA_DESK_ENV, (h) => {
  const { as } = dataDesk(h);

  it('lists backups for admins only, with 校验 / 取回单个客户 / 下载; a whole restore stays on the CLI', async () => {
    await h.core.models.BackupRecord.create({
      path: '/srv/backups/2026-11-01',
      takenAt: new Date(),
      operatorName: 'boss',
      reason: 'manual',
      totalRows: 42,
      tableRows: '{"customers":42}',
      sha256: 'ab'.repeat(32),
      bytes: 2048,
      encrypted: false,
      verifiedAt: null,
      verifyDetail: null,
      prunedAt: null,
    } as never);
    const list = (await as.boss!.list('backup_records')).json<{
      records: { params: Record<string, unknown>; recordActions: { name: string }[] }[];
    }>();
    expect(list.records[0]!.params).toMatchObject({ sha256Short: 'abababababab', size: '2.0 KB', totalRows: 42 });
    expect(list.records[0]!.recordActions.map((a) => a.name)).toEqual(['show', 'verifyOne', 'restoreOne', 'download']);
    expect((await as.wang!.list('backup_records')).status).toBe(403);
    const help = (await as.boss!.pageState()).resources.find((r) => r.id === 'backup_records')!;
    expect(help.resourceActions.map((a) => a.name)).toEqual(expect.arrayContaining(['list', 'restoreHelp']));
    expect((await as.boss!.get('/admin/api/resources/job_runs/actions/list')).status).toBe(200);
  });
});
