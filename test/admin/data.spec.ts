import fs from 'node:fs';
import ExcelJS from 'exceljs';
import { beforeAll, expect, it } from '@jest/globals';
import { eachDialect } from '../helpers/db.js';
import { incomingDir } from '../../admin/data/staging.js';
import type { AdminClient } from './helpers.js';
import { TEMPLATE_HEADERS, dataDesk, DATA_DESK_ENV, download, readXlsx } from './data-desk.js';

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
const IMPORT = '/admin/api/resources/import_batches/actions/importFile';

async function xlsx(rows: unknown[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('客户');
  rows.forEach((r) => ws.addRow(r));
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** Posts a file the way the import form does (multipart, field `file`). */
function upload(client: AdminClient, name: string, bytes: Buffer, fields: Record<string, string> = {}) {
  const form = new FormData();
  form.set('file', new Blob([new Uint8Array(bytes)]), name);
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  return client.request('POST', IMPORT, form);
}

let uploads = 0;
/**
 * Three rows: two valid customers and one without a name (row 4). Row 4's 备注 (never imported) makes
 * every file unique: two files built in the same second are otherwise byte-identical, and core
 * refuses a file it has already imported, so a test would depend on another's import and the clock.
 */
const good = () =>
  xlsx([
    HEADERS,
    ['', '合肥导入测试有限公司', '周一', '13955550001', '合肥市蜀山区', '经销商', '', '', ''],
    ['', '芜湖导入商行', '吴二', '13955550002', '', '零售商', '', '', ''],
    ['', '', '郑三', '13955550003', '', '', '', '', `上传 ${++uploads}`],
  ]);

/** Imports good()'s two valid rows as `client`, the way 只导入有效行 does. */
async function commitGood(client: AdminClient): Promise<void> {
  const staged = (await upload(client, '客户清单.xlsx', await good(), { partial: 'true' })).json<ImportAnswer>();
  const done = (await client.post(IMPORT, { token: staged.token! })).json<ImportAnswer>();
  if (!done.report?.committed) throw new Error(`setup import failed: ${done.notice?.message}`);
}

eachDialect('back office: 导入客户', DATA_DESK_ENV, (h) => {
  const { as } = dataDesk(h);
  const customerIds = async () => (await h.core.models.Customer.findAll()).map((c) => c.id);

  it('dry-runs an upload: a report with row, column and Chinese reason, an error report, and nothing written', async () => {
    const customersBefore = await h.core.models.Customer.count();
    const batchesBefore = await h.core.models.ImportBatch.count();
    const res = await upload(as.wang!, '客户清单.xlsx', await good());
    expect(res.status).toBe(200);
    const body = res.json<ImportAnswer>();
    expect(body.report).toMatchObject({ dryRun: true, committed: false, created: 2, updated: 0, failedRowCount: 1 });
    expect(body.report!.errors).toEqual([{ row: 4, column: '客户名称', message: '客户名称必填' }]);
    expect(body.notice!.message).toContain('尚未写入任何数据');
    expect(await h.core.models.Customer.count()).toBe(customersBefore);
    expect(await h.core.models.ImportBatch.count()).toBe(batchesBefore);
    const token = body.token!;
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
    const before = await customerIds();
    const token = (await upload(as.wang!, '客户清单.xlsx', await good())).json<ImportAnswer>().token!;
    const all = (await as.wang!.post(IMPORT, { token })).json<ImportAnswer>();
    expect(all.report).toMatchObject({ committed: false });
    expect(all.notice).toMatchObject({ type: 'error', message: expect.stringContaining('一行都没有写入') });
    expect(await h.core.models.Customer.count()).toBe(before.length);

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
    // The customers this import created: exactly the two valid rows.
    const created = (await h.core.models.Customer.findAll()).filter((c) => !before.includes(c.id));
    expect(created.map((c) => c.name).sort()).toEqual(['合肥导入测试有限公司', '芜湖导入商行']);
    // The staged file is gone once committed: the same token cannot import twice.
    expect((await as.wang!.post(IMPORT, { token: again.token! })).json<ImportAnswer>().error!.code).toBe('NOT_FOUND');
  });

  it('lists the batch with a short sha256 and shows per-row outcomes', async () => {
    type List = { records: { id: string; params: Record<string, unknown> }[] };
    const listed = async () => (await as.wang!.list('import_batches')).json<List>().records;
    const before = (await listed()).map((r) => r.id);
    await commitGood(as.wang!);
    // The list gained exactly this test's batch.
    const records = (await listed()).filter((r) => !before.includes(r.id));
    expect(records).toHaveLength(1);
    expect(String(records[0]!.params.sha256Short)).toMatch(/^[a-f0-9]{12}$/);
    const show = (await as.wang!.action('import_batches', records[0]!.id, 'show')).json<{
      record: { params: Record<string, unknown> };
    }>();
    expect(show.record.params.outcomes).toBe('新建 2 行 · 出错 1 行');
  });
});

eachDialect('back office: 导入客户, what it refuses', DATA_DESK_ENV, (h) => {
  const desk = dataDesk(h);
  const { as } = desk;
  beforeAll(async () => commitGood(as.wang!));

  it("shows core's Chinese message for a renamed non-xlsx and for headers only, writing nothing", async () => {
    const batchesBefore = await h.core.models.ImportBatch.count();
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
    expect(await h.core.models.ImportBatch.count()).toBe(batchesBefore);
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
    const anonymous = await fetch(`${desk.url}/admin/steward/import-template.xlsx`, { redirect: 'manual' });
    expect(anonymous.status).toBe(302);
  });
});

eachDialect('back office: 撤销导入', DATA_DESK_ENV, (h) => {
  const { as } = dataDesk(h);
  beforeAll(async () => commitGood(as.wang!));

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
