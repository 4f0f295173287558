import ExcelJS from 'exceljs';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { Actor } from '../../core/context.js';
import { clientAs, startAdmin, type AdminClient } from '../admin/helpers.js';
import { eachDialect, type Harness } from '../helpers/db.js';
import { customers } from './fixtures.js';

type Report = {
  type: string;
  dryRun: boolean;
  committed: boolean;
  batchId: string | null;
  created: number;
  updated: number;
  unchanged: number;
  closing: number;
  failedRowCount: number;
  errors: { row: number; column: string; message: string }[];
  unknownColumns: string[];
};
type Answer = {
  notice?: { message: string; type: string };
  report?: Report;
  token?: string | null;
  errorReportUrl?: string | null;
};

const IMPORT = '/admin/api/resources/import_batches/actions/importLedger';

async function xlsx(rows: unknown[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('应收');
  rows.forEach((r) => ws.addRow(r));
  return Buffer.from(await wb.xlsx.writeBuffer());
}

function upload(client: AdminClient, name: string, bytes: Buffer, fields: Record<string, string> = {}) {
  const form = new FormData();
  form.set('file', new Blob([new Uint8Array(bytes)]), name);
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  return client.request('POST', IMPORT, form);
}

async function readXlsx(bytes: ArrayBuffer): Promise<string[][]> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(bytes);
  const out: string[][] = [];
  wb.worksheets[0]!.eachRow((row) => out.push((row.values as unknown[]).slice(1).map((v) => String(v ?? ''))));
  return out;
}

/** A download with the client's session cookie (fetch keeps the bytes). */
function download(client: AdminClient, path: string) {
  const cookie = [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  return fetch(client.base + path, { redirect: 'manual', headers: { cookie, 'x-forwarded-for': client.ip } });
}

/** Downloads a dry run's error workbook (it must be there) and reads its rows. */
async function errorWorkbookRows(client: AdminClient, url: string): Promise<string[][]> {
  const workbook = await download(client, url);
  expect(workbook.status).toBe(200);
  return readXlsx(await workbook.arrayBuffer());
}

let server: Awaited<ReturnType<typeof startAdmin>>;
const as: Record<string, AdminClient> = {};
let codes: string[];

/** zhao (finance), sun (sales), li (viewer) and qin (admin) signed in; two customers. */
function setupBackOffice(h: Harness): void {
  beforeAll(async () => {
    server = await startAdmin(h.core);
    for (const [login, roles] of [
      ['zhao', ['finance']],
      ['sun', ['sales']],
      ['li', ['viewer']],
      ['qin', ['admin']],
    ] as const)
      as[login] = (await clientAs(h.core, server.url, login, [...roles])).client;
    const admin: Actor = await h.actor('后台单据管理员', ['admin']);
    codes = await customers(h.core, admin, ['后台客户甲', '后台客户乙']);
  });
  afterAll(async () => server?.close());
}

eachDialect('back office: 导入单据, 确认导入 and 撤销单据导入', (h) => {
  setupBackOffice(h);

  it('finance uploads receivables: a dry-run report with row errors and nothing written, then 确认导入 writes the valid rows, then 撤销单据导入', async () => {
    const file = await xlsx([
      ['应收单号', '客户编码', '应收金额', '已收', '到期日', '备注'],
      ['AR-B1', codes[0], 300, 100, new Date(Date.UTC(2026, 3, 1))],
      ['AR-B2', codes[1], 'abc', 0, '2026/4/1'],
    ]);
    const dry = (await upload(as.zhao!, '应收明细.xlsx', file, { partial: 'true' })).json<Answer>();
    expect(dry.report).toMatchObject({
      type: 'receivables',
      dryRun: true,
      created: 1,
      failedRowCount: 1,
      unknownColumns: ['备注'],
    });
    expect(dry.report!.errors).toEqual([
      { row: 3, column: '应收金额', message: '「abc」不是金额, 应为数字, 例如 1234.50' },
    ]);
    expect(dry.notice!.message).toContain('尚未写入任何数据');
    expect(dry.errorReportUrl).toMatch(/^\/admin\/steward\/import-errors\//);
    const [head, bad] = await errorWorkbookRows(as.zhao!, dry.errorReportUrl!);
    expect([head!.slice(-2), bad!.slice(0, 5), bad!.slice(-2)]).toEqual([
      ['错误原因', '原行号'],
      ['AR-B2', codes[1], 'abc', '0', '2026/4/1'],
      ['应收金额: 「abc」不是金额, 应为数字, 例如 1234.50', '3'],
    ]);
    expect(await h.core.models.Receivable.count()).toBe(0);

    // Another operator cannot commit this upload.
    const stolen = (await as.sun!.post(IMPORT, { token: dry.token! })).json<Answer>();
    expect(stolen.notice).toMatchObject({ type: 'error' });
    const done = (await as.zhao!.post(IMPORT, { token: dry.token! })).json<Answer>();
    expect(done.report).toMatchObject({ committed: true, created: 1 });
    expect(done.notice!.message).toMatch(/^已导入应收款: 新增 1, 更新 0 \(批次 #\d+\)/);
    const batchId = done.report!.batchId!;
    expect(await h.core.models.ImportBatch.findByPk(Number(batchId))).toMatchObject({
      kind: 'receivables',
      door: 'admin',
      operatorName: 'zhao',
      mode: 'partial',
    });

    const list = (await as.zhao!.list('import_batches')).json<{
      records: { id: string; params: { kind: string } }[];
    }>();
    expect(list.records.map((r) => [String(r.id), r.params.kind])).toEqual([[batchId, 'receivables']]);
    // The customer import's undo is not the one for a ledger batch.
    const wrong = (await as.qin!.action('import_batches', batchId, 'undoImport', {})).json<{
      notice: { message: string; type: string };
    }>();
    expect(wrong.notice).toEqual({
      type: 'error',
      message: `导入批次 #${batchId} 是单据导入, 请用「撤销单据导入」撤销。`,
    });
    expect(await h.core.models.ImportBatch.findByPk(Number(batchId))).toMatchObject({ status: 'committed' });
    const undone = (await as.zhao!.action('import_batches', batchId, 'undoLedgerImport', {})).json<{
      notice: { message: string };
    }>();
    expect(undone.notice.message).toBe(`已撤销导入批次 #${batchId}: 删除新增的应收款 1 张, 0 张恢复为导入前的状态。`);
    expect(await h.core.models.Receivable.count()).toBe(0);
  });
});

eachDialect('back office: 导入单据 by role', (h) => {
  setupBackOffice(h);

  it('sales may import orders but not receivables; a viewer gets nothing', async () => {
    const file = await xlsx([
      ['单号', '客户编码', '应收金额', '已收金额', '到期日'],
      ['AR-S1', codes[0], 10, 0, '2026-04-01'],
    ]);
    const refused = (await upload(as.sun!, 'ar.xlsx', file)).json<Answer>();
    expect(refused.notice).toMatchObject({ type: 'error', message: expect.stringContaining('没有「登记收款」权限') });
    expect((await upload(as.li!, 'ar.xlsx', file)).status).toBe(403);
    const orders = await xlsx([
      ['单号', '客户名称', '日期', '金额', '状态'],
      ['SO-S1', '后台客户乙', '2026-03-03', 5, '进行中'],
    ]);
    const ok = (await upload(as.sun!, 'so.xlsx', orders)).json<Answer>();
    expect(ok.report).toMatchObject({ type: 'orders', created: 1, failedRowCount: 0 });
  });
});
