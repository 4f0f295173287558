import fs from 'node:fs';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eachDialect } from '../helpers/db.js';
import { createCustomer } from '../../core/customers/create.js';
import { jobActor } from '../../core/context.js';
import { incomingDir } from '../../admin/data/staging.js';
import { clientAs, startAdmin, type AdminClient } from './helpers.js';

type RowError = { row: number; column: string; message: string };
type Report = {
  dryRun: boolean;
  committed: boolean;
  batchId: string | null;
  created: number;
  updated: number;
  unchanged: number;
  skipped: number;
  failedRowCount: number;
  errors: RowError[];
  duplicates: { row: number; matches: string[] }[];
};
type ImportAnswer = {
  notice?: { message: string; type: string };
  report?: Report;
  token?: string | null;
  errorReportUrl?: string | null;
  error?: { code: string };
};

const HEADERS = ['客户编码', '客户名称', '联系人', '手机', '地址', '客户分类', '负责人', '状态', '备注'];
const TEMPLATE_HEADERS = [
  '客户编码',
  '客户名称',
  '联系人',
  '手机',
  '地址',
  '客户分类',
  '区域',
  '负责人',
  '状态',
  '备注',
];
const IMPORT = '/admin/api/resources/import_batches/actions/importFile';

async function xlsx(rows: unknown[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('客户');
  rows.forEach((r) => ws.addRow(r));
  return Buffer.from(await wb.xlsx.writeBuffer());
}

async function readXlsx(bytes: ArrayBuffer): Promise<string[][]> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(bytes);
  const out: string[][] = [];
  wb.worksheets[0]!.eachRow((row) => out.push((row.values as unknown[]).slice(1).map((v) => String(v ?? ''))));
  return out;
}

/** Posts a file the way the import form does (multipart, field `file`). */
function upload(client: AdminClient, name: string, bytes: Buffer, fields: Record<string, string> = {}) {
  const form = new FormData();
  form.set('file', new Blob([new Uint8Array(bytes)]), name);
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  return client.request('POST', IMPORT, form);
}

/** A download with the client's session cookie (fetch keeps the bytes, unlike AdminClient's text). */
async function download(client: AdminClient, path: string, body?: URLSearchParams) {
  const cookie = [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  return fetch(client.base + path, {
    method: body ? 'POST' : 'GET',
    body,
    redirect: 'manual',
    headers: { cookie, 'x-forwarded-for': client.ip, origin: new URL(client.base).origin },
  });
}

// A 1 MB cap makes the 413 test cheap; the files below are a few KB.
const SMALL_UNZIP_CAP = { IMPORT_MAX_UNZIPPED_MB: '1' };

eachDialect('back office: import, undo, export, backups', SMALL_UNZIP_CAP, (h) => {
  let server: Awaited<ReturnType<typeof startAdmin>>;
  const as: Record<string, AdminClient> = {};
  const good = () =>
    xlsx([
      HEADERS,
      ['', '合肥导入测试有限公司', '周一', '13955550001', '合肥市蜀山区', '经销商', '', '', ''],
      ['', '芜湖导入商行', '吴二', '13955550002', '', '零售商', '', '', ''],
      ['', '', '郑三', '13955550003', '', '', '', '', ''],
    ]);

  beforeAll(async () => {
    server = await startAdmin(h.core);
    for (const [login, roles] of [
      ['boss', ['admin']],
      ['wang', ['sales']],
      ['qian', ['finance']],
      ['kan', ['viewer']],
    ] as const) {
      as[login] = (await clientAs(h.core, server.url, login, [...roles])).client;
    }
  });
  afterAll(async () => server?.close());

  describe('导入客户', () => {
    let token: string;

    it('dry-runs an upload: a report with row, column and Chinese reason, an error report, and nothing written', async () => {
      const res = await upload(as.wang!, '客户清单.xlsx', await good());
      expect(res.status).toBe(200);
      const body = res.json<ImportAnswer>();
      expect(body.report).toMatchObject({ dryRun: true, committed: false, created: 2, updated: 0, failedRowCount: 1 });
      expect(body.report!.errors).toEqual([{ row: 4, column: '客户名称', message: '客户名称必填' }]);
      expect(body.notice!.message).toContain('尚未写入任何数据');
      expect(await h.core.models.Customer.count()).toBe(0);
      expect(await h.core.models.ImportBatch.count()).toBe(0);
      token = body.token!;
      expect(token).toMatch(/^[a-f0-9]{32}$/);
      const report = await download(as.wang!, body.errorReportUrl!);
      expect(report.status).toBe(200);
      const rows = await readXlsx(await report.arrayBuffer());
      expect(rows[0]).toEqual([...HEADERS, '错误原因', '原行号']);
      expect(rows[1]!.slice(-2)).toEqual(['客户名称: 客户名称必填', '4']);
      // Another operator cannot use someone else's upload or its report.
      expect((await download(as.boss!, body.errorReportUrl!)).status).toBe(404);
    });

    it('refuses to commit all-or-nothing while rows have errors, then commits the same upload with 只导入有效行', async () => {
      const all = (await as.wang!.post(IMPORT, { token })).json<ImportAnswer>();
      expect(all.report).toMatchObject({ committed: false });
      expect(all.notice).toMatchObject({ type: 'error', message: expect.stringContaining('一行都没有写入') });
      expect(await h.core.models.Customer.count()).toBe(0);

      const again = (await upload(as.wang!, '客户清单.xlsx', await good(), { partial: 'true' })).json<ImportAnswer>();
      const done = (await as.wang!.post(IMPORT, { token: again.token! })).json<ImportAnswer>();
      expect(done.report).toMatchObject({ committed: true, created: 2 });
      expect(done.notice!.message).toMatch(/已导入: 新建 2 个, 更新 0 个客户 \(批次 #\d+\)/);
      const batch = (await h.core.models.ImportBatch.findByPk(Number(done.report!.batchId)))!;
      expect(batch).toMatchObject({
        fileName: '客户清单.xlsx',
        operatorName: 'wang',
        door: 'admin',
        createdCount: 2,
        status: 'committed',
      });
      expect((await h.core.models.Customer.findAll()).map((c) => c.name).sort()).toEqual([
        '合肥导入测试有限公司',
        '芜湖导入商行',
      ]);
      // The staged file is gone once committed: the same token cannot import twice.
      expect((await as.wang!.post(IMPORT, { token: again.token! })).json<ImportAnswer>().error!.code).toBe('NOT_FOUND');
    });

    it('lists the batch with a short sha256 and shows per-row outcomes', async () => {
      const list = (await as.wang!.list('import_batches')).json<{
        records: { id: string; params: Record<string, unknown> }[];
      }>();
      expect(list.records).toHaveLength(1);
      expect(String(list.records[0]!.params.sha256Short)).toMatch(/^[a-f0-9]{12}$/);
      const show = (await as.wang!.action('import_batches', list.records[0]!.id, 'show')).json<{
        record: { params: Record<string, unknown> };
      }>();
      expect(show.record.params.outcomes).toBe('新建 2 行 · 出错 1 行');
    });

    it("shows core's Chinese message for a renamed non-xlsx and for headers only, writing nothing", async () => {
      const renamed = (
        await upload(as.wang!, '假表格.xlsx', Buffer.from('这不是 Excel 文件, 只是改了扩展名'))
      ).json<ImportAnswer>();
      expect(renamed.notice).toMatchObject({
        type: 'error',
        message: expect.stringContaining('不是有效的 Excel .xlsx 文件'),
      });
      const headersOnly = (await upload(as.wang!, '空表.xlsx', await xlsx([HEADERS]))).json<ImportAnswer>();
      expect(headersOnly.notice!.type).toBe('error');
      expect(headersOnly.notice!.message).toMatch(/没有|空/);
      const wrongType = (await upload(as.wang!, '照片.png', Buffer.from('x'))).json<ImportAnswer>();
      expect(wrongType.notice!.message).toContain('不是 .xlsx 或 .csv 文件');
      expect(await h.core.models.ImportBatch.count()).toBe(1);
    });

    it('refuses a viewer and finance with 403, and hides 导入批次 from them', async () => {
      expect((await upload(as.kan!, '客户清单.xlsx', await good())).status).toBe(403);
      expect((await upload(as.qian!, '客户清单.xlsx', await good())).status).toBe(403);
      expect((await download(as.kan!, '/admin/steward/import-template.xlsx')).status).toBe(403);
      const state = await as.kan!.pageState();
      expect(state.resources.find((r) => r.id === 'import_batches')?.href ?? null).toBeNull();
    });

    it('refuses an upload over the cap with 413 and a Chinese message, leaving no temp file behind', async () => {
      const res = await upload(as.wang!, '大文件.csv', Buffer.alloc(3 * 1024 * 1024, 0x41));
      expect(res.status).toBe(413);
      expect(res.json<ImportAnswer>().notice!.message).toContain('后台上传上限为 1 MB');
      expect(fs.readdirSync(incomingDir(h.core))).toEqual([]);
    });

    it('serves the template as an xlsx with the header row, to logged-in importers only', async () => {
      const res = await download(as.wang!, '/admin/steward/import-template.xlsx');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('spreadsheetml');
      expect((await readXlsx(await res.arrayBuffer()))[0]).toEqual(TEMPLATE_HEADERS);
      const anonymous = await fetch(`${server.url}/admin/steward/import-template.xlsx`, { redirect: 'manual' });
      expect(anonymous.status).toBe(302);
    });
  });

  describe('撤销导入', () => {
    it('undoes a batch through core, leaving a customer edited since and listing it', async () => {
      const batch = (await h.core.models.ImportBatch.findOne({ where: { status: 'committed' } }))!;
      const edited = (await h.core.models.Customer.findOne({ where: { name: '芜湖导入商行' } }))!;
      await edited.update({ note: '导入后手工改过', version: edited.version + 1 });
      expect((await as.kan!.action('import_batches', batch.id, 'undoImport', {})).status).toBe(403);
      const res = await as.wang!.action('import_batches', batch.id, 'undoImport', {});
      const body = res.json<{
        notice: { message: string };
        undone: { removed: number; restored: number; touched: { row: number; reason: string }[] };
      }>();
      expect(body.undone).toMatchObject({
        removed: 1,
        restored: 0,
        touched: [{ row: 3, code: edited.code, reason: '导入后又被修改过' }],
      });
      expect(body.notice.message).toContain('删除 1 个新建的客户');
      expect((await h.core.models.Customer.findAll()).map((c) => c.name)).toEqual(['芜湖导入商行']);
      expect((await h.core.models.ImportBatch.findByPk(batch.id))!.status).toBe('undone');
      const twice = (await as.wang!.action('import_batches', batch.id, 'undoImport', {})).json<{
        error: { code: string };
        notice: { message: string };
      }>();
      expect(twice.notice.message).toContain('已于');
    });
  });

  describe('导出', () => {
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
      expect((await download(as.kan!, '/admin/steward/export', new URLSearchParams({ format: 'csv' }))).status).toBe(
        403,
      );
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

  describe('备份 and 任务运行', () => {
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
      expect(list.records[0]!.recordActions.map((a) => a.name)).toEqual([
        'show',
        'verifyOne',
        'restoreOne',
        'download',
      ]);
      expect((await as.wang!.list('backup_records')).status).toBe(403);
      const help = (await as.boss!.pageState()).resources.find((r) => r.id === 'backup_records')!;
      expect(help.resourceActions.map((a) => a.name)).toEqual(expect.arrayContaining(['list', 'restoreHelp']));
      expect((await as.boss!.get('/admin/api/resources/job_runs/actions/list')).status).toBe(200);
    });
  });
});
