// The data pages of the back office (import, export, backups): shared by data.spec.ts and data-export.spec.ts.
import ExcelJS from 'exceljs';
import { afterAll, beforeAll } from '@jest/globals';
import type { Harness } from '../helpers/db.js';
import { clientAs, startAdmin, type AdminClient } from './helpers.js';

/** The header row of the import template and of every export. */
export const TEMPLATE_HEADERS = [
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

/** The first sheet of an xlsx, as text cells. */
export async function readXlsx(bytes: ArrayBuffer): Promise<string[][]> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(bytes);
  const out: string[][] = [];
  wb.worksheets[0]!.eachRow((row) => out.push((row.values as unknown[]).slice(1).map((v) => String(v ?? ''))));
  return out;
}

/** A download with the client's session cookie (fetch keeps the bytes, unlike AdminClient's text). */
export async function download(client: AdminClient, path: string, body?: URLSearchParams) {
  const cookie = [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  return fetch(client.base + path, {
    method: body ? 'POST' : 'GET',
    body,
    redirect: 'manual',
    headers: { cookie, 'x-forwarded-for': client.ip, origin: new URL(client.base).origin },
  });
}

export interface DataDesk {
  url: string;
  /** boss (admin), wang (sales), qian (finance), kan (viewer). */
  as: Record<string, AdminClient>;
}

/** The variables a data-desk describe runs with: a 1 MB cap makes the 413 test cheap (the files are a few KB). */
export const DATA_DESK_ENV = { IMPORT_MAX_UNZIPPED_MB: '1' };

/** The back office with one operator per role, set up for the calling describe (run it with DATA_DESK_ENV). */
export function dataDesk(h: Harness): DataDesk {
  let server: Awaited<ReturnType<typeof startAdmin>>;
  const desk: DataDesk = { url: '', as: {} };
  beforeAll(async () => {
    server = await startAdmin(h.core);
    desk.url = server.url;
    for (const [login, roles] of [
      ['boss', ['admin']],
      ['wang', ['sales']],
      ['qian', ['finance']],
      ['kan', ['viewer']],
    ] as const) {
      desk.as[login] = (await clientAs(h.core, server.url, login, [...roles])).client;
    }
  });
  afterAll(async () => server?.close());
  return desk;
}
